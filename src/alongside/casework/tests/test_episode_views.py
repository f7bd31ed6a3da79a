"""An episode's overview, status, level, handover, closing and history pages: who may open
each, what they show, and what each form does with good and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from alongside.accounts import roles
from alongside.casework import services
from alongside.casework.models import (
    Connection,
    Contact,
    Diversion,
    Episode,
    EpisodeChange,
    WorkerCapacity,
)
from alongside.core.models import AuditEvent
from alongside.people.models import Consent
from alongside.people.tests.factories import ConsentFactory, make_staff, person_for_team

from .factories import active_episode, closed_episode, closing_episode, introduce, sp_team

pytestmark = pytest.mark.django_db

VIEW_PAGES = ["casework:episode", "casework:history"]
CHANGE_PAGES = ["casework:status", "casework:level", "casework:handover"]


def _url(name: str, episode: Episode) -> str:
    return reverse(name, kwargs={"pk": episode.pk})


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


@pytest.fixture
def episode(york, lena):
    """Lena's active Level 1 episode for someone in Acomb."""
    return active_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def closing(york, lena):
    return closing_episode(actor=lena, ward=york["Westfield"])


def _share_with_erin(episode, erin):
    """The person agrees to share their record with Erin's organisation: she may read the
    episode but not change it."""
    ConsentFactory(
        person=episode.person,
        purpose=Consent.Purpose.SHARE_PARTNERS,
        shared_with=[erin.organisation],
    )


# --- who may open each page ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*VIEW_PAGES, *CHANGE_PAGES, "casework:close"])
def test_anonymous_people_are_sent_to_sign_in(client, name, episode):
    response = client.get(_url(name, episode))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", [*VIEW_PAGES, *CHANGE_PAGES, "casework:close"])
def test_roles_without_casework_are_refused(staff_client, analyst, name, episode):
    assert staff_client(analyst).get(_url(name, episode)).status_code == 403


@pytest.mark.parametrize("name", [*VIEW_PAGES, *CHANGE_PAGES, "casework:close"])
def test_another_team_gets_a_404(staff_client, erin, name, episode):
    assert staff_client(erin).get(_url(name, episode)).status_code == 404
    assert staff_client(erin).post(_url(name, episode), {}).status_code == 404


@pytest.mark.parametrize("name", [*VIEW_PAGES, *CHANGE_PAGES])
def test_the_worker_may_open_each_page(staff_client, lena, name, episode):
    assert staff_client(lena).get(_url(name, episode)).status_code == 200


def test_the_worker_may_open_the_closing_form_when_closing(staff_client, lena, closing):
    response = staff_client(lena).get(_url("casework:close", closing))
    assert response.status_code == 200
    assert "Close support" in response.text


@pytest.mark.parametrize("name", VIEW_PAGES)
def test_staff_seeing_it_under_a_consent_may_read(staff_client, erin, name, episode):
    _share_with_erin(episode, erin)
    response = staff_client(erin).get(_url(name, episode))
    assert response.status_code == 200
    assert "Only LAC West can change it" in response.text


@pytest.mark.parametrize("name", [*CHANGE_PAGES, "casework:close"])
def test_staff_seeing_it_under_a_consent_may_not_change_it(staff_client, erin, name, closing):
    _share_with_erin(closing, erin)
    client = staff_client(erin)
    assert client.get(_url(name, closing)).status_code == 403
    assert client.post(_url(name, closing), {"to_status": "active"}).status_code == 403
    assert Episode.objects.get(pk=closing.pk).status == "closing"


def test_read_only_viewers_see_no_change_links(staff_client, erin, episode):
    _share_with_erin(episode, erin)
    response = staff_client(erin).get(_url("casework:episode", episode))
    assert _url("casework:status", episode) not in response.text
    assert _url("casework:level", episode) not in response.text
    assert _url("casework:handover", episode) not in response.text


def test_every_opening_is_audited(staff_client, lena, episode):
    staff_client(lena).get(_url("casework:episode", episode))
    staff_client(lena).get(_url("casework:history", episode))
    reasons = list(
        AuditEvent.objects.filter(person_id=episode.person_id, action="view").values_list(
            "reason", flat=True
        )
    )
    assert "Opened the episode: Overview" in reasons
    assert "Opened the episode: History" in reasons


# --- overview -----------------------------------------------------------------------------------


def test_the_overview_shows_the_introduction_and_what_can_happen_next(staff_client, lena, york):
    episode = services.introduction_create(
        actor=lena,
        person=person_for_team(lena.memberships.get().team, ward=york["Acomb"]),
        programme_code="lac",
        details=services.IntroductionDetails(
            source="gp",
            reasons=("isolation", "other"),
            reasons_other="Lost her dog",
            introducer_name="Dr Patel",
            notes="Has stopped going out",
            received_on=timezone.localdate(),
        ),
    )
    response = staff_client(lena).get(_url("casework:episode", episode))
    text = response.text
    assert "GP practice" in text
    assert "Dr Patel" in text
    assert "Loneliness or isolation" in text
    assert "Other: Lost her dog" in text
    assert "Has stopped going out" in text
    assert "Level 1: information, advice and guidance" in text
    assert "Lena Coordinator" in text
    assert "LAC West" in text
    assert "Acomb" in text
    for status in ("contacted", "active", "closing"):
        assert f"{_url('casework:status', episode)}?to={status}" in text
    assert _url("casework:level", episode) in text
    assert _url("casework:handover", episode) in text


def test_the_overview_counts_what_is_recorded(staff_client, lena, episode):
    today = timezone.localdate()
    Connection.objects.create(episode=episode, name="Acomb walking group", status_changed_on=today)
    for minutes in (60, 30):
        Contact.objects.create(
            episode=episode,
            worker=lena,
            kind="visit",
            happened_on=today,
            minutes=minutes,
            summary="Talked about the walking group",
        )
    response = staff_client(lena).get(_url("casework:episode", episode))
    text = strip_tags(response.text)
    assert "1 connection" in text
    assert "2 contacts, 1 hour 30 minutes in all" in text
    assert "0 goals" in text
    assert "0 stories" in text


def test_an_unescalated_safeguarding_concern_is_a_warning(staff_client, lena, episode):
    concern = Contact.objects.create(
        episode=episode,
        worker=lena,
        kind="visit",
        happened_on=timezone.localdate(),
        minutes=45,
        summary="Bruises on her arm",
        safeguarding_concern=True,
        escalation="adult_safeguarding",
    )
    client = staff_client(lena)
    response = client.get(_url("casework:episode", episode))
    assert "safeguarding concern" in response.text
    assert "Adult safeguarding referral" in response.text
    assert "Bruises" not in response.text  # the warning does not repeat what was written
    concern.escalation_done_at = timezone.now()
    concern.save()
    response = client.get(_url("casework:episode", episode))
    assert "safeguarding concern" not in response.text


def test_a_closed_episode_shows_how_it_ended(staff_client, lena, york):
    episode = closed_episode(actor=lena, ward=york["Acomb"])
    response = staff_client(lena).get(_url("casework:episode", episode))
    assert "Reached what they wanted" in response.text
    assert "I go to the walking group every week now." in response.text
    assert "GP visits: avoided" in response.text
    assert _url("casework:status", episode) not in response.text
    assert _url("casework:handover", episode) not in response.text


def test_only_the_worker_and_managers_see_the_handover_link(
    staff_client, lena, omar, morgan, episode
):
    url = _url("casework:handover", episode)
    assert url not in staff_client(omar).get(_url("casework:episode", episode)).text
    assert url in staff_client(morgan).get(_url("casework:episode", episode)).text


def test_the_overview_takes_a_bounded_number_of_queries(
    staff_client, lena, episode, django_assert_max_num_queries
):
    client = staff_client(lena)
    with django_assert_max_num_queries(25):
        assert client.get(_url("casework:episode", episode)).status_code == 200


# --- status -------------------------------------------------------------------------------------


def test_to_preselects_a_status(staff_client, lena, episode):
    response = staff_client(lena).get(_url("casework:status", episode), {"to": "paused"})
    assert response.context["form"]["to_status"].value() == "paused"
    assert "Paused" in response.text
    assert "Contacted" not in response.text  # not allowed from active


def test_changing_status_is_recorded(staff_client, lena, episode):
    response = staff_client(lena).post(
        _url("casework:status", episode), {"to_status": "paused", "note": "On holiday for a month"}
    )
    assert response.status_code == 302
    assert response.url == _url("casework:episode", episode)
    episode.refresh_from_db()
    assert episode.status == "paused"
    change = EpisodeChange.objects.filter(episode=episode, kind="status").first()
    assert (change.new_value, change.note) == ("paused", "On holiday for a month")


def test_moving_to_closing_goes_on_to_the_closing_form(staff_client, lena, episode):
    response = staff_client(lena).post(_url("casework:status", episode), {"to_status": "closing"})
    assert response.url == _url("casework:close", episode)


def test_a_missing_or_disallowed_status_changes_nothing(staff_client, lena, episode):
    client = staff_client(lena)
    response = client.post(_url("casework:status", episode), {"note": "Kept note"})
    assert response.status_code == 200
    assert "Choose the new status" in response.text
    assert "Kept note" in response.text
    response = client.post(_url("casework:status", episode), {"to_status": "closed"})
    assert "Choose a status from the list" in response.text
    episode.refresh_from_db()
    assert episode.status == "active"


def test_a_closed_episode_has_no_status_to_change_to(staff_client, lena, york):
    episode = closed_episode(actor=lena, ward=york["Acomb"])
    response = staff_client(lena).get(_url("casework:status", episode))
    assert response.status_code == 302
    assert response.url == _url("casework:episode", episode)


# --- level --------------------------------------------------------------------------------------


def test_changing_level_needs_a_reason(staff_client, lena, episode):
    client = staff_client(lena)
    response = client.post(_url("casework:level", episode), {"level": "2", "reason": ""})
    assert response.status_code == 200
    assert "Enter why the level is changing" in response.text
    episode.refresh_from_db()
    assert episode.level == 1
    response = client.post(
        _url("casework:level", episode), {"level": "2", "reason": "Wants to make a plan"}
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.level == 2
    assert EpisodeChange.objects.filter(episode=episode, kind="level", new_value="2").exists()


def test_the_same_level_is_a_clear_error(staff_client, lena, episode):
    response = staff_client(lena).post(
        _url("casework:level", episode), {"level": "1", "reason": "No change"}
    )
    assert "The support is already at Level 1" in response.text


def test_programmes_without_levels_have_no_level_page(staff_client, db):
    team = sp_team()
    worker = make_staff(roles.LINK_WORKER, team=team)
    episode = introduce(actor=worker, person=person_for_team(team), programme="social_prescribing")
    assert staff_client(worker).get(_url("casework:level", episode)).status_code == 404


# --- handover -----------------------------------------------------------------------------------


def test_a_coordinator_who_is_not_the_worker_may_not_hand_over(staff_client, omar, episode):
    client = staff_client(omar)
    assert client.get(_url("casework:handover", episode)).status_code == 403
    response = client.post(
        _url("casework:handover", episode), {"worker": str(omar.pk), "note": "Mine now"}
    )
    assert response.status_code == 403
    assert Episode.objects.get(pk=episode.pk).worker_id == episode.worker_id


def test_the_worker_hands_over_with_a_note(staff_client, lena, omar, episode):
    response = staff_client(lena).post(
        _url("casework:handover", episode),
        {"worker": str(omar.pk), "note": "Lives near Omar's patch; likes mornings"},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.worker == omar
    change = EpisodeChange.objects.get(episode=episode, kind="worker")
    assert (change.old_value, change.new_value) == ("Lena Coordinator", "Omar Coordinator")


def test_a_manager_may_hand_over(staff_client, morgan, omar, episode):
    response = staff_client(morgan).post(
        _url("casework:handover", episode), {"worker": str(omar.pk), "note": "Balancing caseloads"}
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).worker == omar


def test_handover_needs_a_note_and_a_worker_of_the_team(staff_client, lena, omar, erin, episode):
    client = staff_client(lena)
    response = client.post(_url("casework:handover", episode), {"worker": str(omar.pk)})
    assert response.status_code == 200
    assert "Enter a handover note" in response.text
    response = client.post(
        _url("casework:handover", episode), {"worker": str(erin.pk), "note": "Over to Erin"}
    )
    assert "Choose someone from the list" in response.text
    assert Episode.objects.get(pk=episode.pk).worker == lena


def test_handing_level_2_to_someone_at_capacity_asks_once_more(staff_client, lena, omar, york):
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    WorkerCapacity.objects.create(user=omar, level2_capacity=0, note="On leave")
    client = staff_client(lena)
    data = {"worker": str(omar.pk), "note": "Over to Omar"}
    response = client.post(_url("casework:handover", episode), data)
    assert response.status_code == 200
    assert "Omar Coordinator already has 0 Level 2 episodes and their capacity is 0" in (
        response.text
    )
    assert Episode.objects.get(pk=episode.pk).worker == lena
    assert response.context["form"]["confirmed_worker"].value() == str(omar.pk)
    response = client.post(
        _url("casework:handover", episode), {**data, "confirmed_worker": str(omar.pk)}
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).worker == omar


def test_a_confirmation_for_someone_else_does_not_count(staff_client, lena, omar, morgan, york):
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    WorkerCapacity.objects.create(user=omar, level2_capacity=0)
    response = staff_client(lena).post(
        _url("casework:handover", episode),
        {"worker": str(omar.pk), "note": "Over to Omar", "confirmed_worker": str(morgan.pk)},
    )
    assert response.status_code == 200
    assert "already has 0 Level 2 episodes" in response.text
    assert Episode.objects.get(pk=episode.pk).worker == lena


def test_level_1_support_is_handed_over_without_asking(staff_client, lena, omar, episode):
    WorkerCapacity.objects.create(user=omar, level2_capacity=0)
    response = staff_client(lena).post(
        _url("casework:handover", episode), {"worker": str(omar.pk), "note": "Over to Omar"}
    )
    assert response.status_code == 302


# --- closing ------------------------------------------------------------------------------------


def _closing_data(**overrides):
    data = {
        "reason": "goals_met",
        "outcome_in_own_words": "I have friends at the allotment now.",
        **_date("closed_on", timezone.localdate()),
        "diversion_gp_visits": "avoided",
        "diversion_note_gp_visits": "Was seeing the GP weekly",
        "diversion_eviction": "delayed",
        "diversion_social_care_assessment": "not_relevant",
    }
    data.update(overrides)
    return data


def test_closing_records_reason_words_and_diversions(staff_client, lena, closing):
    response = staff_client(lena).post(_url("casework:close", closing), _closing_data())
    assert response.status_code == 302
    closing.refresh_from_db()
    assert closing.status == "closed"
    assert closing.outcome_in_own_words == "I have friends at the allotment now."
    diversions = {d.kind_id: (d.effect, d.note) for d in Diversion.objects.filter(episode=closing)}
    assert diversions == {
        "gp_visits": ("avoided", "Was seeing the GP weekly"),
        "eviction": ("delayed", ""),
    }


def test_closing_needs_a_reason_and_their_words(staff_client, lena, closing):
    response = staff_client(lena).post(
        _url("casework:close", closing),
        _closing_data(reason="", outcome_in_own_words="", diversion_note_gp_visits="Kept"),
    )
    assert response.status_code == 200
    assert "Error: " in response.text
    assert "Choose why support is ending" in response.text
    assert "Enter what changed, in the person&#x27;s own words" in response.text
    assert "Kept" in response.text
    assert Episode.objects.get(pk=closing.pk).status == "closing"
    assert not Diversion.objects.exists()


def test_another_reason_must_be_said(staff_client, lena, closing):
    response = staff_client(lena).post(
        _url("casework:close", closing), _closing_data(reason="other")
    )
    assert response.status_code == 200
    assert "Say why support is ending" in response.text
    assert Episode.objects.get(pk=closing.pk).status == "closing"


def test_closing_dates_must_be_real_and_not_in_the_future(staff_client, lena, closing):
    client = staff_client(lena)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        _url("casework:close", closing), _closing_data(**_date("closed_on", tomorrow))
    )
    assert "The closing date must be today or in the past" in response.text
    before = closing.opened_on - dt.timedelta(days=1)
    response = client.post(
        _url("casework:close", closing), _closing_data(**_date("closed_on", before))
    )
    assert "The closing date must be after the episode opened" in response.text
    assert Episode.objects.get(pk=closing.pk).status == "closing"


def test_an_episode_not_closing_goes_back_to_the_overview(staff_client, lena, episode):
    response = staff_client(lena).get(_url("casework:close", episode))
    assert response.status_code == 302
    assert response.url == _url("casework:episode", episode)


# --- history ------------------------------------------------------------------------------------


def test_history_reads_in_words_newest_first(staff_client, lena, omar, york):
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    services.episode_assign(actor=lena, episode=episode, worker=omar, note="Closer to home")
    response = staff_client(lena).get(_url("casework:history", episode))
    rows = response.context["rows"]
    assert [r.change.kind for r in rows] == ["worker", "level", "status"]
    assert (rows[0].old, rows[0].new) == ("Lena Coordinator", "Omar Coordinator")
    assert (rows[1].old, rows[1].new) == ("Level 1", "Level 2")
    assert (rows[2].old, rows[2].new) == ("New", "Active")
    assert "Closer to home" in response.text


def test_history_takes_a_bounded_number_of_queries(
    staff_client, lena, omar, episode, django_assert_max_num_queries
):
    for n in range(10):
        episode = services.episode_assign(
            actor=lena if n % 2 == 0 else omar,
            episode=episode,
            worker=omar if n % 2 == 0 else lena,
            note=f"Handover {n}",
        )
    client = staff_client(lena)
    with django_assert_max_num_queries(20):
        assert client.get(_url("casework:history", episode)).status_code == 200


def test_a_manager_gives_an_unassigned_episode_a_worker(staff_client, morgan, omar, episode):
    Episode.objects.filter(pk=episode.pk).update(worker=None)
    client = staff_client(morgan)
    overview = client.get(_url("casework:episode", episode))
    assert "Nobody yet" in overview.text
    assert _url("casework:handover", episode) in overview.text
    response = client.post(
        _url("casework:handover", episode), {"worker": str(omar.pk), "note": "Omar has room"}
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).worker == omar
    change = EpisodeChange.objects.get(episode=episode, kind="worker")
    assert (change.old_value, change.new_value) == ("", "Omar Coordinator")
