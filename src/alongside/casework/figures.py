"""The casework figures for a quarter: counts and totals only, never people.

Each function takes the first and last day of the quarter and the programme's code and runs
a fixed number of queries, however much casework there is. They return `Table`s; how a
table is shown decides small numbers:

- any count from 1 to 4 is "fewer than 5" on screen for everyone but managers, and "<5" in
  the CSV for everyone (a CSV travels further than a screen);
- a figure worked out from such a count (hours, a median) is not shown either.

What each figure counts:
- introductions received in the quarter, by who introduced and by reason (an introduction
  may have several reasons);
- episodes opened and closed in the quarter, moves from Level 1 to Level 2, and episodes
  open on the last day by the level they were at that day (from the history of level
  changes);
- the median days from introduction to first contact, for episodes first contacted in the
  quarter;
- contacts in the quarter and the hours they took, by kind;
- connections made in the quarter, by where they are now;
- gaps recorded, by need; closures by reason; needs avoided or delayed at closing, by kind;
- community work and its hours by kind, and system intelligence by kind, from the
  programme's teams;
- stories approved in the quarter and not withdrawn since, by how they may be used;
- introductions and open episodes by ward.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from alongside.accounts.models import Team
from alongside.core.audit import audit_record

from .models import (
    CommunityWork,
    Connection,
    Contact,
    Diversion,
    Episode,
    EpisodeChange,
    Gap,
    Introduction,
    IntroductionReason,
    Story,
    SystemIntelligence,
)
from .programmes import PROGRAMMES

SMALL = range(1, 5)
SUPPRESSED = "fewer than 5"
SUPPRESSED_CSV = "<5"
NOT_SHOWN = "not shown"
NOT_SHOWN_CSV = "suppressed"
MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)

# --- quarters -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: 2026-Q4 is October to December 2026."""

    year: int
    number: int

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """'2026-Q4' (any case, spaces ignored); None when it is not a quarter."""
        match = re.fullmatch(r"(\d{4})-?Q([1-4])", re.sub(r"\s+", "", text or "").upper())
        if not match or not 1900 <= int(match[1]) <= 9998:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        following = self.next()
        return following.start - dt.timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        first, last = MONTH_NAMES[3 * self.number - 3], MONTH_NAMES[3 * self.number - 1]
        return f"{first} to {last} {self.year}"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.label


def recent_quarters(today: dt.date, count: int = 12) -> list[Quarter]:
    """This quarter and the ones before it, newest first."""
    quarters = [Quarter.containing(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of the day, local time: comparing the stored time with it uses
    the column's index, where taking the date of each row would not."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _after(day: dt.date) -> dt.datetime:
    return _start_of(day + dt.timedelta(days=1))


# --- tables -------------------------------------------------------------------------------------

Number = int | float | None


@dataclass(frozen=True)
class Measure:
    name: str
    is_count: bool = True
    # A figure worked out from a count in the same row (its column): hidden when it is.
    from_count: int | None = None


@dataclass
class Table:
    key: str
    caption: str
    category: str  # the heading of the first column
    measures: tuple[Measure, ...]
    rows: list[tuple[str, tuple[Number, ...]]] = field(default_factory=list)

    def cells(self, *, exact: bool, csv: bool = False) -> list[tuple[str, list[str]]]:
        """Each row's label and its values as text, with small numbers hidden unless
        `exact` (managers, on screen)."""
        hide_small = csv or not exact
        out = []
        for label, values in self.rows:
            texts = []
            for measure, value in zip(self.measures, values, strict=True):
                base = values[measure.from_count] if measure.from_count is not None else None
                if hide_small and measure.is_count and value in SMALL:
                    texts.append(SUPPRESSED_CSV if csv else SUPPRESSED)
                elif hide_small and base in SMALL:
                    texts.append(NOT_SHOWN_CSV if csv else NOT_SHOWN)
                else:
                    texts.append(_format(value))
            out.append((label, texts))
        return out

    def csv_rows(self) -> Iterator[tuple[str, str, str, str]]:
        """(table, category, measure, value): one line per figure, small numbers hidden."""
        for label, texts in self.cells(exact=False, csv=True):
            for measure, text in zip(self.measures, texts, strict=True):
                yield self.caption, label, measure.name, text


def _format(value: Number) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


COUNT = Measure("Number")


def _count_table(
    key: str,
    caption: str,
    category: str,
    counts: dict[str, int],
    labels: Iterable[tuple[str, str]] = (),
    measure: Measure = COUNT,
) -> Table:
    """A one-column table: every known category in order (zeros too), then any others."""
    rows = []
    seen = set()
    for code, label in labels:
        rows.append((str(label), (counts.get(code, 0),)))
        seen.add(code)
    for code, n in sorted(counts.items(), key=lambda item: str(item[0])):
        if code not in seen:
            rows.append((str(code), (n,)))
    return Table(key, caption, category, (measure,), rows)


# --- the figures --------------------------------------------------------------------------------


def _has_levels(programme: str) -> bool:
    known = PROGRAMMES.get(programme)
    return known is not None and known.has_levels


def _programme_teams(programme: str) -> QuerySet[Team]:
    return Team.objects.filter(programmes=programme).values("pk")


def introductions_by_source(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts = dict(
        Introduction.objects.filter(programme_id=programme, received_on__range=(start, end))
        .values_list("source")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _count_table(
        "introductions_by_source",
        "Introductions received, by who introduced the person",
        "Who introduced them",
        counts,
        Introduction.Source.choices,
        Measure("Introductions"),
    )


def introductions_by_reason(*, start: dt.date, end: dt.date, programme: str) -> Table:
    through = Introduction.reasons.through
    counts = dict(
        through.objects.filter(
            introduction__programme_id=programme,
            introduction__received_on__range=(start, end),
        )
        .values_list("introductionreason__label")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = [(r.label, r.label) for r in IntroductionReason.objects.filter(is_active=True)]
    return _count_table(
        "introductions_by_reason",
        "Introductions received, by reason (an introduction may give several)",
        "Reason",
        counts,
        labels,
        Measure("Introductions"),
    )


def _moves_up(*, start: dt.date, end: dt.date, programme: str) -> QuerySet[EpisodeChange]:
    return EpisodeChange.objects.filter(
        episode__programme_id=programme,
        kind=EpisodeChange.Kind.LEVEL,
        old_value="1",
        new_value="2",
        changed_at__gte=_start_of(start),
        changed_at__lt=_after(end),
    )


def episode_flow(*, start: dt.date, end: dt.date, programme: str) -> Table:
    totals = Episode.objects.filter(programme_id=programme).aggregate(
        opened=Count("id", filter=Q(opened_on__range=(start, end))),
        closed=Count("id", filter=Q(closed_on__range=(start, end))),
        open_at_end=Count(
            "id",
            filter=Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end)),
        ),
    )
    rows: list[tuple[str, tuple[Number, ...]]] = [
        ("Opened in the quarter", (totals["opened"],)),
        ("Closed in the quarter", (totals["closed"],)),
        ("Open on the last day of the quarter", (totals["open_at_end"],)),
    ]
    if _has_levels(programme):
        moves = _moves_up(start=start, end=end, programme=programme).count()
        rows.append(("Moved from Level 1 to Level 2", (moves,)))
    return Table("episodes", "Support episodes", "Episodes", (Measure("Number"),), rows)


def _open_at(end: dt.date, programme: str) -> QuerySet[Episode]:
    return Episode.objects.filter(programme_id=programme, opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=end)
    )


def open_episodes_by_level(*, start: dt.date, end: dt.date, programme: str) -> Table:
    """The level each episode open on the last day was at that day: the last level change
    on or before it, else the level it had before its first later change, else its level
    now."""
    changes = EpisodeChange.objects.filter(episode=OuterRef("pk"), kind=EpisodeChange.Kind.LEVEL)
    level_then = Coalesce(
        Subquery(
            changes.filter(changed_at__lt=_after(end))
            .order_by("-changed_at")
            .values("new_value")[:1]
        ),
        Subquery(
            changes.filter(changed_at__gte=_after(end))
            .order_by("changed_at")
            .values("old_value")[:1]
        ),
        Cast("level", CharField()),
        output_field=CharField(),
    )
    counts = {
        str(level): n
        for level, n in _open_at(end, programme)
        .annotate(level_then=level_then)
        .values_list("level_then")
        .annotate(n=Count("id"))
        .order_by()
    }
    return _count_table(
        "open_by_level",
        "Episodes open on the last day of the quarter, by level",
        "Level",
        counts,
        [(str(value), label) for value, label in Episode.Level.choices],
        Measure("Episodes"),
    )


def time_to_first_contact(*, start: dt.date, end: dt.date, programme: str) -> Table:
    waits = [
        (contacted - received).days
        for contacted, received in Episode.objects.filter(
            programme_id=programme, first_contact_on__range=(start, end)
        ).values_list("first_contact_on", "introduction__received_on")
    ]
    median = float(statistics.median(waits)) if waits else None
    return Table(
        "first_contact",
        "Days from introduction to first contact, for episodes first contacted in the quarter",
        "Episodes first contacted",
        (Measure("Episodes"), Measure("Median days", is_count=False, from_count=0)),
        [("All", (len(waits), median))],
    )


def contacts_by_kind(*, start: dt.date, end: dt.date, programme: str) -> Table:
    found = {
        kind: (n, minutes)
        for kind, n, minutes in Contact.objects.filter(
            episode__programme_id=programme, happened_on__range=(start, end)
        )
        .values_list("kind")
        .annotate(n=Count("id"), minutes=Sum("minutes"))
        .values_list("kind", "n", "minutes")
        .order_by()
    }
    rows = [
        (str(label), (found.get(kind, (0, 0))[0], _hours(found.get(kind, (0, 0))[1])))
        for kind, label in Contact.Kind.choices
    ]
    return Table(
        "contacts",
        "Contacts with people and the time they took, by kind",
        "Kind of contact",
        (Measure("Contacts"), Measure("Hours", is_count=False, from_count=0)),
        rows,
    )


def connections_by_status(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts = dict(
        Connection.objects.filter(
            episode__programme_id=programme,
            created_at__gte=_start_of(start),
            created_at__lt=_after(end),
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = _count_table(
        "connections",
        "Connections made in the quarter, by where they are now",
        "Where the connection is now",
        counts,
        Connection.Status.choices,
        Measure("Connections"),
    )
    table.rows.insert(0, ("All connections made", (sum(counts.values()),)))
    return table


def gaps_by_need(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts: dict[str, int] = {}
    for need, n in (
        Gap.objects.filter(recorded_on__range=(start, end))
        .filter(
            Q(episode__programme_id=programme)
            | Q(episode__isnull=True, team_id__in=_programme_teams(programme))
        )
        .values_list("need__name")
        .annotate(n=Count("id"))
        .order_by()
    ):
        label = need or "Need not given"
        counts[label] = counts.get(label, 0) + n
    return _count_table(
        "gaps", "Gaps recorded: needs nothing suitable met", "Need", counts, (), Measure("Gaps")
    )


def closures_by_reason(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts = dict(
        Episode.objects.filter(programme_id=programme, closed_on__range=(start, end))
        .values_list("close_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _count_table(
        "closures",
        "Episodes closed in the quarter, by reason",
        "Reason for closing",
        counts,
        Episode.CloseReason.choices,
        Measure("Episodes"),
    )


def diversions_by_kind(*, start: dt.date, end: dt.date, programme: str) -> Table:
    found: dict[tuple[str, str], int] = {
        (label, effect): n
        for label, effect, n in Diversion.objects.filter(
            episode__programme_id=programme, episode__closed_on__range=(start, end)
        )
        .values_list("kind__label", "effect")
        .annotate(n=Count("id"))
        .values_list("kind__label", "effect", "n")
        .order_by()
    }
    labels = sorted({label for label, _ in found})
    avoided, delayed = Diversion.Effect.AVOIDED, Diversion.Effect.DELAYED
    return Table(
        "diversions",
        "Needs avoided or delayed, recorded at closing",
        "Need",
        (Measure("Avoided"), Measure("Delayed")),
        [
            (label, (found.get((label, avoided), 0), found.get((label, delayed), 0)))
            for label in labels
        ],
    )


def community_work_by_kind(*, start: dt.date, end: dt.date, programme: str) -> Table:
    found = {
        kind: (n, minutes)
        for kind, n, minutes in CommunityWork.objects.filter(
            team_id__in=_programme_teams(programme), happened_on__range=(start, end)
        )
        .values_list("kind")
        .annotate(n=Count("id"), minutes=Sum("minutes"))
        .values_list("kind", "n", "minutes")
        .order_by()
    }
    groups = (
        CommunityWork.objects.filter(
            team_id__in=_programme_teams(programme), happened_on__range=(start, end)
        )
        .values("group_name")
        .distinct()
        .count()
    )
    rows = [
        (str(label), (found.get(kind, (0, 0))[0], _hours(found.get(kind, (0, 0))[1])))
        for kind, label in CommunityWork.Kind.choices
    ]
    rows.insert(
        0,
        (
            "Community groups helped (each counted once)",
            (groups, _hours(sum(m or 0 for _, m in found.values()))),
        ),
    )
    return Table(
        "community_work",
        "Work with community groups, by kind of help",
        "Kind of help",
        (Measure("Times"), Measure("Hours", is_count=False, from_count=0)),
        rows,
    )


def system_intelligence_by_kind(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts = dict(
        SystemIntelligence.objects.filter(
            team_id__in=_programme_teams(programme), noted_on__range=(start, end)
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _count_table(
        "system_intelligence",
        "System intelligence: what workers saw of services",
        "Kind",
        counts,
        SystemIntelligence.Kind.choices,
        Measure("Times noted"),
    )


def stories_approved(*, start: dt.date, end: dt.date, programme: str) -> Table:
    counts = dict(
        Story.objects.filter(
            episode__programme_id=programme,
            status=Story.Status.APPROVED,
            decided_at__gte=_start_of(start),
            decided_at__lt=_after(end),
        )
        .values_list("consent_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _count_table(
        "stories",
        "Stories approved in the quarter, by how they may be used",
        "How the story may be used",
        counts,
        Story.ConsentLevel.choices,
        Measure("Stories"),
    )


def by_ward(*, start: dt.date, end: dt.date, programme: str) -> Table:
    introductions = dict(
        Introduction.objects.filter(programme_id=programme, received_on__range=(start, end))
        .values_list("ward__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    open_episodes = dict(
        _open_at(end, programme).values_list("ward__name").annotate(n=Count("id")).order_by()
    )
    names = sorted({n for n in (*introductions, *open_episodes) if n})
    rows = [(name, (introductions.get(name, 0), open_episodes.get(name, 0))) for name in names]
    if None in introductions or None in open_episodes:
        rows.append(("Ward not recorded", (introductions.get(None, 0), open_episodes.get(None, 0))))
    return Table(
        "wards",
        "By ward: introductions received, and episodes open on the last day",
        "Ward",
        (Measure("Introductions"), Measure("Open episodes")),
        rows,
    )


FIGURES = (
    episode_flow,
    introductions_by_source,
    introductions_by_reason,
    open_episodes_by_level,
    time_to_first_contact,
    contacts_by_kind,
    connections_by_status,
    gaps_by_need,
    closures_by_reason,
    diversions_by_kind,
    community_work_by_kind,
    system_intelligence_by_kind,
    stories_approved,
    by_ward,
)


def quarterly_figures(*, start: dt.date, end: dt.date, programme: str) -> list[Table]:
    """Every table for the quarter, in the order the report shows them."""
    return [
        figure(start=start, end=end, programme=programme)
        for figure in FIGURES
        if figure is not open_episodes_by_level or _has_levels(programme)
    ]


CSV_HEADER = ("table", "category", "measure", "value")


def _csv_safe(value: str) -> str:
    """A spreadsheet must not run a label as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def figures_csv_text(*, quarter: Quarter, programme: str) -> str:
    """The quarter's figures as CSV text: one line per (table, category, measure), with
    small numbers hidden whoever downloads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for table in quarterly_figures(start=quarter.start, end=quarter.end, programme=programme):
        for row in table.csv_rows():
            writer.writerow([_csv_safe(cell) for cell in row])
    return buffer.getvalue()


def figures_export(*, actor: Any, quarter: Quarter, programme: str) -> str:
    """The CSV for a download, and the audit event saying who took it. (The one write
    here: every export is recorded.)"""
    content = figures_csv_text(quarter=quarter, programme=programme)
    audit_record(
        actor=actor,
        action="export",
        object_type="casework.figures",
        object_id=f"{programme}:{quarter.code}",
        object_label=f"Casework figures, {programme}, {quarter.label}",
        reason="Downloaded the casework figures as CSV",
    )
    return content


__all__ = [
    "FIGURES",
    "SUPPRESSED",
    "SUPPRESSED_CSV",
    "Measure",
    "Quarter",
    "Table",
    "figures_csv_text",
    "figures_export",
    "quarterly_figures",
    "recent_quarters",
]
