"""Hubs, sessions, slots and closures: setting up where and when Talking Points happen.

Who may change what: a user with `hubs.manage_hubs` who leads the team running the hub
(administrators: any hub). A closure for every hub (a bank holiday) may be added by anyone
with `hubs.manage_hubs`: bank holidays are the same for everyone.

Repeat rules are RFC 5545 RRULE strings without DTSTART (for example
``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH``). The session's first date anchors the rule, so
"every 2 weeks" always counts from the first date, however often slots are generated.

Slots are generated in local time (Europe/London) as aware datetimes, so a 10am session is
at 10am on both sides of a clock change. Generation runs from today (or the first date) to
the session's last date or HUBS_SLOT_WEEKS_AHEAD weeks ahead, whichever comes first. It is
idempotent: slots that exist (unique on session and start) are left alone. Stopped sessions and
sessions of stopped hubs get no new slots.

Booked and carers' sessions get one slot per appointment length that fits between the start
and end time. Drop-in sessions get ONE slot per occurrence covering the whole session, with
the session's capacity: nobody books a drop-in, but conversations and the slot-use figures
refer to it (the booking services refuse drop-in slots by their kind).

A slot falling in a closure (a bank holiday for every hub, the hub closed, or this session
cancelled that day) is created closed, linked to the closure. Adding a closure closes the
open slots it covers and cancels their bookings through the booking services, which tell
each person and offer the next free slots. Deleting a closure that has not started reopens
its slots (bookings cancelled by it stay cancelled).

Editing a session's times, length, capacity or rule replaces future slots that hold no live
booking; slots with live bookings are kept as they are, and the change reports the bookings
that now stand outside the new pattern so the manager can move them. A kept slot's capacity
never drops below its booked count. Slots no longer wanted are deleted, or closed when a
cancelled booking still points at them; so ending a session (a last date) closes its later
empty slots.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Team, User
from alongside.core.audit import audit_record, field_changes
from alongside.directory.models import AccessibilityFeature, Location

from ..models import Booking, Closure, Hub, Session, Slot
from ..selectors import MANAGE_HUBS, leads_team

# --- repeat rules -------------------------------------------------------------------------------

WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
)
WEEKDAY_NAMES = dict(WEEKDAYS)
WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"
FREQUENCIES = (
    (WEEKLY, "Every week"),
    (FORTNIGHTLY, "Every 2 weeks"),
    (MONTHLY, "Once a month, on a set weekday"),
)
NTH = ((1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (-1, "Last"))
NTH_NAMES = dict(NTH)
ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY"}
RULE_MAX_LENGTH = 300
# How far ahead a rule must give a date to be of any use.
RULE_LOOKAHEAD_DAYS = 366
DROP_IN = Session.Kind.DROP_IN


def rrule_build(*, frequency: str, weekdays: Sequence[str], nth: int | None = None) -> str:
    """The RRULE for a rule chosen on the session form (weekdays as MO, TU...)."""
    days = [code for code, _ in WEEKDAYS if code in set(weekdays)]
    if frequency == MONTHLY:
        return f"FREQ=MONTHLY;BYDAY={','.join(f'{nth or 1}{code}' for code in days)}"
    interval = ";INTERVAL=2" if frequency == FORTNIGHTLY else ""
    return f"FREQ=WEEKLY{interval};BYDAY={','.join(days)}"


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for chunk in rule.strip().upper().removeprefix("RRULE:").split(";"):
        if "=" in chunk:
            key, _, value = chunk.partition("=")
            parts[key.strip()] = value.strip()
    return parts


def rrule_parse(rule: str) -> dict[str, Any] | None:
    """The form's choices for a rule it could have built, or None for any other rule."""
    parts = _parts(rule)
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY"} or "BYDAY" not in parts:
        return None
    days = parts["BYDAY"].split(",")
    interval = parts.get("INTERVAL", "1")
    if parts.get("FREQ") == "WEEKLY" and interval in ("1", "2"):
        if not all(day in WEEKDAY_NAMES for day in days):
            return None
        return {
            "frequency": FORTNIGHTLY if interval == "2" else WEEKLY,
            "weekdays": days,
            "nth": None,
        }
    if parts.get("FREQ") == "MONTHLY" and interval == "1":
        found = [re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", day) for day in days]
        if not all(found) or len({int(m[1]) for m in found if m}) != 1:
            return None
        nth = int(found[0][1]) if found[0] else 1
        if nth not in NTH_NAMES:
            return None
        return {"frequency": MONTHLY, "weekdays": [m[2] for m in found if m], "nth": nth}
    return None


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def rrule_describe(rule: str) -> str:
    """A rule in plain English: "Every week on Tuesday and Thursday"."""
    parsed = rrule_parse(rule)
    if parsed is None:
        return f"By the rule {rule}"
    names = [WEEKDAY_NAMES[day] for day in parsed["weekdays"]]
    if parsed["frequency"] == MONTHLY:
        which = NTH_NAMES[parsed["nth"]].lower()
        return f"Every month on the {which} {_join(names)}"
    every = "Every 2 weeks" if parsed["frequency"] == FORTNIGHTLY else "Every week"
    return f"{every} on {_join(names)}"


def rrule_validate(rule: str, *, starts_on: dt.date | None = None) -> str:
    """Check a rule and return it tidied; ValidationError({"rrule": ...}) says what is wrong."""

    def refuse(message: str) -> ValidationError:
        return ValidationError({"rrule": message})

    rule = (rule or "").strip().removeprefix("RRULE:").removeprefix("rrule:")
    if not rule:
        raise refuse("Enter how often the session repeats")
    if len(rule) > RULE_MAX_LENGTH:
        raise refuse(f"The repeat rule must be {RULE_MAX_LENGTH} characters or fewer")
    parts = _parts(rule)
    if "DTSTART" in rule.upper():
        raise refuse("Leave DTSTART out of the repeat rule: the first date is asked separately")
    if "FREQ" not in parts:
        raise refuse("The repeat rule must say how often, for example FREQ=WEEKLY;BYDAY=TU")
    if parts["FREQ"] not in ALLOWED_FREQ:
        raise refuse("A session can repeat daily, weekly or monthly")
    if {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise refuse("Leave times out of the repeat rule: the start and end time are separate")
    anchor = dt.datetime.combine(starts_on or timezone.localdate(), dt.time())
    try:
        parsed = rrulestr(rule, dtstart=anchor)
        first = parsed.after(anchor, inc=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise refuse(f"The repeat rule is not a valid RFC 5545 rule ({error})") from None
    if first is None or first > anchor + dt.timedelta(days=RULE_LOOKAHEAD_DAYS):
        raise refuse("The repeat rule gives no dates in the year from the first date")
    return rule


# --- permissions and audit ----------------------------------------------------------------------


def may_manage_team(user: Any, team_id: Any) -> bool:
    """Whether the user may set up hubs, sessions and closures for the team."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(MANAGE_HUBS):
        return False
    return bool(user.is_superuser) or leads_team(user, team_id)


def _check_manages(actor: Any, team_id: Any) -> None:
    if not may_manage_team(actor, team_id):
        raise PermissionDenied("Only a manager who leads the team running this hub can do this.")


def _audit(actor: Any, action: str, obj: Any, changes: dict[str, Any] | None = None) -> None:
    audit_record(actor=actor, action=action, obj=obj, changes=changes)


# --- hubs ---------------------------------------------------------------------------------------

HUB_FIELDS = (
    "name",
    "team",
    "step_free",
    "hearing_loop",
    "interpreters",
    "directions",
    "is_active",
)


def venues_for_hubs(*, search: str = "", limit: int | None = 20) -> QuerySet[Location]:
    """Directory venues that can become hubs: physical venues with a ward, not yet a hub."""
    venues = (
        Location.objects.filter(
            kind=Location.Kind.VENUE,
            location_type=Location.LocationType.PHYSICAL,
            ward__isnull=False,
            hub__isnull=True,
        )
        .select_related("ward")
        .order_by("name")
    )
    if search.strip():
        venues = venues.filter(name__icontains=search.strip())
    return venues[:limit] if limit else venues


def venue_features(location: Location) -> set[str]:
    return set(
        AccessibilityFeature.objects.filter(location=location).values_list("feature", flat=True)
    )


def _check_hub_values(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter the hub's name"
    elif len(values["name"]) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    if len(values["directions"]) > 2000:
        errors["directions"] = "How to get there must be 2000 characters or fewer"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def hub_create(
    *,
    actor: Any,
    location: Location,
    team: Team,
    name: str = "",
    step_free: bool | None = None,
    hearing_loop: bool | None = None,
    interpreters: bool = True,
    directions: str = "",
) -> Hub:
    """Make a directory venue a hub run by a team the actor leads. Its ward and
    neighbourhood come from the venue; step-free access and the hearing loop default to what
    the directory records about the venue; the name defaults to the venue's."""
    _check_manages(actor, team.pk)
    errors: dict[str, str] = {}
    if location.kind != Location.Kind.VENUE or (
        location.location_type != Location.LocationType.PHYSICAL
    ):
        errors["location"] = "Choose a building from the directory, not an area or address"
    elif location.ward_id is None:
        errors["location"] = "This venue has no ward in the directory: add its ward first"
    elif Hub.objects.filter(location=location).exists():
        errors["location"] = "This venue is already a hub"
    if not team.is_active:
        errors["team"] = "Choose a team that is still active"
    if errors:
        raise ValidationError(errors)
    features = venue_features(location)
    ward = location.ward
    values = {
        "name": (name or location.name or "").strip(),
        "directions": (directions or location.transport or "").strip(),
    }
    _check_hub_values(values)
    hub = Hub(
        location=location,
        team=team,
        ward=ward,
        neighbourhood=ward.neighbourhood if ward else None,
        step_free=AccessibilityFeature.Feature.STEP_FREE in features
        if step_free is None
        else step_free,
        hearing_loop=AccessibilityFeature.Feature.HEARING_LOOP in features
        if hearing_loop is None
        else hearing_loop,
        interpreters=interpreters,
        created_by=actor,
        modified_by=actor,
        **values,
    )
    hub.full_clean()
    hub.save()
    _audit(actor, "create", hub, {"name": [None, hub.name], "team": [None, str(team)]})
    return hub


@dataclass
class HubChange:
    hub: Hub
    slots_closed: int = 0
    bookings_standing: int = 0


@transaction.atomic
def hub_update(*, actor: Any, hub: Hub, **fields: Any) -> HubChange:
    """Change a hub's details, move it to another team the actor leads, or stop (is_active
    False) or restart it. Stopping closes its future slots that hold no live booking;
    bookings already made stand (the change says how many) until they are cancelled."""
    _check_manages(actor, hub.team_id)
    unknown = set(fields) - set(HUB_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hub fields: {', '.join(sorted(unknown))}")
    if "team" in fields and fields["team"].pk != hub.team_id:
        _check_manages(actor, fields["team"].pk)
    hub = Hub.objects.select_for_update().get(pk=hub.pk)
    before = {name: getattr(hub, name) for name in HUB_FIELDS}
    for name, value in fields.items():
        setattr(hub, name, value.strip() if isinstance(value, str) else value)
    _check_hub_values({"name": hub.name, "directions": hub.directions})
    hub.modified_by = actor
    hub.full_clean()
    hub.save()
    change = HubChange(hub=hub)
    future = Slot.objects.filter(hub=hub, starts_at__gt=timezone.now())
    if before["is_active"] and not hub.is_active:
        change.slots_closed = future.filter(status=Slot.Status.OPEN, booked=0).update(
            status=Slot.Status.CLOSED
        )
        change.bookings_standing = Booking.objects.filter(
            slot__in=future, status__in=Booking.LIVE
        ).count()
    elif not before["is_active"] and hub.is_active:
        future.filter(
            status=Slot.Status.CLOSED, closure__isnull=True, session__is_active=True
        ).update(status=Slot.Status.OPEN)
    after = {name: getattr(hub, name) for name in HUB_FIELDS}
    _audit(actor, "change", hub, field_changes(before, after))
    return change


# --- sessions -----------------------------------------------------------------------------------

SESSION_FIELDS = (
    "kind",
    "rrule",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "appointment_minutes",
    "capacity",
    "public_booking",
    "is_active",
)
# Changes to these reshape the slots.
PATTERN_FIELDS = (
    "kind",
    "rrule",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "appointment_minutes",
    "capacity",
    "is_active",
)


def practitioners_for_team(team: Team | Any) -> QuerySet[User]:
    """Active members of the team who hold Talking Point conversations: the practitioner
    role, or the permission to record conversations (through a role or directly)."""
    holds = Q(groups__name=roles.TALKING_POINT_PRACTITIONER)
    for prefix in ("groups__permissions", "user_permissions"):
        holds |= Q(
            **{
                f"{prefix}__codename": "add_conversation",
                f"{prefix}__content_type__app_label": "hubs",
            }
        )
    ids = User.objects.filter(memberships__team=team, is_active=True).filter(holds).values("pk")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")


def _check_session(
    session: Session, practitioners: Iterable[Any] | None, *, already: Iterable[Any] = ()
) -> None:
    errors: dict[str, str] = {}
    try:
        session.rrule = rrule_validate(session.rrule, starts_on=session.starts_on)
    except ValidationError as error:
        errors.update({k: v[0].message for k, v in error.error_dict.items()})
    if session.kind not in Session.Kind.values:
        errors["kind"] = "Choose the kind of session"
    if session.start_time and session.end_time and session.end_time <= session.start_time:
        errors["end_time"] = "The end time must be after the start time"
    if session.ends_on and session.starts_on and session.ends_on < session.starts_on:
        errors["ends_on"] = "The last date must be the same as or after the first date"
    minutes = session.appointment_minutes
    if (
        session.kind != DROP_IN
        and isinstance(minutes, int)
        and session.start_time
        and session.end_time
        and "end_time" not in errors
    ):
        length = _minutes_between(session.start_time, session.end_time)
        if minutes > length:
            errors["appointment_minutes"] = (
                f"The conversations must fit in the session: {length} minutes or shorter"
            )
    if practitioners is not None:
        allowed = set(practitioners_for_team(session.hub.team_id).values_list("pk", flat=True))
        allowed |= set(already)  # someone who has since left the team may stay on it
        if any(p.pk not in allowed for p in practitioners):
            errors["practitioners"] = "Choose practitioners from the hub's team"
    if errors:
        raise ValidationError(errors)


def _minutes_between(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


@transaction.atomic
def session_create(
    *,
    actor: Any,
    hub: Hub,
    rrule: str,
    starts_on: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    kind: str = Session.Kind.BOOKED,
    ends_on: dt.date | None = None,
    appointment_minutes: int = 45,
    capacity: int = 1,
    practitioners: Sequence[Any] = (),
    public_booking: bool = True,
) -> Session:
    """Add a recurring session to a hub the actor manages and generate its slots."""
    _check_manages(actor, hub.team_id)
    if not hub.is_active:
        raise ValidationError({"kind": "This hub has stopped: restart it before adding sessions"})
    session = Session(
        hub=hub,
        kind=kind,
        rrule=rrule,
        starts_on=starts_on,
        ends_on=ends_on,
        start_time=start_time,
        end_time=end_time,
        appointment_minutes=appointment_minutes,
        capacity=capacity,
        public_booking=public_booking,
        created_by=actor,
        modified_by=actor,
    )
    _check_session(session, practitioners)
    session.full_clean()
    session.save()
    session.practitioners.set(practitioners)
    _audit(actor, "create", session, {"rrule": [None, session.rrule]})
    slots_generate(session=session)
    return session


@dataclass
class SessionChange:
    """What an edit did to the slots: how many were made and removed, and the live bookings
    kept in slots that are outside the new pattern (the manager should move them)."""

    session: Session
    slots_created: int = 0
    slots_removed: int = 0
    outside: list[Booking] = field(default_factory=list)


@transaction.atomic
def session_update(
    *, actor: Any, session: Session, practitioners: Sequence[Any] | None = None, **fields: Any
) -> SessionChange:
    """Change a session. Future slots without live bookings are replaced by the new
    pattern; those with bookings are kept (see the module) and reported."""
    _check_manages(actor, session.hub.team_id)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {', '.join(sorted(unknown))}")
    session = Session.objects.select_for_update().select_related("hub").get(pk=session.pk)
    before = {name: getattr(session, name) for name in SESSION_FIELDS}
    already = set(session.practitioners.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(session, name, value)
    _check_session(session, practitioners, already=already)
    session.modified_by = actor
    session.full_clean()
    session.save()
    if practitioners is not None:
        session.practitioners.set(practitioners)
    after = {name: getattr(session, name) for name in SESSION_FIELDS}
    _audit(actor, "change", session, field_changes(before, after))
    change = SessionChange(session=session)
    if any(before[name] != after[name] for name in PATTERN_FIELDS):
        _reshape(session, change)
    elif before["public_booking"] != after["public_booking"]:
        pass  # slots do not copy it: the booking services read it from the session
    return change


def _reshape(session: Session, change: SessionChange) -> None:
    now = timezone.now()
    horizon = max(
        filter(None, [session.generated_until, _default_until()]),
    )
    wanted = {row.starts_at: row for row in _wanted_slots(session, until=horizon, now=now)}
    future = list(session.slots.filter(starts_at__gt=now).order_by("starts_at"))
    to_delete: list[int] = []
    to_close: list[int] = []
    outside_slots: list[int] = []
    for slot in future:
        row = wanted.pop(slot.starts_at, None)
        if row is not None:
            slot.ends_at = row.ends_at
            slot.kind = row.kind
            slot.capacity = max(row.capacity, slot.booked)
            if slot.status == Slot.Status.CLOSED and slot.closure_id is None:
                # Closed only because an earlier pattern left it out: wanted again.
                slot.status = row.status if session.hub.is_active else slot.status
            slot.save(update_fields=["ends_at", "kind", "capacity", "status"])
        elif slot.booked:
            outside_slots.append(slot.pk)
        else:
            to_delete.append(slot.pk)
    if to_delete:
        # A cancelled booking still points at its slot (protected): close those instead.
        has_history = set(
            Booking.objects.filter(slot_id__in=to_delete).values_list("slot_id", flat=True)
        )
        to_close = [pk for pk in to_delete if pk in has_history]
        removable = [pk for pk in to_delete if pk not in has_history]
        Slot.objects.filter(pk__in=removable).delete()
        Slot.objects.filter(pk__in=to_close).update(status=Slot.Status.CLOSED, closure=None)
        change.slots_removed = len(to_delete)
    change.slots_created = _insert(list(wanted.values()))
    Session.objects.filter(pk=session.pk).update(generated_until=horizon)
    session.generated_until = horizon
    if outside_slots:
        change.outside = list(
            Booking.objects.filter(slot_id__in=outside_slots, status__in=Booking.LIVE)
            .select_related("slot", "person")
            .order_by("slot__starts_at", "seat")
        )


# --- slots --------------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _default_until() -> dt.date:
    return timezone.localdate() + dt.timedelta(weeks=settings.HUBS_SLOT_WEEKS_AHEAD)


def _closures_in(start: dt.date, end: dt.date) -> list[Closure]:
    return list(
        Closure.objects.filter(starts_on__lte=end, ends_on__gte=start).order_by("starts_on")
    )


def _closure_for(closures: Sequence[Closure], session: Session, day: dt.date) -> Closure | None:
    for closure in closures:
        if not closure.starts_on <= day <= closure.ends_on:
            continue
        if closure.session_id is not None:
            if closure.session_id == session.pk:
                return closure
        elif closure.hub_id is None or closure.hub_id == session.hub_id:
            return closure
    return None


class Planned(NamedTuple):
    """A slot the pattern wants, before it is saved."""

    session_id: Any
    hub_id: Any
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    status: str
    closure_id: Any


def _wanted_slots(
    session: Session,
    *,
    until: dt.date | None,
    now: dt.datetime | None = None,
    closures: Sequence[Closure] | None = None,
) -> list[Planned]:
    """The slots the session's pattern gives from now to `until` (not saved)."""
    if not session.is_active or not session.hub.is_active:
        return []
    today = timezone.localdate()
    first = max(today, session.starts_on)
    last = until or _default_until()
    if session.ends_on:
        last = min(last, session.ends_on)
    if last < first:
        return []
    now = now or timezone.now()
    anchor = dt.datetime.combine(session.starts_on, dt.time())
    days = rrulestr(session.rrule, dtstart=anchor).between(
        dt.datetime.combine(first, dt.time()),
        dt.datetime.combine(last, dt.time()),
        inc=True,
    )
    if closures is None:
        closures = _closures_in(first, last)
    zone = _zone()
    if session.kind == DROP_IN:
        times = [(session.start_time, session.end_time)]
    else:
        times = []
        step = dt.timedelta(minutes=session.appointment_minutes)
        start = dt.datetime.combine(dt.date.min, session.start_time)
        end = dt.datetime.combine(dt.date.min, session.end_time)
        while start + step <= end:
            times.append((start.time(), (start + step).time()))
            start += step
    slots: list[Planned] = []
    for occurrence in days:
        day = occurrence.date()
        closure = _closure_for(closures, session, day)
        for begins, ends in times:
            starts_at = dt.datetime.combine(day, begins, tzinfo=zone)
            if starts_at <= now:
                continue
            slots.append(
                Planned(
                    session_id=session.pk,
                    hub_id=session.hub_id,
                    kind=session.kind,
                    starts_at=starts_at,
                    ends_at=dt.datetime.combine(day, ends, tzinfo=zone),
                    capacity=session.capacity,
                    status=Slot.Status.CLOSED if closure else Slot.Status.OPEN,
                    closure_id=closure.pk if closure else None,
                )
            )
    return slots


def _insert(slots: list[Planned]) -> int:
    """Insert planned slots in bulk, skipping any that exist (another run got there first).

    Plain parameterised SQL rather than bulk_create: preparing thousands of model instances
    was most of the time taken, and ON CONFLICT DO NOTHING works on SQLite and PostgreSQL."""
    if not slots:
        return 0
    meta = Slot._meta
    columns = [
        meta.get_field(name)
        for name in ("session", "hub", "kind", "starts_at", "ends_at", "capacity", "booked")
    ] + [meta.get_field("status"), meta.get_field("closure")]
    quote = connection.ops.quote_name
    session_field, hub_field, closure_field = columns[0], columns[1], columns[8]
    keys: dict[Any, Any] = {}

    def key(field_: Any, value: Any) -> Any:
        if value is None:
            return None
        if value not in keys:
            keys[value] = field_.get_db_prep_save(value, connection)
        return keys[value]

    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            key(session_field, s.session_id),
            key(hub_field, s.hub_id),
            s.kind,
            adapt(s.starts_at),
            adapt(s.ends_at),
            s.capacity,
            0,
            s.status,
            key(closure_field, s.closure_id),
        )
        for s in slots
    ]
    # Table and column names come from the model's own metadata; values are parameters.
    names = ", ".join(quote(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608, E501
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])
    return len(rows)


def _reached(session: Session, until: dt.date | None) -> dt.date:
    reached = until or _default_until()
    return min(reached, session.ends_on) if session.ends_on else reached


def _generate_many(
    sessions: Sequence[Session],
    *,
    until: dt.date | None,
    closures: Sequence[Closure] | None = None,
) -> int:
    """Insert the missing slots of all the sessions with one read of the slots that exist
    and a few bulk inserts, then record how far each session has been generated."""
    if closures is None:
        closures = _closures_in(timezone.localdate(), until or _default_until())
    now = timezone.now()
    wanted: list[Planned] = []
    for session in sessions:
        wanted += _wanted_slots(session, until=until, now=now, closures=closures)
    if wanted:
        existing = set(
            Slot.objects.filter(
                session_id__in=[s.pk for s in sessions],
                starts_at__gte=min(slot.starts_at for slot in wanted),
            )
            .order_by()
            .values_list("session_id", "starts_at")
        )
        wanted = [s for s in wanted if (s.session_id, s.starts_at) not in existing]
    made = _insert(wanted)
    moved: dict[dt.date, list[Any]] = {}
    for session in sessions:
        reached = _reached(session, until)
        if session.generated_until is None or reached > session.generated_until:
            moved.setdefault(reached, []).append(session.pk)
            session.generated_until = reached
    for reached, pks in moved.items():
        Session.objects.filter(pk__in=pks).update(generated_until=reached)
    return made


def slots_generate(*, session: Session, until: dt.date | None = None) -> int:
    """Make the session's missing slots from today (or its first date) to `until` (default
    HUBS_SLOT_WEEKS_AHEAD weeks ahead) or its last date. Returns how many were made."""
    with transaction.atomic():
        return _generate_many([session], until=until)


def slots_extend_all(*, until: dt.date | None = None) -> int:
    """Generate slots for every active session of every active hub (the nightly task and
    the generate_slots command). Returns how many slots were made."""
    until = until or _default_until()
    today = timezone.localdate()
    sessions = list(
        Session.objects.filter(is_active=True, hub__is_active=True)
        .select_related("hub")
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("pk")
    )
    closures = _closures_in(today, until)
    made = 0
    with transaction.atomic():
        for start in range(0, len(sessions), 200):
            made += _generate_many(sessions[start : start + 200], until=until, closures=closures)
    return made


# --- closures -----------------------------------------------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=_zone())


def _closure_scope(closure: Closure) -> Q:
    if closure.session_id is not None:
        return Q(session_id=closure.session_id)
    if closure.hub_id is not None:
        return Q(hub_id=closure.hub_id)
    return Q()


def _closure_slots(closure: Closure) -> QuerySet[Slot]:
    return Slot.objects.filter(
        _closure_scope(closure),
        starts_at__gte=max(_local_midnight(closure.starts_on), timezone.now()),
        starts_at__lt=_local_midnight(closure.ends_on + dt.timedelta(days=1)),
    )


def may_add_closure(user: Any, *, hub: Hub | None) -> bool:
    if hub is None:
        return bool(getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_HUBS))
    return may_manage_team(user, hub.team_id)


@transaction.atomic
def closure_create(
    *,
    actor: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    hub: Hub | None = None,
    session: Session | None = None,
) -> Closure:
    """Close every hub (no hub or session: a bank holiday), one hub, or one session, for the
    days from `starts_on` to `ends_on`. Open slots in those days are closed; people booked
    into them are told and offered other times. The closure's `people_told` says how many."""
    if session is not None:
        hub = session.hub
    if not may_add_closure(actor, hub=hub):
        raise PermissionDenied("Only a manager who leads the team running this hub can do this.")
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why there are no Talking Points then"
    elif len(reason) > 200:
        errors["reason"] = "The reason must be 200 characters or fewer"
    if starts_on is None:
        errors["starts_on"] = "Enter the first day of the closure"
    elif starts_on < timezone.localdate():
        errors["starts_on"] = "The closure must start today or later"
    if ends_on is None:
        errors["ends_on"] = "Enter the last day of the closure"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day must be the same as or after the first day"
    elif starts_on is not None and (ends_on - starts_on).days > 366:
        errors["ends_on"] = "A closure can last a year at most"
    if errors:
        raise ValidationError(errors)
    closure = Closure(
        hub=hub,
        session=session,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=actor,
        modified_by=actor,
    )
    closure.full_clean()
    closure.save()
    slots = _closure_slots(closure).filter(status=Slot.Status.OPEN)
    affected = list(slots.values_list("pk", "booked"))
    Slot.objects.filter(pk__in=[pk for pk, _ in affected]).update(
        status=Slot.Status.CLOSED, closure=closure
    )
    booked = [pk for pk, count in affected if count]
    told = 0
    if booked:
        from .bookings import bookings_cancel_for_slots

        told = bookings_cancel_for_slots(
            actor=actor, slots=Slot.objects.filter(pk__in=booked), reason=reason
        )
    closure.slots_closed = len(affected)  # type: ignore[attr-defined]
    closure.people_told = told  # type: ignore[attr-defined]
    _audit(
        actor,
        "create",
        closure,
        {
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
            "slots_closed": [None, len(affected)],
            "bookings_cancelled": [None, told],
        },
    )
    return closure


def session_cancel_day(*, actor: Any, session: Session, day: dt.date, reason: str) -> Closure:
    """Cancel one day of a session (a closure of that session for the day)."""
    return closure_create(actor=actor, starts_on=day, ends_on=day, reason=reason, session=session)


def may_delete_closure(user: Any, closure: Closure) -> bool:
    return closure.starts_on >= timezone.localdate() and may_add_closure(user, hub=closure.hub)


@transaction.atomic
def closure_delete(*, actor: Any, closure: Closure) -> int:
    """Take back a closure that has not started: its slots reopen (unless another closure
    covers them, or their session or hub has stopped). Bookings it cancelled stay cancelled.
    Returns how many slots reopened."""
    if not may_add_closure(actor, hub=closure.hub):
        raise PermissionDenied("Only a manager who leads the team running this hub can do this.")
    if closure.starts_on < timezone.localdate():
        raise ValidationError("A closure that has started cannot be taken back")
    slots = list(
        Slot.objects.filter(closure=closure, starts_at__gt=timezone.now()).select_related(
            "session", "hub"
        )
    )
    others = [
        other
        for other in _closures_in(closure.starts_on, closure.ends_on)
        if other.pk != closure.pk
    ]
    reopened: list[int] = []
    moved: dict[Any, list[int]] = {}
    for slot in slots:
        day = timezone.localtime(slot.starts_at).date()
        other = _closure_for(others, slot.session, day)
        if other is not None:
            moved.setdefault(other.pk, []).append(slot.pk)
        elif (
            slot.session.is_active
            and slot.hub.is_active
            and (slot.session.ends_on is None or day <= slot.session.ends_on)
        ):
            reopened.append(slot.pk)
    for other_pk, pks in moved.items():
        Slot.objects.filter(pk__in=pks).update(closure_id=other_pk)
    Slot.objects.filter(pk__in=reopened).update(status=Slot.Status.OPEN, closure=None)
    _audit(
        actor,
        "archive",
        closure,
        {"deleted": [False, True], "slots_reopened": [None, len(reopened)]},
    )
    closure.delete()
    return len(reopened)


def closures_upcoming(*, hub: Hub | None = None) -> QuerySet[Closure]:
    """Closures that have not ended, soonest first (for one hub: its own, its sessions'
    and every hub's)."""
    closures = Closure.objects.filter(ends_on__gte=timezone.localdate()).select_related(
        "hub", "session", "session__hub"
    )
    if hub is not None:
        closures = closures.filter(Q(hub__isnull=True) | Q(hub=hub) | Q(session__hub=hub))
    return closures.order_by("starts_on", "ends_on")
