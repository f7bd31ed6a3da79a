"""Work beside casework: community groups helped and system intelligence. The services, and
the list and form pages (the user's own teams only, filtered by quarter and ward)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.casework.models import CommunityWork, SystemIntelligence
from alongside.casework.services.community import (
    community_work_record,
    system_intelligence_record,
)
from alongside.core.models import AuditEvent
from alongside.directory.models import Provider

from .factories import coordinator, lac_team

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def record_work(actor, team, **overrides):
    values = {
        "group_name": "Acomb Knit and Natter",
        "kind": "volunteers",
        "what": "Helped them find two volunteers to run the tea urn",
        "happened_on": TODAY(),
        "minutes": 90,
    }
    values.update(overrides)
    return community_work_record(actor=actor, team=team, **values)


def record_intelligence(actor, team, **overrides):
    values = {
        "kind": "barrier",
        "service": "Housing repairs line",
        "description": "The line closes at 4pm, so people who work cannot report repairs.",
        "noted_on": TODAY(),
    }
    values.update(overrides)
    return system_intelligence_record(actor=actor, team=team, **values)


# --- services -----------------------------------------------------------------------------------


def test_community_work_is_recorded_for_the_team_and_audited(west, lena, york):
    work = record_work(lena, west, ward=york["Acomb"])
    assert (work.team, work.worker, work.ward, work.minutes) == (west, lena, york["Acomb"], 90)
    assert AuditEvent.objects.filter(object_id=str(work.pk), action="create").exists()


def test_a_directory_group_needs_no_name_typed(west, lena):
    provider = Provider.objects.create(name="Acomb Explore Library", description="A library")
    work = record_work(lena, west, group_name="", provider=provider)
    assert work.group_name == "Acomb Explore Library"


def test_community_work_checks_what_was_typed(west, lena):
    with pytest.raises(ValidationError) as error:
        record_work(
            lena,
            west,
            group_name=" ",
            kind="cake",
            what="",
            happened_on=TODAY() + dt.timedelta(days=1),
            minutes=2000,
        )
    assert error.value.message_dict == {
        "group_name": ["Enter the name of the group"],
        "kind": ["Choose the kind of help"],
        "what": ["Enter what you did"],
        "happened_on": ["The date must be today or in the past"],
        "minutes": ["Time spent must be 1,440 minutes (24 hours) or less"],
    }
    assert not CommunityWork.objects.exists()


def test_only_members_of_the_team_record_its_work(west, east, lena, erin, analyst):
    for actor in (erin, analyst):
        with pytest.raises(PermissionDenied):
            record_work(actor, west)
        with pytest.raises(PermissionDenied):
            record_intelligence(actor, west)
    assert not CommunityWork.objects.exists() and not SystemIntelligence.objects.exists()


def test_system_intelligence_is_recorded_and_checked(west, lena):
    item = record_intelligence(lena, west, raised_with="Housing manager")
    assert (item.kind, item.raised_with, item.worker) == ("barrier", "Housing manager", lena)
    with pytest.raises(ValidationError) as error:
        record_intelligence(lena, west, kind="moan", service="", description=" ")
    assert set(error.value.message_dict) == {"kind", "service", "description"}


# --- pages --------------------------------------------------------------------------------------

PAGES = [
    "casework:community-work",
    "casework:community-work-add",
    "casework:intelligence",
    "casework:intelligence-add",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_refuse_the_wrong_people(name, lena, morgan, analyst, client, staff_client):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response.url
    assert staff_client(analyst).get(url).status_code == 403
    assert staff_client(lena).get(url).status_code == 200
    assert staff_client(morgan).get(url).status_code == 200


def test_the_list_shows_only_the_users_teams(
    west, east, lena, erin, staff_client, django_assert_max_num_queries
):
    for n in range(30):
        record_work(lena, west, group_name=f"West group {n}")
    record_work(erin, east, group_name="Heworth Men's Shed")
    client = staff_client(lena)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("casework:community-work"))
    page = response.content.decode()
    assert "30 records" in page and "West group 29" in page
    assert "Men&#x27;s Shed" not in page and "Men's Shed" not in page
    assert (
        "Heworth Men" in staff_client(erin).get(reverse("casework:community-work")).content.decode()
    )


def test_the_list_filters_by_quarter_and_ward(west, lena, york, staff_client):
    record_work(lena, west, group_name="This quarter in Acomb", ward=york["Acomb"])
    record_work(lena, west, group_name="Westfield group", ward=york["Westfield"])
    record_work(lena, west, group_name="Last year", happened_on=TODAY() - dt.timedelta(days=400))
    client = staff_client(lena)
    url = reverse("casework:community-work")
    this_quarter = f"{TODAY().year}-Q{(TODAY().month - 1) // 3 + 1}"
    page = client.get(url, {"quarter": this_quarter}).content.decode()
    assert "This quarter in Acomb" in page and "Westfield group" in page
    assert "Last year" not in page
    page = client.get(url, {"ward": york["Acomb"].code}).content.decode()
    assert "This quarter in Acomb" in page and "Westfield group" not in page
    # The team's wards come first in the ward filter.
    assert page.index("Your team's wards") < page.index(">Acomb<")


def test_a_quarter_or_ward_that_is_not_real_is_ignored_with_a_message(west, lena, staff_client):
    record_work(lena, west)
    response = staff_client(lena).get(
        reverse("casework:community-work"), {"quarter": "2026-Q9", "ward": "nowhere"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a quarter from the list" in page and "Choose a ward from the list" in page
    assert "1 record" in page


def test_recording_community_work(west, lena, york, staff_client):
    today = TODAY()
    response = staff_client(lena).post(
        reverse("casework:community-work-add"),
        {
            "group_name": "Acomb Gardeners",
            "provider": "",
            "ward": str(york["Acomb"].pk),
            "kind": "funding",
            "what": "Helped with a bid to the ward fund",
            "happened_on_0": today.day,
            "happened_on_1": today.month,
            "happened_on_2": today.year,
            "minutes": "120",
        },
    )
    assert response.status_code == 302
    work = CommunityWork.objects.get()
    assert (work.group_name, work.ward, work.kind, work.minutes) == (
        "Acomb Gardeners",
        york["Acomb"],
        "funding",
        120,
    )


def test_bad_community_work_re_renders_with_what_was_typed(west, lena, staff_client):
    response = staff_client(lena).post(
        reverse("casework:community-work-add"),
        {"group_name": "", "what": "Kept words", "minutes": "lots"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Error: " in page
    assert "Enter the name of the group, or choose it from the directory" in page
    assert "Choose the kind of help" in page
    assert "Enter the time spent as a number of minutes" in page
    assert "Kept words" in page
    assert not CommunityWork.objects.exists()


def test_someone_in_two_teams_chooses_the_team(west, east, york, staff_client):
    both = coordinator(west, full_name="Two Teams")
    east.memberships.create(user=both)
    client = staff_client(both)
    page = client.get(reverse("casework:intelligence-add")).content.decode()
    assert "Which team is this for?" in page
    today = TODAY()
    data = {
        "kind": "duplication",
        "service": "Falls service",
        "description": "Two services visited on the same day.",
        "noted_on_0": today.day,
        "noted_on_1": today.month,
        "noted_on_2": today.year,
    }
    response = client.post(reverse("casework:intelligence-add"), data)
    assert "Choose the team this is for" in response.content.decode()
    response = client.post(reverse("casework:intelligence-add"), {**data, "team": str(east.pk)})
    assert response.status_code == 302
    assert SystemIntelligence.objects.get().team == east


def test_recording_system_intelligence_warns_not_to_name_the_person(west, lena, staff_client):
    page = staff_client(lena).get(reverse("casework:intelligence-add")).content.decode()
    assert "Do not name the person" in page
    today = TODAY()
    response = staff_client(lena).post(
        reverse("casework:intelligence-add"),
        {
            "kind": "good_practice",
            "service": "Library",
            "description": "The library helped with a bus pass in one visit.",
            "noted_on_0": today.day,
            "noted_on_1": today.month,
            "noted_on_2": today.year,
            "raised_with": "",
        },
    )
    assert response.status_code == 302
    assert SystemIntelligence.objects.get().kind == "good_practice"


def test_a_future_date_is_refused(west, lena, staff_client):
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = staff_client(lena).post(
        reverse("casework:intelligence-add"),
        {
            "kind": "gap",
            "service": "Dentists",
            "description": "No NHS dentist taking people on.",
            "noted_on_0": tomorrow.day,
            "noted_on_1": tomorrow.month,
            "noted_on_2": tomorrow.year,
        },
    )
    assert "The date must be today or in the past" in response.content.decode()
    assert not SystemIntelligence.objects.exists()


def test_the_intelligence_list_shows_only_the_users_teams(
    west, east, lena, erin, staff_client, django_assert_max_num_queries
):
    for n in range(5):
        record_intelligence(lena, west, service=f"West service {n}")
    record_intelligence(erin, east, service="Heworth only")
    client = staff_client(lena)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("casework:intelligence")).content.decode()
    assert "5 records" in page and "West service 4" in page and "Heworth only" not in page


def test_someone_in_no_team_is_told_so(york, staff_client):
    loner = coordinator(lac_team(york["Clifton"], name="Empty"), full_name="Lone Worker")
    loner.memberships.all().delete()
    client = staff_client(loner)
    assert (
        "You are not in a team" in client.get(reverse("casework:community-work")).content.decode()
    )
    response = client.post(reverse("casework:community-work-add"), {"group_name": "X"})
    assert "You are not in a team" in response.content.decode()
    assert not CommunityWork.objects.exists()
