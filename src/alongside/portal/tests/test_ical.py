"""The iCalendar feeds (RFC 5545): one listing's, and any search's. A small strict parser
here reads what we write (line endings, folding, escaping, components and the properties
each must have); the rules in a feed give exactly the dates the directory's own schedule
code gives."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule
from django.http import QueryDict
from django.urls import reverse

from alongside.directory import schedules as rules
from alongside.directory.models import Schedule, Service
from alongside.directory.search import index
from alongside.directory.tests.api_factories import (
    AddressFactory,
    DraftServiceFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)
from alongside.portal import facts, ical
from alongside.portal.search_forms import ResultsForm
from alongside.portal.selectors import search_choices
from alongside.portal.views import events

from .conftest import TODAY

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


# --- a strict reader ----------------------------------------------------------------------------


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]

    def get(self, name: str) -> Prop:
        (found,) = self.all(name)
        return found

    def first(self, name: str) -> Prop | None:
        found = self.all(name)
        return found[0] if found else None

    def find(self, name: str) -> list[Component]:
        return [c for c in self.children if c.name == name]


_NAME = re.compile(r"^[A-Za-z0-9-]+$")
TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "LOCATION", "NAME", "X-WR-CALNAME"}


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert char not in ",;", f"unescaped {char!r} in text {value!r}"
        out.append(char)
        i += 1
    return "".join(out)


def _content_line(line: str) -> Prop:
    head, sep, value = line.partition(":")
    # A colon inside a quoted parameter value is not the separator; we quote none.
    assert sep, f"no colon in {line!r}"
    name, *params = head.split(";")
    assert _NAME.match(name), f"bad property name {name!r}"
    parsed = {}
    for param in params:
        key, eq, val = param.partition("=")
        assert eq and _NAME.match(key), f"bad parameter {param!r}"
        parsed[key.upper()] = val
    if name.upper() in TEXT_PROPS:
        value = _unescape(value)
    return Prop(name.upper(), parsed, value)


def parse(body: bytes) -> Component:
    """Reads an iCalendar object strictly: CRLF only, lines of at most 75 octets, folded
    lines joined, BEGIN and END matched, and what RFC 5545 requires of each component."""
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b""), "lines must end CRLF"
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    text_lines: list[str] = []
    for raw in physical:
        line = raw.decode("utf-8")  # raises if a fold split a character
        if line[:1] in (" ", "\t"):
            assert text_lines, "a folded line with nothing before it"
            text_lines[-1] += line[1:]
        else:
            text_lines.append(line)
    stack: list[Component] = []
    root: Component | None = None
    for line in text_lines:
        prop = _content_line(line)
        if prop.name == "BEGIN":
            component = Component(prop.value)
            if stack:
                stack[-1].children.append(component)
            else:
                assert root is None, "only one calendar"
                root = component
            stack.append(component)
        elif prop.name == "END":
            assert stack and stack[-1].name == prop.value, f"END:{prop.value} does not match"
            stack.pop()
        else:
            assert stack, f"{prop.name} outside any component"
            stack[-1].props.append(prop)
    assert not stack and root is not None and root.name == "VCALENDAR"
    assert root.get("VERSION").value == "2.0"
    assert root.get("PRODID").value
    zones = {z.get("TZID").value for z in root.find("VTIMEZONE")}
    for event in root.find("VEVENT"):
        assert event.get("UID").value
        assert re.fullmatch(r"\d{8}T\d{6}Z", event.get("DTSTAMP").value)
        start = event.get("DTSTART")
        for prop in (start, event.first("DTEND"), *event.all("EXDATE")):
            if prop is None:
                continue
            if "TZID" in prop.params:
                assert prop.params["TZID"] in zones, "TZID without its VTIMEZONE"
                assert all(re.fullmatch(r"\d{8}T\d{6}", v) for v in prop.value.split(","))
            else:
                assert prop.params.get("VALUE") == "DATE"
                assert all(re.fullmatch(r"\d{8}", v) for v in prop.value.split(","))
        if event.first("DTEND"):
            assert moment(event.get("DTEND")) > moment(start)
    return root


def moment(prop: Prop) -> dt.datetime:
    value = prop.value.split(",")[0]
    if prop.params.get("VALUE") == "DATE":
        return dt.datetime.strptime(value, "%Y%m%d").replace(tzinfo=LONDON)
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=LONDON)


def expand(event: Component, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates an event gives from `start` to `end`, as a calendar program would work them
    out (dateutil reading the RRULE), less its EXDATEs."""
    first = moment(event.get("DTSTART"))
    rule_prop = event.first("RRULE")
    if rule_prop is None:
        dates = [first.date()]
    else:
        rule = dateutil_rrule.rrulestr(rule_prop.value, dtstart=first)
        low = dt.datetime.combine(start, dt.time.min, LONDON)
        high = dt.datetime.combine(end, dt.time.max, LONDON)
        dates = [d.date() for d in rule.between(low, high, inc=True)]
    left_out = {
        dt.datetime.strptime(v[:8], "%Y%m%d").date()
        for prop in event.all("EXDATE")
        for v in prop.value.split(",")
    }
    return [d for d in dates if start <= d <= end and d not in left_out]


def feed(client, service: Service) -> Component:
    response = client.get(reverse("portal:listing-ics", kwargs={"pk": service.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(facts, "today", lambda: TODAY)


# --- writing content lines ----------------------------------------------------------------------


def test_text_is_escaped():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\tg\x07") == "a\\,b\\;c\\\\d\\ne\\nf g"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "Café ☕ " * 40
    folded = ical.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert len(parts) > 1
    assert all(len(p) <= 75 for p in parts)
    assert all(p.startswith(b" ") for p in parts[1:])
    assert "".join(p.decode("utf-8")[1 if n else 0 :] for n, p in enumerate(parts)) == line


def test_a_short_line_is_left_alone():
    assert ical.fold("VERSION:2.0") == "VERSION:2.0"


# --- one listing's calendar ---------------------------------------------------------------------


RULES = {
    "weekly": {},
    "bank holidays": {"byday": "FR", "skip_bank_holidays": True},
    "exceptions": {"exdates": ["2026-12-08", "2026-12-22"]},
    "every other week": {"interval": 2, "byday": "TU,TH"},
    "first monday": {"freq": "MONTHLY", "byday": "1MO"},
    "last friday": {"freq": "MONTHLY", "byday": "-1FR"},
    "15th": {"freq": "MONTHLY", "byday": "", "bymonthday": "15"},
    "daily": {"freq": "DAILY", "byday": "", "until": dt.date(2027, 1, 20)},
    "count": {"count": 120},
    "from later": {"valid_from": dt.date(2026, 12, 20), "interval": 3},
    "until": {"valid_to": dt.date(2027, 2, 1), "until": dt.date(2027, 3, 1)},
    "no times": {"opens_at": None, "closes_at": None},
    "summer": {"dtstart": dt.date(2027, 6, 1), "opens_at": dt.time(18, 30)},
}


@pytest.mark.parametrize("fields", RULES.values(), ids=RULES.keys())
def test_a_rule_becomes_one_event_whose_dates_match_the_directory(client, fields):
    service = PublishedServiceFactory()
    ServiceAtLocationFactory(service=service)
    schedule = ScheduleFactory(service=service, **{"dtstart": dt.date(2025, 1, 7), **fields})
    (event,) = feed(client, service).find("VEVENT")
    assert event.get("RRULE").value.startswith(f"FREQ={schedule.freq}")
    window = (TODAY, TODAY + dt.timedelta(days=500))
    expected = [o.date for o in rules.occurrences(schedule, start=window[0], end=window[1])]
    assert expand(event, *window) == expected
    assert event.get("UID").value == f"{schedule.pk}@testserver"


def test_a_rule_with_times_starts_and_ends_in_london_time(client):
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, dtstart=dt.date(2027, 7, 6), opens_at=dt.time(10))
    (event,) = feed(client, service).find("VEVENT")
    start, end = event.get("DTSTART"), event.get("DTEND")
    assert (start.params, start.value) == ({"TZID": "Europe/London"}, "20270706T100000")
    assert (end.params, end.value) == ({"TZID": "Europe/London"}, "20270706T120000")


def test_a_rule_with_an_end_says_until_in_utc(client):
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, until=dt.date(2027, 6, 29))
    (event,) = feed(client, service).find("VEVENT")
    assert "UNTIL=20270629T225959Z" in event.get("RRULE").value  # 23:59:59 BST


def test_a_day_without_times_is_a_whole_day(client):
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, freq="", byday="", dtstart=dt.date(2026, 12, 12),
                    opens_at=None, closes_at=None)  # fmt: skip
    (event,) = feed(client, service).find("VEVENT")
    assert (event.get("DTSTART").params, event.get("DTSTART").value) == (
        {"VALUE": "DATE"},
        "20261212",
    )
    assert event.get("DTEND").value == "20261213"
    assert event.first("RRULE") is None


def test_an_evening_past_midnight_ends_the_next_day(client):
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, freq="", byday="", dtstart=dt.date(2026, 12, 31),
                    opens_at=dt.time(20), closes_at=dt.time(1))  # fmt: skip
    (event,) = feed(client, service).find("VEVENT")
    assert event.get("DTEND").value == "20270101T010000"


def test_a_rule_rfc_5545_cannot_say_becomes_its_dates(client):
    service = PublishedServiceFactory()
    schedule = ScheduleFactory(service=service, count=200, valid_to=dt.date(2027, 1, 31))
    events_ = feed(client, service).find("VEVENT")
    assert all(e.first("RRULE") is None for e in events_)
    assert [moment(e.get("DTSTART")).date() for e in events_] == [
        o.date for o in rules.occurrences(schedule, start=TODAY, end=dt.date(2027, 1, 31))
    ]
    assert len({e.get("UID").value for e in events_}) == len(events_)


def test_the_event_says_what_where_and_links_back(client, little):
    lunch = little["lunch"]
    AddressFactory(location=lunch.at_locations.get().location, address_1="1 Front Street",
                   postal_code="YO24 3BZ")  # fmt: skip
    lunch.name = "Lunch, chat; and more"
    lunch.save()
    calendar = feed(client, lunch)
    (event,) = calendar.find("VEVENT")
    assert event.get("SUMMARY").value == "Lunch, chat; and more"
    assert event.get("LOCATION").value == "Acomb Library, 1 Front Street, York, YO24 3BZ"
    description = event.get("DESCRIPTION").value
    assert "Every Friday, 12pm to 2pm" in description
    assert "Cost: £4 for lunch" in description
    assert event.get("URL").value == f"http://testserver/listings/{lunch.pk}/"
    assert re.fullmatch(r"-?\d+\.\d{6};-?\d+\.\d{6}", event.get("GEO").value)
    assert calendar.get("X-WR-CALNAME").value == "Lunch, chat; and more (Live Well York)"
    (zone,) = calendar.find("VTIMEZONE")
    assert {c.name for c in zone.children} == {"STANDARD", "DAYLIGHT"}


def test_the_same_listing_gives_the_same_feed(client, little):
    url = reverse("portal:listing-ics", kwargs={"pk": little["walk"].pk})
    assert client.get(url).content == client.get(url).content


def test_the_file_downloads_with_the_listing_name(client, little):
    response = client.get(reverse("portal:listing-ics", kwargs={"pk": little["walk"].pk}))
    assert response["Content-Disposition"] == 'attachment; filename="acomb-health-walk.ics"'


def test_a_listing_that_is_not_public_has_no_calendar(client):
    response = client.get(reverse("portal:listing-ics", kwargs={"pk": DraftServiceFactory().pk}))
    assert response.status_code == 404


def test_a_listing_calendar_takes_a_fixed_number_of_queries(
    client, little, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get(reverse("portal:listing-ics", kwargs={"pk": little["walk"].pk}))


# --- a search's calendar ------------------------------------------------------------------------


def search_feed(client, query: str = "") -> Component:
    response = client.get(reverse("portal:search-ics") + query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content)


def test_a_search_feed_has_every_date_in_the_next_eight_weeks(client, little):
    calendar = search_feed(client, "?q=lunch")
    dates = [moment(e.get("DTSTART")).date() for e in calendar.find("VEVENT")]
    fridays = [dt.date(2026, 12, 4) + dt.timedelta(weeks=n) for n in range(8)]
    assert dates == fridays  # 8 weeks from Tuesday 1 December: the last is 22 January
    assert all(e.first("RRULE") is None for e in calendar.find("VEVENT"))
    assert {e.get("SUMMARY").value for e in calendar.find("VEVENT")} == {"Friday Lunch Club"}


def test_a_search_feed_keeps_to_the_filters(client, little):
    calendar = search_feed(client, "?day=tue&free=yes")
    assert {e.get("SUMMARY").value for e in calendar.find("VEVENT")} == {"Acomb Health Walk"}


def test_a_search_feed_has_at_most_so_many_listings(client, little, monkeypatch):
    monkeypatch.setattr(events, "FEED_MAX_LISTINGS", 2)
    monkeypatch.setattr(events, "MAX_PER_PAGE", 1)  # and reads them a page at a time
    calendar = search_feed(client)
    names = {e.get("SUMMARY").value for e in calendar.find("VEVENT")}
    assert len(names) == 2


def test_a_search_feed_with_nothing_found_is_an_empty_calendar(client, little):
    calendar = search_feed(client, "?q=zzzzqqqq")
    assert calendar.find("VEVENT") == []


@pytest.mark.parametrize(
    "query",
    [
        "?area=E99999999",
        "?day=someday",
        "?free=perhaps",
        "?lat=53.9",
        "?lat=north&lng=1",
        "?age=old",
        "?need=not-a-need",
        "?distance=3",
    ],
)
def test_a_search_feed_with_a_wrong_parameter_says_what_is_wrong(client, little, query):
    """The feed reads the results page's own form, so it says what that page would say."""
    form = ResultsForm(QueryDict(query[1:]), choices=search_choices())
    assert not form.is_valid()
    response = client.get(reverse("portal:search-ics") + query)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "There is a problem with this calendar link" in page
    for _, message in form.error_list():
        assert message in page


def test_a_search_feed_refuses_an_unknown_kind_of_listing(client, little):
    response = client.get(reverse("portal:search-ics") + "?kind=party")
    assert response.status_code == 400
    assert "We do not know the kind of listing ‘party’." in unescape(response.content.decode())


def test_a_search_feed_takes_the_results_page_parameters(client, little, york):
    calendar = search_feed(client, f"?area={york['Acomb'].code}&need=physical-activity")
    assert {e.get("SUMMARY").value for e in calendar.find("VEVENT")} == {"Acomb Health Walk"}


def test_a_search_feed_takes_a_bounded_number_of_queries(
    client, little, django_assert_max_num_queries
):
    for n in range(10):
        service = PublishedServiceFactory(name=f"Extra {n}", kind=Service.Kind.EVENT)
        ScheduleFactory(service=service)
        ServiceAtLocationFactory(service=service)
    index.rebuild_all(today=TODAY)
    with django_assert_max_num_queries(20):
        calendar = search_feed(client, "?kind=event")
    assert len({e.get("SUMMARY").value for e in calendar.find("VEVENT")}) == 10


def test_schedules_left_in_the_past_give_no_events(client):
    service = PublishedServiceFactory()
    ScheduleFactory(service=service, freq=Schedule.Freq.WEEKLY, until=dt.date(2026, 1, 31))
    assert feed(client, service).find("VEVENT") == []
