"""The front door's services: recording a first contact, and each of the six decisions.
A decision is made once; bad input, or a decision that cannot be carried out, changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alongside.casework.models import Episode, Introduction, Pathway, Referral
from alongside.casework.tests.factories import lac_team, sp_team
from alongside.core.models import AuditEvent
from alongside.hubs.models import AssessmentRequest, FirstContact
from alongside.hubs.services.contacts import contact_create, contact_decide, front_door_teams
from alongside.people.models import Involvement
from alongside.people.tests.factories import PersonFactory

from .factories import front_door_team, make_contact, officer

D = FirstContact.Decision
TODAY = timezone.localdate


@pytest.fixture
def ada(york):
    return PersonFactory(
        given_name="Ada",
        family_name="Lovelock",
        ward=york["Acomb"],
        phone="01904 555123",
        postcode="",
    )


def _create(actor, person, team, **kwargs):
    fields = {
        "made_by": FirstContact.MadeBy.PERSON,
        "what_matters": "Getting to the shops again",
        "worries": "Falls on the stairs",
    }
    fields.update(kwargs)
    return contact_create(actor=actor, person=person, team=team, **fields)


def test_create_records_the_contact_gives_the_team_a_reason_and_audits(fay, front_door, ada):
    """A first contact is kept with the team and the person's ward at the time; the team can
    see the person from then on, and the recording is audited against the person."""
    contact = _create(fay, ada, front_door, urgency="soon")
    assert contact.team == front_door
    assert contact.ward == ada.ward
    assert contact.contact_date == TODAY()
    assert contact.decision == "" and contact.decided_at is None
    assert Involvement.objects.filter(person=ada, team=front_door, ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        action="create", person_id=ada.pk, object_id=str(contact.pk)
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"contact_date": dt.date.today() + dt.timedelta(days=3)}, "contact_date"),
        ({"made_by": "neighbour"}, "made_by"),
        ({"made_by": "family"}, "contact_name"),
        ({"made_by": "family", "contact_name": "Bob"}, "contact_details"),
        (
            {"made_by": "professional", "contact_name": "Dr Lee", "contact_details": "0190"},
            "contact_organisation",
        ),
        ({"safeguarding": True}, "safeguarding_details"),
        ({"urgency": "whenever"}, "urgency"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_create_refuses_bad_input_and_records_nothing(fay, front_door, ada, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        _create(fay, ada, front_door, **kwargs)
    assert field in caught.value.message_dict
    assert not FirstContact.objects.exists()
    assert not Involvement.objects.filter(person=ada).exists()


def test_family_contact_keeps_who_called(fay, front_door, ada):
    contact = _create(
        fay,
        ada,
        front_door,
        made_by="family",
        contact_name="Bob Lovelock",
        contact_details="07700 900123",
    )
    assert contact.contact_name == "Bob Lovelock"
    assert contact.contact_details == "07700 900123"


def test_only_a_front_door_team_the_officer_works_in(fay, ada, tp_team):
    other_front_door = front_door_team("Customer access east")
    with pytest.raises(ValidationError) as caught:
        _create(fay, ada, other_front_door)
    assert "team" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _create(fay, ada, tp_team)


def test_a_practitioner_cannot_record_a_first_contact(pat, tp_team, ada):
    with pytest.raises(PermissionDenied):
        _create(pat, ada, tp_team)


def test_front_door_teams_lists_only_front_door_teams(fay, front_door, tp_team, mona):
    assert front_door_teams(user=fay) == [front_door]
    assert front_door_teams(user=mona) == []


# --- decisions ---------------------------------------------------------------------------------


def test_information_decision_is_recorded_with_who_and_when(fay, front_door, ada):
    contact = _create(fay, ada, front_door)
    decided = contact_decide(actor=fay, contact=contact, decision=D.INFORMATION, notes="Leaflet")
    assert decided.decision == D.INFORMATION
    assert decided.decision_notes == "Leaflet"
    assert decided.decided_by == fay and decided.decided_at is not None


def test_a_decision_is_final(fay, front_door, ada):
    contact = _create(fay, ada, front_door, decision=D.INFORMATION)
    with pytest.raises(ValidationError) as caught:
        contact_decide(actor=fay, contact=contact, decision=D.ASSESSMENT)
    assert "cannot be changed" in caught.value.message_dict["decision"][0]
    contact.refresh_from_db()
    assert contact.decision == D.INFORMATION
    assert not AssessmentRequest.objects.exists()


def test_unknown_decision_is_refused(fay, front_door, ada):
    contact = _create(fay, ada, front_door)
    with pytest.raises(ValidationError):
        contact_decide(actor=fay, contact=contact, decision="shrug")
    contact.refresh_from_db()
    assert contact.decision == ""


def test_talking_point_decision_waits_for_the_booking(fay, front_door, ada):
    contact = _create(fay, ada, front_door, decision=D.TALKING_POINT)
    assert contact.decision == D.TALKING_POINT


def test_urgent_response_needs_notes(fay, front_door, ada):
    contact = _create(fay, ada, front_door, urgency="urgent")
    with pytest.raises(ValidationError) as caught:
        contact_decide(actor=fay, contact=contact, decision=D.URGENT_RESPONSE)
    assert "decision_notes" in caught.value.message_dict
    decided = contact_decide(
        actor=fay,
        contact=contact,
        decision=D.URGENT_RESPONSE,
        notes="Passed to the duty social worker at 11:20",
    )
    assert decided.decision == D.URGENT_RESPONSE


def test_assessment_decision_joins_the_waiting_list_from_the_contact_date(fay, front_door, ada):
    day = TODAY() - dt.timedelta(days=2)
    contact = _create(fay, ada, front_door, contact_date=day, decision=D.ASSESSMENT)
    request = AssessmentRequest.objects.get()
    assert request.first_contact == contact
    assert request.requested_on == day
    assert request.route == AssessmentRequest.Route.FRONT_DOOR
    assert request.team == front_door
    assert request.status == AssessmentRequest.Status.WAITING


def test_lac_decision_introduces_the_person_to_the_ward_team(fay, front_door, ada, york):
    west = lac_team(york["Acomb"], name="LAC West")
    contact = _create(
        fay,
        ada,
        front_door,
        made_by="family",
        contact_name="Bob",
        contact_details="07700 900123",
    )
    decided = contact_decide(
        actor=fay, contact=contact, decision=D.LAC, reasons=["isolation"], notes="Keen"
    )
    introduction = decided.introduction
    assert introduction is not None
    assert introduction.team == west
    assert introduction.source == Introduction.Source.FAMILY_FRIEND
    assert introduction.received_on == contact.contact_date
    assert introduction.introducer_name == "Bob"
    assert Episode.objects.filter(person=ada, team=west).exists()


def test_lac_decision_without_a_ward_team_changes_nothing(fay, front_door, ada):
    contact = _create(fay, ada, front_door)
    with pytest.raises(ValidationError) as caught:
        contact_decide(actor=fay, contact=contact, decision=D.LAC, reasons=["isolation"])
    assert "No Local Area Coordination team" in caught.value.message_dict["decision"][0]
    contact.refresh_from_db()
    assert contact.decision == "" and contact.introduction is None
    assert not Introduction.objects.exists()


def test_lac_decision_needs_a_reason(fay, front_door, ada, york):
    lac_team(york["Acomb"])
    contact = _create(fay, ada, front_door)
    with pytest.raises(ValidationError) as caught:
        contact_decide(actor=fay, contact=contact, decision=D.LAC)
    assert "reasons" in caught.value.message_dict


def test_a_failed_decision_on_creation_records_no_contact(fay, front_door, ada):
    """Recording and deciding at once is one change: when the decision cannot be carried out
    (no Local Area Coordination team for the ward), no contact is recorded either."""
    with pytest.raises(ValidationError):
        _create(fay, ada, front_door, decision=D.LAC, reasons=["isolation"])
    assert not FirstContact.objects.exists()
    assert not AuditEvent.objects.filter(action="create", object_type__icontains="first").exists()


def test_social_prescribing_decision_sends_a_referral(fay, front_door, ada):
    team = sp_team("Link workers")
    pathway = Pathway.objects.create(team=team, name="Primary care")
    contact = _create(fay, ada, front_door, urgency="soon")
    decided = contact_decide(
        actor=fay,
        contact=contact,
        decision=D.SOCIAL_PRESCRIBING,
        referral_team=team,
        pathway=pathway,
        reasons=["isolation", "money"],
        consent_to_referral=True,
    )
    referral = decided.referral
    assert referral.team == team and referral.pathway == pathway
    assert referral.given_name == "Ada" and referral.phone == "01904 555123"
    assert referral.urgency == Referral.Urgency.SOON
    assert referral.status == Referral.Status.RECEIVED
    assert referral.what_matters == "Getting to the shops again"


def test_social_prescribing_needs_agreement_and_a_team(fay, front_door, ada):
    team = sp_team("Link workers")
    contact = _create(fay, ada, front_door)
    with pytest.raises(ValidationError) as caught:
        contact_decide(
            actor=fay,
            contact=contact,
            decision=D.SOCIAL_PRESCRIBING,
            referral_team=team,
            reasons=["isolation"],
        )
    assert "consent_to_referral" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        contact_decide(
            actor=fay,
            contact=contact,
            decision=D.SOCIAL_PRESCRIBING,
            reasons=["isolation"],
            consent_to_referral=True,
        )
    assert "referral_team" in caught.value.message_dict
    contact.refresh_from_db()
    assert contact.decision == "" and not Referral.objects.exists()


def test_only_the_contact_team_decides(front_door, ada, mona, tp_team):
    contact = make_contact(team=front_door, person=ada)
    other = officer(front_door_team("Customer access east"))
    with pytest.raises(PermissionDenied):
        contact_decide(actor=other, contact=contact, decision=D.INFORMATION)
    with pytest.raises(PermissionDenied):
        contact_decide(actor=mona, contact=contact, decision=D.INFORMATION)
    contact.refresh_from_db()
    assert contact.decision == ""


def test_decision_is_audited(fay, front_door, ada):
    contact = _create(fay, ada, front_door)
    contact_decide(actor=fay, contact=contact, decision=D.INFORMATION)
    event = AuditEvent.objects.get(action="change", object_id=str(contact.pk))
    assert event.person_id == ada.pk
    assert event.changes["decision"] == [None, "information"]
