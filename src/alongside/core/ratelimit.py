"""One rate limiter for the public forms that need no sign-in (suggestions, ratings).

A visitor is counted twice: by network address and by browser session, and is refused when
either count reaches the limit within the window. The cache keys are keyed hashes, so the
cache never holds an IP address or a session key that could be read back.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

HOUR = 60 * 60
_SALT = "alongside.core.ratelimit"


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, kind: str, value: str) -> str:
    digest = salted_hmac(_SALT, f"{scope}:{kind}:{value}", algorithm="sha256").hexdigest()
    return f"ratelimit:{scope}:{digest[:40]}"


def rate_keys(request: HttpRequest, *, scope: str) -> list[str]:
    """The cache keys that count this visitor's submissions in `scope`."""
    keys = [_key(scope, "ip", client_ip(request))]
    session_key = request.session.session_key
    if session_key:
        keys.append(_key(scope, "session", session_key))
    return keys


def rate_limited(request: HttpRequest, *, scope: str, limit: int) -> bool:
    """True when this visitor has already sent `limit` submissions in `scope`."""
    counts = cache.get_many(rate_keys(request, scope=scope))
    return any((count or 0) >= limit for count in counts.values())


def count_submission(request: HttpRequest, *, scope: str, window: int = HOUR) -> None:
    """Count one submission against this visitor. Gives the visitor a session first, so a
    browser that changes network (or shares one) is still counted on its own."""
    if not request.session.session_key:
        request.session.save()
    for key in rate_keys(request, scope=scope):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # it expired between add and incr
            cache.set(key, 1, window)


def too_many(
    request: HttpRequest,
    *,
    template: str,
    limit: int,
    window: int = HOUR,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page that tells a visitor they have sent too many (status 429)."""
    response = render(request, template, {"limit": limit, **(context or {})}, status=429)
    response["Retry-After"] = str(window)
    return response
