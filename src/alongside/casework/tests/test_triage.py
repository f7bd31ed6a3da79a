"""The intake queue and triage: link workers see the referrals sent to their own team,
urgent first then oldest, and accept (which finds or adds the person's record and opens
their episode), redirect to Local Area Coordination, or decline with a reason. Each is one
audited service that refuses a referral already triaged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Programme
from alongside.casework.models import CodedEvent, Episode, Referral
from alongside.casework.services import referrals as services
from alongside.core.models import AuditEvent
from alongside.notify.models import OutboxMessage
from alongside.people.models import Involvement, Person
from alongside.people.tests.factories import PersonFactory

from .factories import coordinator, introduce, lac_team
from .test_referrals import make_setting, send_referral

pytestmark = pytest.mark.django_db

INTAKE_URL = reverse("casework:intake")


@pytest.fixture
def setting(db):
    return make_setting()


@pytest.fixture
def referral(setting):
    return send_referral(referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"])


def _url(name: str, referral: Referral) -> str:
    return reverse(f"casework:{name}", kwargs={"pk": referral.pk})


def _age(referral: Referral, days: int) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        received_at=timezone.now() - dt.timedelta(days=days)
    )


# --- who may ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, referral):
    for url in [INTAKE_URL] + [
        _url(n, referral)
        for n in ("referral", "referral-accept", "referral-redirect", "referral-decline")
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_a_health_referrer_cannot_see_the_queue_or_a_referral(staff_client, setting, referral):
    client = staff_client(setting["gp"])
    assert client.get(INTAKE_URL).status_code == 403
    assert client.get(_url("referral", referral)).status_code == 403


def test_a_link_worker_of_another_team_gets_a_404(staff_client, setting, referral):
    client = staff_client(setting["ola"])
    assert "Margaret" not in client.get(INTAKE_URL).text
    for name in ("referral", "referral-accept", "referral-redirect", "referral-decline"):
        assert client.get(_url(name, referral)).status_code == 404
    assert client.post(_url("referral-decline", referral), {"reason": "other"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_services_refuse_someone_outside_the_team(setting, referral):
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=setting["ola"], referral=referral)
    with pytest.raises(PermissionDenied):
        services.referral_decline(actor=setting["gp"], referral=referral, reason="not_suitable")


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_puts_urgent_first_then_oldest_and_shows_the_target(
    staff_client, setting, referral
):
    _age(referral, 4)
    urgent = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"], given_name="Uma"
    )
    Referral.objects.filter(pk=urgent.pk).update(urgency=Referral.Urgency.URGENT)
    older = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"], given_name="Olu"
    )
    _age(older, 12)
    response = staff_client(setting["lin"]).get(INTAKE_URL)
    assert response.status_code == 200
    names = [row["referral"].given_name for row in response.context["rows"]]
    assert names == ["Uma", "Olu", "Margaret"]
    assert "Day 4 of 10" in response.text
    assert "Past target" in response.text  # Olu: day 12 of 10
    assert "Loneliness or isolation" in response.text


def test_the_queue_filters_by_pathway_and_urgency(staff_client, setting, referral):
    other = send_referral(referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"])
    Referral.objects.filter(pk=other.pk).update(pathway=None, urgency="soon", given_name="Sol")
    client = staff_client(setting["lin"])
    by_pathway = client.get(INTAKE_URL, {"pathway": str(setting["pathway"].pk)})
    assert [r["referral"].pk for r in by_pathway.context["rows"]] == [referral.pk]
    by_urgency = client.get(INTAKE_URL, {"urgency": "soon"})
    assert [r["referral"].pk for r in by_urgency.context["rows"]] == [other.pk]
    nonsense = client.get(INTAKE_URL, {"urgency": "whenever"})
    assert len(nonsense.context["rows"]) == 2


def test_the_queue_has_a_fixed_number_of_queries(staff_client, setting):
    def add(n: int) -> None:
        for i in range(n):
            send_referral(
                referrer=setting["gp"],
                team=setting["team"],
                pathway=setting["pathway"],
                given_name=f"Person{i}",
            )

    client = staff_client(setting["lin"])
    add(5)
    client.get(INTAKE_URL)
    with CaptureQueriesContext(connection) as five:
        client.get(INTAKE_URL)
    add(55)
    with CaptureQueriesContext(connection) as sixty:
        response = client.get(INTAKE_URL)
    assert len(response.context["rows"]) == 50
    assert len(sixty.captured_queries) == len(five.captured_queries)


# --- one referral -------------------------------------------------------------------------------


def test_opening_a_referral_is_audited(staff_client, setting, referral):
    response = staff_client(setting["lin"]).get(_url("referral", referral))
    assert response.status_code == 200
    assert "Getting back to the allotment" in response.text
    assert "Are they a carer?" in response.text
    event = AuditEvent.objects.get(action="view", object_id=str(referral.pk))
    assert event.object_type == "casework.referral"
    assert event.actor == setting["lin"]
    assert event.person_id is None


# --- accept -------------------------------------------------------------------------------------


def test_accepting_adds_a_record_opens_support_codes_it_and_tells_the_referrer(
    setting, referral, django_capture_on_commit_callbacks
):
    lin = setting["lin"]
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_accept(actor=lin, referral=referral)
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Margaret", "Hall")
    assert person.date_of_birth == dt.date(1948, 3, 27)
    episode = referral.episode
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.person == person and referral.triaged_by == lin
    assert episode.programme_id == Programme.Code.SOCIAL_PRESCRIBING
    assert episode.team == setting["team"] and episode.worker == lin
    assert episode.introduction.source == "gp"
    assert episode.introduction.introducer_name == "Dr Gita Patel"
    assert episode.introduction.introducer_organisation == "Acomb Surgery"
    assert list(episode.introduction.reasons.values_list("code", flat=True)) == ["isolation"]
    assert episode.conversation.what_matters == "Getting back to the allotment"
    assert list(referral.codes.values_list("code_id", flat=True)) == ["871731000000106"]
    assert Involvement.objects.filter(person=person, team=setting["team"]).exists()
    assert AuditEvent.objects.filter(
        action="change", object_id=str(referral.pk), person_id=person.pk
    ).exists()
    assert OutboxMessage.objects.filter(kind="casework.referral_accepted").count() == 1


def test_a_referral_is_triaged_once(setting, referral):
    services.referral_accept(actor=setting["lin"], referral=referral)
    for attempt in (
        lambda: services.referral_accept(actor=setting["lin"], referral=referral),
        lambda: services.referral_decline(
            actor=setting["lin"], referral=referral, reason="not_suitable"
        ),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        today = timezone.localdate()
        assert error.value.message_dict["status"] == [
            f"This referral was already accepted on {today.day} {today:%B %Y}"
        ]
    assert Episode.objects.count() == 1


def test_the_accept_page_shows_possible_matches_and_audits_showing_them(
    staff_client, setting, referral
):
    known = PersonFactory(
        given_name="Maggie", family_name="Hall", date_of_birth=dt.date(1948, 3, 27)
    )
    client = staff_client(setting["lin"])
    response = client.get(_url("referral-accept", referral))
    assert response.status_code == 200
    assert "Use the record for Maggie Hall" in response.text
    assert AuditEvent.objects.filter(action="search", person_id=known.pk).exists()
    # Not choosing is refused and changes nothing.
    refused = client.post(_url("referral-accept", referral), {"worker": str(setting["lin"].pk)})
    assert refused.status_code == 200
    assert "Choose the record to use, or choose to add a new record" in refused.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    # Choosing the record uses it: no second record.
    done = client.post(
        _url("referral-accept", referral),
        {"record": str(known.pk), "worker": str(setting["lin"].pk)},
    )
    referral.refresh_from_db()
    assert done.status_code == 302
    assert done.url == reverse("casework:episode", kwargs={"pk": referral.episode_id})
    assert referral.person == known
    assert Person.objects.count() == 1


def test_accepting_someone_already_supported_shows_the_error_and_changes_nothing(
    staff_client, setting, referral
):
    known = PersonFactory(
        given_name="Margaret", family_name="Hall", date_of_birth=dt.date(1948, 3, 27)
    )
    introduce(
        actor=setting["lin"], person=known, programme="social_prescribing", team=setting["team"]
    )
    response = staff_client(setting["lin"]).post(
        _url("referral-accept", referral),
        {"record": str(known.pk), "worker": str(setting["lin"].pk)},
    )
    assert response.status_code == 200
    assert "already has open Social prescribing support" in response.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert Episode.objects.count() == 1


def test_the_accept_page_for_someone_new_needs_only_the_worker(staff_client, setting, referral):
    response = staff_client(setting["lin"]).post(
        _url("referral-accept", referral), {"worker": str(setting["lin"].pk)}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_an_accepted_referral_sends_the_worker_back_to_it(staff_client, setting, referral):
    services.referral_accept(actor=setting["lin"], referral=referral)
    response = staff_client(setting["lin"]).get(_url("referral-accept", referral))
    assert response.status_code == 302
    assert response.url == _url("referral", referral)


# --- redirect -----------------------------------------------------------------------------------


def test_redirecting_needs_the_persons_agreement(setting, referral):
    with pytest.raises(ValidationError) as error:
        services.referral_redirect(actor=setting["lin"], referral=referral, agreed=False)
    assert error.value.message_dict["agreed"] == [
        "Confirm the person agreed to be introduced to Local Area Coordination"
    ]


def test_redirecting_opens_local_area_coordination_with_the_wards_team(
    staff_client, setting, referral, york, django_capture_on_commit_callbacks
):
    team = lac_team(york["Acomb"], name="LAC West")
    coordinator(team, full_name="Lena Coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(setting["lin"]).post(
            _url("referral-redirect", referral),
            {"ward": str(york["Acomb"].pk), "agreed": "on"},
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REDIRECTED
    assert referral.redirected_to_id == Programme.Code.LAC
    assert referral.episode is None
    episode = Episode.objects.get(person=referral.person)
    assert episode.programme_id == Programme.Code.LAC
    assert episode.team == team
    assert episode.worker.full_name == "Lena Coordinator"
    (message,) = OutboxMessage.objects.filter(kind="casework.referral_redirected")
    assert "LAC West will contact them" in message.body


def test_redirecting_without_a_team_for_the_ward_shows_the_error_and_changes_nothing(
    staff_client, setting, referral, york
):
    response = staff_client(setting["lin"]).post(
        _url("referral-redirect", referral),
        {"ward": str(york["Heworth"].pk), "agreed": "on"},
    )
    assert response.status_code == 200
    assert "No Local Area Coordination team covering Heworth is set up yet" in response.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert not Person.objects.exists()


def test_the_redirect_form_asks_for_agreement(staff_client, setting, referral):
    response = staff_client(setting["lin"]).post(_url("referral-redirect", referral), {})
    assert response.status_code == 200
    assert "Error:" in response.text
    assert "Confirm the person agreed to be introduced to Local Area Coordination" in response.text


# --- decline ------------------------------------------------------------------------------------


def test_declining_because_the_person_declined_records_the_code_and_tells_the_referrer(
    setting, referral, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_decline(
            actor=setting["lin"], referral=referral, reason="person_declined"
        )
    assert referral.status == Referral.Status.DECLINED
    assert referral.decision_reason == "The person declined"
    assert list(CodedEvent.objects.values_list("code_id", flat=True)) == ["871711000000103"]
    (message,) = OutboxMessage.objects.filter(kind="casework.referral_declined")
    assert "Reason: The person declined" in message.body
    assert "Hall" not in message.body


def test_declining_for_another_reason_records_no_code(setting, referral):
    services.referral_decline(actor=setting["lin"], referral=referral, reason="already_supported")
    assert not CodedEvent.objects.exists()


def test_the_decline_form_needs_a_reason_and_keeps_what_was_typed(staff_client, setting, referral):
    client = staff_client(setting["lin"])
    assert client.get(_url("referral-decline", referral)).status_code == 200
    empty = client.post(_url("referral-decline", referral), {})
    assert "Choose why you are declining the referral" in empty.text
    other = client.post(_url("referral-decline", referral), {"reason": "other"})
    assert "Say why you are declining the referral" in other.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    done = client.post(
        _url("referral-decline", referral),
        {"reason": "other", "reason_other": "Moved to Leeds"},
    )
    assert done.status_code == 302
    assert done.url == INTAKE_URL
    referral.refresh_from_db()
    assert referral.decision_reason == "Moved to Leeds"


def _self(setting: dict[str, Any]) -> Referral:
    return services.referral_self_create(
        team=setting["team"],
        person=services.ReferredPerson(
            given_name="Sam", family_name="Self", email="sam@example.org"
        ),
        reasons=["isolation"],
        consent=True,
    )


def test_a_self_referral_is_accepted_with_the_source_self(setting):
    referral = services.referral_accept(actor=setting["lin"], referral=_self(setting))
    assert referral.episode.introduction.source == "self"
    assert not OutboxMessage.objects.exists()
