"""Who may open a staff page: signed in, second factor verified when required, permission held."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

View = Callable[..., HttpResponse]


def otp_required_for(user: Any) -> bool:
    """A second factor is needed when the installation requires it (always in production)
    or when the person has set one up."""
    if settings.ALONGSIDE_REQUIRE_OTP and not (
        getattr(user, "is_demo", False) and settings.ALONGSIDE_ENVIRONMENT != "production"
    ):
        return True
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def staff_required(*perms: str) -> Callable[[View], View]:
    """Decorate a staff view: anonymous people go to sign-in, the unverified to their
    second factor, and anyone without every listed permission gets a 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:sign-in')}?{query}")
            if otp_required_for(user) and not user.is_verified():  # type: ignore[union-attr]
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:otp-verify')}?{query}")
            if perms and not user.has_perms(perms):
                raise PermissionDenied("You do not have a role that allows this.")
            return view(request, *args, **kwargs)

        wrapped.staff_permissions = perms  # type: ignore[attr-defined]
        return wrapped

    return decorator
