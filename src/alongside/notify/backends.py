"""Ways of sending a stored message. `settings.NOTIFY_BACKEND` names one of `BACKENDS`.

A backend gets a saved `OutboxMessage` and says what happened; it never changes the message
itself (`services.message_deliver` does). To add one (GOV.UK Notify, say), write a class with
`name`, `sends` and `deliver()`, and add it to `BACKENDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import OutboxMessage


@dataclass(frozen=True)
class Delivery:
    """What a backend did with a message: sent it, failed, or kept it (sent is None)."""

    sent: bool | None
    provider_reference: str = ""
    failure_reason: str = ""


class Backend(Protocol):
    name: str
    sends: bool  # False: messages stay in the outbox and no task is queued for them

    def deliver(self, message: OutboxMessage) -> Delivery: ...


class OutboxBackend:
    """Keeps every message in the database and sends nothing. The default: staff read the
    outbox at /staff/messages/, and nothing reaches a resident by accident."""

    name = "outbox"
    sends = False

    def deliver(self, message: OutboxMessage) -> Delivery:
        return Delivery(sent=None)


BACKENDS: dict[str, type[Backend]] = {"outbox": OutboxBackend}


def get_backend(name: str | None = None) -> Backend:
    """The configured backend; a clear error for a name we do not know."""
    name = settings.NOTIFY_BACKEND if name is None else name
    try:
        return BACKENDS[name]()
    except KeyError:
        known = ", ".join(f'"{known}"' for known in sorted(BACKENDS))
        raise ImproperlyConfigured(
            f'NOTIFY_BACKEND is "{name}", which Alongside does not know. Use one of: {known}.'
        ) from None
