"""Django admin for superusers, read-mostly: funds and awards change only through the staff
pages and their services, which keep the fund's totals right and audit every change. The one
change here, closing funds to new requests, goes through the same service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .models import Award, Fund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "programme",
        "starts_on",
        "ends_on",
        "budget",
        "committed",
        "spent",
        "is_open",
    ]
    list_filter = ["is_open", "programme"]
    search_fields = ["name"]
    actions = ["close_to_requests"]

    @admin.action(description="Stop the selected funds taking requests")
    def close_to_requests(self, request: Any, queryset: Any) -> None:
        closed = 0
        for fund in queryset.filter(is_open=True):
            try:
                services.fund_update(
                    actor=request.user,
                    fund=fund,
                    name=fund.name,
                    starts_on=fund.starts_on,
                    ends_on=fund.ends_on,
                    budget=fund.budget,
                    max_award=fund.max_award,
                    programme_code=fund.programme_id,
                    is_open=False,
                )
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{fund.name}: {error}", level=messages.ERROR)
            else:
                closed += 1
        self.message_user(request, f"{closed} fund(s) no longer take requests.")


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    """No people's names in the list: the admin does not audit views, the staff pages do."""

    list_display = ["id", "fund", "category", "amount", "status", "requested_on", "paid_on"]
    list_filter = ["status", "category", "fund"]
    exclude = ["reason", "person", "episode", "category_other", "decision_note"]
