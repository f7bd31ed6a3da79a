"""The quarterly casework figures: quarters, what each figure counts (with known data made
through the services), small numbers hidden from analysts and in every CSV, a bounded number
of queries, and who may see the page and download the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.casework import figures
from alongside.casework import services as episode_services
from alongside.casework.figures import Quarter
from alongside.casework.models import Connection, Contact, EpisodeChange, Gap
from alongside.casework.services import stories as story_services
from alongside.casework.services.community import (
    community_work_record,
    system_intelligence_record,
)
from alongside.core.models import AuditEvent
from alongside.people.models import Consent
from alongside.people.tests.factories import ConsentFactory, PersonFactory

from .factories import active_episode, introduce

pytestmark = pytest.mark.django_db

# The last full quarter, so every date in it is in the past.
Q = Quarter.containing(timezone.localdate()).previous()
IN_Q = Q.start + dt.timedelta(days=10)
LAC = "lac"


def table(key, quarter=Q, programme=LAC):
    tables = figures.quarterly_figures(start=quarter.start, end=quarter.end, programme=programme)
    return next(t for t in tables if t.key == key)


def row(t, label, *, exact=True):
    return dict(t.cells(exact=exact))[label]


def gp_introductions(lena, york, n, **kwargs):
    return [
        introduce(actor=lena, ward=york["Acomb"], source="gp", received_on=IN_Q, **kwargs)
        for _ in range(n)
    ]


# --- quarters -----------------------------------------------------------------------------------


def test_quarters_are_calendar_quarters():
    q = Quarter.parse("2026-q4")
    assert (q.start, q.end, q.code, q.label) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "2026-Q4",
        "October to December 2026",
    )
    assert Quarter.parse("2025-Q1").end == dt.date(2025, 3, 31)
    assert Quarter.containing(dt.date(2026, 2, 28)) == Quarter(2026, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)


@pytest.mark.parametrize("text", ["", "2026", "2026-Q5", "Q4-2026", "0000-Q1", "2026-Q4; drop"])
def test_what_is_not_a_quarter(text):
    assert Quarter.parse(text) is None


# --- what is counted ----------------------------------------------------------------------------


def test_small_counts_are_hidden_except_from_managers_on_screen(west, lena, york):
    """3 introductions from GPs: "fewer than 5" for analysts, "<5" in the CSV, 3 for
    managers; 6 are 6 for everyone."""
    gp_introductions(lena, york, 3)
    t = table("introductions_by_source")
    assert row(t, "GP practice", exact=False) == ["fewer than 5"]
    assert row(t, "GP practice", exact=True) == ["3"]
    assert ("Introductions received, by who introduced the person", "GP practice",
            "Introductions", "<5") in list(t.csv_rows())  # fmt: skip
    assert row(t, "Police", exact=False) == ["0"]  # nothing is not a small number
    gp_introductions(lena, york, 3)
    t = table("introductions_by_source")
    assert row(t, "GP practice", exact=False) == ["6"]


def test_introductions_outside_the_quarter_or_programme_are_not_counted(west, lena, york):
    gp_introductions(lena, york, 5)
    introduce(actor=lena, ward=york["Acomb"], received_on=Q.start - dt.timedelta(days=1))
    introduce(actor=lena, ward=york["Acomb"])  # this quarter
    assert row(table("introductions_by_source"), "GP practice") == ["5"]
    assert row(table("introductions_by_source", programme="social_prescribing"), "GP practice") == [
        "0"
    ]


def test_an_introduction_counts_under_each_of_its_reasons(west, lena, york):
    gp_introductions(lena, york, 5, reasons=("isolation", "money"))
    t = table("introductions_by_reason")
    assert row(t, "Loneliness or isolation") == ["5"]
    assert row(t, "Poverty and money") == ["5"]
    assert row(t, "Housing") == ["0"]


def test_episodes_opened_closed_open_and_by_level_at_the_end_of_the_quarter(west, lena, york):
    """Level at the end of the quarter comes from the history of level changes: an episode
    moved to Level 2 after the quarter counts at Level 1."""
    moved_later = active_episode(actor=lena, ward=york["Acomb"], received_on=IN_Q)
    moved_in_q = active_episode(actor=lena, ward=york["Acomb"], received_on=IN_Q, level=2)
    EpisodeChange.objects.filter(episode=moved_in_q, kind="level").update(
        changed_at=timezone.make_aware(dt.datetime.combine(IN_Q, dt.time(12)))
    )
    episode_services.episode_level_change(
        actor=lena, episode=moved_later, level=2, reason="Wants more"
    )
    closed = active_episode(actor=lena, ward=york["Acomb"], received_on=IN_Q)
    closed = episode_services.episode_transition(actor=lena, episode=closed, to_status="closing")
    episode_services.episode_close(
        actor=lena,
        episode=closed,
        reason="information_only",
        outcome_in_own_words="I know where to go now",
        closed_on=IN_Q + dt.timedelta(days=5),
        diversions=[episode_services.DiversionEntry(kind="gp_visits", effect="delayed")],
    )
    introduce(actor=lena, ward=york["Acomb"])  # opened after the quarter

    flow = table("episodes")
    assert row(flow, "Opened in the quarter") == ["3"]
    assert row(flow, "Closed in the quarter") == ["1"]
    assert row(flow, "Open on the last day of the quarter") == ["2"]
    assert row(flow, "Moved from Level 1 to Level 2") == ["1"]
    levels = table("open_by_level")
    assert row(levels, "Level 1: information, advice and guidance") == ["1"]
    assert row(levels, "Level 2: ongoing support with a shared agreement") == ["1"]
    assert row(table("closures"), "Information and advice were enough") == ["1"]
    assert row(table("diversions"), "GP visits") == ["0", "1"]
    assert row(table("wards"), "Acomb") == ["3", "2"]
    assert row(table("wards"), "Acomb", exact=False) == ["fewer than 5", "fewer than 5"]


def test_median_days_to_first_contact_is_hidden_with_its_small_count(west, lena, york):
    """First contact is today (this quarter) for introductions a week ago."""
    this_quarter = Quarter.containing(timezone.localdate())
    received = max(this_quarter.start, timezone.localdate() - dt.timedelta(days=6))
    days = (timezone.localdate() - received).days
    for _ in range(2):
        active_episode(actor=lena, ward=york["Acomb"], received_on=received)
    t = table("first_contact", quarter=this_quarter)
    assert row(t, "All") == ["2", str(days)]
    assert row(t, "All", exact=False) == ["fewer than 5", "not shown"]
    for _ in range(3):
        active_episode(actor=lena, ward=york["Acomb"], received_on=received)
    assert row(table("first_contact", quarter=this_quarter), "All", exact=False) == ["5", str(days)]


def test_contacts_connections_gaps_community_work_intelligence_and_stories(
    west, lena, morgan, york
):
    episode = active_episode(actor=lena, ward=york["Acomb"], received_on=IN_Q)
    for _ in range(5):
        Contact.objects.create(
            episode=episode, worker=lena, kind="visit", happened_on=IN_Q, minutes=90, summary="."
        )
    Contact.objects.create(
        episode=episode, worker=lena, kind="call", happened_on=IN_Q, minutes=10, summary="."
    )
    for status in ("still_going", "still_going", "stopped"):
        connection = Connection.objects.create(
            episode=episode,
            name="Walking group",
            status=status,
            status_changed_on=IN_Q,
            stopped_reason="Moved" if status == "stopped" else "",
        )
        Connection.objects.filter(pk=connection.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(IN_Q, dt.time(12)))
        )
    Gap.objects.create(
        team=west, episode=episode, what_would_help="A men's group", recorded_on=IN_Q
    )
    for n in range(6):
        community_work_record(
            actor=lena,
            team=west,
            group_name=f"Group {n % 2}",
            kind="venue",
            what="Found a room",
            happened_on=IN_Q,
            minutes=60,
        )
    system_intelligence_record(
        actor=lena, team=west, kind="barrier", service="Housing", description=".", noted_on=IN_Q
    )
    consent = ConsentFactory(person=episode.person, purpose=Consent.Purpose.STORY)
    story = story_services.story_save(
        actor=lena,
        episode=episode,
        title="A story",
        body="Told",
        consent_level="anonymised",
        consent=consent,
        publishable_text="She goes to a group now.",
    )
    story = story_services.story_submit(actor=lena, story=story)
    story_services.story_approve(actor=morgan, story=story)

    contacts = table("contacts")
    assert row(contacts, "Visit") == ["5", "7.5"]
    assert row(contacts, "Phone call") == ["1", "0.2"]
    assert row(contacts, "Phone call", exact=False) == ["fewer than 5", "not shown"]
    connections = table("connections")
    assert row(connections, "All connections made") == ["3"]
    assert row(connections, "Still going") == ["2"]
    assert row(table("gaps"), "Need not given") == ["1"]
    work = table("community_work")
    assert row(work, "Community groups helped (each counted once)") == ["2", "6"]
    assert row(work, "Finding a place to meet") == ["6", "6"]
    assert row(table("system_intelligence"), "A barrier to getting help") == ["1"]
    # Approved today, so in this quarter, not the last.
    assert row(table("stories"), "Anonymised publication") == ["0"]
    this_quarter = Quarter.containing(timezone.localdate())
    assert row(table("stories", quarter=this_quarter), "Anonymised publication") == ["1"]


def test_the_figures_take_a_bounded_number_of_queries(
    west, lena, york, django_assert_max_num_queries
):
    for ward in ("Acomb", "Westfield"):
        for _ in range(5):
            active_episode(actor=lena, ward=york[ward], received_on=IN_Q, level=2)
    with django_assert_max_num_queries(20):
        tables = figures.quarterly_figures(start=Q.start, end=Q.end, programme=LAC)
    assert len(tables) == len(figures.FIGURES)
    assert row(tables[-1], "Westfield") == ["5", "5"]


def test_a_programme_without_levels_has_no_level_figures(db):
    tables = figures.quarterly_figures(start=Q.start, end=Q.end, programme="social_prescribing")
    assert "open_by_level" not in {t.key for t in tables}
    assert "Moved from Level 1 to Level 2" not in dict(
        next(t for t in tables if t.key == "episodes").cells(exact=True)
    )


# --- the page and the CSV -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["casework:figures", "casework:figures-csv"])
def test_only_managers_and_analysts_see_the_figures(
    name, lena, morgan, analyst, client, staff_client
):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response.url
    assert staff_client(lena).get(url).status_code == 403
    assert staff_client(analyst).get(url).status_code == 200
    assert staff_client(morgan).get(url).status_code == 200


def test_the_page_shows_exact_numbers_to_managers_only_and_never_names(
    west, lena, morgan, analyst, york, staff_client, django_assert_max_num_queries
):
    person = PersonFactory(given_name="Unforgettable", family_name="Zebedee", ward=york["Acomb"])
    introduce(actor=lena, person=person, ward=york["Acomb"], source="gp", received_on=IN_Q)
    gp_introductions(lena, york, 2)
    url = reverse("casework:figures")
    query = {"quarter": Q.code, "programme": LAC}
    analyst_client = staff_client(analyst)
    with django_assert_max_num_queries(30):
        page = analyst_client.get(url, query).content.decode()
    assert Q.label in page
    assert "<caption" in page and "Introductions received, by who introduced the person" in page
    assert "fewer than 5" in page
    assert "Unforgettable" not in page and "Zebedee" not in page
    page = staff_client(morgan).get(url, query).content.decode()
    assert ">3</td>" in page


def test_a_quarter_that_is_not_real_shows_this_quarter_with_a_message(analyst, staff_client):
    current = Quarter.containing(timezone.localdate())
    response = staff_client(analyst).get(
        reverse("casework:figures"), {"quarter": "2026-Q7", "programme": "nonsense"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is no quarter called ‘2026-Q7’" in page
    assert "Choose a programme from the list" in page
    assert f"Casework figures: {current.label}" in page


def test_the_csv_hides_small_numbers_for_everyone_and_is_audited(
    west, lena, morgan, york, staff_client
):
    gp_introductions(lena, york, 3)
    gp_introductions(lena, york, 6)
    response = staff_client(morgan).get(
        reverse("casework:figures-csv"), {"quarter": Q.code, "programme": LAC}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"casework-figures-lac-{Q.code}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "category", "measure", "value"]
    by_source = {r[1]: r[3] for r in rows if r[0].startswith("Introductions received, by who")}
    assert by_source["GP practice"] == "9"
    wards = {r[1]: r[3] for r in rows if r[0].startswith("By ward") and r[2] == "Introductions"}
    assert wards["Acomb"] == "9"
    assert "<5" not in by_source.values()
    event = AuditEvent.objects.get(action="export", object_type="casework.figures")
    assert (event.actor, event.object_id) == (morgan, f"lac:{Q.code}")


def test_the_csv_shows_fewer_than_five_as_less_than_5(west, lena, morgan, york, staff_client):
    gp_introductions(lena, york, 2)
    content = (
        staff_client(morgan)
        .get(reverse("casework:figures-csv"), {"quarter": Q.code})
        .content.decode()
    )
    rows = list(csv.reader(io.StringIO(content)))
    assert ["Introductions received, by who introduced the person", "GP practice",
            "Introductions", "<5"] in rows  # fmt: skip


def test_the_csv_never_fails_on_a_bad_quarter(analyst, staff_client):
    response = staff_client(analyst).get(reverse("casework:figures-csv"), {"quarter": "junk"})
    assert response.status_code == 200
    current = Quarter.containing(timezone.localdate())
    assert current.code in response["Content-Disposition"]


def test_labels_cannot_become_spreadsheet_formulas():
    assert figures._csv_safe("=HYPERLINK()") == "'=HYPERLINK()"
    assert figures._csv_safe("<5") == "<5"
