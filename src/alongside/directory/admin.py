"""Django admin for superusers (support only; editors will use the staff pages)."""

from django.contrib import admin

from . import models


class AddressInline(admin.TabularInline):
    model = models.Address
    extra = 0


class AccessibilityInline(admin.TabularInline):
    model = models.AccessibilityFeature
    extra = 0


@admin.register(models.Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ward"]
    list_filter = ["kind", "ward"]
    search_fields = ["name"]
    inlines = [AddressInline, AccessibilityInline]


class ScheduleInline(admin.StackedInline):
    model = models.Schedule
    extra = 0


class CostInline(admin.TabularInline):
    model = models.CostOption
    extra = 0


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "provider", "state", "status", "last_checked_at"]
    list_filter = ["state", "status", "kind"]
    search_fields = ["name", "description"]
    filter_horizontal = ["terms"]
    inlines = [ScheduleInline, CostInline]


@admin.register(models.Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "is_community_enterprise"]
    search_fields = ["name"]


class TermInline(admin.TabularInline):
    model = models.TaxonomyTerm
    extra = 0
    fields = ["code", "name", "description", "parent", "external_taxonomy", "external_code"]


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version"]
    inlines = [TermInline]
