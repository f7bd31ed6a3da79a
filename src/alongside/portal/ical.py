"""iCalendar (RFC 5545) feeds: one listing's sessions, or the coming sessions of many.

Written by hand, it is small: content lines folded at 75 octets and ended by CRLF, text
escaped, times in Europe/London with a VTIMEZONE, a stable UID per schedule (or per schedule
and date), and a DTSTAMP from when the listing last changed, so the same data always gives
the same feed. A schedule that RFC 5545 can say as one rule becomes one event with an RRULE
and EXDATEs (the exception dates and, when it skips them, bank holidays); anything else
becomes one event per date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from alongside.directory import schedules as rules

from .facts import ListingFacts, Session, Venue, venue_line

CRLF = "\r\n"
TZID = "Europe/London"
LONDON = ZoneInfo(TZID)
PRODID = "-//Alongside//Live Well calendar//EN"
MAX_LINE_OCTETS = 75
# Exception dates are listed this far ahead for rules with no end (then they stop).
EXDATE_YEARS_AHEAD = 2
# Ahead of time, a one-off listing lists its dates (rules it cannot say as one RRULE).
DATES_AHEAD_DAYS = 366

# Europe/London since 1996: BST from 01:00 GMT on the last Sunday in March to 01:00 GMT on
# the last Sunday in October.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- content lines ------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped;
    carriage returns and other control characters (not allowed in values) dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value.replace("\t", " "))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded (RFC 5545 3.1): no line longer than 75 octets, each
    continuation starting with a space, never splitting a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = [], 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1  # the space counts
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, name: str, content: str, /, **params: str) -> None:
        head = name + "".join(f";{k.replace('_', '-').upper()}={v}" for k, v in params.items())
        self.lines.append(f"{head}:{content}")

    def text(self, name: str, value: str) -> None:
        if value:
            self.add(name, escape_text(value))

    def extend(self, lines: Iterable[str]) -> None:
        self.lines.extend(lines)

    def render(self) -> str:
        return "".join(fold(line) + CRLF for line in self.lines)


# --- values -------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: dt.date, time: dt.time) -> str:
    return dt.datetime.combine(day, time).strftime("%Y%m%dT%H%M%S")


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _start_end(lines: _Lines, day: dt.date, opens: dt.time | None, closes: dt.time | None) -> None:
    """DTSTART and DTEND: local times in London, or a whole day when no time is known."""
    if opens is None:
        lines.add("DTSTART", _date(day), value="DATE")
        lines.add("DTEND", _date(day + dt.timedelta(days=1)), value="DATE")
        return
    lines.add("DTSTART", _local(day, opens), tzid=TZID)
    if closes is not None:
        end_day = day if closes > opens else day + dt.timedelta(days=1)
        lines.add("DTEND", _local(end_day, closes), tzid=TZID)


def _location(venue: Venue | None) -> str:
    return "" if venue is None else venue_line(venue)


def _stamp(facts: ListingFacts, session: Session) -> dt.datetime:
    moments = [m for m in (facts.modified_at, session.modified_at) if m is not None]
    return max(moments) if moments else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _about(facts: ListingFacts, url: str, when: str = "") -> str:
    lines = [facts.summary]
    if when:
        lines.append(when)
    if facts.status_note:
        lines.append(facts.status_note)
    lines.append(f"Cost: {facts.cost}")
    lines.append(f"Run by {facts.organisation}")
    lines.append(f"Find out more: {url}")
    return "\n".join(line for line in lines if line)


def _common(
    lines: _Lines, facts: ListingFacts, session: Session, *, url: str, when: str = ""
) -> None:
    lines.add("DTSTAMP", _utc(_stamp(facts, session)))
    lines.text("SUMMARY", facts.name)
    lines.text("DESCRIPTION", _about(facts, url, when))
    lines.text("LOCATION", _location(session.venue))
    venue = session.venue
    if venue and venue.latitude is not None and venue.longitude is not None:
        lines.add("GEO", f"{venue.latitude:.6f};{venue.longitude:.6f}")
    lines.add("URL", url, value="URI")
    if facts.modified_at:
        lines.add("LAST-MODIFIED", _utc(_stamp(facts, session)))


# --- rules --------------------------------------------------------------------------------------


def _unbounded(rule: rules.ScheduleLike) -> _Rule:
    """The rule's own dates, before any dates are taken away (exceptions, bank holidays) and
    outside any period of validity: what an RRULE alone would give."""
    fields = {
        name: getattr(rule, name)
        for name in (
            "dtstart",
            "freq",
            "interval",
            "byday",
            "bymonthday",
            "until",
            "count",
            "opens_at",
            "closes_at",
        )
    }
    return _Rule(**fields, valid_from=None, valid_to=None, exdates=[], skip_bank_holidays=False)


@dataclasses.dataclass
class _Rule:
    dtstart: dt.date
    freq: str
    interval: int
    byday: str
    bymonthday: str
    until: dt.date | None
    count: int | None
    opens_at: dt.time | None
    closes_at: dt.time | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    exdates: list
    skip_bank_holidays: bool


def _rrule(
    rule: rules.ScheduleLike, *, today: dt.date
) -> tuple[str, dt.date, list[dt.date]] | None:
    """(RRULE value, first date, dates to leave out) when RFC 5545 can say the schedule as
    one rule; None otherwise (the caller lists its dates instead)."""
    freq = (rule.freq or "").upper()
    if freq not in ("DAILY", "WEEKLY", "MONTHLY"):
        return None
    valid_from, valid_to = rule.valid_from, rule.valid_to
    starts_late = valid_from is not None and valid_from > rule.dtstart
    if rule.count and (starts_late or valid_to is not None):
        return None  # COUNT counts from the rule's start and cannot share a rule with UNTIL
    if rule.count and rule.until:
        return None
    try:
        byday = rules.parse_byday(rule.byday)
        bymonthday = rules.parse_bymonthday(rule.bymonthday)
        plain = _unbounded(rule)
        begin = max(rule.dtstart, valid_from) if valid_from else rule.dtstart
        ends = [d for d in (rule.until, valid_to) if d]
        end = min(ends) if ends else None
        # Dates are listed (for EXDATE) up to a horizon: beyond it, nothing is left out.
        horizon = max(today, begin) + dt.timedelta(days=366 * EXDATE_YEARS_AHEAD)
        dates = rules.occurrences(plain, start=begin, end=min(end, horizon) if end else horizon)
        if not dates:
            return None
    except ValueError:
        return None
    first = dates[0].date
    parts = [f"FREQ={freq}"]
    if (rule.interval or 1) > 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.count:
        parts.append(f"COUNT={rule.count}")
    elif end is not None:
        if rule.opens_at is None:
            parts.append(f"UNTIL={_date(end)}")
        else:  # a rule with a local start time ends at a moment in UTC (RFC 5545 3.3.10)
            parts.append(f"UNTIL={_utc(dt.datetime.combine(end, dt.time(23, 59, 59), LONDON))}")
    if byday:
        codes = rules.WEEKDAY_CODES
        parts.append("BYDAY=" + ",".join(f"{n or ''}{codes[day]}" for n, day in byday))
    if bymonthday:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in bymonthday))
    elif freq == "MONTHLY" and not byday:
        parts.append(f"BYMONTHDAY={rule.dtstart.day}")
    excluded = rules.parse_exdates(rule.exdates)
    left_out = [
        o.date
        for o in dates
        if o.date in excluded or (rule.skip_bank_holidays and rules.is_bank_holiday(o.date))
    ]
    return ";".join(parts), first, left_out


# --- events -------------------------------------------------------------------------------------


def _event_rule(
    lines: _Lines, facts: ListingFacts, session: Session, *, url: str, domain: str, today: dt.date
) -> bool:
    """One VEVENT with an RRULE for the session; False when its rule cannot be said so."""
    said = _rrule(session.rule, today=today)
    if said is None:
        return False
    rrule, first, left_out = said
    rule = session.rule
    lines.add("BEGIN", "VEVENT")
    lines.add("UID", f"{session.id}@{domain}")
    _common(lines, facts, session, url=url, when=session.when)
    _start_end(lines, first, rule.opens_at, rule.closes_at)
    lines.add("RRULE", rrule)
    if left_out:
        if rule.opens_at is None:
            lines.add("EXDATE", ",".join(_date(d) for d in left_out), value="DATE")
        else:
            lines.add("EXDATE", ",".join(_local(d, rule.opens_at) for d in left_out), tzid=TZID)
    lines.add("END", "VEVENT")
    return True


def _event_dates(
    lines: _Lines,
    facts: ListingFacts,
    session: Session,
    *,
    url: str,
    domain: str,
    start: dt.date,
    end: dt.date,
) -> int:
    """One VEVENT per date of the session from `start` to `end`; how many were written."""
    try:
        found = rules.occurrences(session.rule, start=start, end=end)
    except ValueError:
        return 0
    for occurrence in found:
        lines.add("BEGIN", "VEVENT")
        lines.add("UID", f"{session.id}-{_date(occurrence.date)}@{domain}")
        _common(lines, facts, session, url=url, when=session.when)
        _start_end(lines, occurrence.date, occurrence.opens_at, occurrence.closes_at)
        lines.add("END", "VEVENT")
    return len(found)


def _calendar(name: str, description: str) -> _Lines:
    lines = _Lines()
    lines.add("BEGIN", "VCALENDAR")
    lines.add("VERSION", "2.0")
    lines.add("PRODID", PRODID)
    lines.add("CALSCALE", "GREGORIAN")
    lines.text("NAME", name)  # RFC 7986
    lines.text("X-WR-CALNAME", name)  # what most calendar programs read instead
    lines.text("DESCRIPTION", description)
    lines.add("X-WR-TIMEZONE", TZID)
    lines.add("REFRESH-INTERVAL", "PT12H", value="DURATION")
    lines.add("X-PUBLISHED-TTL", "PT12H")
    lines.extend(VTIMEZONE)
    return lines


def listing_calendar(
    facts: ListingFacts, *, base_url: str, domain: str, today: dt.date, service_name: str
) -> str:
    """One listing's sessions: a rule where it has one, otherwise its dates for a year."""
    url = base_url + facts.path
    lines = _calendar(f"{facts.name} ({service_name})", facts.summary)
    for session in facts.sessions:
        written = _event_rule(lines, facts, session, url=url, domain=domain, today=today)
        if not written:
            if session.rule.freq:
                start, end = today, today + dt.timedelta(days=DATES_AHEAD_DAYS)
            else:  # a one-off: its own date, even when it is today or soon past
                start = end = session.rule.dtstart
            _event_dates(lines, facts, session, url=url, domain=domain, start=start, end=end)
    lines.add("END", "VCALENDAR")
    return lines.render()


def dates_calendar(
    listings: Sequence[ListingFacts],
    *,
    start: dt.date,
    end: dt.date,
    base_url: str,
    domain: str,
    name: str,
    description: str,
) -> str:
    """Every session of these listings from `start` to `end`, one event per date."""
    lines = _calendar(name, description)
    for facts in listings:
        url = base_url + facts.path
        for session in facts.sessions:
            _event_dates(lines, facts, session, url=url, domain=domain, start=start, end=end)
    lines.add("END", "VCALENDAR")
    return lines.render()
