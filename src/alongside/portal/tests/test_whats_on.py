"""What's on: a week at a time, day by day, events first and regular activities when asked,
with ward and need filters, and clear messages for a wrong week, ward or need."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from alongside.directory.models import Service
from alongside.directory.search import index
from alongside.directory.tests.api_factories import (
    LocationFactory,
    PublishedServiceFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
)
from alongside.portal import facts
from alongside.portal.views import events

from .conftest import TODAY

pytestmark = pytest.mark.django_db
WHATS_ON = "/whats-on/"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(facts, "today", lambda: TODAY)


@pytest.fixture
def fair(little, york):
    """Two events: a Christmas fair in Acomb on Saturday, and a carol concert in the city
    centre the week after; the index is rebuilt so they have their dates."""

    def event(name, day, ward, hours=(11, 15), **fields):
        service = PublishedServiceFactory(name=name, kind=Service.Kind.EVENT, **fields)
        ScheduleFactory(
            service=service,
            freq="",
            byday="",
            dtstart=day,
            opens_at=dt.time(hours[0]),
            closes_at=dt.time(hours[1]),
        )
        ServiceAtLocationFactory(
            service=service, location=LocationFactory(name=f"{name} hall", ward=york[ward])
        )
        return service

    made = {
        "fair": event("Christmas Fair", dt.date(2026, 12, 5), "Acomb", is_free=True),
        "carols": event("Carol Concert", dt.date(2026, 12, 10), "Guildhall", hours=(19, 21)),
    }
    index.rebuild_all(today=TODAY)
    return made


def words(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def day_sections(response) -> dict[str, str]:
    """Each day's heading and the words under it."""
    html = response.content.decode()
    parts = re.split(r'<h3 class="govuk-heading-m app-whats-on__day">(.*?)</h3>', html)
    found = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading] = re.sub(
            r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body.split("<h3")[0]))
        )
    return found


# --- a week -------------------------------------------------------------------------------------


def test_this_week_shows_each_day_from_today_with_its_events(client, fair):
    response = client.get(WHATS_ON)
    assert response.status_code == 200
    days = day_sections(response)
    assert list(days) == [
        "Tuesday 1 December (today)",
        "Wednesday 2 December",
        "Thursday 3 December",
        "Friday 4 December",
        "Saturday 5 December",
        "Sunday 6 December",
    ]
    assert (
        "11am to 3pm Christmas Fair Christmas Fair hall, Acomb. Free."
        in days["Saturday 5 December"]
    )
    assert "Nothing is listed for this day." in days["Tuesday 1 December (today)"]
    text = words(response)
    assert "This week: 30 November to 6 December 2026" in text
    assert "1 event from today." in text
    assert "Carol Concert" not in text  # next week
    assert "Acomb Health Walk" not in text  # a regular activity, not an event


def test_activities_and_groups_are_shown_when_asked(client, fair):
    days = day_sections(client.get(WHATS_ON + "?show=all"))
    assert (
        "10am to 12pm Acomb Health Walk Activity. Acomb Library, Acomb. Free."
        in days["Tuesday 1 December (today)"]
    )
    assert "Event. Christmas Fair hall, Acomb. Free." in days["Saturday 5 December"]


def test_another_week_shows_all_seven_days(client, fair):
    response = client.get(WHATS_ON + "?week=2026-W50")
    days = day_sections(response)
    assert list(days)[0] == "Monday 7 December" and list(days)[-1] == "Sunday 13 December"
    assert "7pm to 9pm Carol Concert" in days["Thursday 10 December"]
    assert "7 to 13 December 2026" in words(response)


def test_weeks_link_to_the_one_before_and_after_keeping_the_choices(client, fair):
    html = client.get(WHATS_ON + "?week=2026-W50&ward=E05010311&show=all").content.decode()
    assert 'href="/whats-on/?week=2026-W49&amp;ward=E05010311&amp;show=all" rel="prev"' in html
    assert 'href="/whats-on/?week=2026-W51&amp;ward=E05010311&amp;show=all" rel="next"' in html


def test_this_week_has_no_link_back_and_the_last_week_no_link_on(client, fair):
    first = client.get(WHATS_ON).content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    # The index holds 56 days from 1 December: up to Monday 25 January.
    last = client.get(WHATS_ON + "?week=2027-W04")
    assert last.status_code == 200
    assert 'rel="next"' not in last.content.decode()
    days = day_sections(last)
    assert "We do not list dates this far ahead yet" in days["Tuesday 26 January"]
    assert "We do not list dates" not in days["Monday 25 January"]


def test_the_week_choice_lists_the_weeks_there_are(client, fair):
    html = client.get(WHATS_ON).content.decode()
    options = re.findall(r'<option value="(\d{4}-W\d\d)"( selected)?>([^<]*)</option>', html)
    assert [o[0] for o in options] == [f"2026-W{n}" for n in (49, 50, 51, 52, 53)] + [
        f"2027-W0{n}" for n in (1, 2, 3, 4)
    ]
    assert options[0][1] == " selected"
    assert options[0][2] == "This week (30 November to 6 December 2026)"
    assert options[1][2] == "Next week (7 to 13 December 2026)"
    assert options[4][2] == "28 December 2026 to 3 January 2027"
    assert options[5][2] == "4 to 10 January 2027"


def test_a_week_across_two_years_is_named_in_full():
    assert events.week_label(dt.date(2026, 12, 28)) == "28 December 2026 to 3 January 2027"
    assert events.week_label(dt.date(2027, 1, 25)) == "25 to 31 January 2027"
    assert events.week_label(dt.date(2026, 11, 30)) == "30 November to 6 December 2026"


# --- filters ------------------------------------------------------------------------------------


def test_a_ward_shows_what_is_on_there(client, fair, york):
    acomb = client.get(WHATS_ON + f"?week=2026-W50&ward={york['Guildhall'].code}")
    assert "Carol Concert" in words(acomb)
    elsewhere = client.get(WHATS_ON + f"?week=2026-W50&ward={york['Acomb'].code}")
    assert "Carol Concert" not in words(elsewhere)
    assert "Nothing is listed in Acomb" in words(elsewhere)


def test_a_need_shows_what_is_good_for_it(client, fair):
    text = words(client.get(WHATS_ON + "?show=all&need=money-and-debt&week=2026-W50"))
    assert "Debt and Benefits Advice" in text
    assert "Acomb Health Walk" not in text
    assert "for money and debt" in text


def test_the_calendar_link_follows_the_choices(client, fair, york):
    html = client.get(WHATS_ON + f"?ward={york['Acomb'].code}").content.decode()
    assert f'href="/search/calendar.ics?area={york["Acomb"].code}&amp;kind=event"' in html
    html = client.get(WHATS_ON + "?show=all").content.decode()
    assert 'href="/search/calendar.ics"' in html


# --- wrong choices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("week=soon", "week", "A week in the address must look like 2026-W49"),
        ("week=2026-W60", "week", "A week in the address must look like 2026-W49"),
        ("week=2026-W40", "week", "We only list what is on from this week up to 31 January 2027"),
        ("week=2027-W30", "week", "Choose a week from 30 November 2026 to 31 January 2027"),
        ("ward=E99999999", "ward", "Choose a ward from the list"),
        ("need=nonsense", "need", "Choose a need from the list"),
        ("show=everything", "show", "Choose events only, or events, activities and groups"),
    ],
)
def test_a_wrong_choice_says_what_to_choose(client, fair, query, field, message):
    response = client.get(f"{WHATS_ON}?{query}")
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "There is a problem" in html
    assert re.search(rf'<li><a href="#{field}">[^<]*{re.escape(message)}', html)
    assert f'<p id="{field}-error" class="govuk-error-message">' in html
    assert "<title>Error: What’s on" in html
    assert "Put these in your calendar" not in html


def test_a_wrong_choice_keeps_the_others(client, fair, york):
    ward = york["Acomb"].code
    html = client.get(f"{WHATS_ON}?ward={ward}&need=nonsense&show=all").content.decode()
    assert f'<option value="{ward}" selected>Acomb</option>' in html
    assert re.search(r'value="all" checked', html)


# --- cost ---------------------------------------------------------------------------------------


def test_a_week_takes_a_fixed_number_of_queries(client, fair, york, django_assert_max_num_queries):
    client.get(WHATS_ON + "?show=all")
    with django_assert_max_num_queries(10) as few:
        client.get(WHATS_ON + "?show=all")
    for n in range(8):
        service = PublishedServiceFactory(kind=Service.Kind.EVENT, name=f"Extra {n}")
        ScheduleFactory(service=service, byday="WE")
        ServiceAtLocationFactory(service=service, location=LocationFactory(ward=york["Holgate"]))
    index.rebuild_all(today=TODAY)
    with django_assert_max_num_queries(len(few)):
        response = client.get(WHATS_ON + "?show=all")
    assert "Extra 7" in words(response)
