"""A system check, so a mistyped NOTIFY_BACKEND stops the server starting rather than
failing the first time someone sends a message."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def notify_backend_known(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .backends import get_backend

    try:
        get_backend()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="notify.E001")]
    return []
