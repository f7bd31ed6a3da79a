"""Caseloads and capacity: the reads behind "my caseload" and the team view, the capacity
service, and the three pages (who may open them, what they show, bounded queries)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership
from alongside.casework import caseloads
from alongside.casework.models import Contact, Episode, WorkerCapacity
from alongside.casework.services.caseloads import capacity_set
from alongside.casework.services.episodes import workers_of
from alongside.core.models import AuditEvent
from alongside.people.tests.factories import make_staff

from .factories import active_episode, closed_episode, coordinator, introduce, lac_team

pytestmark = pytest.mark.django_db

CASELOAD = reverse("casework:caseload")
TEAM = reverse("casework:team")


def _capacity_url(user) -> str:
    return reverse("casework:capacity", kwargs={"user_pk": user.pk})


def _level2_episodes(actor, ward, n: int) -> list[Episode]:
    """n open Level 2 episodes held by `actor` (made through the introduction service, then
    moved on in bulk: the states the services would leave them in)."""
    episodes = [introduce(actor=actor, ward=ward) for _ in range(n)]
    Episode.objects.filter(pk__in=[e.pk for e in episodes]).update(
        status="active", level=2, first_contact_on=timezone.localdate()
    )
    return episodes


# --- capacity and loads -------------------------------------------------------------------------


def test_capacity_is_the_default_unless_set(settings, lena, omar):
    settings.CASEWORK_LEVEL2_CAPACITY = 60
    WorkerCapacity.objects.create(user=omar, level2_capacity=30, note="Part-time")
    assert caseloads.capacities_of([lena.pk, omar.pk]) == {lena.pk: 60, omar.pk: 30}
    settings.CASEWORK_LEVEL2_CAPACITY = 45
    assert caseloads.capacity_of(lena) == 45


def test_a_capacity_of_nought_is_kept(lena):
    WorkerCapacity.objects.create(user=lena, level2_capacity=0)
    assert caseloads.capacity_of(lena) == 0


def test_loads_count_open_episodes_by_level(york, lena, omar):
    active_episode(actor=lena, ward=york["Acomb"], level=2)
    active_episode(actor=lena, ward=york["Acomb"])
    closed_episode(actor=lena, ward=york["Acomb"])
    WorkerCapacity.objects.create(user=lena, level2_capacity=1)
    loads = caseloads.loads_of([lena.pk, omar.pk])
    assert (loads[lena.pk].level1, loads[lena.pk].level2, loads[lena.pk].capacity) == (1, 1, 1)
    assert loads[lena.pk].at_capacity and not loads[lena.pk].over_capacity
    assert (loads[omar.pk].total, loads[omar.pk].at_capacity) == (0, False)


# --- my caseload --------------------------------------------------------------------------------


def test_a_caseload_is_the_workers_own_open_episodes(york, lena, omar):
    mine = introduce(actor=lena, ward=york["Acomb"])
    introduce(actor=omar, ward=york["Acomb"])
    closed_episode(actor=lena, ward=york["Westfield"])
    assert list(caseloads.caseload_for_user(user=lena)) == [mine]
    assert list(caseloads.caseload_for_user(user=lena, status="active")) == []


def test_the_caseload_knows_the_last_contact(york, lena):
    episode = introduce(actor=lena, ward=york["Acomb"])
    today = timezone.localdate()
    for days_ago in (10, 3):
        Contact.objects.create(
            episode=episode,
            worker=lena,
            kind="call",
            happened_on=today - dt.timedelta(days=days_ago),
            minutes=15,
            summary="Checked in",
        )
    row = caseloads.caseload_for_user(user=lena).get()
    assert row.last_contact_on == today - dt.timedelta(days=3)
    assert caseloads.days_since(row.last_contact_on, today=today) == 3


def test_the_summary_counts_by_level_and_status(york, lena):
    introduce(actor=lena, ward=york["Acomb"])
    active_episode(actor=lena, ward=york["Acomb"], level=2)
    active_episode(actor=lena, ward=york["Westfield"], level=2)
    summary = caseloads.caseload_summary(user=lena)
    assert summary.total == 3
    assert summary.by_level == [("Level 1", 1), ("Level 2", 2)]
    assert ("new", "New", 1) in summary.by_status
    assert ("active", "Active", 2) in summary.by_status
    assert summary.load.level2 == 2


# --- teams --------------------------------------------------------------------------------------


def test_team_workers_are_the_people_workers_of_finds(west, lena, omar, morgan, york):
    analyst = make_staff(roles.ANALYST, team=west)
    gone = coordinator(west, full_name="Gone Coordinator")
    gone.is_active = False
    gone.save()
    found = caseloads.team_workers(west)
    assert found == workers_of(west)
    assert analyst not in found and gone not in found
    assert {u.full_name for u in found} == {
        "Lena Coordinator",
        "Morgan Manager",
        "Omar Coordinator",
    }


def test_the_team_view_counts_workers_unassigned_and_wards(york, west, lena, omar, morgan):
    active_episode(actor=lena, ward=york["Acomb"], level=2)
    introduce(actor=omar, ward=york["Westfield"])
    unassigned = introduce(actor=lena, ward=york["Acomb"])
    Episode.objects.filter(pk=unassigned.pk).update(worker=None)
    view = caseloads.team_view(user=morgan, team=west)
    rows = {r.worker.full_name: r for r in view.workers}
    assert (rows["Lena Coordinator"].load.level1, rows["Lena Coordinator"].load.level2) == (0, 1)
    assert rows["Omar Coordinator"].load.level1 == 1
    assert rows["Morgan Manager"].is_lead
    assert [e.pk for e in view.unassigned] == [unassigned.pk]
    wards = {w.name: (w.level1, w.level2) for w in view.wards}
    assert wards == {"Acomb": (1, 1), "Westfield": (1, 0)}
    assert view.open_total == 3


def test_a_manager_may_set_capacity_only_in_a_team_they_lead(morgan, lena, erin):
    assert caseloads.capacity_worker_get_for_user(user=morgan, pk=lena.pk)[0] == lena
    from django.http import Http404

    with pytest.raises(Http404):
        caseloads.capacity_worker_get_for_user(user=morgan, pk=erin.pk)
    with pytest.raises(Http404):
        caseloads.capacity_worker_get_for_user(user=lena, pk=lena.pk)


# --- capacity_set -------------------------------------------------------------------------------


def test_a_manager_sets_capacity_with_a_note(morgan, lena, settings):
    settings.CASEWORK_LEVEL2_CAPACITY = 60
    capacity = capacity_set(actor=morgan, worker=lena, level2_capacity=36, note="3 days a week")
    assert (capacity.level2_capacity, capacity.note) == (36, "3 days a week")
    event = AuditEvent.objects.get(object_type="casework.workercapacity")
    assert (event.action, event.changes) == ("create", {"level2_capacity": [60, 36]})
    capacity_set(actor=morgan, worker=lena, level2_capacity=45, note="4 days a week")
    assert WorkerCapacity.objects.get(user=lena).level2_capacity == 45
    assert AuditEvent.objects.filter(
        object_type="casework.workercapacity", action="change", changes__level2_capacity=[36, 45]
    ).exists()


def test_only_managers_set_capacity(lena, omar):
    with pytest.raises(PermissionDenied):
        capacity_set(actor=lena, worker=omar, level2_capacity=10, note="Too many")
    assert not WorkerCapacity.objects.exists()


def test_a_manager_of_another_team_may_not_set_capacity(morgan, erin):
    with pytest.raises(PermissionDenied):
        capacity_set(actor=morgan, worker=erin, level2_capacity=10, note="Not my team")
    assert not WorkerCapacity.objects.exists()


@pytest.mark.parametrize(
    ("value", "note", "field"),
    [(-1, "A note", "level2_capacity"), (201, "A note", "level2_capacity"), (30, "  ", "note")],
)
def test_bad_capacity_changes_nothing(morgan, lena, value, note, field):
    with pytest.raises(ValidationError) as error:
        capacity_set(actor=morgan, worker=lena, level2_capacity=value, note=note)
    assert field in error.value.message_dict
    assert not WorkerCapacity.objects.exists()


# --- the caseload page --------------------------------------------------------------------------


def test_caseload_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(CASELOAD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_caseload_needs_a_casework_role(staff_client, analyst):
    assert staff_client(analyst).get(CASELOAD).status_code == 403


def test_the_caseload_page_lists_my_people(staff_client, york, lena, omar):
    mine = introduce(actor=lena, ward=york["Acomb"])
    theirs = introduce(actor=omar, ward=york["Acomb"])
    response = staff_client(lena).get(CASELOAD)
    assert response.status_code == 200
    assert mine.person.display_name in response.text
    assert theirs.person.display_name not in response.text
    assert reverse("casework:introduction-create") in response.text
    assert "No contact yet" in response.text


def test_the_caseload_filters_by_status(staff_client, york, lena):
    new = introduce(actor=lena, ward=york["Acomb"])
    active = active_episode(actor=lena, ward=york["Acomb"])
    response = staff_client(lena).get(CASELOAD, {"status": "active"})
    assert active.person.display_name in response.text
    assert new.person.display_name not in response.text
    response = staff_client(lena).get(CASELOAD, {"status": "nonsense"})
    assert new.person.display_name in response.text


def test_the_caseload_warns_at_capacity(staff_client, york, lena):
    WorkerCapacity.objects.create(user=lena, level2_capacity=1)
    active_episode(actor=lena, ward=york["Acomb"], level=2)
    response = staff_client(lena).get(CASELOAD)
    assert "You are at your Level 2 capacity of 1" in response.text
    active_episode(actor=lena, ward=york["Westfield"], level=2)
    response = staff_client(lena).get(CASELOAD)
    assert "You have 2 Level 2 episodes, more than your capacity of 1" in response.text


def test_a_manager_sees_the_team_link(staff_client, morgan, lena):
    assert TEAM in staff_client(morgan).get(CASELOAD).text


def test_the_caseload_takes_the_same_queries_for_3_or_60_people(staff_client, york, lena):
    """The 60 Level 2 episodes of a full caseload cost no more queries than 3."""
    _level2_episodes(lena, york["Acomb"], 3)
    client = staff_client(lena)
    client.get(CASELOAD)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(CASELOAD).status_code == 200
    _level2_episodes(lena, york["Westfield"], 57)
    with CaptureQueriesContext(connection) as many:
        response = client.get(CASELOAD)
    assert response.context["summary"].load.level2 == 60
    assert "You are at your Level 2 capacity of 60" in response.text
    assert len(many) == len(few)
    assert len(many) <= 15


# --- the team page ------------------------------------------------------------------------------


def test_team_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(TEAM).url.startswith(reverse("accounts:sign-in"))


def test_team_needs_a_casework_role(staff_client, analyst):
    assert staff_client(analyst).get(TEAM).status_code == 403


def test_workers_and_managers_see_their_team(staff_client, lena, morgan, omar):
    response = staff_client(lena).get(TEAM)
    assert response.status_code == 200
    assert "LAC West" in response.text
    assert _capacity_url(omar) not in response.text  # only managers set capacity
    response = staff_client(morgan).get(TEAM)
    assert _capacity_url(omar) in response.text


def test_another_teams_view_is_a_404(staff_client, lena, east):
    assert staff_client(lena).get(TEAM, {"team": east.pk}).status_code == 404
    assert staff_client(lena).get(TEAM, {"team": "nonsense"}).status_code == 404


def test_someone_in_two_teams_chooses(staff_client, york, lena, east):
    Membership.objects.create(team=east, user=lena)
    response = staff_client(lena).get(TEAM, {"team": east.pk})
    assert response.status_code == 200
    assert response.context["team"] == east
    assert 'name="team"' in response.text  # the chooser


def test_someone_in_no_team_is_told_so(staff_client, db):
    user = make_staff(roles.LOCAL_AREA_COORDINATOR)
    response = staff_client(user).get(TEAM)
    assert response.status_code == 200
    assert "You are not in a Local Area Coordination or social prescribing team" in response.text


def test_the_team_view_warns_about_workers_over_capacity(staff_client, york, morgan, lena):
    WorkerCapacity.objects.create(user=lena, level2_capacity=0)
    active_episode(actor=lena, ward=york["Acomb"], level=2)
    response = staff_client(morgan).get(TEAM)
    assert "Lena Coordinator has 1 Level 2 episodes, more than their capacity of 0" in (
        response.text
    )


def test_the_team_view_does_not_query_per_worker(staff_client, york, west, morgan, lena):
    introduce(actor=lena, ward=york["Acomb"])
    client = staff_client(morgan)
    client.get(TEAM)
    with CaptureQueriesContext(connection) as few:
        assert client.get(TEAM).status_code == 200
    for n in range(6):
        worker = coordinator(west, full_name=f"Extra Coordinator {n}")
        introduce(actor=worker, ward=york["Westfield"])
        WorkerCapacity.objects.create(user=worker, level2_capacity=40)
    with CaptureQueriesContext(connection) as many:
        assert client.get(TEAM).status_code == 200
    assert len(many) == len(few)


# --- the capacity page --------------------------------------------------------------------------


def test_capacity_anonymous_people_are_sent_to_sign_in(client, lena):
    assert client.get(_capacity_url(lena)).url.startswith(reverse("accounts:sign-in"))


def test_coordinators_may_not_set_capacity(staff_client, lena, omar):
    assert staff_client(lena).get(_capacity_url(omar)).status_code == 403
    response = staff_client(lena).post(_capacity_url(omar), {"level2_capacity": "5", "note": "Ha"})
    assert response.status_code == 403
    assert not WorkerCapacity.objects.exists()


def test_a_worker_in_another_team_is_a_404(staff_client, morgan, erin):
    assert staff_client(morgan).get(_capacity_url(erin)).status_code == 404


def test_a_manager_sets_capacity_on_the_page(staff_client, morgan, lena, west):
    client = staff_client(morgan)
    response = client.get(_capacity_url(lena))
    assert response.status_code == 200
    assert response.context["form"]["level2_capacity"].value() == 60
    response = client.post(
        _capacity_url(lena), {"level2_capacity": "30", "note": "Works 2.5 days a week"}
    )
    assert response.status_code == 302
    assert response.url == f"{TEAM}?team={west.pk}"
    assert WorkerCapacity.objects.get(user=lena).level2_capacity == 30
    assert "Lena Coordinator can now hold 30 Level 2 episodes" in client.get(response.url).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level2_capacity": "", "note": "Kept"}, "Enter the Level 2 capacity"),
        ({"level2_capacity": "lots", "note": "Kept"}, "Level 2 capacity must be a whole number"),
        ({"level2_capacity": "500", "note": "Kept"}, "Level 2 capacity must be 200 or fewer"),
        ({"level2_capacity": "30", "note": ""}, "Enter a note about the capacity"),
    ],
)
def test_bad_capacity_is_explained_on_the_page(staff_client, morgan, lena, data, message):
    response = staff_client(morgan).post(_capacity_url(lena), data)
    assert response.status_code == 200
    assert message in response.text
    assert "Error: " in response.text
    assert not WorkerCapacity.objects.exists()


def test_a_lead_of_one_team_may_not_reach_another_lac_team(staff_client, york, morgan):
    north = lac_team(york["Strensall"], name="LAC North")
    worker = coordinator(north)
    assert staff_client(morgan).get(_capacity_url(worker)).status_code == 404
