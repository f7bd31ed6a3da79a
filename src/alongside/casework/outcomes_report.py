"""Social prescribing's outcome figures for a financial year: counts only, never people.

What is counted: social prescribing episodes closed in the year (April to March) that have
an outcome recorded.
- Goals achieved: yes, partly, no.
- Each statement: how many answered, how many agree (strongly agree or agree), and that
  share as a percentage.
- GP attendance, PAIRED per person: only people with both a before and an after figure,
  grouped by the number of months counted, so that every total, mean and median compares
  the same people over windows of the same length; and how many people's visits went
  down, stayed the same or went up. Never averages of different groups.

Small numbers are hidden as in the quarterly figures (figures.py, whose `Table` shows them):
a count of 1 to 4 is "fewer than 5" for anyone without casework.manage_caseloads and "<5"
in every CSV, and a figure worked out from such a count is not shown. Each table costs a
fixed number of queries: two in all, however many episodes there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from alongside.accounts.models import Programme
from alongside.core.audit import audit_record

from .figures import CSV_HEADER, Measure, Table, _csv_safe
from .models import Episode, ProgrammeOutcome

SP = Programme.Code.SOCIAL_PRESCRIBING
AGREES = (ProgrammeOutcome.Agreement.STRONGLY_AGREE, ProgrammeOutcome.Agreement.AGREE)
YEARS_SHOWN = 6


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A financial year: 2026 is 1 April 2026 to 31 March 2027."""

    year: int

    @classmethod
    def containing(cls, day: dt.date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear | None:
        """'2026' (spaces ignored); None when it is not a year we can show."""
        text = (text or "").strip()
        if not text.isdigit() or len(text) != 4 or not 1900 <= int(text) <= 9998:
            return None
        return cls(int(text))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, 3, 31)

    @property
    def code(self) -> str:
        return str(self.year)

    @property
    def label(self) -> str:
        return f"April {self.year} to March {self.year + 1}"

    def __str__(self) -> str:
        return self.label


def recent_years(today: dt.date, count: int = YEARS_SHOWN) -> list[FinancialYear]:
    """This financial year and the ones before it, newest first."""
    current = FinancialYear.containing(today).year
    return [FinancialYear(current - n) for n in range(count)]


def _closed_in(year: FinancialYear) -> QuerySet[Episode]:
    return Episode.objects.filter(
        programme_id=SP,
        status=Episode.Status.CLOSED,
        closed_on__range=(year.start, year.end),
    )


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def outcome_figures(*, year: FinancialYear) -> list[Table]:
    """Every table for the year, in the order the report shows them."""
    closed = _closed_in(year)
    closed_count = closed.count()
    answers = list(
        ProgrammeOutcome.objects.filter(episode__in=closed.values("pk")).values_list(
            "goals_achieved",
            "more_able",
            "would_not_have",
            "gp_months",
            "gp_visits_before",
            "gp_visits_after",
        )
    )
    with_outcome = len(answers)
    tables = [
        Table(
            "episodes",
            "Social prescribing episodes closed in the year",
            "Episodes",
            (Measure("Number"),),
            [
                ("Closed in the year", (closed_count,)),
                ("With an outcome recorded", (with_outcome,)),
            ],
        )
    ]

    goals = dict.fromkeys(ProgrammeOutcome.Achieved.values, 0)
    for achieved, *_ in answers:
        goals[achieved] = goals.get(achieved, 0) + 1
    tables.append(
        Table(
            "goals",
            "Did they achieve their goals?",
            "Goals achieved",
            (Measure("People"),),
            [
                (str(label), (goals.get(code, 0),))
                for code, label in ProgrammeOutcome.Achieved.choices
            ],
        )
    )

    statements = []
    for index, field in ((1, "more_able"), (2, "would_not_have")):
        agree = sum(1 for row in answers if row[index] in AGREES)
        statements.append(
            (
                str(ProgrammeOutcome._meta.get_field(field).verbose_name),
                (with_outcome, agree, _percent(agree, with_outcome)),
            )
        )
    tables.append(
        Table(
            "statements",
            "What people said about the support",
            "Statement",
            (
                Measure("People who answered"),
                Measure("Agree or strongly agree"),
                # hidden when the count of those who agree is small
                Measure("Share who agree (%)", is_count=False, from_count=1),
            ),
            statements,
        )
    )

    pairs = [(months, before, after) for *_, months, before, after in answers if before is not None]
    by_months: dict[int, list[tuple[int, int]]] = {}
    for months, before, after in pairs:
        by_months.setdefault(months, []).append((before, after))
    gp_rows = []
    for months in sorted(by_months):
        group = by_months[months]
        people = len(group)
        total_before = sum(b for b, _ in group)
        total_after = sum(a for _, a in group)
        gp_rows.append(
            (
                f"{months} month{'s' if months != 1 else ''} before and after",
                (
                    people,
                    total_before,
                    total_after,
                    round(total_before / people, 1),
                    round(total_after / people, 1),
                    float(statistics.median(a - b for b, a in group)),
                ),
            )
        )
    tables.append(
        Table(
            "gp_visits",
            "GP visits before referral and after, for the same people (paired)",
            "Months counted",
            (
                Measure("People with both figures"),
                Measure("Visits before", is_count=False, from_count=0),
                Measure("Visits after", is_count=False, from_count=0),
                Measure("Mean visits before", is_count=False, from_count=0),
                Measure("Mean visits after", is_count=False, from_count=0),
                Measure("Median change (after minus before)", is_count=False, from_count=0),
            ),
            gp_rows,
        )
    )

    down = sum(1 for _, before, after in pairs if after < before)
    same = sum(1 for _, before, after in pairs if after == before)
    up = sum(1 for _, before, after in pairs if after > before)
    tables.append(
        Table(
            "gp_direction",
            "GP visits after compared with before, person by person",
            "Visits after referral",
            (Measure("People"),),
            [("Went down", (down,)), ("Stayed the same", (same,)), ("Went up", (up,))],
        )
    )
    return tables


def outcomes_csv_text(*, year: FinancialYear) -> str:
    """The year's figures as CSV: one line per (table, category, measure), small numbers
    hidden whoever downloads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for table in outcome_figures(year=year):
        for row in table.csv_rows():
            writer.writerow([_csv_safe(cell) for cell in row])
    return buffer.getvalue()


def outcomes_export(*, actor: Any, year: FinancialYear) -> str:
    """The CSV for a download, and the audit event saying who took it."""
    content = outcomes_csv_text(year=year)
    audit_record(
        actor=actor,
        action="export",
        object_type="casework.programmeoutcome",
        object_id=f"{SP}:{year.code}",
        object_label=f"Social prescribing outcomes, {year.label}",
        reason="Downloaded the social prescribing outcome figures as CSV",
    )
    return content


def current_year() -> FinancialYear:
    return FinancialYear.containing(timezone.localdate())
