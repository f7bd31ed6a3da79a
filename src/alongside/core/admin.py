"""Django admin for superusers. Staff use the staff pages; this is for support only."""

from django.contrib import admin

from .models import AuditEvent, Neighbourhood, SmallArea, Ward


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "neighbourhood", "population"]
    list_filter = ["neighbourhood"]
    search_fields = ["name", "code"]
    exclude = ["boundary"]
    readonly_fields = ["min_lat", "max_lat", "min_lon", "max_lon"]


@admin.register(SmallArea)
class SmallAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ward", "population", "imd_decile"]
    list_filter = ["imd_decile", "ward"]
    search_fields = ["code", "name"]
    exclude = ["boundary"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be changed, even by superusers."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
