"""Referring a person to social prescribing (health and care staff), what the referrer sees
afterwards (the status only), and the messages back to them at acceptance, first contact
and closing, which say no more than the person agreed to share.

The helpers at the top are shared with the triage, pathway and public referral tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Organisation
from alongside.accounts.tests.factories import HealthReferrerFactory, OrganisationFactory
from alongside.casework import services as casework_services
from alongside.casework.models import (
    Pathway,
    PathwayQuestion,
    ProgrammeOutcome,
    Referral,
)
from alongside.casework.referrals_selectors import (
    reference,
    referrals_sent_for_user,
    status_for_referrer,
)
from alongside.casework.services import referrals as services
from alongside.core.models import AuditEvent
from alongside.notify.models import OutboxMessage
from alongside.people.tests.factories import make_staff, valid_nhs_number

from .factories import sp_team

pytestmark = pytest.mark.django_db

REFER_URL = reverse("casework:refer")
SENT_URL = reverse("casework:referrals-sent")

# --- shared helpers -----------------------------------------------------------------------------


def make_setting() -> dict[str, Any]:
    """A primary care network with a GP practice, its link worker team (with a pathway and
    a question), a second team elsewhere, their link workers and a GP who refers."""
    pcn = OrganisationFactory(name="West York PCN", kind=Organisation.Kind.PCN)
    practice = OrganisationFactory(
        name="Acomb Surgery", kind=Organisation.Kind.GP_PRACTICE, parent=pcn
    )
    team = sp_team(
        name="West link workers",
        organisation=pcn,
        email="west.linkworkers@example.org",
        phone="01904 555 010",
    )
    other_team = sp_team(name="East link workers")
    pathway = Pathway.objects.create(team=team, name="Primary care", target_days=10)
    question = PathwayQuestion.objects.create(
        pathway=pathway, text="Are they a carer?", required=True, order=10
    )
    return {
        "pcn": pcn,
        "practice": practice,
        "team": team,
        "other_team": other_team,
        "pathway": pathway,
        "question": question,
        "lin": make_staff(roles.LINK_WORKER, team=team, full_name="Lin Linkworker"),
        "ola": make_staff(roles.LINK_WORKER, team=other_team, full_name="Ola Otherteam"),
        "gp": HealthReferrerFactory(
            organisation=practice,
            full_name="Dr Gita Patel",
            job_title="GP",
            email="gita.patel@example.nhs.uk",
        ),
    }


def send_referral(
    *, referrer: Any, team: Any, pathway: Any = None, share_back: str = "", **person: Any
) -> Referral:
    """A referral sent through the service, as a GP would."""
    answers = {}
    if pathway is not None:
        answers = {str(q.pk): "Yes, for her husband" for q in pathway.questions.all()}
    details = {
        "given_name": "Margaret",
        "family_name": "Hall",
        "date_of_birth": dt.date(1948, 3, 27),
        "phone": "07700 900 982",
        "postcode": "",
        **person,
    }
    return services.referral_create(
        actor=referrer,
        team=team,
        pathway=pathway,
        person=services.ReferredPerson(**details),
        details=services.ReferralDetails(
            source=Referral.Source.GP_PRACTICE,
            reasons=["isolation"],
            consent_to_referral=True,
            what_matters="Getting back to the allotment",
            share_back=share_back,
            answers=answers,
            referrer_name=referrer.full_name,
            referrer_role=referrer.job_title,
            referrer_email=referrer.email,
        ),
    )


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def outbox(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind))


@pytest.fixture
def setting(db):
    return make_setting()


def _form(setting: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "pathway": str(setting["pathway"].pk),
        f"answer_{setting['question'].pk.hex}": "Yes, for her husband",
        "given_name": "Margaret",
        "family_name": "Hall",
        **date_fields("date_of_birth", dt.date(1948, 3, 27)),
        "nhs_number": "",
        "phone": "07700 900 982",
        "email": "",
        "address": "",
        "postcode": "",
        "source": "gp_practice",
        "source_detail": "",
        "reasons": ["isolation"],
        "reasons_other": "",
        "what_matters": "Getting back to the allotment",
        "urgency": "routine",
        "consent_to_referral": "on",
        "share_back": "",
        "referrer_name": "Dr Gita Patel",
        "referrer_role": "GP",
        "referrer_email": "gita.patel@example.nhs.uk",
        "referrer_phone": "",
    }
    data.update(overrides)
    return data


# --- the service --------------------------------------------------------------------------------


def test_a_referral_waits_in_the_teams_queue_and_is_audited_without_a_person(setting):
    referral = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
    )
    assert referral.status == Referral.Status.RECEIVED
    assert referral.referring_organisation == setting["practice"]
    assert referral.referred_by == setting["gp"]
    assert referral.person is None
    assert list(referral.answers.values()) == [
        {"question": "Are they a carer?", "answer": "Yes, for her husband"}
    ]
    event = AuditEvent.objects.get(object_id=str(referral.pk), action="create")
    assert event.object_type == "casework.referral"
    assert event.person_id is None


def test_only_referrers_may_refer(setting):
    with pytest.raises(PermissionDenied):
        send_referral(referrer=setting["lin"], team=setting["team"], pathway=setting["pathway"])


def test_a_team_with_pathways_needs_one_chosen_and_its_required_questions_answered(setting):
    with pytest.raises(ValidationError) as error:
        send_referral(referrer=setting["gp"], team=setting["team"])
    assert error.value.message_dict["pathway"] == ["Choose a pathway"]
    setting["question"].pathway.questions.update(text="Do they drive?")
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=setting["gp"],
            team=setting["team"],
            pathway=setting["pathway"],
            person=services.ReferredPerson(
                given_name="Margaret", family_name="Hall", phone="07700 900 982"
            ),
            details=services.ReferralDetails(
                source="gp_practice", reasons=["isolation"], consent_to_referral=True
            ),
        )
    assert error.value.message_dict["answers"] == ["Answer the question: Do they drive?"]
    assert not Referral.objects.exists()


def test_another_teams_pathway_is_refused(setting):
    elsewhere = Pathway.objects.create(team=setting["other_team"], name="Hospital discharge")
    with pytest.raises(ValidationError) as error:
        send_referral(referrer=setting["gp"], team=setting["team"], pathway=elsewhere)
    assert "pathway" in error.value.message_dict


def test_the_persons_agreement_a_way_to_reach_them_and_a_real_nhs_number_are_needed(setting):
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=setting["gp"],
            team=setting["other_team"],
            pathway=None,
            person=services.ReferredPerson(
                given_name="Margaret", family_name="Hall", nhs_number="1234567890"
            ),
            details=services.ReferralDetails(
                source="gp_practice", reasons=[], consent_to_referral=False
            ),
        )
    errors = error.value.message_dict
    assert errors["consent_to_referral"] == ["Confirm the person agreed to be referred"]
    assert errors["phone"] == [
        "Enter a phone number, email address or address, so we can contact them"
    ]
    assert "nhs_number" in errors
    assert errors["reasons"] == ["Choose at least one reason"]


def test_a_referral_keeps_the_nhs_number_as_digits(setting):
    number = valid_nhs_number(7)
    referral = send_referral(
        referrer=setting["gp"],
        team=setting["other_team"],
        nhs_number=f"{number[:3]} {number[3:6]} {number[6:]}",
    )
    assert referral.nhs_number == number


# --- the referrer's form ------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (REFER_URL, SENT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_staff_without_the_referrer_role_are_refused(staff_client, setting):
    assert staff_client(setting["lin"]).get(REFER_URL).status_code == 403
    assert staff_client(setting["lin"]).get(SENT_URL).status_code == 403


def test_a_gp_gets_their_networks_team_with_their_details_filled_in(staff_client, setting):
    response = staff_client(setting["gp"]).get(REFER_URL)
    assert response.status_code == 200
    assert "To West link workers" in response.text
    assert 'value="Dr Gita Patel"' in response.text
    assert 'value="gita.patel@example.nhs.uk"' in response.text
    assert "Are they a carer?" in response.text
    # A practice refers as a GP practice, and the team's only pathway is chosen already.
    assert response.context["form"].initial["source"] == "gp_practice"
    assert response.context["form"].initial["pathway"] == str(setting["pathway"].pk)


def test_a_referrer_can_change_the_team(staff_client, setting):
    url = f"{REFER_URL}?team={setting['other_team'].pk}"
    response = staff_client(setting["gp"]).get(url)
    assert "To East link workers" in response.text
    assert "Are they a carer?" not in response.text


def test_a_gp_refers_in_one_page_and_gets_a_reference(staff_client, setting):
    client = staff_client(setting["gp"])
    response = client.post(REFER_URL, _form(setting))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("casework:referral-confirmation", kwargs={"pk": referral.pk})
    assert referral.team == setting["team"]
    assert referral.pathway == setting["pathway"]
    page = client.get(response.url)
    assert page.status_code == 200
    assert reference(referral) in page.text
    assert reference(referral) == str(referral.pk)[:8].upper()


def test_bad_input_keeps_what_was_typed_and_saves_nothing(staff_client, setting):
    data = _form(
        setting,
        consent_to_referral="",
        nhs_number="123",
        **{f"answer_{setting['question'].pk.hex}": ""},
        what_matters="Seeing her grandchildren",
    )
    response = staff_client(setting["gp"]).post(REFER_URL, data)
    assert response.status_code == 200
    assert "Error: Refer someone" in response.text
    assert "Confirm the person agreed to be referred" in response.text
    assert "Answer the question: Are they a carer?" in response.text
    assert "NHS number must be 10 digits" in response.text
    assert "Seeing her grandchildren" in response.text
    assert not Referral.objects.exists()


def test_no_way_to_contact_the_person_is_refused(staff_client, setting):
    response = staff_client(setting["gp"]).post(REFER_URL, _form(setting, phone=""))
    assert response.status_code == 200
    assert "Enter a phone number, email address or address" in response.text
    assert not Referral.objects.exists()


def test_with_no_social_prescribing_team_the_form_says_so(staff_client, db):
    gp = HealthReferrerFactory()
    response = staff_client(gp).get(REFER_URL)
    assert response.status_code == 200
    assert "No social prescribing team is set up yet" in response.text


# --- what the referrer sees ---------------------------------------------------------------------


def test_referrers_see_only_their_own_referrals_and_only_the_status(
    staff_client, setting, django_assert_max_num_queries
):
    mine = send_referral(referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"])
    other_gp = HealthReferrerFactory(organisation=setting["practice"])
    theirs = send_referral(
        referrer=other_gp, team=setting["team"], pathway=setting["pathway"], given_name="Zed"
    )
    client = staff_client(setting["gp"])
    with django_assert_max_num_queries(12):
        response = client.get(SENT_URL)
    assert response.status_code == 200
    assert reference(mine) in response.text
    assert "Waiting" in response.text
    assert reference(theirs) not in response.text
    assert "Getting back to the allotment" not in response.text
    other = client.get(reverse("casework:referral-confirmation", kwargs={"pk": theirs.pk}))
    assert other.status_code == 404


def test_the_referrers_list_has_bounded_queries(staff_client, setting, django_assert_num_queries):
    for _ in range(3):
        send_referral(referrer=setting["gp"], team=setting["other_team"])
    client = staff_client(setting["gp"])
    client.get(SENT_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(SENT_URL)
    for _ in range(30):
        send_referral(referrer=setting["gp"], team=setting["other_team"])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(SENT_URL)


def test_status_words_follow_the_referral(setting):
    referral = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
    )
    assert status_for_referrer(referral) == "Waiting"
    referral = services.referral_accept(actor=setting["lin"], referral=referral)
    assert status_for_referrer(referral) == "Accepted: not contacted yet"
    episode = casework_services.episode_transition(
        actor=setting["lin"], episode=referral.episode, to_status="active"
    )
    referral.refresh_from_db()
    today = timezone.localdate()
    assert status_for_referrer(referral) == f"Accepted: first contact on {today.day} {today:%B}"
    _close(setting["lin"], episode)
    referral.refresh_from_db()
    assert status_for_referrer(referral) == f"Closed on {today.day} {today:%B}"
    declined = services.referral_decline(
        actor=setting["lin"],
        referral=send_referral(
            referrer=setting["gp"],
            team=setting["team"],
            pathway=setting["pathway"],
            given_name="Norah",
        ),
        reason="person_declined",
    )
    assert status_for_referrer(declined) == "Declined: The person declined"


# --- messages back to the referrer --------------------------------------------------------------


def _close(actor: Any, episode: Any) -> Any:
    ProgrammeOutcome.objects.create(
        episode=episode, goals_achieved="yes", more_able="agree", would_not_have="agree"
    )
    episode = casework_services.episode_transition(
        actor=actor, episode=episode, to_status="closing"
    )
    return casework_services.episode_close(
        actor=actor,
        episode=episode,
        reason="goals_met",
        outcome_in_own_words="I go to the allotment every week and my knee is better.",
    )


def test_the_referrer_hears_at_acceptance_first_contact_and_closing_and_no_more(
    setting, django_capture_on_commit_callbacks
):
    lin = setting["lin"]
    referral = send_referral(
        referrer=setting["gp"],
        team=setting["team"],
        pathway=setting["pathway"],
        nhs_number=valid_nhs_number(3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_accept(actor=lin, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        episode = casework_services.episode_transition(
            actor=lin, episode=referral.episode, to_status="contacted"
        )
    with django_capture_on_commit_callbacks(execute=True):
        episode = casework_services.episode_transition(
            actor=lin, episode=episode, to_status="active"
        )
    with django_capture_on_commit_callbacks(execute=True):
        _close(lin, episode)

    accepted = outbox("casework.referral_accepted")
    first = outbox("casework.referral_first_contact")
    closed = outbox("casework.referral_closed")
    assert len(accepted) == len(first) == len(closed) == 1  # first contact only once
    ref = reference(referral)
    for message in (*accepted, *first, *closed):
        assert message.to == "gita.patel@example.nhs.uk"
        assert ref in message.subject and ref in message.body
        assert "Margaret" in message.body
        assert "west.linkworkers@example.org" in message.body
        # Nothing personal beyond the first name and the reference: nothing was agreed.
        for private in (
            "Hall",
            "1948",
            "27 March",
            referral.nhs_number,
            "07700",
            "allotment",
            "carer",
            "Loneliness",
        ):
            assert private not in message.body, (message.kind, private)
    assert "Lin Linkworker" in accepted[0].body
    assert "Social prescribing support for Margaret ended on" in closed[0].body
    assert "What changed" not in closed[0].body


def test_the_closing_message_adds_what_changed_when_they_agreed_to_share(
    setting, django_capture_on_commit_callbacks
):
    referral = send_referral(
        referrer=setting["gp"],
        team=setting["team"],
        pathway=setting["pathway"],
        share_back="How things went at the end",
    )
    referral = services.referral_accept(actor=setting["lin"], referral=referral)
    episode = casework_services.episode_transition(
        actor=setting["lin"], episode=referral.episode, to_status="active"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _close(setting["lin"], episode)
    (message,) = outbox("casework.referral_closed")
    assert (
        "What changed, in their words: I go to the allotment every week and my knee is better."
        in message.body
    )


def test_first_contact_from_the_timeline_tells_the_referrer_once(
    setting, django_capture_on_commit_callbacks
):
    referral = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
    )
    referral = services.referral_accept(actor=setting["lin"], referral=referral)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            casework_services.contact_add(
                actor=setting["lin"],
                episode=referral.episode,
                kind="call",
                happened_on=today,
                minutes=20,
                summary="Talked about the allotment",
            )
    assert len(outbox("casework.referral_first_contact")) == 1


def test_no_referrer_email_means_no_message(setting, django_capture_on_commit_callbacks):
    referral = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
    )
    Referral.objects.filter(pk=referral.pk).update(referrer_email="")
    referral.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(actor=setting["lin"], referral=referral)
    assert not OutboxMessage.objects.exists()


def test_local_area_coordination_episodes_send_nothing(
    setting, york, django_capture_on_commit_callbacks
):
    from .factories import active_episode, coordinator, lac_team

    team = lac_team(york["Acomb"])
    lena = coordinator(team)
    with django_capture_on_commit_callbacks(execute=True):
        active_episode(actor=lena, ward=york["Acomb"])
    assert not OutboxMessage.objects.exists()


def test_with_several_pathways_each_shows_its_own_questions(staff_client, setting):
    hospital = Pathway.objects.create(team=setting["team"], name="Hospital discharge")
    PathwayQuestion.objects.create(pathway=hospital, text="Which ward are they leaving?")
    client = staff_client(setting["gp"])
    page = client.get(REFER_URL)
    assert "If you chose Hospital discharge" in page.text
    assert "If you chose Primary care" in page.text
    assert "pathway" not in page.context["form"].initial  # the referrer chooses
    # Only the chosen pathway's required questions must be answered.
    data = _form(setting, pathway=str(hospital.pk))
    data[f"answer_{setting['question'].pk.hex}"] = ""
    response = client.post(REFER_URL, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.pathway == hospital
    assert referral.answers == {}
    unchosen = client.post(REFER_URL, _form(setting, pathway=""))
    assert "Choose a pathway" in unchosen.text


def test_what_managers_type_into_questions_is_shown_as_text(staff_client, setting):
    setting["question"].text = "<script>alert(1)</script>"
    setting["question"].hint = "<b>bold</b>"
    setting["question"].save()
    setting["pathway"].name = "<i>Primary</i>"
    setting["pathway"].save()
    page = staff_client(setting["gp"]).get(REFER_URL)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>bold</b>" not in page.text
    assert "<i>Primary</i>" not in page.text


def test_the_confirmation_page_is_for_its_referrer_only(client, staff_client, setting):
    referral = send_referral(
        referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
    )
    url = reverse("casework:referral-confirmation", kwargs={"pk": referral.pk})
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))
    assert staff_client(setting["lin"]).get(url).status_code == 403
    page = staff_client(setting["gp"]).get(url)
    assert page.status_code == 200
    assert "Referral sent" in page.text


def test_a_referral_passed_to_local_area_coordination_says_so(setting, york):
    from .factories import coordinator, lac_team

    coordinator(lac_team(york["Acomb"], name="LAC West"))
    referral = services.referral_redirect(
        actor=setting["lin"],
        referral=send_referral(
            referrer=setting["gp"], team=setting["team"], pathway=setting["pathway"]
        ),
        agreed=True,
        ward=york["Acomb"],
    )
    # Read back as the referrer's list reads it.
    sent = referrals_sent_for_user(user=setting["gp"]).get(pk=referral.pk)
    assert status_for_referrer(sent) == "Passed to Local Area Coordination"
