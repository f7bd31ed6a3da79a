"""Django admin for superusers (support only). Editors moderate ratings at /staff/feedback/,
where every decision is recorded; here ratings can be read, and deleted when support must
remove something, but not added or changed."""

from django.contrib import admin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["service", "stars", "state", "created_at", "moderated_by", "moderated_at"]
    list_filter = ["state", "stars"]
    search_fields = ["service__name", "comment"]
    list_select_related = ["service", "moderated_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "service",
        "stars",
        "comment",
        "state",
        "moderated_by",
        "moderated_at",
        "rejection_reason",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
