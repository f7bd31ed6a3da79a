"""Booking Talking Points: finding free slots, booking, cancelling, rebooking, and the
waiting list that freed places are offered to first.

No double booking, ever: a seat is taken by a conditional UPDATE of the slot's `booked`
count (which the database refuses to push past `capacity`), and each live booking holds a
seat number that is unique in its slot (a partial unique constraint). Either guard alone
stops two people holding one place; a loser of the race is told plainly that the time has
just been taken, never shown a database error.

Messages go out once the transaction commits (`transaction.on_commit`), so nobody is told
about a booking that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from alongside.core.audit import acting_user, audit_record
from alongside.core.geo import distance_m
from alongside.core.models import Ward
from alongside.notify.services import EMAIL_MESSAGE, PHONE_MESSAGE, normalise_mobile
from alongside.people.models import Person

from ..models import AccessNeed, Booking, FirstContact, Hub, Session, Slot, WaitingListEntry

log = logging.getLogger(__name__)

# Nobody is booked into a slot about to start: the hub needs a little notice.
LEAD_TIME = dt.timedelta(hours=1)
SEARCH_WEEKS = 8
TAKEN = "That time has just been taken. Choose another time."
NEED_FLAGS = {
    AccessNeed.STEP_FREE: "step_free",
    AccessNeed.HEARING_LOOP: "hearing_loop",
    AccessNeed.INTERPRETER: "interpreters",
}


@dataclass(frozen=True)
class SlotOption:
    """A free slot as the search shows it."""

    slot_id: int
    hub_id: UUID
    hub_name: str
    ward: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    free: int
    distance_km: float | None = None

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()


# --- helpers ------------------------------------------------------------------------------


def _aware_start(value: dt.date | dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def ward_centre(ward: Ward) -> tuple[float, float]:
    """The middle of the ward's bounding box (latitude, longitude)."""
    return (ward.min_lat + ward.max_lat) / 2, (ward.min_lon + ward.max_lon) / 2


def clean_needs(needs: Iterable[str]) -> list[str]:
    """The access needs, each checked against the list, in a stable order."""
    given = {str(n) for n in needs if n}
    unknown = given - set(AccessNeed.values)
    if unknown:
        raise ValidationError({"access_needs": "Choose access needs from the list"})
    return [n for n in AccessNeed.values if n in given]


def clean_mobile(number: str) -> str:
    """A UK mobile number as 07... without spaces ("" when none is given), checked the way
    the outbox checks it, or a ValidationError on `mobile`."""
    if not re.sub(r"[\s()-]", "", number or ""):
        return ""
    try:
        return normalise_mobile(number)
    except ValidationError:
        raise ValidationError({"mobile": PHONE_MESSAGE}) from None


def clean_email(address: str) -> str:
    address = (address or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": EMAIL_MESSAGE}) from None
    return address


def _held_offers(*, exclude_person: Person | None = None, slot_id: int | None = None) -> Counter:
    """How many seats of each slot are held by an unexpired waiting-list offer (to someone
    other than `exclude_person`)."""
    held = WaitingListEntry.objects.filter(
        status=WaitingListEntry.Status.OFFERED,
        offered_slot__isnull=False,
        offer_expires_at__gt=timezone.now(),
    )
    if slot_id is not None:
        held = held.filter(offered_slot_id=slot_id)
    if exclude_person is not None:
        held = held.exclude(person=exclude_person)
    return Counter(held.values_list("offered_slot_id", flat=True))


def _involve(*, actor: Any, person: Person, hub: Hub, reason: str) -> None:
    from alongside.people.services import involvement_open

    involvement_open(actor=acting_user(actor), person=person, team=hub.team, reason=reason)


def _after_commit(func: Any, *args: Any, **kwargs: Any) -> None:
    """Run `func` once the transaction commits; a message that cannot be sent is logged
    and never breaks the booking that was already saved."""

    def run() -> None:
        try:
            func(*args, **kwargs)
        except ValidationError:
            log.warning("hubs: a booking message could not be sent", exc_info=True)

    transaction.on_commit(run)


# --- search -------------------------------------------------------------------------------


def slot_search(
    *,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    kind: str = Session.Kind.BOOKED,
    hub: Hub | UUID | str | None = None,
    near_ward: Ward | None = None,
    neighbourhood: Any = None,
    needs: Sequence[str] = (),
    public_only: bool = False,
    for_person: Person | None = None,
    limit: int = 200,
    exclude_slots: Iterable[int] = (),
) -> list[SlotOption]:
    """Free open slots, soonest first (or nearest hub first when `near_ward` is given, then
    soonest). Three queries whatever the size: the hubs, any held offers and the slots."""
    if public_only and not settings.HUBS_PUBLIC_BOOKING:
        return []
    now = timezone.now()
    begin = max(_aware_start(start), now + LEAD_TIME)
    finish = _aware_start(end) if end is not None else begin + dt.timedelta(weeks=SEARCH_WEEKS)
    if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
        finish += dt.timedelta(days=1)  # an end date includes that day

    hubs = Hub.objects.filter(is_active=True)
    for need in clean_needs(needs):
        hubs = hubs.filter(**{NEED_FLAGS[need]: True})
    if hub is not None:
        hubs = hubs.filter(pk=getattr(hub, "pk", hub))
    if neighbourhood is not None:
        hubs = hubs.filter(neighbourhood_id=getattr(neighbourhood, "pk", neighbourhood))
    hub_rows = {
        row["id"]: row
        for row in hubs.values(
            "id", "name", "ward__name", "location__latitude", "location__longitude"
        )
    }
    if not hub_rows or finish <= begin:
        return []

    distances: dict[Any, float | None] = {}
    if near_ward is not None:
        lat, lon = ward_centre(near_ward)
        for pk, row in hub_rows.items():
            hub_lat, hub_lon = row["location__latitude"], row["location__longitude"]
            distances[pk] = (
                distance_m(lat, lon, hub_lat, hub_lon) / 1000
                if hub_lat is not None and hub_lon is not None
                else None
            )

    held = _held_offers(exclude_person=for_person)
    skip = set(exclude_slots)
    slots = Slot.objects.filter(
        status=Slot.Status.OPEN,
        kind=kind,
        starts_at__gte=begin,
        starts_at__lt=finish,
        booked__lt=F("capacity"),
        hub_id__in=list(hub_rows),
        session__is_active=True,
    )
    if public_only:
        slots = slots.filter(session__public_booking=True)
    if distances:
        order = sorted(hub_rows, key=lambda pk: (distances[pk] is None, distances[pk] or 0))
        rank = Case(
            *[When(hub_id=pk, then=Value(i)) for i, pk in enumerate(order)],
            output_field=IntegerField(),
        )
        slots = slots.annotate(hub_rank=rank).order_by("hub_rank", "starts_at", "id")
    else:
        slots = slots.order_by("starts_at", "id")
    busy: list[tuple[dt.datetime, dt.datetime]] = []
    if for_person is not None:
        busy = list(
            Booking.objects.filter(
                person=for_person,
                status=Booking.Status.BOOKED,
                slot__starts_at__lt=finish,
                slot__ends_at__gt=begin,
            ).values_list("slot__starts_at", "slot__ends_at")
        )
    rows = slots.values("id", "hub_id", "kind", "starts_at", "ends_at", "capacity", "booked")
    rows = rows[: limit + sum(held.values()) + len(skip) + len(busy)]
    options: list[SlotOption] = []
    for row in rows:
        free = row["capacity"] - row["booked"] - held.get(row["id"], 0)
        if free <= 0 or row["id"] in skip:
            continue
        if any(s < row["ends_at"] and e > row["starts_at"] for s, e in busy):
            continue
        hub_row = hub_rows[row["hub_id"]]
        distance = distances.get(row["hub_id"])
        options.append(
            SlotOption(
                slot_id=row["id"],
                hub_id=row["hub_id"],
                hub_name=hub_row["name"],
                ward=hub_row["ward__name"],
                kind=row["kind"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                free=free,
                distance_km=round(distance, 1) if distance is not None else None,
            )
        )
        if len(options) >= limit:
            break
    return options


# --- booking ------------------------------------------------------------------------------


def _clash(*, person: Person, slot: Slot, ignore: Booking | None = None) -> bool:
    """Whether the person already has a live booking overlapping the slot's time."""
    clashes = Booking.objects.filter(
        person=person,
        status=Booking.Status.BOOKED,
        slot__starts_at__lt=slot.ends_at,
        slot__ends_at__gt=slot.starts_at,
    )
    if ignore is not None:
        clashes = clashes.exclude(pk=ignore.pk)
    return clashes.exists()


CLASH = "This person already has a Talking Point at that time. Choose another time."


def _sql_names() -> dict[str, str]:
    return _sql_names_for(connection.vendor)


@functools.cache
def _sql_names_for(vendor: str) -> dict[str, str]:
    """Quoted table and column names for the hand-written booking statements, from the
    models' own metadata (worked out once per database engine, not on every booking)."""
    q = connection.ops.quote_name
    names = {
        "slot": q(Slot._meta.db_table),
        "booking": q(Booking._meta.db_table),
        "waiting": q(WaitingListEntry._meta.db_table),
    }
    for model, fields in (
        (Slot, ("id", "status", "starts_at", "ends_at", "booked", "capacity")),
        (Booking, ("id", "slot", "person", "status", "seat")),
        (WaitingListEntry, ("offered_slot", "status", "offer_expires_at", "person")),
    ):
        for name in fields:
            key = f"{model.__name__.lower()}_{name}"
            names[key] = q(model._meta.get_field(name).column)
    return names


def _take_seat(*, slot: Slot, person: Person, ignore: Booking | None = None) -> Slot:
    """Count one more seat taken in the slot, or refuse. The UPDATE is conditional, so of
    two people racing for the last seat exactly one changes a row. The same statement counts
    seats held by someone else's unexpired waiting-list offer and refuses when the person
    already has a booking at that time; the reason is looked up only when it refuses. The
    UPDATE holds the slot's row lock until commit (PostgreSQL; SQLite serialises writers),
    which serialises choosing the seat number.

    Written as one parameterised statement rather than built by the ORM: booking is on a
    throughput budget (ADR 0011), and building this query took longer than running it."""
    n = _sql_names()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    person_id = Person._meta.pk.get_db_prep_value(person.pk, connection)
    not_this = ""
    params: list[Any] = [
        slot.pk,
        Slot.Status.OPEN,
        now,
        WaitingListEntry.Status.OFFERED,
        now,
        person_id,
        person_id,
        Booking.Status.BOOKED,
        ops.adapt_datetimefield_value(slot.ends_at),
        ops.adapt_datetimefield_value(slot.starts_at),
    ]
    if ignore is not None:
        not_this = f" AND b.{n['booking_id']} <> %s"
        params.append(Booking._meta.pk.get_db_prep_value(ignore.pk, connection))
    # Names come from the models' metadata, never from input; every value is a parameter.
    sql = (
        f"UPDATE {n['slot']} SET {n['slot_booked']} = {n['slot_booked']} + 1 "  # noqa: S608
        f"WHERE {n['slot_id']} = %s AND {n['slot_status']} = %s AND {n['slot_starts_at']} > %s "
        f"AND {n['slot_booked']} < {n['slot_capacity']} - ("
        f"SELECT COUNT(*) FROM {n['waiting']} w "
        f"WHERE w.{n['waitinglistentry_offered_slot']} = {n['slot']}.{n['slot_id']} "
        f"AND w.{n['waitinglistentry_status']} = %s "
        f"AND w.{n['waitinglistentry_offer_expires_at']} > %s "
        f"AND w.{n['waitinglistentry_person']} <> %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {n['booking']} b "
        f"INNER JOIN {n['slot']} s ON s.{n['slot_id']} = b.{n['booking_slot']} "
        f"WHERE b.{n['booking_person']} = %s AND b.{n['booking_status']} = %s "
        f"AND s.{n['slot_starts_at']} < %s AND s.{n['slot_ends_at']} > %s{not_this})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        taken = cursor.rowcount
    if not taken:
        raise ValidationError(
            {"slot": CLASH if _clash(person=person, slot=slot, ignore=ignore) else TAKEN}
        )
    if Slot.hub.is_cached(slot) and Hub.team.is_cached(slot.hub):
        return slot  # what follows needs only the hub, its team and the capacity
    return Slot.objects.select_related("hub", "hub__team").get(pk=slot.pk)


def _free_seat(slot: Slot) -> int:
    """The lowest seat of the slot no live booking holds (the slot's row is locked)."""
    n = _sql_names()
    with connection.cursor() as cursor:
        cursor.execute(  # names from the models' metadata; values are parameters
            f"SELECT {n['booking_seat']} FROM {n['booking']} "  # noqa: S608
            f"WHERE {n['booking_slot']} = %s AND {n['booking_status']} <> %s",
            [slot.pk, Booking.Status.CANCELLED],
        )
        used = {row[0] for row in cursor.fetchall()}
    for seat in range(1, slot.capacity + 1):
        if seat not in used:
            return seat
    raise ValidationError({"slot": TAKEN})


@transaction.atomic
def booking_create(
    *,
    actor: Any,
    slot: Slot,
    person: Person,
    first_contact: FirstContact | None = None,
    channel: str = Booking.Channel.STAFF,
    access_needs: Sequence[str] = (),
    interpreter_language: str = "",
    notes: str = "",
    email: str = "",
    mobile: str = "",
    send: bool = True,
    _replacing: Booking | None = None,
) -> Booking:
    """Book the person into the slot and send the confirmation once saved.

    Refused (ValidationError, nothing saved) when the slot is full, closed or in the past,
    or the person already has a booking at that time. The hub's team is given a reason to
    see the person's record. Email and mobile default to the person's own."""
    needs = clean_needs(access_needs)
    if channel not in Booking.Channel.values:
        raise ValidationError({"channel": "Choose how the booking was made"})
    notes = (notes or "").strip()
    if len(notes) > 500:
        raise ValidationError({"notes": "Notes must be 500 characters or fewer"})
    interpreter_language = (interpreter_language or "").strip()
    if len(interpreter_language) > 60:
        raise ValidationError({"interpreter_language": "Language must be 60 characters or fewer"})
    email = clean_email(email) or (person.email or "")
    mobile = clean_mobile(mobile)
    if not mobile and person.phone:
        try:
            mobile = clean_mobile(person.phone)
        except ValidationError:
            mobile = ""  # a landline: nothing to text
    if person.archived_at is not None:
        raise ValidationError({"person": "This record is archived. Use the current record."})
    slot = _take_seat(slot=slot, person=person, ignore=_replacing)
    creator = acting_user(actor)
    booking = Booking(
        slot=slot,
        seat=_free_seat(slot),
        person=person,
        first_contact=first_contact,
        channel=channel,
        access_needs=needs,
        interpreter_language=interpreter_language,
        notes=notes,
        email=email,
        mobile=mobile,
        created_by=creator,
        modified_by=creator,
    )
    # The database checks the seat and slot constraints; the foreign keys are already rows.
    booking.full_clean(
        exclude=["slot", "person", "first_contact", "rebooked_as", "created_by", "modified_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"slot": TAKEN}) from None

    hub = slot.hub
    _involve(actor=actor, person=person, hub=hub, reason=f"Booked a Talking Point at {hub.name}")
    audit_record(
        actor=actor,
        action="create",
        obj=booking,
        object_label=f"Talking Point at {hub.name}",
        person_id=person.pk,
        reason=f"Booked a Talking Point at {hub.name}",
        changes={
            "slot": [None, str(slot.pk)],
            "channel": [None, channel],
            "access_needs": [None, needs],
        },
    )
    if send:
        from . import messages

        _after_commit(messages.send_confirmation, booking)
    return booking


def _locked_booking(booking: Booking) -> Booking:
    locked = Booking.objects.select_related("slot", "slot__hub", "person")
    if connection.features.has_select_for_update_of:
        locked = locked.select_for_update(of=("self",))
    return locked.get(pk=booking.pk)


@transaction.atomic
def booking_cancel(
    *,
    actor: Any,
    booking: Booking,
    reason: str,
    cancelled_by: str,
    notify: bool = True,
    offer_waiting: bool = True,
) -> Booking:
    """Cancel a booking: the seat is given back, links sent earlier stop working, the person
    is told, and the freed place is offered to the hub's waiting list first."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the booking is cancelled"})
    if len(reason) > 200:
        raise ValidationError({"reason": "Reason must be 200 characters or fewer"})
    if cancelled_by not in Booking.CancelledBy.values:
        raise ValidationError({"cancelled_by": "Choose who cancelled"})
    booking = _locked_booking(booking)
    if booking.status != Booking.Status.BOOKED:
        status = booking.get_status_display().lower()
        raise ValidationError({"booking": f"This booking cannot be cancelled: it is {status}"})
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = cancelled_by
    booking.cancel_reason = reason
    booking.token_version = F("token_version") + 1
    booking.modified_by = acting_user(actor)
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "token_version",
            "modified_by",
            "modified_at",
        ]
    )
    booking.refresh_from_db(fields=["token_version"])
    Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    audit_record(
        actor=actor,
        action="change",
        obj=booking,
        object_label=f"Talking Point at {booking.slot.hub.name}",
        person_id=booking.person_id,
        reason=f"Cancelled a Talking Point: {reason}",
        changes={"status": [Booking.Status.BOOKED, Booking.Status.CANCELLED]},
    )
    if notify:
        from . import messages

        _after_commit(messages.send_cancellation, booking)
    if offer_waiting:
        waiting_offer_next(slot=booking.slot)
    return booking


@transaction.atomic
def booking_rebook(*, actor: Any, booking: Booking, slot: Slot) -> Booking:
    """Move a booking to another slot: the new booking is made first (so the person never
    loses their place if the new time has gone), then the old one is cancelled."""
    old = _locked_booking(booking)
    if old.status != Booking.Status.BOOKED:
        raise ValidationError({"booking": "Only a booking still to come can be changed"})
    if old.slot_id == slot.pk:
        raise ValidationError({"slot": "That is the time already booked. Choose another time."})
    new = booking_create(
        actor=actor,
        slot=slot,
        person=old.person,
        first_contact=old.first_contact,
        channel=old.channel,
        access_needs=old.access_needs,
        interpreter_language=old.interpreter_language,
        notes=old.notes,
        email=old.email,
        mobile=old.mobile,
        send=False,
        _replacing=old,
    )
    booking_cancel(
        actor=actor,
        booking=old,
        reason="Moved to another time",
        cancelled_by=(
            Booking.CancelledBy.STAFF if acting_user(actor) else Booking.CancelledBy.PERSON
        ),
        notify=False,
    )
    Booking.objects.filter(pk=old.pk).update(rebooked_as=new)
    from . import messages

    _after_commit(messages.send_rebooked, new)
    return new


@transaction.atomic
def bookings_cancel_for_slots(*, actor: Any, slots: Iterable[Slot] | Any, reason: str) -> int:
    """Cancel every booking still to come in these slots (a closure or a cancelled session),
    giving back the seats, and tell each person with up to three other free times at the
    same hub, each with a link to move to it. Returns how many bookings were cancelled."""
    slot_ids = [getattr(s, "pk", s) for s in slots]
    bookings = list(
        Booking.objects.filter(slot_id__in=slot_ids, status=Booking.Status.BOOKED)
        .select_related("slot", "slot__hub", "person")
        .order_by("slot__starts_at")
    )
    from . import messages

    for booking in bookings:
        cancelled = booking_cancel(
            actor=actor,
            booking=booking,
            reason=reason or "The session was cancelled",
            cancelled_by=Booking.CancelledBy.SESSION,
            notify=False,
            offer_waiting=False,
        )
        options = slot_search(
            start=timezone.now(),
            kind=booking.slot.kind,
            hub=booking.slot.hub_id,
            for_person=booking.person,
            exclude_slots=slot_ids,
            limit=3,
        )
        _after_commit(messages.send_session_cancelled, cancelled, options)
    return len(bookings)


# --- the waiting list ---------------------------------------------------------------------


@transaction.atomic
def waiting_add(
    *,
    actor: Any,
    hub: Hub,
    person: Person,
    kind: str = Session.Kind.BOOKED,
    first_contact: FirstContact | None = None,
    access_needs: Sequence[str] = (),
    email: str = "",
    mobile: str = "",
) -> WaitingListEntry:
    """Put the person on the hub's waiting list (once per hub). When a place comes free the
    longest-waiting person whose needs the hub meets is offered it."""
    needs = clean_needs(access_needs)
    if kind not in Session.Kind.values:
        raise ValidationError({"kind": "Choose a kind of appointment"})
    if not hub.is_active:
        raise ValidationError({"hub": "This hub is not open for Talking Points"})
    email = clean_email(email) or (person.email or "")
    mobile = clean_mobile(mobile)
    if not mobile and person.phone:
        try:
            mobile = clean_mobile(person.phone)
        except ValidationError:
            mobile = ""
    live = WaitingListEntry.objects.filter(
        hub=hub,
        person=person,
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    )
    if live.exists():
        raise ValidationError({"hub": "This person is already on the waiting list for this hub"})
    creator = acting_user(actor)
    entry = WaitingListEntry(
        hub=hub,
        kind=kind,
        person=person,
        first_contact=first_contact,
        access_needs=needs,
        email=email,
        mobile=mobile,
        created_by=creator,
        modified_by=creator,
    )
    entry.full_clean(
        exclude=["hub", "person", "first_contact", "offered_slot", "booking"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            {"hub": "This person is already on the waiting list for this hub"}
        ) from None
    _involve(actor=actor, person=person, hub=hub, reason=f"Waiting for a Talking Point at {hub}")
    audit_record(
        actor=actor,
        action="create",
        obj=entry,
        object_label=f"Waiting list at {hub.name}",
        person_id=person.pk,
        reason=f"Added to the waiting list at {hub.name}",
    )
    return entry


def _offer_hours() -> dt.timedelta:
    return dt.timedelta(hours=settings.HUBS_OFFER_HOURS)


@transaction.atomic
def waiting_offer_next(*, slot: Slot) -> WaitingListEntry | None:
    """Offer a free seat of the slot to the longest-waiting person at its hub whose needs
    the hub meets and who is free at that time. Held for HUBS_OFFER_HOURS (never past the
    slot's start). Returns the entry offered, or None."""
    slot = Slot.objects.select_related("hub").get(pk=slot.pk)
    now = timezone.now()
    expires = min(now + _offer_hours(), slot.starts_at - LEAD_TIME)
    held = _held_offers(slot_id=slot.pk).get(slot.pk, 0)
    if slot.status != Slot.Status.OPEN or expires <= now or slot.capacity - slot.booked - held <= 0:
        return None
    candidates = WaitingListEntry.objects.filter(
        hub=slot.hub, kind=slot.kind, status=WaitingListEntry.Status.WAITING
    ).select_related("person")
    if connection.features.has_select_for_update_of:
        candidates = candidates.select_for_update(of=("self",), skip_locked=True)
    for entry in candidates.order_by("created_at", "id"):
        if not slot.hub.meets(entry.access_needs) or _clash(person=entry.person, slot=slot):
            continue
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offered_slot = slot
        entry.offer_expires_at = expires
        entry.token_version += 1
        entry.save(
            update_fields=[
                "status",
                "offered_slot",
                "offer_expires_at",
                "token_version",
                "modified_at",
            ]
        )
        audit_record(
            actor=None,
            action="change",
            obj=entry,
            object_label=f"Waiting list at {slot.hub.name}",
            person_id=entry.person_id,
            reason="Offered a place that came free",
            changes={"status": [WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]},
        )
        from . import messages

        _after_commit(messages.send_offer, entry)
        return entry
    return None


def _locked_entry(entry: WaitingListEntry) -> WaitingListEntry:
    locked = WaitingListEntry.objects.select_related("hub", "person", "offered_slot")
    if connection.features.has_select_for_update_of:
        locked = locked.select_for_update(of=("self",))
    return locked.get(pk=entry.pk)


@transaction.atomic
def waiting_accept(*, entry: WaitingListEntry, actor: Any = None) -> Booking:
    """The person takes up the place offered to them: it is booked and they come off the
    waiting list. Refused once the offer has expired or moved on."""
    entry = _locked_entry(entry)
    if (
        entry.status != WaitingListEntry.Status.OFFERED
        or entry.offered_slot is None
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= timezone.now()
    ):
        raise ValidationError({"offer": "This offer has ended. The place may have gone."})
    booking = booking_create(
        actor=actor,
        slot=entry.offered_slot,
        person=entry.person,
        first_contact=entry.first_contact,
        channel=Booking.Channel.STAFF if acting_user(actor) else Booking.Channel.ONLINE,
        access_needs=entry.access_needs,
        email=entry.email,
        mobile=entry.mobile,
    )
    _entry_booked(actor=actor, entry=entry, booking=booking)
    return booking


def _entry_booked(*, actor: Any, entry: WaitingListEntry, booking: Booking) -> None:
    entry.status = WaitingListEntry.Status.BOOKED
    entry.booking = booking
    entry.token_version += 1
    entry.modified_by = acting_user(actor)
    entry.save(update_fields=["status", "booking", "token_version", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        action="change",
        obj=entry,
        object_label=f"Waiting list at {entry.hub.name}",
        person_id=entry.person_id,
        reason="Booked from the waiting list",
        changes={"status": [None, WaitingListEntry.Status.BOOKED]},
    )


@transaction.atomic
def waiting_book(*, actor: Any, entry: WaitingListEntry, slot: Slot) -> Booking:
    """Staff book someone from the waiting list into a slot of their choosing."""
    entry = _locked_entry(entry)
    if entry.status not in (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED):
        raise ValidationError({"entry": "This person is no longer on the waiting list"})
    booking = booking_create(
        actor=actor,
        slot=slot,
        person=entry.person,
        first_contact=entry.first_contact,
        access_needs=entry.access_needs,
        email=entry.email,
        mobile=entry.mobile,
    )
    _entry_booked(actor=actor, entry=entry, booking=booking)
    if entry.offered_slot_id and entry.offered_slot_id != slot.pk:
        waiting_offer_next(slot=entry.offered_slot)  # the held seat goes to the next person
    return booking


@transaction.atomic
def waiting_remove(*, actor: Any, entry: WaitingListEntry, reason: str) -> WaitingListEntry:
    """Take someone off the waiting list, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why they are coming off the list"})
    entry = _locked_entry(entry)
    if entry.status not in (WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED):
        raise ValidationError({"entry": "This person is no longer on the waiting list"})
    offered = entry.offered_slot if entry.status == WaitingListEntry.Status.OFFERED else None
    entry.status = WaitingListEntry.Status.REMOVED
    entry.removed_reason = reason[:200]
    entry.token_version += 1
    entry.modified_by = acting_user(actor)
    entry.save(
        update_fields=["status", "removed_reason", "token_version", "modified_by", "modified_at"]
    )
    audit_record(
        actor=actor,
        action="change",
        obj=entry,
        object_label=f"Waiting list at {entry.hub.name}",
        person_id=entry.person_id,
        reason=f"Taken off the waiting list: {reason}"[:500],
    )
    if offered is not None:
        waiting_offer_next(slot=offered)
    return entry


def offers_expire() -> int:
    """Offers not taken up in time: the person comes off the list (the message said so) and
    the place goes to the next person. Returns how many offers ended."""
    ended = 0
    due = WaitingListEntry.objects.filter(
        status=WaitingListEntry.Status.OFFERED, offer_expires_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            entry = _locked_entry(WaitingListEntry(pk=pk))
            if entry.status != WaitingListEntry.Status.OFFERED:
                continue
            slot = entry.offered_slot
            entry.status = WaitingListEntry.Status.REMOVED
            entry.removed_reason = "Did not take up the place offered in time"
            entry.token_version += 1
            entry.save(update_fields=["status", "removed_reason", "token_version", "modified_at"])
            audit_record(
                actor=None,
                action="change",
                obj=entry,
                object_label=f"Waiting list at {entry.hub.name}",
                person_id=entry.person_id,
                reason="The offered place was not taken up in time",
            )
            ended += 1
            if slot is not None:
                waiting_offer_next(slot=slot)
    return ended


# --- reminders ----------------------------------------------------------------------------


def reminders_send(*, day: dt.date | None = None) -> int:
    """Remind everyone booked for `day` (tomorrow by default) once. Each booking is claimed
    by a conditional update first, so two runs at once never send a reminder twice."""
    from . import messages

    day = day or timezone.localdate() + dt.timedelta(days=1)
    begin = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    finish = begin + dt.timedelta(days=1)
    due = Booking.objects.filter(
        status=Booking.Status.BOOKED,
        reminder_sent_at__isnull=True,
        slot__starts_at__gte=begin,
        slot__starts_at__lt=finish,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=pk, status=Booking.Status.BOOKED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            booking = Booking.objects.select_related("slot", "slot__hub", "person").get(pk=pk)
            try:
                if messages.send_reminder(booking) is not None:
                    sent += 1
            except ValidationError:
                log.warning("hubs: a reminder could not be sent", exc_info=True)
    return sent


# --- public self-booking ------------------------------------------------------------------


@transaction.atomic
def public_booking_create(
    *,
    slot: Slot,
    given_name: str,
    family_name: str,
    postcode: str,
    email: str = "",
    mobile: str = "",
    date_of_birth: dt.date | None = None,
    access_needs: Sequence[str] = (),
    interpreter_language: str = "",
    notes: str = "",
) -> Booking:
    """A resident books themselves online (no sign-in). A new person record is made (never
    matched to one we may hold, so nothing is revealed), the hub's team is given its reason
    to see it, and the booking is made on the `online` channel."""
    if not settings.HUBS_PUBLIC_BOOKING:
        raise ValidationError({"slot": "Online booking is not available"})
    slot = Slot.objects.select_related("hub", "session").get(pk=slot.pk)
    if not slot.session.public_booking:
        raise ValidationError({"slot": TAKEN})
    email = clean_email(email)
    mobile = clean_mobile(mobile)
    if not (email or mobile):
        raise ValidationError({"email": "Enter an email address or a mobile number"})
    person = _public_person_create(
        hub=slot.hub,
        given_name=given_name,
        family_name=family_name,
        postcode=postcode,
        email=email,
        phone=mobile,
        date_of_birth=date_of_birth,
        interpreter_language=interpreter_language,
    )
    return booking_create(
        actor=None,
        slot=slot,
        person=person,
        channel=Booking.Channel.ONLINE,
        access_needs=access_needs,
        interpreter_language=interpreter_language,
        notes=notes,
        email=email,
        mobile=mobile,
    )


def _public_person_create(
    *,
    hub: Hub,
    given_name: str,
    family_name: str,
    postcode: str,
    email: str,
    phone: str,
    date_of_birth: dt.date | None,
    interpreter_language: str,
) -> Person:
    """The person record for an online booking. `people.services.person_create` needs a
    member of staff in the team; here nobody is signed in, so the record is made the same
    way (checked, ward from the postcode, audited as made by the system) and the hub's team
    gets the involvement."""
    from alongside.core.postcodes import PostcodeNotFound, locate_postcode, normalise_postcode

    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    errors: dict[str, str] = {}
    if not given_name:
        errors["given_name"] = "Enter your first name"
    if not family_name:
        errors["family_name"] = "Enter your last name"
    if date_of_birth and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be in the past"
    if errors:
        raise ValidationError(errors)
    person = Person(
        given_name=given_name[:100],
        family_name=family_name[:100],
        date_of_birth=date_of_birth,
        email=email,
        phone=phone,
        preferred_contact=Person.ContactMethod.EMAIL if email else Person.ContactMethod.TEXT,
        interpreter_needed=bool(interpreter_language),
        language=interpreter_language[:60],
    )
    if (postcode or "").strip():
        try:
            place = locate_postcode(postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from error
        except PostcodeNotFound:
            person.postcode = normalise_postcode(postcode)
        else:
            person.postcode, person.ward, person.small_area = (
                place.postcode,
                place.ward,
                place.small_area,
            )
    person.full_clean(exclude=["ward", "small_area"])
    person.save()
    audit_record(
        actor=None,
        action="create",
        obj=person,
        person_id=person.pk,
        reason=f"Booked a Talking Point online at {hub.name}",
        changes={"channel": [None, "online booking"]},
    )
    return person
