"""Small helpers for views in every app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go next: the `next` parameter when it points at this site, else the page
    named `default` (a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def posted(request: HttpRequest) -> Any:
    """The submitted data, or None for a GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None
