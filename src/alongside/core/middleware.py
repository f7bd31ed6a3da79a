"""Request ids for logs, and signing staff out after a period without activity."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .logging import request_id_var

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LAST_SEEN_KEY = "alongside_last_seen"


class RequestIdMiddleware:
    """Take X-Request-ID from the proxy when it is sane, else make one; echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class StaffSessionExpiryMiddleware:
    """Sign a staff member out when they have been inactive for STAFF_SESSION_IDLE_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.STAFF_SESSION_IDLE_SECONDS
            if last_seen is not None and now - int(last_seen) > idle_limit:
                logout(request)
                minutes = max(1, idle_limit // 60)
                messages.info(
                    request,
                    f"You were signed out because you had not used the service for {minutes} "
                    "minutes. Sign in again to carry on.",
                )
                return redirect(f"{reverse('accounts:sign-in')}?next={request.path}")
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
