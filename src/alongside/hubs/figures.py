"""The Talking Points figures for managers: counts, shares and waiting times, never people.

For a period (the last few full months and this month so far) and a grouping (hub, ward,
neighbourhood or month), with optional filters, `hub_figures` runs a fixed number of
queries, however much data there is, and returns a `Figures`: a row for each group, a row
for each month (for the charts) and a row for everything.

What each figure counts, in the period:
- first contacts, by the decision taken (by the date of first contact);
- days from first contact to being seen: attended conversations linked to a first contact
  (held on a day in the period): the conversation's day less the first-contact date;
- days to assessment on the old route: front-door assessment requests assessed in the
  period (assessed less requested), and those still waiting today (days so far);
- satisfied: survey scores of 4 or 5, of the surveys answered for conversations in the period;
- going on to a full assessment, and needing a paid-for service: of attended conversations;
  set against the expected share needing paid-for services (HUBS_EXPECTED_PAID_SERVICE_PERCENT)
  and the share of assessed front-door requests that needed one;
- did not attend: of bookings in past slots in the period that were attended or missed;
- slot use: seats booked of the seats in past booked and carers' slots in the period (closed
  slots and drop-ins left out), and of the seats booked, how many people came.

Where a figure sits when grouped by ward or neighbourhood: conversations, bookings and
surveys by the person's ward at first contact (else their ward now) when grouping by ward,
neighbourhood or month, and by the hub's ward when grouping by hub; slots always by the hub's.
First contacts and assessment requests have no hub: with "by hub" they appear in the total
only, and a hub filter does not narrow them.

Medians and 90th percentiles are worked out in Python from the days themselves (one query
each), so SQLite and PostgreSQL give the same answer. The 90th percentile is the nearest-rank
one: the smallest value at or above 90% of the values.

Small numbers: a count from 1 to 4, and a share or a median worked out from fewer than 5,
is shown as "fewer than 5" unless the viewer leads every team whose work is behind it (a
manager looking at their own hubs). The CSV always hides them.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from alongside.casework.figures import SUPPRESSED, SUPPRESSED_CSV
from alongside.core.audit import audit_record
from alongside.core.models import Neighbourhood, Ward

from .models import (
    AssessmentRequest,
    Booking,
    Conversation,
    FirstContact,
    Hub,
    Session,
    Slot,
    SurveyResponse,
)
from .selectors import led_team_ids_for_user

PERIOD_MONTHS = (3, 6, 12)
DEFAULT_MONTHS = 6
NO_DATA = "none"


class Group:
    HUB = "hub"
    WARD = "ward"
    NEIGHBOURHOOD = "neighbourhood"
    MONTH = "month"
    CHOICES = (
        (HUB, "Hub"),
        (NEIGHBOURHOOD, "Neighbourhood"),
        (WARD, "Ward"),
        (MONTH, "Month"),
    )


# --- the period ----------------------------------------------------------------------------------


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """`months` full months before this one, and this month up to today."""

    months: int
    today: dt.date

    @property
    def start(self) -> dt.date:
        return _month_start(self.today, self.months)

    @property
    def end(self) -> dt.date:
        return self.today

    @property
    def month_starts(self) -> list[dt.date]:
        return [_month_start(self.today, back) for back in range(self.months, -1, -1)]

    @property
    def label(self) -> str:
        return f"{_date_label(self.start)} to {_date_label(self.end)}"

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}-to-{self.end:%Y-%m-%d}"


def period_for(months: int = DEFAULT_MONTHS, today: dt.date | None = None) -> Period:
    return Period(months=months, today=today or timezone.localdate())


def _date_label(day: dt.date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def month_label(day: dt.date, *, short: bool = False) -> str:
    if short:
        return f"{calendar.month_abbr[day.month]} {day:%y}"
    return f"{calendar.month_name[day.month]} {day.year}"


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- numbers and how they are shown ---------------------------------------------------------------


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_90(values: list[int]) -> float | None:
    """The nearest-rank 90th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)])


@dataclass(frozen=True)
class Value:
    """One figure: a count, a share (part of a whole) or days (a median or percentile of a
    number of waits). `base` is how many it was worked out from."""

    kind: str  # "count", "share" or "days"
    number: float | None
    base: int

    @classmethod
    def count(cls, n: int) -> Value:
        return cls("count", n, n)

    @classmethod
    def share(cls, part: int, whole: int) -> Value:
        return cls("share", (100 * part / whole) if whole else None, whole)

    @classmethod
    def days(cls, number: float | None, base: int) -> Value:
        return cls("days", number, base)

    def hidden(self, *, exact: bool) -> bool:
        return not exact and 1 <= self.base <= 4

    def shown(self, *, exact: bool) -> float | None:
        """The number to draw (None when hidden or when there is nothing to show)."""
        return None if self.hidden(exact=exact) else self.number

    def text(self, *, exact: bool, csv: bool = False) -> str:
        if self.hidden(exact=exact and not csv):
            return SUPPRESSED_CSV if csv else SUPPRESSED
        if self.kind == "count":
            return f"{int(self.number or 0):,}"
        if self.number is None:
            return NO_DATA
        if self.kind == "share":
            return f"{self.number:.0f}%"
        number = f"{self.number:.1f}".removesuffix(".0")
        return number if csv else f"{number} {'day' if number == '1' else 'days'}"


# --- rows ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """The figures for one group (or one month, or everything)."""

    key: Any
    label: str
    teams: set[Any] = field(default_factory=set)
    decisions: Counter = field(default_factory=Counter)
    seen_days: list[int] = field(default_factory=list)
    assessed_days: list[int] = field(default_factory=list)
    waiting_days: list[int] = field(default_factory=list)
    surveys: int = 0
    satisfied: int = 0
    attended_conversations: int = 0
    assessment_requested: int = 0
    paid_service: int = 0
    front_door_assessed_known: int = 0
    front_door_assessed_paid: int = 0
    attended: int = 0
    did_not_attend: int = 0
    seats: int = 0
    seats_booked: int = 0

    @property
    def contacts(self) -> int:
        return sum(self.decisions.values())

    def value(self, measure: str) -> Value:
        return MEASURES[measure].compute(self)


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    name: str
    compute: Any
    # Work of the front door rather than a hub: not split by hub.
    front_door: bool = False


def _days(attr: str, how: Any) -> Any:
    return lambda row: Value.days(how(getattr(row, attr)), len(getattr(row, attr)))


MEASURE_LIST = (
    MeasureSpec("contacts", "First contacts", lambda r: Value.count(r.contacts), True),
    MeasureSpec("seen", "Seen at a Talking Point", lambda r: Value.count(len(r.seen_days))),
    MeasureSpec("seen_median", "Median days to be seen", _days("seen_days", median)),
    MeasureSpec("seen_p90", "90th percentile days to be seen", _days("seen_days", percentile_90)),
    MeasureSpec(
        "assessed",
        "Assessed (waiting-list route)",
        lambda r: Value.count(len(r.assessed_days)),
        True,
    ),
    MeasureSpec(
        "assessed_median", "Median days to assessment", _days("assessed_days", median), True
    ),
    MeasureSpec(
        "assessed_p90",
        "90th percentile days to assessment",
        _days("assessed_days", percentile_90),
        True,
    ),
    MeasureSpec(
        "waiting", "Still waiting for assessment", lambda r: Value.count(len(r.waiting_days)), True
    ),
    MeasureSpec(
        "waiting_median", "Median days waiting so far", _days("waiting_days", median), True
    ),
    MeasureSpec(
        "satisfied", "Satisfied (4 or 5 of 5)", lambda r: Value.share(r.satisfied, r.surveys)
    ),
    MeasureSpec(
        "assessment_share",
        "Going on to a full assessment",
        lambda r: Value.share(r.assessment_requested, r.attended_conversations),
    ),
    MeasureSpec(
        "paid_share",
        "Needing paid-for services",
        lambda r: Value.share(r.paid_service, r.attended_conversations),
    ),
    MeasureSpec(
        "front_door_paid_share",
        "Needing paid-for services after a front-door assessment",
        lambda r: Value.share(r.front_door_assessed_paid, r.front_door_assessed_known),
        True,
    ),
    MeasureSpec(
        "dna",
        "Did not attend",
        lambda r: Value.share(r.did_not_attend, r.attended + r.did_not_attend),
    ),
    MeasureSpec("slot_use", "Seats booked", lambda r: Value.share(r.seats_booked, r.seats)),
    MeasureSpec(
        "booked_attended",
        "Of seats booked, attended",
        lambda r: Value.share(r.attended, r.seats_booked),
    ),
)
MEASURES = {m.key: m for m in MEASURE_LIST}
# The columns of the table by group (the other measures are in the headline and CSV).
TABLE_MEASURES = (
    "contacts",
    "seen",
    "seen_median",
    "seen_p90",
    "assessed_median",
    "satisfied",
    "assessment_share",
    "paid_share",
    "dna",
    "slot_use",
)


# --- the queries ---------------------------------------------------------------------------------


@dataclass
class Filters:
    hub: Hub | None = None
    neighbourhood: Neighbourhood | None = None
    ward: Ward | None = None


def _person_place(fc: str, person: str) -> dict[str, Any]:
    """Ward and neighbourhood expressions for the person's ward at first contact (else now):
    `fc` is the path to the first contact's ward, `person` to the person's ward."""
    return {
        "ward": Case(
            When(**{f"{fc}__isnull": False}, then=F(f"{fc}_id")), default=F(f"{person}_id")
        ),
        "neighbourhood": Case(
            When(**{f"{fc}__isnull": False}, then=F(f"{fc}__neighbourhood_id")),
            default=F(f"{person}__neighbourhood_id"),
        ),
        "ward_path": (fc, person),
    }


def _person_paths(prefix: str) -> tuple[str, str]:
    """The first contact's ward and the person's ward, from a model with both (through
    `prefix`, e.g. "conversation__")."""
    return f"{prefix}first_contact__ward", f"{prefix}person__ward"


def _place_filter(paths: tuple[str, ...], filters: Filters, *, hub_place: bool) -> Q:
    """Narrow to the filter's ward or neighbourhood. `paths` are the ward paths: one for the
    hub, or (first-contact ward, person's ward) for the person."""
    q = Q()
    for attr, suffix in (("ward", ""), ("neighbourhood", "__neighbourhood")):
        chosen = getattr(filters, attr)
        if chosen is None:
            continue
        if hub_place:
            q &= Q(**{f"{paths[0]}{suffix}": chosen})
        else:
            fc, person = paths
            q &= Q(**{f"{fc}{suffix}": chosen}) | Q(
                **{f"{fc}__isnull": True, f"{person}{suffix}": chosen}
            )
    return q


class _Query:
    """Builds the grouped queries for one grouping and set of filters."""

    def __init__(self, *, period: Period, grouping: str, filters: Filters) -> None:
        self.period = period
        self.grouping = grouping
        self.filters = filters

    def place(
        self, *, hub_path: str | None, person_prefix: str | None, month_field: str
    ) -> tuple[Any, Q]:
        """The group expression and the filter for a query. `hub_path` leads to the hub
        (None when the model has none); `person_prefix` leads to the model holding the
        first contact and the person (None when only the hub's place applies)."""
        g = self.grouping
        by_hub_place = g == Group.HUB or person_prefix is None
        q = Q()
        if hub_path and self.filters.hub is not None:
            q &= Q(**{hub_path: self.filters.hub})
        if by_hub_place:
            if hub_path is None:
                raise ValueError("No place to group by")
            q &= _place_filter((f"{hub_path}__ward",), self.filters, hub_place=True)
            expressions = {
                Group.HUB: F(f"{hub_path}_id"),
                Group.WARD: F(f"{hub_path}__ward_id"),
                Group.NEIGHBOURHOOD: F(f"{hub_path}__neighbourhood_id"),
            }
        else:
            place = _person_place(*_person_paths(person_prefix))
            q &= _place_filter(place["ward_path"], self.filters, hub_place=False)
            expressions = {Group.WARD: place["ward"], Group.NEIGHBOURHOOD: place["neighbourhood"]}
        group = TruncMonth(month_field) if g == Group.MONTH else expressions.get(g)
        return group, q

    def front_door_place(self, *, month_field: str, contact: bool = False) -> tuple[Any, Q]:
        """For first contacts (`contact`) and assessment requests (no hub): by the person's
        place; with "by hub" they are not split (group None)."""
        place = _person_place(*(("ward", "person__ward") if contact else _person_paths("")))
        q = _place_filter(place["ward_path"], self.filters, hub_place=False)
        g = self.grouping
        if g == Group.MONTH:
            return TruncMonth(month_field), q
        if g == Group.HUB:
            return None, q
        return place[g], q


def _month_key(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


@dataclass
class Figures:
    period: Period
    grouping: str
    filters: Filters
    rows: list[Row]
    months: list[Row]
    total: Row
    expected_paid_percent: int

    @property
    def grouping_label(self) -> str:
        return dict(Group.CHOICES)[self.grouping].lower()


class _Folder:
    """Adds each query's figures to its group's row, its month's row and the total."""

    def __init__(self, period: Period, grouping: str) -> None:
        self.grouping = grouping
        self.groups: dict[Any, Row] = {}
        self.months: dict[dt.date, Row] = {m: Row(m, month_label(m)) for m in period.month_starts}
        self.total = Row("all", "All")

    def rows_for(self, group: Any, month: Any, team: Any) -> list[Row]:
        found = [self.total]
        key = _month_key(month)
        if key in self.months:
            found.append(self.months[key])
        if self.grouping == Group.MONTH:
            group = key
        if group is not None and (self.grouping != Group.MONTH or key in self.months):
            found.append(self.groups.setdefault(group, Row(group, "")))
        for row in found:
            if team is not None:
                row.teams.add(team)
        return found


def hub_figures(
    *, period: Period, grouping: str = Group.HUB, filters: Filters | None = None
) -> Figures:
    """The figures for the period, grouped, with the filters applied."""
    filters = filters or Filters()
    query = _Query(period=period, grouping=grouping, filters=filters)
    fold = _Folder(period, grouping)
    start, end = period.start, period.end
    today = timezone.localdate()

    # First contacts, by decision.
    group, q = query.front_door_place(month_field="contact_date", contact=True)
    contacts = (
        FirstContact.objects.filter(q, contact_date__range=(start, end))
        .annotate(g=_or_none(group), m=TruncMonth("contact_date"))
        .values("g", "m", "team_id", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in contacts:
        for row in fold.rows_for(item["g"], item["m"], item["team_id"]):
            row.decisions[item["decision"] or ""] += item["n"]

    # Conversations: attended, going on to assessment, needing paid-for services.
    group, q = query.place(hub_path="hub", person_prefix="", month_field="held_on")
    conversations = Conversation.objects.filter(
        q, held_on__range=(start, end), attendance=Conversation.Attendance.ATTENDED
    )
    for item in (
        conversations.annotate(g=group, m=TruncMonth("held_on"))
        .values("g", "m", "hub__team_id")
        .annotate(
            n=Count("id"),
            assess=Count("id", filter=Q(assessment_requested=True)),
            paid=Count("id", filter=Q(paid_service_needed=True)),
        )
        .order_by()
    ):
        for row in fold.rows_for(item["g"], item["m"], item["hub__team_id"]):
            row.attended_conversations += item["n"]
            row.assessment_requested += item["assess"]
            row.paid_service += item["paid"]

    # Days from first contact to being seen.
    for g, m, team, held_on, contacted in (
        conversations.filter(first_contact__isnull=False)
        .annotate(g=group, m=TruncMonth("held_on"))
        .values_list("g", "m", "hub__team_id", "held_on", "first_contact__contact_date")
        .order_by()
    ):
        for row in fold.rows_for(g, m, team):
            row.seen_days.append(max(0, (held_on - contacted).days))

    # Surveys, for conversations in the period.
    group, q = query.place(
        hub_path="conversation__hub",
        person_prefix="conversation__",
        month_field="conversation__held_on",
    )
    for item in (
        SurveyResponse.objects.filter(q, conversation__held_on__range=(start, end))
        .annotate(g=group, m=TruncMonth("conversation__held_on"))
        .values("g", "m", "conversation__hub__team_id")
        .annotate(n=Count("id"), happy=Count("id", filter=Q(score__gte=4)))
        .order_by()
    ):
        for row in fold.rows_for(item["g"], item["m"], item["conversation__hub__team_id"]):
            row.surveys += item["n"]
            row.satisfied += item["happy"]

    # Bookings in past slots: attended or did not attend.
    now = timezone.now()
    group, q = query.place(hub_path="slot__hub", person_prefix="", month_field="slot__starts_at")
    for item in (
        Booking.objects.filter(
            q,
            slot__starts_at__gte=_start_of(start),
            slot__starts_at__lt=now,
            status__in=(Booking.Status.ATTENDED, Booking.Status.DID_NOT_ATTEND),
        )
        .annotate(g=group, m=TruncMonth("slot__starts_at"))
        .values("g", "m", "slot__hub__team_id")
        .annotate(
            came=Count("id", filter=Q(status=Booking.Status.ATTENDED)),
            missed=Count("id", filter=Q(status=Booking.Status.DID_NOT_ATTEND)),
        )
        .order_by()
    ):
        for row in fold.rows_for(item["g"], item["m"], item["slot__hub__team_id"]):
            row.attended += item["came"]
            row.did_not_attend += item["missed"]

    # Slot use: past open slots for booked conversations and carers.
    group, q = query.place(hub_path="hub", person_prefix=None, month_field="starts_at")
    for item in (
        Slot.objects.filter(
            q,
            starts_at__gte=_start_of(start),
            starts_at__lt=now,
            status=Slot.Status.OPEN,
        )
        .exclude(kind=Session.Kind.DROP_IN)
        .annotate(g=group, m=TruncMonth("starts_at"))
        .values("g", "m", "hub__team_id")
        .annotate(seats=Sum("capacity"), booked=Sum("booked"))
        .order_by()
    ):
        for row in fold.rows_for(item["g"], item["m"], item["hub__team_id"]):
            row.seats += item["seats"] or 0
            row.seats_booked += item["booked"] or 0

    # The old route: front-door assessment requests assessed in the period, and waiting now.
    group, q = query.front_door_place(month_field="assessed_on")
    front_door = AssessmentRequest.objects.filter(q, route=AssessmentRequest.Route.FRONT_DOOR)
    for g, m, team, requested, assessed, paid in (
        front_door.filter(status=AssessmentRequest.Status.ASSESSED, assessed_on__range=(start, end))
        .annotate(g=_or_none(group), m=TruncMonth("assessed_on"))
        .values_list("g", "m", "team_id", "requested_on", "assessed_on", "paid_service_needed")
        .order_by()
    ):
        for row in fold.rows_for(g, m, team):
            row.assessed_days.append((assessed - requested).days)
            if paid is not None:
                row.front_door_assessed_known += 1
                row.front_door_assessed_paid += int(paid)
    group, _ = query.front_door_place(month_field="requested_on")
    for g, m, team, requested in (
        front_door.filter(status=AssessmentRequest.Status.WAITING, requested_on__lte=end)
        .annotate(g=_or_none(group), m=TruncMonth("requested_on"))
        .values_list("g", "m", "team_id", "requested_on")
        .order_by()
    ):
        for row in fold.rows_for(g, m, team):
            row.waiting_days.append(max(0, (today - requested).days))

    rows = _labelled(fold.groups, grouping)
    return Figures(
        period=period,
        grouping=grouping,
        filters=filters,
        rows=rows,
        months=list(fold.months.values()),
        total=fold.total,
        expected_paid_percent=settings.HUBS_EXPECTED_PAID_SERVICE_PERCENT,
    )


def _or_none(expression: Any) -> Any:
    """A group expression, or a constant when the figures are not split (by hub)."""
    from django.db.models import Value as V

    return expression if expression is not None else V(None, output_field=_null_field())


def _null_field() -> Any:
    from django.db.models import UUIDField

    return UUIDField(null=True)


def _labelled(groups: dict[Any, Row], grouping: str) -> list[Row]:
    """Name each group (one query) and put them in order; rows with no place come last."""
    keys = [k for k in groups if k is not None]
    if grouping == Group.MONTH:
        for key, row in groups.items():
            row.label = month_label(key)
        return [groups[k] for k in sorted(keys)]
    model = {Group.HUB: Hub, Group.WARD: Ward, Group.NEIGHBOURHOOD: Neighbourhood}[grouping]
    names = dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))
    for key, row in groups.items():
        row.label = names.get(key, "Not recorded")
    return sorted(groups.values(), key=lambda r: (r.key is None, r.label))


# --- who sees exact numbers, and the CSV ---------------------------------------------------


def led_teams(user: Any) -> set[Any] | None:
    """The teams whose figures the user sees exactly: those they lead (None: every team, for
    an administrator). Anyone else sees small numbers hidden."""
    if getattr(user, "is_superuser", False):
        return None
    return set(led_team_ids_for_user(user).values_list("team_id", flat=True))


def is_exact(row: Row, led: set[Any] | None) -> bool:
    """Exact when every team whose work is in the row is led by the viewer."""
    return led is None or row.teams <= led


def row_cells(row: Row, measures: Iterable[str], *, exact: bool) -> list[str]:
    return [row.value(m).text(exact=exact) for m in measures]


def decision_counts(row: Row) -> list[tuple[str, Value]]:
    """First contacts by decision, every decision in order (zeros too)."""
    found = [
        (str(label), Value.count(row.decisions.get(code, 0)))
        for code, label in FirstContact.Decision.choices
    ]
    if row.decisions.get(""):
        found.append(("Not decided yet", Value.count(row.decisions[""])))
    return found


CSV_HEADER = ("table", "category", "measure", "value")


def _csv_safe(value: str) -> str:
    """A spreadsheet must not run a label as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(figures: Figures) -> Iterator[tuple[str, str, str, str]]:
    """(table, category, measure, value), small numbers always hidden."""
    by = f"By {figures.grouping_label}"
    sections = [("All", [figures.total]), (by, figures.rows)]
    if figures.grouping != Group.MONTH:
        sections.append(("By month", figures.months))
    for section, rows in sections:
        for row in rows:
            for spec in MEASURE_LIST:
                if spec.front_door and figures.grouping == Group.HUB and section == by:
                    continue
                yield section, row.label, spec.name, row.value(spec.key).text(exact=False, csv=True)
    for label, value in decision_counts(figures.total):
        yield (
            "First contacts by decision",
            label,
            "First contacts",
            value.text(exact=False, csv=True),
        )


def figures_csv_text(figures: Figures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerow(("Period", figures.period.label, "", ""))
    for line in csv_lines(figures):
        writer.writerow([_csv_safe(cell) for cell in line])
    return buffer.getvalue()


def figures_export(*, actor: Any, figures: Figures) -> str:
    """The CSV for a download and the audit event saying who took it (the one write here:
    every export is recorded)."""
    content = figures_csv_text(figures)
    filters = figures.filters
    chosen = ", ".join(str(x) for x in (filters.hub, filters.neighbourhood, filters.ward) if x)
    audit_record(
        actor=actor,
        action="export",
        object_type="hubs.figures",
        object_id=f"{figures.grouping}:{figures.period.code}"[:64],
        object_label=(
            f"Talking Points figures by {figures.grouping_label}, {figures.period.label}"
            + (f" ({chosen})" if chosen else "")
        )[:200],
        reason="Downloaded the Talking Points figures as CSV",
    )
    return content


__all__ = [
    "DEFAULT_MONTHS",
    "MEASURES",
    "PERIOD_MONTHS",
    "TABLE_MEASURES",
    "Figures",
    "Filters",
    "Group",
    "Period",
    "Row",
    "Value",
    "figures_csv_text",
    "figures_export",
    "hub_figures",
    "is_exact",
    "led_teams",
    "period_for",
]
