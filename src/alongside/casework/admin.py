"""Django admin for superusers: the configurable lists (reasons for an introduction, needs
avoided or delayed). Casework itself is done on the staff pages, which audit every view."""

from django.contrib import admin

from .models import DiversionKind, IntroductionReason


class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    ordering = ["order", "label"]

    def get_readonly_fields(self, request, obj=None):
        # A code in use is kept: records refer to it. Retire it with "is active" instead.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(IntroductionReason, ReferenceItemAdmin)
admin.site.register(DiversionKind, ReferenceItemAdmin)
