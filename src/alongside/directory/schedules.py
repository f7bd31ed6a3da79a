"""When listings happen: expanding a `Schedule` (an RFC 5545 rule with exceptions) into dates,
England and Wales bank holidays, and a plain-English description of a schedule.

Rules follow RFC 5545 as python-dateutil implements it. Ranges are inclusive at both ends.
As in RFC 5545, `count` counts every date the rule makes, including dates then removed as
exceptions (`exdates`, and bank holidays when `skip_bank_holidays` is set).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from dateutil import rrule
from dateutil.easter import easter

__all__ = [
    "Occurrence",
    "ScheduleLike",
    "bank_holidays",
    "describe",
    "format_date",
    "format_time",
    "is_bank_holiday",
    "occurrences",
    "parse_byday",
    "parse_bymonthday",
    "parse_exdates",
]


class ScheduleLike(Protocol):
    """The fields of `directory.models.Schedule` that these functions read."""

    dtstart: dt.date
    freq: str
    interval: int
    byday: str
    bymonthday: str
    until: dt.date | None
    count: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    opens_at: dt.time | None
    closes_at: dt.time | None
    exdates: list[Any]
    skip_bank_holidays: bool


# The Schedule fields above, for reading schedules as plain values (`values_list`).
SCHEDULE_LIKE_FIELDS = tuple(ScheduleLike.__annotations__)


@dataclass(frozen=True, order=True)
class Occurrence:
    """One date on which a schedule runs, with its times (either may be unknown)."""

    date: dt.date
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None


# --- Bank holidays (England and Wales) ------------------------------------------------------

# One-off changes to the usual rules, by royal proclamation. A holiday moved from its usual
# date is listed in MOVED (usual date -> actual date); extra days are listed in EXTRA.
# Facts from GOV.UK's published bank holiday lists; add new proclamations here.
MOVED_BANK_HOLIDAYS: dict[dt.date, dt.date] = {
    dt.date(1995, 5, 1): dt.date(1995, 5, 8),  # early May moved for the 50th VE Day
    dt.date(2002, 5, 27): dt.date(2002, 6, 4),  # spring moved for the Golden Jubilee
    dt.date(2012, 5, 28): dt.date(2012, 6, 4),  # spring moved for the Diamond Jubilee
    dt.date(2020, 5, 4): dt.date(2020, 5, 8),  # early May moved for the 75th VE Day
    dt.date(2022, 5, 30): dt.date(2022, 6, 2),  # spring moved for the Platinum Jubilee
}
EXTRA_BANK_HOLIDAYS: dict[dt.date, str] = {
    dt.date(1999, 12, 31): "Millennium celebrations",
    dt.date(2002, 6, 3): "Golden Jubilee",
    dt.date(2011, 4, 29): "Royal wedding",
    dt.date(2012, 6, 5): "Diamond Jubilee",
    dt.date(2022, 6, 3): "Platinum Jubilee",
    dt.date(2022, 9, 19): "State funeral of Queen Elizabeth II",
    dt.date(2023, 5, 8): "Coronation of King Charles III",
}

_MONDAY = 0
_FRIDAY = 4
_SATURDAY = 5
_SUNDAY = 6


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(_MONDAY - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - _MONDAY) % 7)


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= _SATURDAY:
        day += dt.timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in a year, substitute days included.

    The rules are those in force since 1978 (when the early May bank holiday began), with
    the one-off changes above.
    """
    days: set[dt.date] = set()
    days.add(_next_weekday(dt.date(year, 1, 1)))  # New Year's Day, or the Monday after
    easter_sunday = easter(year)
    days.add(easter_sunday - dt.timedelta(days=2))  # Good Friday
    days.add(easter_sunday + dt.timedelta(days=1))  # Easter Monday
    days.add(_first_monday(year, 5))  # early May
    days.add(_last_monday(year, 5))  # spring
    days.add(_last_monday(year, 8))  # summer

    christmas = dt.date(year, 12, 25)
    boxing = dt.date(year, 12, 26)
    if christmas.weekday() == _FRIDAY:  # Boxing Day on Saturday: Monday instead
        days.update({christmas, dt.date(year, 12, 28)})
    elif christmas.weekday() == _SATURDAY:  # both at the weekend: Monday and Tuesday
        days.update({dt.date(year, 12, 27), dt.date(year, 12, 28)})
    elif christmas.weekday() == _SUNDAY:  # Boxing Day Monday, Christmas on Tuesday
        days.update({boxing, dt.date(year, 12, 27)})
    else:
        days.update({christmas, boxing})

    days = {MOVED_BANK_HOLIDAYS.get(day, day) for day in days}
    days.update(day for day in EXTRA_BANK_HOLIDAYS if day.year == year)
    return frozenset(days)


def is_bank_holiday(day: dt.date) -> bool:
    return day in bank_holidays(day.year)


# --- Parsing the rule fields -----------------------------------------------------------------

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
_BYDAY_TOKEN = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def _tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[,\s]+", (value or "").strip().upper()) if t]


def parse_byday(value: str) -> list[tuple[int | None, int]]:
    """'TU' -> [(None, 1)]; '1MO,-1FR' -> [(1, 0), (-1, 4)] (ordinal, weekday 0=Monday).

    Raises ValueError for anything else. Ordinals run from 1 to 5 and -1 to -5 (a month
    has at most five of any weekday).
    """
    parsed: list[tuple[int | None, int]] = []
    for token in _tokens(value):
        match = _BYDAY_TOKEN.match(token)
        if not match:
            raise ValueError(f"Days must look like TU, 1MO or -1FR, not {token!r}")
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and not (1 <= abs(ordinal) <= 5):
            raise ValueError(f"The week of the month must be 1 to 5 or -1 to -5, not {ordinal}")
        item = (ordinal, WEEKDAY_CODES.index(match.group(2)))
        if item not in parsed:
            parsed.append(item)
    return parsed


def parse_bymonthday(value: str) -> list[int]:
    """'1,15' -> [1, 15]; '-1' is the last day of the month. Raises ValueError otherwise."""
    days: list[int] = []
    for token in _tokens(value):
        try:
            day = int(token)
        except ValueError:
            raise ValueError(f"Days of the month must be numbers, not {token!r}") from None
        if not (1 <= abs(day) <= 31):
            raise ValueError(f"A day of the month must be 1 to 31 or -1 to -31, not {day}")
        if day not in days:
            days.append(day)
    return days


def parse_exdates(values: Iterable[Any] | None) -> set[dt.date]:
    """Exception dates as stored in JSON: ISO date strings (a time part is ignored)."""
    dates: set[dt.date] = set()
    for value in values or []:
        if isinstance(value, dt.datetime):
            dates.add(value.date())
        elif isinstance(value, dt.date):
            dates.add(value)
        elif isinstance(value, str):
            try:
                dates.add(dt.date.fromisoformat(value.strip()[:10]))
            except ValueError:
                raise ValueError(f"Not a date (YYYY-MM-DD): {value!r}") from None
        else:
            raise ValueError(f"Not a date: {value!r}")
    return dates


_FREQS = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _rule(schedule: ScheduleLike) -> rrule.rrule:
    freq = (schedule.freq or "").upper()
    if freq not in _FREQS:
        raise ValueError(f"Unknown frequency {schedule.freq!r}")
    kwargs: dict[str, Any] = {
        "dtstart": _midnight(schedule.dtstart),
        "interval": max(1, schedule.interval or 1),
    }
    byday = parse_byday(schedule.byday)
    if byday:
        kwargs["byweekday"] = [
            _RRULE_WEEKDAYS[day](ordinal) if ordinal else _RRULE_WEEKDAYS[day]
            for ordinal, day in byday
        ]
    bymonthday = parse_bymonthday(schedule.bymonthday)
    if bymonthday:
        kwargs["bymonthday"] = bymonthday
    # dateutil refuses COUNT with UNTIL (RFC 5545 allows only one); apply UNTIL afterwards.
    if schedule.count:
        kwargs["count"] = schedule.count
    elif schedule.until:
        kwargs["until"] = _midnight(schedule.until)
    return rrule.rrule(_FREQS[freq], **kwargs)


def _simple_dates(schedule: ScheduleLike, low: dt.date, high: dt.date) -> list[dt.date] | None:
    """The dates of a plain daily or weekly rule (no COUNT, no day of the month, no "first
    Monday"), by date arithmetic; None for any other rule, which dateutil expands. Gives
    exactly dateutil's dates (weeks start on Monday; `dtstart` counts only if it matches)
    at a fraction of the cost, which matters when the search index expands every listing."""
    freq = (schedule.freq or "").upper()
    if schedule.count or schedule.bymonthday or freq not in ("DAILY", "WEEKLY"):
        return None
    byday = parse_byday(schedule.byday)
    if any(ordinal for ordinal, _ in byday):
        return None
    interval = max(1, schedule.interval or 1)
    first = max(low, schedule.dtstart)
    if freq == "DAILY":
        if byday:
            return None
        offset = (first - schedule.dtstart).days % interval
        if offset:
            first += dt.timedelta(days=interval - offset)
        return [first + dt.timedelta(days=n) for n in range(0, (high - first).days + 1, interval)]
    weekdays = {day for _, day in byday} or {schedule.dtstart.weekday()}
    week_zero = schedule.dtstart - dt.timedelta(days=schedule.dtstart.weekday())
    dates = []
    day = first
    while day <= high:
        if day.weekday() in weekdays and ((day - week_zero).days // 7) % interval == 0:
            dates.append(day)
        day += _ONE_DAY
    return dates


_ONE_DAY = dt.timedelta(days=1)


def occurrences(schedule: ScheduleLike, *, start: dt.date, end: dt.date) -> list[Occurrence]:
    """The dates from `start` to `end` (both included) on which the schedule runs, in order.

    A schedule with no frequency is a one-off on `dtstart`. Dates outside `valid_from` to
    `valid_to`, after `until`, in `exdates`, or (when `skip_bank_holidays`) on an England and
    Wales bank holiday are left out.
    """
    low = max(start, schedule.valid_from) if schedule.valid_from else start
    high = min(end, schedule.valid_to) if schedule.valid_to else end
    if schedule.until:
        high = min(high, schedule.until)
    if high < low:
        return []

    if not schedule.freq:
        dates = [schedule.dtstart] if low <= schedule.dtstart <= high else []
    else:
        if schedule.dtstart > high:
            return []
        dates = _simple_dates(schedule, low, high)
        if dates is None:
            rule = _rule(schedule)
            dates = [
                when.date() for when in rule.between(_midnight(low), _midnight(high), inc=True)
            ]

    excluded = parse_exdates(schedule.exdates)
    return [
        Occurrence(date=day, opens_at=schedule.opens_at, closes_at=schedule.closes_at)
        for day in dates
        if day not in excluded and not (schedule.skip_bank_holidays and is_bank_holiday(day))
    ]


# --- Plain English ---------------------------------------------------------------------------

_ORDINAL_WORDS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    -1: "last",
    -2: "second to last",
    -3: "third to last",
    -4: "fourth to last",
    -5: "fifth to last",
}


def format_time(value: dt.time) -> str:
    """10am, 12:30pm, 12pm (noon), 12am (midnight)."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def format_date(value: dt.date, *, weekday: bool = True) -> str:
    """Saturday 5 December 2026 (GOV.UK style: no comma, no ordinal suffix)."""
    text = f"{value.day} {calendar.month_name[value.month]} {value.year}"
    return f"{WEEKDAY_NAMES[value.weekday()]} {text}" if weekday else text


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _day_of_month(day: int) -> str:
    """1st, 2nd, 23rd; -1 is the last day, -2 the second to last day."""
    if day == -1:
        return "last day"
    if day < 0:
        return f"{_ORDINAL_WORDS.get(day) or _day_of_month(-day) + ' to last'} day"
    suffix = "th" if day in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _times(schedule: ScheduleLike) -> str:
    opens, closes = schedule.opens_at, schedule.closes_at
    if opens and closes:
        return f"{format_time(opens)} to {format_time(closes)}"
    if opens:
        return f"from {format_time(opens)}"
    if closes:
        return f"until {format_time(closes)}"
    return ""


def _weekdays_phrase(days: list[int], *, plural: bool = False) -> str:
    days = sorted(set(days))
    s = "s" if plural else ""
    if days == list(range(7)):
        return f"day{s}"
    if days == list(range(5)):
        return f"weekday{s}"
    return _join([WEEKDAY_NAMES[d] + s for d in days])


def _every(interval: int, unit: str) -> str:
    if interval == 2:
        return f"every other {unit}"
    return f"every {interval} {unit}s"


def _weekly(schedule: ScheduleLike, days: list[int]) -> str:
    interval = max(1, schedule.interval or 1)
    phrase = _weekdays_phrase(days)
    if phrase in ("day", "weekday"):
        text = "Every day" if phrase == "day" else "Monday to Friday"
        return text if interval == 1 else f"{text}, {_every(interval, 'week')}"
    if interval == 1:
        return f"Every {phrase}"
    if interval == 2:
        return f"Every other {phrase}"
    return f"Every {interval} weeks on {phrase}"


def _months(interval: int) -> str:
    return "the month" if interval == 1 else _every(interval, "month")


def _monthly(schedule: ScheduleLike) -> str:
    interval = max(1, schedule.interval or 1)
    byday = parse_byday(schedule.byday)
    bymonthday = parse_bymonthday(schedule.bymonthday)
    plain = [day for ordinal, day in byday if ordinal is None]
    ordinals = [(ordinal, day) for ordinal, day in byday if ordinal is not None]

    if byday and not ordinals:
        # Every such weekday, in every (or every other) month.
        text = f"Every {_weekdays_phrase(plain)}"
        return text if interval == 1 else f"{text} in {_months(interval)}"
    if ordinals:
        # Group ordinals by weekday, keeping the order given: "first and third Monday".
        grouped: dict[int, list[int]] = {}
        for ordinal, day in ordinals:
            grouped.setdefault(day, []).append(ordinal)
        parts = []
        for day, numbers in grouped.items():
            numbers = sorted(numbers, key=lambda n: (n < 0, n))
            parts.append(f"{_join([_ORDINAL_WORDS[n] for n in numbers])} {WEEKDAY_NAMES[day]}")
        if plain:
            parts.append(f"every {_weekdays_phrase(plain)}")
        text = f"{_join(parts)} of {_months(interval)}"
    else:
        days = bymonthday or [schedule.dtstart.day]
        days = sorted(days, key=lambda n: (n < 0, n))
        text = f"{_join([_day_of_month(d) for d in days])} of {_months(interval)}"
    return text[0].upper() + text[1:]


def _daily(schedule: ScheduleLike) -> str:
    interval = max(1, schedule.interval or 1)
    days = [day for _, day in parse_byday(schedule.byday)]
    if days and interval == 1:
        return _weekly(schedule, days)
    text = "Every day" if interval == 1 else _every(interval, "day").capitalize()
    if days:
        text += f", only on {_weekdays_phrase(days, plural=True)}"
    return text


def _period(schedule: ScheduleLike) -> str:
    if schedule.count:
        noun = "session" if schedule.count == 1 else "sessions"
        return f"{schedule.count} {noun} from {format_date(schedule.dtstart)}"
    ends = [d for d in (schedule.until, schedule.valid_to) if d]
    end = min(ends) if ends else None
    begin = schedule.valid_from
    if begin and begin <= schedule.dtstart:
        begin = None
    if begin and end:
        return f"from {format_date(begin, weekday=False)} to {format_date(end, weekday=False)}"
    if begin:
        return f"from {format_date(begin, weekday=False)}"
    if end:
        return f"until {format_date(end, weekday=False)}"
    return ""


def describe(schedule: ScheduleLike) -> str:
    """A schedule in plain English, e.g. 'Every Tuesday, 10am to 12pm, except bank holidays',
    'First Monday of the month, 7pm to 9pm' or 'Saturday 6 December 2026, 11am to 3pm'."""
    freq = (schedule.freq or "").upper()
    if not freq:
        parts = [format_date(schedule.dtstart), _times(schedule)]
        return ", ".join(p for p in parts if p)

    if freq == "WEEKLY":
        days = [day for _, day in parse_byday(schedule.byday)] or [schedule.dtstart.weekday()]
        when = _weekly(schedule, days)
    elif freq == "MONTHLY":
        when = _monthly(schedule)
    elif freq == "DAILY":
        when = _daily(schedule)
    else:
        raise ValueError(f"Unknown frequency {schedule.freq!r}")

    parts = [when, _times(schedule)]
    if schedule.skip_bank_holidays:
        parts.append("except bank holidays")
    parts.append(_period(schedule))
    return ", ".join(p for p in parts if p)
