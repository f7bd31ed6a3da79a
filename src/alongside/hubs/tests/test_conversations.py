"""The conversation services: recording what happened at a Talking Point keeps the booking
in step, checks outcomes against attendance, links directory listings, asks for a full
assessment when that was the outcome, and sends the survey link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.directory.models import Provider, Service
from alongside.hubs.models import (
    AssessmentRequest,
    Booking,
    BookingMessage,
    Conversation,
    Session,
    Slot,
)
from alongside.hubs.services.conversations import conversation_record, survey_address
from alongside.notify.models import OutboxMessage
from alongside.people.models import Involvement
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_contact, make_session, make_slot

pytestmark = pytest.mark.django_db


def listing(name: str = "Acomb walking group", state: str = "published") -> Service:
    provider = Provider.objects.create(name="Acomb friends", description="A group.")
    return Service.objects.create(provider=provider, name=name, description="We walk.", state=state)


@pytest.fixture
def session(acomb_hub):
    return make_session(acomb_hub)


@pytest.fixture
def today_slot(session):
    """A slot earlier today."""
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 30)))
    return make_slot(session, starts_at=start)


@pytest.fixture
def booking(today_slot, front_door):
    contact = make_contact(team=front_door, person=PersonFactory(email="sam@example.org"))
    return make_booking(today_slot, first_contact=contact)


def record(booking, actor, **kwargs):
    fields = {
        "actor": actor,
        "booking": booking,
        "hub": booking.slot.hub,
        "person": booking.person,
        "held_on": timezone.localdate(),
        "attendance": "attended",
        "outcomes": ["information_advice"],
    }
    fields.update(kwargs)
    return conversation_record(**fields)


class TestAttendance:
    def test_attended_sets_the_booking_attended(self, booking, pat):
        conversation = record(booking, pat, what_matters="Getting out again")
        booking.refresh_from_db()
        assert booking.status == Booking.Status.ATTENDED
        assert conversation.attendance == "attended"
        assert conversation.information_advice and not conversation.equipment
        assert conversation.practitioner == pat
        assert conversation.first_contact == booking.first_contact
        assert conversation.session == booking.slot.session

    def test_did_not_attend_sets_the_booking(self, booking, pat):
        record(booking, pat, attendance="did_not_attend", outcomes=[])
        booking.refresh_from_db()
        assert booking.status == Booking.Status.DID_NOT_ATTEND

    def test_outcomes_are_refused_when_they_did_not_come(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, attendance="did_not_attend", outcomes=["equipment"])
        assert "outcomes" in error.value.message_dict
        booking.refresh_from_db()
        assert booking.status == Booking.Status.BOOKED

    def test_attended_needs_an_outcome(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, outcomes=[])
        assert error.value.message_dict["outcomes"] == [
            "Choose at least one outcome of the conversation"
        ]
        assert not Conversation.objects.exists()

    def test_unknown_attendance_is_refused(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, attendance="maybe")
        assert "attendance" in error.value.message_dict


class TestOnePerBooking:
    def test_a_second_conversation_is_refused(self, booking, pat):
        record(booking, pat)
        with pytest.raises(ValidationError) as error:
            record(booking, pat, outcomes=["equipment"])
        assert "already been recorded" in error.value.message_dict["booking"][0]
        assert Conversation.objects.count() == 1

    def test_a_cancelled_booking_has_no_conversation(self, booking, pat):
        Booking.objects.filter(pk=booking.pk).update(
            status="cancelled", cancelled_at=timezone.now()
        )
        booking.refresh_from_db()
        with pytest.raises(ValidationError):
            record(booking, pat)

    def test_booking_must_be_at_the_hub(self, booking, pat, heworth_hub):
        with pytest.raises(ValidationError):
            record(booking, pat, hub=heworth_hub)


class TestDates:
    def test_a_future_booking_is_refused(self, session, pat):
        future = make_booking(make_slot(session, days_ahead=3))
        with pytest.raises(ValidationError) as error:
            record(future, pat)
        assert "held_on" in error.value.message_dict
        future.refresh_from_db()
        assert future.status == Booking.Status.BOOKED

    def test_a_future_day_is_refused(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, held_on=timezone.localdate() + dt.timedelta(days=1))
        assert error.value.message_dict["held_on"] == [
            "The date of the conversation must be today or in the past"
        ]

    def test_a_past_booking_can_be_recorded_later(self, session, pat):
        past = make_booking(make_slot(session, days_ahead=-3))
        conversation = record(past, pat, held_on=timezone.localdate() - dt.timedelta(days=3))
        assert conversation.held_on == timezone.localdate() - dt.timedelta(days=3)


class TestListings:
    def test_connected_needs_a_listing(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, outcomes=["connected_activity"])
        assert "listings" in error.value.message_dict

    def test_connected_with_listings(self, booking, pat):
        walk = listing()
        conversation = record(booking, pat, outcomes=["connected_activity"], listings=[walk])
        assert list(conversation.listings.all()) == [walk]
        assert conversation.connected_activity

    def test_unpublished_listing_is_refused(self, booking, pat):
        draft = listing(state="draft")
        with pytest.raises(ValidationError) as error:
            record(booking, pat, outcomes=["connected_activity"], listings=[draft])
        assert "published" in error.value.message_dict["listings"][0]

    def test_listings_without_connected_are_refused(self, booking, pat):
        with pytest.raises(ValidationError) as error:
            record(booking, pat, listings=[listing()])
        assert "listings" in error.value.message_dict


class TestAccess:
    def test_another_teams_practitioner_is_refused(self, booking, nell):
        with pytest.raises(PermissionDenied):
            record(booking, nell)
        assert not Conversation.objects.exists()

    def test_front_door_officer_is_refused(self, booking, fay):
        with pytest.raises(PermissionDenied):
            record(booking, fay)


class TestSideEffects:
    def test_audited(self, booking, pat):
        conversation = record(booking, pat)
        event = AuditEvent.objects.get(object_id=str(conversation.pk), action="create")
        assert event.person_id == booking.person_id
        assert event.changes["attendance"] == [None, "attended"]

    def test_hub_team_works_with_the_person(self, booking, pat, tp_team):
        record(booking, pat)
        assert Involvement.objects.filter(
            person=booking.person, team=tp_team, ended_at__isnull=True
        ).exists()

    def test_assessment_requested_joins_the_waiting_list(self, booking, pat, tp_team):
        conversation = record(booking, pat, outcomes=["assessment_requested"])
        request = AssessmentRequest.objects.get(conversation=conversation)
        assert request.route == "talking_point"
        assert request.team == tp_team
        assert request.requested_on == conversation.held_on
        assert request.person == booking.person

    def test_assessment_already_waiting_is_not_doubled(self, booking, pat, tp_team):
        AssessmentRequest.objects.create(
            person=booking.person,
            team=tp_team,
            route="front_door",
            requested_on=timezone.localdate(),
        )
        record(booking, pat, outcomes=["assessment_requested"])
        assert AssessmentRequest.objects.filter(person=booking.person).count() == 1


class TestDropIn:
    def test_drop_in_without_a_booking(self, acomb_hub, pat):
        drop_in = make_session(acomb_hub, kind=Session.Kind.DROP_IN)
        person = PersonFactory()
        conversation = conversation_record(
            actor=pat,
            hub=acomb_hub,
            session=drop_in,
            person=person,
            held_on=timezone.localdate(),
            attendance="attended",
            outcomes=["carer_support"],
        )
        assert conversation.booking is None
        assert conversation.session == drop_in
        assert conversation.carer_support

    def test_drop_in_cannot_be_missed(self, acomb_hub, pat):
        with pytest.raises(ValidationError) as error:
            conversation_record(
                actor=pat,
                hub=acomb_hub,
                person=PersonFactory(),
                held_on=timezone.localdate(),
                attendance="did_not_attend",
            )
        assert "attendance" in error.value.message_dict

    def test_session_at_another_hub_is_refused(self, acomb_hub, heworth_hub, pat):
        elsewhere = make_session(heworth_hub, kind=Session.Kind.DROP_IN)
        with pytest.raises(ValidationError):
            conversation_record(
                actor=pat,
                hub=acomb_hub,
                session=elsewhere,
                person=PersonFactory(),
                held_on=timezone.localdate(),
                attendance="attended",
                outcomes=["equipment"],
            )


class TestSurveyMessage:
    def test_survey_sent_by_email_and_recorded_on_the_booking(self, booking, pat):
        conversation = record(booking, pat, send_survey=True)
        message = conversation.survey_message
        assert message is not None and message.kind == "hubs.survey"
        assert message.to == "sam@example.org"
        assert "/talking-points/survey/" in message.body
        assert BookingMessage.objects.get(booking=booking).kind == "survey"

    def test_no_survey_unless_chosen(self, booking, pat):
        record(booking, pat, send_survey=False)
        assert not OutboxMessage.objects.filter(kind="hubs.survey").exists()

    def test_no_survey_when_they_did_not_come(self, booking, pat):
        record(booking, pat, attendance="did_not_attend", outcomes=[], send_survey=True)
        assert not OutboxMessage.objects.filter(kind="hubs.survey").exists()

    def test_opted_out_of_email_gets_a_text_message(self, booking, pat):
        booking.person.do_not_email = True
        booking.person.phone = "07700 900 982"
        booking.person.save()
        conversation = record(booking, pat, send_survey=True)
        assert conversation.survey_message.channel == "sms"
        assert conversation.survey_message.to == "07700900982"

    def test_nowhere_to_send_is_fine(self, booking, pat):
        booking.person.do_not_email = True
        booking.person.phone = "01904 551 550"  # a landline: no text messages
        booking.person.save()
        Booking.objects.filter(pk=booking.pk).update(email="")
        booking.refresh_from_db()
        conversation = record(booking, pat, send_survey=True)
        assert conversation.survey_message is None
        assert Conversation.objects.filter(pk=conversation.pk).exists()

    def test_address_prefers_the_booking(self, booking):
        Booking.objects.filter(pk=booking.pk).update(email="given@example.org")
        booking.refresh_from_db()
        probe = Conversation(person=booking.person, booking=booking, attendance="attended")
        assert survey_address(probe) == ("email", "given@example.org")


class TestCancelledOnTheDay:
    """Needs the booking services (helper B2)."""

    def test_cancelled_frees_the_seat(self, booking, pat):
        slot = booking.slot
        conversation = record(booking, pat, attendance="cancelled", outcomes=[])
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
        assert booking.cancel_reason == "Cancelled on the day"
        assert Slot.objects.get(pk=slot.pk).booked == 0
        assert conversation.attendance == "cancelled"
        assert not OutboxMessage.objects.filter(kind__startswith="hubs.").exists()
