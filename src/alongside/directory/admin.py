"""Django admin for superusers (support only; editors use the staff pages). Saves here go
through the same services as everywhere else, so the API dates and search stay right."""

from django.contrib import admin

from . import models
from .services import locations_changed, providers_changed, services_changed


class TouchesListings:
    """After a save (with its inlines), tell the directory which listings changed."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.listings_changed(form.instance)

    def listings_changed(self, obj) -> None:
        raise NotImplementedError


class AddressInline(admin.TabularInline):
    model = models.Address
    extra = 0


class AccessibilityInline(admin.TabularInline):
    model = models.AccessibilityFeature
    extra = 0


@admin.register(models.Location)
class LocationAdmin(TouchesListings, admin.ModelAdmin):
    list_display = ["name", "kind", "ward"]
    list_filter = ["kind", "ward"]
    search_fields = ["name"]
    inlines = [AddressInline, AccessibilityInline]

    def listings_changed(self, obj) -> None:
        locations_changed(location_ids=[obj.pk])


class ScheduleInline(admin.StackedInline):
    model = models.Schedule
    extra = 0


class CostInline(admin.TabularInline):
    model = models.CostOption
    extra = 0


@admin.register(models.Service)
class ServiceAdmin(TouchesListings, admin.ModelAdmin):
    list_display = ["name", "kind", "provider", "state", "status", "last_checked_at"]
    list_filter = ["state", "status", "kind"]
    search_fields = ["name", "description"]
    filter_horizontal = ["terms"]
    inlines = [ScheduleInline, CostInline]

    def listings_changed(self, obj) -> None:
        services_changed(service_ids=[obj.pk])


@admin.register(models.Provider)
class ProviderAdmin(TouchesListings, admin.ModelAdmin):
    list_display = ["name", "is_community_enterprise"]
    search_fields = ["name"]

    def listings_changed(self, obj) -> None:
        providers_changed(provider_ids=[obj.pk])


class TermInline(admin.TabularInline):
    model = models.TaxonomyTerm
    extra = 0
    fields = ["code", "name", "description", "parent", "external_taxonomy", "external_code"]


@admin.register(models.Taxonomy)
class TaxonomyAdmin(TouchesListings, admin.ModelAdmin):
    list_display = ["name", "code", "version"]
    inlines = [TermInline]

    def listings_changed(self, obj) -> None:
        services_changed(
            service_ids=models.Service.objects.filter(terms__taxonomy=obj).values_list(
                "pk", flat=True
            )
        )
