"""Recording an introduction: finding the person among the records the user may see, then
the introduction form that opens their episode. Who may, and what bad input does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.casework.models import Episode, Introduction
from alongside.people.tests.factories import PersonFactory, make_staff, person_for_team

from .factories import coordinator, sp_team

pytestmark = pytest.mark.django_db

URL = reverse("casework:introduction-create")


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def _post(person, **overrides):
    data = {
        "source": "gp",
        "reasons": ["isolation", "money"],
        "ward": str(person.ward_id) if person.ward_id else "",
        "introducer_name": "Dr Patel",
        "introducer_organisation": "Acomb Surgery",
        "notes": "Has not left the house much since her husband died.",
        **_date("received_on", timezone.localdate()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def person(york, west):
    """Someone the west team already works with, living in Acomb."""
    return person_for_team(west, ward=york["Acomb"], given_name="Margaret", family_name="Hall")


# --- who may ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_roles_without_the_introduction_permission_are_refused(staff_client, analyst):
    assert staff_client(analyst).get(URL).status_code == 403


def test_a_coordinator_may_start_an_introduction(staff_client, lena):
    response = staff_client(lena).get(URL)
    assert response.status_code == 200
    assert "Who has been introduced?" in response.text
    assert reverse("people:create") in response.text


def test_someone_in_no_casework_team_is_told_so(staff_client, db):
    user = make_staff(roles.LOCAL_AREA_COORDINATOR)
    response = staff_client(user).get(URL)
    assert response.status_code == 200
    assert "You are not in a casework team" in response.text


# --- step 1: finding the person -----------------------------------------------------------------


def test_search_finds_only_records_the_user_may_see(staff_client, lena, person, east):
    hidden = person_for_team(east, given_name="Margaret", family_name="Hallam")
    response = staff_client(lena).get(URL, {"q": "Margaret"})
    assert response.status_code == 200
    assert f"?person={person.pk}" in response.text
    assert str(hidden.pk) not in response.text
    assert "1 record found" in response.text


def test_search_results_take_a_bounded_number_of_queries(
    staff_client, lena, west, django_assert_max_num_queries
):
    for n in range(25):
        person_for_team(west, given_name="Margaret", family_name=f"Hall{n}")
    client = staff_client(lena)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "Margaret"})
    assert response.status_code == 200


# --- step 2: the introduction -------------------------------------------------------------------


def test_a_person_the_user_cannot_see_is_a_404(staff_client, lena, york):
    stranger = PersonFactory(ward=york["Acomb"])
    client = staff_client(lena)
    assert client.get(URL, {"person": stranger.pk}).status_code == 404
    assert client.post(f"{URL}?person={stranger.pk}", _post(stranger)).status_code == 404
    assert client.get(URL, {"person": "not-a-uuid"}).status_code == 404
    assert not Episode.objects.exists()


def test_the_form_defaults_to_the_persons_ward_and_today(staff_client, lena, person):
    response = staff_client(lena).get(URL, {"person": person.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["ward"].value() == person.ward_id
    assert form["received_on"].value() == timezone.localdate()
    # Only one programme among the user's teams: the question is not asked.
    assert "Which programme is the introduction for?" not in response.text
    assert "Who introduced them?" in response.text


def test_recording_an_introduction_opens_the_episode(staff_client, lena, person, west):
    response = staff_client(lena).post(f"{URL}?person={person.pk}", _post(person))
    episode = Episode.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == reverse("casework:episode", kwargs={"pk": episode.pk})
    assert (episode.team, episode.worker, episode.programme_id) == (west, lena, "lac")
    introduction = episode.introduction
    assert introduction.source == "gp"
    assert introduction.introducer_name == "Dr Patel"
    assert sorted(introduction.reasons.values_list("code", flat=True)) == ["isolation", "money"]
    page = staff_client(lena).get(response.url)
    assert "The introduction has been recorded" in page.text


def test_the_worker_may_be_chosen(staff_client, lena, omar, person):
    staff_client(lena).post(f"{URL}?person={person.pk}", _post(person, worker=str(omar.pk)))
    assert Episode.objects.get(person=person).worker == omar


def test_missing_answers_are_explained_and_nothing_is_recorded(staff_client, lena, person):
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}",
        {"source": "", "reasons": [], "notes": "Kept", **_date("received_on", dt.date.today())},
    )
    assert response.status_code == 200
    assert "Error: " in response.text
    assert "Choose who introduced them" in response.text
    assert "Choose at least one reason" in response.text
    assert "Kept" in response.text  # what was typed is not lost
    assert not Introduction.objects.exists()


def test_other_source_and_reason_need_saying(staff_client, lena, person):
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}", _post(person, source="other", reasons=["other"])
    )
    assert response.status_code == 200
    assert "Say who introduced them" in response.text
    assert not Introduction.objects.exists()
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}",
        _post(person, source="other", source_other="A shopkeeper", reasons=["other"]),
    )
    assert "Say what the other reason is" in response.text
    assert not Introduction.objects.exists()


def test_a_future_date_is_refused(staff_client, lena, person):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}", _post(person, **_date("received_on", tomorrow))
    )
    assert response.status_code == 200
    assert "The date of the introduction must be today or in the past" in response.text
    assert not Introduction.objects.exists()


def test_a_ward_no_team_covers_is_a_clear_error(staff_client, lena, person, york):
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}", _post(person, ward=str(york["Strensall"].pk))
    )
    assert response.status_code == 200
    assert "No Local Area Coordination team covering Strensall is set up yet" in response.text
    assert not Introduction.objects.exists()


def test_an_open_episode_already_held_is_a_clear_error(staff_client, lena, person):
    client = staff_client(lena)
    client.post(f"{URL}?person={person.pk}", _post(person))
    response = client.post(f"{URL}?person={person.pk}", _post(person))
    assert response.status_code == 200
    assert "already has open Local Area Coordination support" in response.text
    assert Episode.objects.filter(person=person).count() == 1


def test_someone_in_two_programmes_chooses_one(staff_client, lena, person):
    link_team = sp_team()
    lena.memberships.create(team=link_team)
    client = staff_client(lena)
    response = client.get(URL, {"person": person.pk})
    assert "Which programme is the introduction for?" in response.text
    response = client.post(f"{URL}?person={person.pk}", _post(person))
    assert response.status_code == 200
    assert "Choose a programme" in response.text
    response = client.post(f"{URL}?person={person.pk}", _post(person, programme="lac"))
    assert response.status_code == 302


def test_a_link_worker_records_a_referral_for_their_own_team(staff_client, york):
    team = sp_team()
    worker = make_staff(roles.LINK_WORKER, team=team)
    person = person_for_team(team)
    response = staff_client(worker).post(f"{URL}?person={person.pk}", _post(person))
    assert response.status_code == 302
    episode = Episode.objects.get(person=person)
    assert (episode.team, episode.worker, episode.programme_id) == (
        team,
        worker,
        "social_prescribing",
    )


def test_coordinators_of_another_team_may_be_chosen_only_in_their_team(
    staff_client, lena, person, east
):
    erin = coordinator(east, full_name="Erin Eastcoordinator")
    response = staff_client(lena).post(
        f"{URL}?person={person.pk}", _post(person, worker=str(erin.pk))
    )
    # Erin is in no team of Lena's, so she is not offered at all.
    assert response.status_code == 200
    assert "Choose someone from the list" in response.text
    assert not Introduction.objects.exists()
