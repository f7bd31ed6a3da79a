"""Paging for staff lists, rendered by core/includes/pagination.html (GOV.UK pagination)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Any, per_page: int) -> tuple[Page, dict[str, Any] | None]:
    """A page of `items` (an out-of-range page number shows the nearest page) and the links
    for it, keeping the rest of the query string; the links are None for a single page."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    if page.paginator.num_pages <= 1:
        return page, None

    def url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    links: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == Paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append({"number": number, "url": url(number), "current": number == page.number})
    return page, {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "links": links,
    }
