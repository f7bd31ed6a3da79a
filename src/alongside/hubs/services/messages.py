"""Messages about Talking Point bookings: confirmation, the reminder the day before,
cancellation, a session cancelled (with other times), a new time confirmed, and a place
offered from the waiting list.

Each goes by email when the booking has an address and the person has not asked us not to
email (or prefers texts and has a mobile), else by text message to the mobile. It is sent
through `notify.services` (so it is in the outbox and audited) and recorded as a
`BookingMessage`. Links carry signed tokens (hubs/tokens.py) and stop working when the
booking changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from alongside.notify.services import send_email, send_sms

from ..models import Booking, BookingMessage, Hub, Slot, WaitingListEntry
from ..tokens import make_token

WHAT_TO_BRING = (
    "You do not need to bring anything. If you like, bring a list of what you want to talk "
    "about, and any letters you have had about your care. You can bring someone with you."
)


def when(moment: dt.datetime) -> str:
    """A time in plain English: "Tuesday 8 December, 10:00am"."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    half = "am" if local.hour < 12 else "pm"
    return f"{local:%A} {local.day} {local:%B}, {hour}:{local:%M}{half}"


def day_label(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def time_label(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def reference(booking: Booking) -> str:
    """The booking's short reference, read out on the phone: TP- and 8 characters."""
    return f"TP-{booking.pk.hex[:8].upper()}"


def hub_address(hub: Hub) -> str:
    address = hub.location.addresses.first() if hub.location_id else None
    return f"{hub.name}, {address}" if address else hub.name


def site_link(name: str, **kwargs: Any) -> str:
    return settings.ALONGSIDE_SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def manage_link(booking: Booking) -> str:
    token = make_token("manage", booking.pk, booking.token_version)
    return site_link("hubs-public:manage", token=token)


def rebook_link(booking: Booking, slot_id: int) -> str:
    token = make_token("manage", booking.pk, booking.token_version)
    return site_link("hubs-public:manage-rebook", token=token) + f"?slot={slot_id}"


def offer_link(entry: WaitingListEntry) -> str:
    token = make_token("offer", entry.pk, entry.token_version)
    return site_link("hubs-public:offer", token=token)


def _phone() -> str:
    return settings.HUBS_PHONE


def _channel(*, person: Any, email: str, mobile: str) -> str | None:
    """ "email", "sms" or None (no way to reach the person)."""
    can_email = bool(email) and not getattr(person, "do_not_email", False)
    prefers_text = getattr(person, "preferred_contact", "") in ("text", "phone")
    if can_email and not (prefers_text and mobile):
        return "email"
    if mobile:
        return "sms"
    return None


def _send(
    *,
    kind: str,
    person: Any,
    email: str,
    mobile: str,
    subject: str,
    body: str,
    sms: str,
    booking: Booking | None = None,
    waiting: WaitingListEntry | None = None,
) -> BookingMessage | None:
    channel = _channel(person=person, email=email, mobile=mobile)
    if channel is None:
        return None
    purpose = f"hubs.{kind}"
    reason = f"Talking Point: {BookingMessage.Kind(kind).label.lower()}"
    if channel == "email":
        outbox = send_email(
            to=email,
            subject=subject,
            body=body,
            kind=purpose,
            person_id=person.pk,
            audit_reason=reason,
        )
    else:
        outbox = send_sms(
            to=mobile, body=sms, kind=purpose, person_id=person.pk, audit_reason=reason
        )
    return BookingMessage.objects.create(
        booking=booking, waiting=waiting, kind=kind, message=outbox
    )


def _details(slot: Slot) -> str:
    hub = slot.hub
    lines = [
        f"When: {when(slot.starts_at)} to {time_label(slot.ends_at)}",
        f"Where: {hub_address(hub)}",
    ]
    if hub.directions:
        lines.append(f"Getting there: {hub.directions}")
    return "\n".join(lines)


def _greeting(person: Any) -> str:
    name = getattr(person, "preferred_name", "") or getattr(person, "given_name", "")
    return f"Dear {name}," if name else "Hello,"


def _load(booking: Booking) -> Booking:
    return Booking.objects.select_related("slot", "slot__hub", "slot__hub__location", "person").get(
        pk=booking.pk
    )


def _send_booked(
    booking: Booking, *, kind: str, opening: str, subject: str, sms_start: str
) -> BookingMessage | None:
    """The message for a booking made or moved: where and when, the reference, what to bring
    and the link to cancel or change it. `booking` comes loaded by `_load`."""
    slot = booking.slot
    body = "\n\n".join(
        [
            _greeting(booking.person),
            opening,
            _details(slot),
            f"Your reference is {reference(booking)}.",
            f"What to bring: {WHAT_TO_BRING}",
            f"To cancel or choose another time, use this link:\n{manage_link(booking)}",
            f"Or call us on {_phone()}.",
        ]
    )
    sms = (
        f"{sms_start} {when(slot.starts_at)} at {slot.hub.name}. "
        f"Ref {reference(booking)}. To cancel or change: {manage_link(booking)}"
    )
    return _send(
        kind=kind,
        person=booking.person,
        email=booking.email,
        mobile=booking.mobile,
        subject=f"{subject} {when(slot.starts_at)}",
        body=body,
        sms=sms,
        booking=booking,
    )


def send_confirmation(booking: Booking) -> BookingMessage | None:
    booking = _load(booking)
    return _send_booked(
        booking,
        kind=BookingMessage.Kind.CONFIRMATION,
        opening=(
            f"You are booked in for a Talking Point at {booking.slot.hub.name}. "
            "A Talking Point is a conversation with someone who listens to what matters to "
            "you and helps you find what could help."
        ),
        subject="Your Talking Point on",
        sms_start="Talking Point booked:",
    )


def send_reminder(booking: Booking) -> BookingMessage | None:
    booking = _load(booking)
    slot = booking.slot
    body = "\n\n".join(
        [
            _greeting(booking.person),
            f"This is a reminder of your Talking Point tomorrow at {slot.hub.name}.",
            _details(slot),
            f"What to bring: {WHAT_TO_BRING}",
            f"If you cannot come, please cancel so someone else can have the time:\n"
            f"{manage_link(booking)}",
            f"Or call us on {_phone()}.",
        ]
    )
    sms = (
        f"Reminder: Talking Point tomorrow, {when(slot.starts_at)} at {slot.hub.name}. "
        f"Cannot come? {manage_link(booking)}"
    )
    return _send(
        kind=BookingMessage.Kind.REMINDER,
        person=booking.person,
        email=booking.email,
        mobile=booking.mobile,
        subject=f"Reminder: your Talking Point tomorrow at {time_label(slot.starts_at)}",
        body=body,
        sms=sms,
        booking=booking,
    )


def send_cancellation(booking: Booking) -> BookingMessage | None:
    booking = _load(booking)
    slot = booking.slot
    start = site_link("hubs-public:start")
    body = "\n\n".join(
        [
            _greeting(booking.person),
            f"Your Talking Point on {when(slot.starts_at)} at {slot.hub.name} is cancelled.",
            f"To book another time, call us on {_phone()}"
            + (f" or go to {start}" if settings.HUBS_PUBLIC_BOOKING else "")
            + ".",
        ]
    )
    sms = (
        f"Your Talking Point on {when(slot.starts_at)} at {slot.hub.name} is cancelled. "
        f"To book again call {_phone()}."
    )
    return _send(
        kind=BookingMessage.Kind.CANCELLED,
        person=booking.person,
        email=booking.email,
        mobile=booking.mobile,
        subject="Your Talking Point is cancelled",
        body=body,
        sms=sms,
        booking=booking,
    )


def send_session_cancelled(booking: Booking, options: Sequence[Any] = ()) -> BookingMessage | None:
    """The session was cancelled (a closure): sorry, and up to three other free times at the
    same hub, each with its own link to move to it."""
    booking = _load(booking)
    slot = booking.slot
    choices = [f"{when(o.starts_at)}: {rebook_link(booking, o.slot_id)}" for o in options[:3]]
    offer = (
        "These times are free at the same place. Use a link to move your booking to it:\n"
        + "\n".join(choices)
        if choices
        else "We do not have another free time there yet."
    )
    body = "\n\n".join(
        [
            _greeting(booking.person),
            f"We are sorry. We have had to cancel the Talking Points at {slot.hub.name} on "
            f"{when(slot.starts_at)}, so your booking is cancelled."
            + (f" The reason: {booking.cancel_reason}." if booking.cancel_reason else ""),
            offer,
            f"Or call us on {_phone()} and we will find a time with you.",
        ]
    )
    sms = (
        f"Sorry, your Talking Point on {when(slot.starts_at)} at {slot.hub.name} is cancelled. "
        + (f"Free times: {' '.join(choices)}" if choices else f"Call {_phone()} to rebook.")
    )
    return _send(
        kind=BookingMessage.Kind.SESSION_CANCELLED,
        person=booking.person,
        email=booking.email,
        mobile=booking.mobile,
        subject="Your Talking Point is cancelled: choose another time",
        body=body,
        sms=sms[:900],
        booking=booking,
    )


def send_rebooked(booking: Booking) -> BookingMessage | None:
    return _send_booked(
        _load(booking),
        kind=BookingMessage.Kind.REBOOKED,
        opening="Your Talking Point has moved to a new time. Your old time is cancelled.",
        subject="Your Talking Point has moved to",
        sms_start="Talking Point moved to",
    )


def send_offer(entry: WaitingListEntry) -> BookingMessage | None:
    entry = WaitingListEntry.objects.select_related(
        "hub", "person", "offered_slot", "offered_slot__hub", "offered_slot__hub__location"
    ).get(pk=entry.pk)
    slot = entry.offered_slot
    if slot is None or entry.offer_expires_at is None:
        return None
    body = "\n\n".join(
        [
            _greeting(entry.person),
            f"A Talking Point place has come free at {slot.hub.name}. We have kept it for you "
            f"until {when(entry.offer_expires_at)}.",
            _details(slot),
            f"To take it, use this link:\n{offer_link(entry)}",
            "If you do not take it by then, we will offer it to the next person and take you "
            f"off the waiting list. You can call us on {_phone()} to go back on the list.",
            f"What to bring: {WHAT_TO_BRING}",
        ]
    )
    sms = (
        f"A Talking Point place is free: {when(slot.starts_at)} at {slot.hub.name}. "
        f"Held until {when(entry.offer_expires_at)}. To take it: {offer_link(entry)}"
    )
    return _send(
        kind=BookingMessage.Kind.WAITING_LIST_OFFER,
        person=entry.person,
        email=entry.email,
        mobile=entry.mobile,
        subject="A Talking Point place has come free for you",
        body=body,
        sms=sms,
        waiting=entry,
    )
