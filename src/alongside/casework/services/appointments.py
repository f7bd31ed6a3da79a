"""Appointments with the person: at the GP practice, at home, in the community or by phone,
for any casework programme and with no limit on how many.

Booking and changing need the actor to work in the team that holds the episode and to hold
casework.add_appointment; a closed episode takes no new appointments and no changes.

An appointment is booked, then recorded as attended, did not attend or cancelled (a record
may be corrected). Attending an appointment with the person counts as reaching them: the
episode's first contact becomes the appointment's date when none is known yet, or when this
appointment was earlier than the one known (as contacts on the timeline do). The status of
the episode is left to the worker. Every booking and change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.core.audit import field_changes

from ..models import Appointment, Episode
from .common import check_can_work, episode_audit
from .episodes import workers_of

ADD_APPOINTMENT = "casework.add_appointment"
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
# How far ahead an appointment may be booked.
MAX_DAYS_AHEAD = 366
# Outcomes that can only be recorded once the appointment has begun.
HAPPENED = (Appointment.Status.ATTENDED, Appointment.Status.DID_NOT_ATTEND)
APPOINTMENT_FIELDS = ("starts_at", "minutes", "place", "place_detail", "notes", "status", "worker")


def _check_may_book(actor: Any, episode: Episode) -> None:
    check_can_work(actor=actor, episode=episode)
    if not actor.has_perm(ADD_APPOINTMENT):
        raise PermissionDenied("You do not have a role that books appointments.")


def _checked(
    *,
    episode: Episode,
    starts_at: dt.datetime | None,
    minutes: Any,
    place: str,
    place_detail: str,
    notes: str,
    worker: Any,
    status: str,
    check_worker: bool = True,
) -> None:
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["starts_at"] = "This person's support has closed"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the appointment"
    else:
        day = timezone.localtime(starts_at).date()
        if day < episode.opened_on:
            errors["starts_at"] = (
                f"The appointment must be on or after {episode.opened_on.day} "
                f"{episode.opened_on:%B %Y}, when support began"
            )
        elif day > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
            errors["starts_at"] = "The appointment must be within the next year"
        elif status in HAPPENED and starts_at > timezone.now():
            errors["status"] = "You can record whether they came once the appointment has started"
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["minutes"] = "Enter how long the appointment is, in minutes"
    elif not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = (
            f"The appointment must be between {MIN_MINUTES} and {MAX_MINUTES} minutes long"
        )
    if place not in Appointment.Place.values:
        errors["place"] = "Choose where the appointment is"
    if len(place_detail.strip()) > 200:
        errors["place_detail"] = "Where exactly must be 200 characters or fewer"
    if len(notes.strip()) > 300:
        errors["notes"] = "Notes must be 300 characters or fewer"
    if status not in Appointment.Status.values:
        errors["status"] = "Choose what happened"
    if check_worker and (worker is None or worker not in workers_of(episode.team)):
        errors["worker"] = "Choose someone who works in this team"
    if errors:
        raise ValidationError(errors)


def _note_first_contact(*, episode: Episode, appointment: Appointment) -> dict[str, Any]:
    """An attended appointment reached the person: the episode's first contact becomes its
    date when none is known or the known one is later. Returns the audit change, if any."""
    if appointment.status != Appointment.Status.ATTENDED:
        return {}
    day = timezone.localtime(appointment.starts_at).date()
    old = episode.first_contact_on
    if old is not None and old <= day:
        return {}
    episode.first_contact_on = day
    episode.save(update_fields=["first_contact_on", "modified_at"])
    if old is None:  # first reached: tell the referrer, when a referral opened the episode
        from .referrals import referral_first_contact

        referral_first_contact(episode=episode)
    return {"first_contact_on": [old.isoformat() if old else None, day.isoformat()]}


@transaction.atomic
def appointment_book(
    *,
    actor: Any,
    episode: Episode,
    starts_at: dt.datetime,
    minutes: int,
    place: str,
    place_detail: str = "",
    notes: str = "",
    worker: Any = None,
) -> Appointment:
    """Book an appointment with the person in an open episode, with the actor (or another
    worker of the team) meeting them. It starts on or after the day support began and within
    the next year; it lasts 5 minutes to 8 hours."""
    _check_may_book(actor, episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    worker = worker or actor
    _checked(
        episode=episode,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        place_detail=place_detail,
        notes=notes,
        worker=worker,
        status=Appointment.Status.BOOKED,
    )
    appointment = Appointment(
        episode=episode,
        worker=worker,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        place_detail=place_detail.strip(),
        notes=notes.strip(),
        created_by=actor,
        modified_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    episode_audit(
        actor=actor,
        episode=episode,
        action="create",
        obj=appointment,
        changes={
            "starts_at": [None, starts_at.isoformat()],
            "place": [None, place],
            "worker": [None, worker.full_name],
        },
    )
    return appointment


@transaction.atomic
def appointment_update(
    *,
    actor: Any,
    appointment: Appointment,
    status: str,
    starts_at: dt.datetime | None = None,
    minutes: int | None = None,
    place: str | None = None,
    place_detail: str | None = None,
    notes: str | None = None,
    worker: Any = None,
) -> Appointment:
    """Record what happened (attended, did not attend, cancelled) or change the booking.
    Details not given are kept. Attended or did not attend can only be recorded once the
    appointment has started; attending sets the episode's first contact (see the module)."""
    episode = appointment.episode
    _check_may_book(actor, episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    before = {name: getattr(appointment, name) for name in APPOINTMENT_FIELDS}
    values = {
        "starts_at": starts_at or appointment.starts_at,
        "minutes": minutes if minutes is not None else appointment.minutes,
        "place": place if place is not None else appointment.place,
        "place_detail": place_detail if place_detail is not None else appointment.place_detail,
        "notes": notes if notes is not None else appointment.notes,
        "worker": worker or appointment.worker,
        "status": status,
    }
    # Someone who has since left the team still keeps the appointments they held.
    _checked(episode=episode, check_worker=values["worker"] != appointment.worker, **values)
    for name, value in values.items():
        setattr(appointment, name, value.strip() if isinstance(value, str) else value)
    appointment.modified_by = actor
    appointment.full_clean()
    appointment.save()
    changes = field_changes(
        before, {name: getattr(appointment, name) for name in APPOINTMENT_FIELDS}
    )
    changes.update(_note_first_contact(episode=episode, appointment=appointment))
    episode_audit(actor=actor, episode=episode, action="change", obj=appointment, changes=changes)
    return appointment
