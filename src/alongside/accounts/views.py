"""Sign-in with a second factor, sign-out, and the staff home page."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.core.http import safe_next
from alongside.core.permissions import otp_required_for, staff_required

from . import selectors, services
from .forms import OtpTokenForm, SignInForm
from .roles import ROLE_DESCRIPTIONS

SETUP_DEVICE_KEY = "alongside_otp_setup_device"


def _safe_next(request: HttpRequest, default: str = "accounts:home") -> str:
    return safe_next(request, default)


@sensitive_post_parameters("password")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = form.user_cache
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = _safe_next(request)
        if otp_required_for(user):
            target = "accounts:otp-verify" if any(devices_for_user(user)) else "accounts:otp-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': next_url})}")
        services.sign_in_record(user=user, second_factor=False)
        return redirect(next_url)
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not any(devices_for_user(user)):
        return redirect("accounts:otp-setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = all(not d.verify_is_allowed()[0] for d in devices_for_user(user))
        device = None if throttled else match_token(user, form.cleaned_data["code"])
        if throttled:
            form.add_error("code", "Wait a few seconds, then enter the new security code")
        elif device is None:
            form.add_error("code", "The security code is wrong or has expired. Try the new code")
        else:
            otp_login(request, device)
            services.sign_in_record(user=user, second_factor=True)
            return redirect(_safe_next(request))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan the code, then enter a code from it."""
    user = request.user
    if user.is_verified() is False and any(devices_for_user(user)):
        # Replacing a device needs the current one first.
        return redirect("accounts:otp-verify")
    device = None
    device_id = request.session.get(SETUP_DEVICE_KEY)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.otp_device_start(user=user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    form = OtpTokenForm(request.POST or None, submit_label="Confirm")
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(user=user, device=device, code=form.cleaned_data["code"]):
            request.session.pop(SETUP_DEVICE_KEY, None)
            otp_login(request, device)
            services.sign_in_record(user=user, second_factor=True)
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(_safe_next(request))
        form.add_error("code", "The security code is wrong or has expired. Try the new code")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)),
            "next": request.GET.get("next", ""),
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": selectors.membership_list_for_user(user=user),
            "roles": [
                {"name": g.name, "description": ROLE_DESCRIPTIONS.get(g.name, "")}
                for g in user.groups.order_by("name")
            ],
            "tools": selectors.tools_for_user(user=user),
        },
    )


@staff_required()
def account(request: HttpRequest) -> HttpResponse:
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "accounts/account.html", {"has_device": has_device})
