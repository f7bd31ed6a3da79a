"""System checks, so a mistyped NOTIFY_BACKEND, or GOV.UK Notify without its key or
templates, stops the server starting rather than failing the first time someone sends a
message. The checks never repeat the API key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# The Notify templates each kind of message needs, and the placeholders each must have.
NOTIFY_TEMPLATES = {
    "NOTIFY_EMAIL_TEMPLATE_ID": "an email template with ((subject)) and ((body))",
    "NOTIFY_EMAIL_FILE_TEMPLATE_ID": (
        "an email template with ((subject)), ((body)) and ((link_to_file))"
    ),
    "NOTIFY_SMS_TEMPLATE_ID": "a text message template with ((body))",
}


@checks.register()
def notify_backend_known(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .backends import get_backend

    try:
        get_backend()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="notify.E001")]
    return []


@checks.register()
def govuk_notify_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """With NOTIFY_BACKEND = "govuk_notify": a well-formed API key and every template id."""
    from .backends import is_uuid, parse_notify_api_key

    if settings.NOTIFY_BACKEND != "govuk_notify":
        return []
    errors: list[checks.CheckMessage] = []
    key = getattr(settings, "NOTIFY_API_KEY", "") or ""
    if not key.strip():
        errors.append(
            checks.Error(
                "NOTIFY_BACKEND is govuk_notify but NOTIFY_API_KEY is not set.",
                hint="Create an API key in your GOV.UK Notify service (API integration).",
                id="notify.E002",
            )
        )
    elif parse_notify_api_key(key) is None:
        errors.append(
            checks.Error(
                "NOTIFY_API_KEY is not a GOV.UK Notify API key.",
                hint=(
                    'A key looks like "<key name>-<service id>-<secret>", where both ids are '
                    "UUIDs. Copy the whole key from Notify."
                ),
                id="notify.E003",
            )
        )
    for setting, template in NOTIFY_TEMPLATES.items():
        value = (getattr(settings, setting, "") or "").strip()
        if not is_uuid(value):
            problem = "is not set" if not value else "is not a template id (a UUID)"
            errors.append(
                checks.Error(
                    f"NOTIFY_BACKEND is govuk_notify but {setting} {problem}.",
                    hint=f"Use the id of {template} in your GOV.UK Notify service.",
                    id="notify.E004",
                )
            )
    return errors
