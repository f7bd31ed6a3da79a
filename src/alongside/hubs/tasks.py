"""Background work for Talking Points (django-tasks; run `manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import bookings


@task()
def send_booking_reminders(day: str = "") -> int:
    """Each morning: remind everyone booked for the next day (or `day`, YYYY-MM-DD). Each
    booking is reminded once, however often this runs. Returns how many were sent."""
    return bookings.reminders_send(day=dt.date.fromisoformat(day) if day else None)


@task()
def expire_offers() -> int:
    """Pass places offered from the waiting list and not taken up in time to the next
    person. Returns how many offers ended."""
    return bookings.offers_expire()


@task()
def extend_slots() -> int:
    """Keep slots generated HUBS_SLOT_WEEKS_AHEAD ahead for every session."""
    from .services.schedule import slots_extend_all

    return slots_extend_all()
