"""The practitioner's day and the conversation pages: who may open them, what they show,
bounded queries on the day, audit events, and recording through the form (including the
directory search that keeps what was typed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.directory.models import Provider, Service
from alongside.hubs.models import Booking, Conversation, FirstContact, Session, SurveyResponse
from alongside.people.services import involvement_open
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_contact, make_session, make_slot

pytestmark = pytest.mark.django_db


def at_today(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


@pytest.fixture
def session(acomb_hub, pat):
    s = make_session(acomb_hub)
    s.practitioners.add(pat)
    return s


@pytest.fixture
def booking(session, front_door):
    contact = make_contact(
        team=front_door,
        person=PersonFactory(given_name="Sam", family_name="Brown", email="sam@example.org"),
    )
    FirstContact.objects.filter(pk=contact.pk).update(what_matters="Getting to the allotment again")
    contact.refresh_from_db()
    slot = make_slot(session, starts_at=at_today(0, 30))
    return make_booking(
        slot,
        first_contact=contact,
        access_needs=["step_free"],
        interpreter_language="Polish",
        notes="Uses a walking frame",
    )


@pytest.fixture
def north_booking(north_hub):
    slot = make_slot(make_session(north_hub), starts_at=at_today(0, 30))
    return make_booking(slot, person=PersonFactory(given_name="Nora", family_name="North"))


@pytest.fixture
def conversation(booking, pat):
    from alongside.hubs.services.conversations import conversation_record

    return conversation_record(
        actor=pat,
        booking=booking,
        hub=booking.slot.hub,
        person=booking.person,
        held_on=timezone.localdate(),
        attendance="attended",
        outcomes=["information_advice"],
    )


def urls(booking, conversation=None, session=None):
    found = {
        "today": reverse("hubs:today"),
        "new": reverse("hubs:conversation-new", kwargs={"pk": booking.pk}),
    }
    if session is not None:
        found["drop_in"] = reverse("hubs:drop-in-new", kwargs={"pk": session.pk})
    if conversation is not None:
        found["detail"] = reverse("hubs:conversation", kwargs={"pk": conversation.pk})
        found["paper"] = reverse("hubs:survey-paper", kwargs={"pk": conversation.pk})
    return found


class TestWhoMayUse:
    def test_anonymous_goes_to_sign_in(self, client, conversation, booking, session):
        for url in urls(booking, conversation, session).values():
            response = client.get(url)
            assert response.status_code == 302
            assert reverse("accounts:sign-in") in response["Location"]

    def test_front_door_officer_is_refused(self, staff_client, fay, conversation, booking, session):
        c = staff_client(fay)
        for url in urls(booking, conversation, session).values():
            assert c.get(url).status_code == 403

    def test_analyst_is_refused(self, staff_client, analyst, booking):
        c = staff_client(analyst)
        assert c.get(reverse("hubs:today")).status_code == 403

    def test_other_team_gets_404(self, staff_client, nell, conversation, booking, session):
        c = staff_client(nell)
        found = urls(booking, conversation, session)
        for name in ("new", "drop_in", "detail", "paper"):
            assert c.get(found[name]).status_code == 404, name

    def test_other_team_sees_nothing_of_ours_on_their_day(self, staff_client, nell, booking):
        response = staff_client(nell).get(reverse("hubs:today"))
        assert response.status_code == 200
        assert "Sam Brown" not in response.content.decode()

    def test_booking_seen_but_not_at_our_hub_is_404(self, staff_client, pat, north_booking):
        # Pat made the booking (so may see it), but the hub is another team's.
        Booking.objects.filter(pk=north_booking.pk).update(created_by=pat)
        url = reverse("hubs:conversation-new", kwargs={"pk": north_booking.pk})
        assert staff_client(pat).get(url).status_code == 404

    def test_practitioner_and_manager_may_use(self, staff_client, pat, mona, conversation, booking):
        for user in (pat, mona):
            c = staff_client(user)
            assert c.get(reverse("hubs:today")).status_code == 200
            detail = reverse("hubs:conversation", kwargs={"pk": conversation.pk})
            assert c.get(detail).status_code == 200


class TestToday:
    def test_shows_bookings_with_needs(self, staff_client, pat, booking):
        response = staff_client(pat).get(reverse("hubs:today"))
        page = response.content.decode()
        assert "Sam Brown" in page
        assert "Step-free access" in page
        assert "Interpreter: Polish" in page
        assert "Uses a walking frame" in page
        assert "Your session" in page
        assert reverse("hubs:conversation-new", kwargs={"pk": booking.pk}) in page

    def test_own_sessions_first(self, staff_client, pat, session, heworth_hub, booking):
        other = make_session(heworth_hub, start_time=dt.time(9, 0), end_time=dt.time(11, 0))
        make_slot(other, starts_at=at_today(0, 10))
        page = staff_client(pat).get(reverse("hubs:today")).content.decode()
        assert page.index("Acomb Explore Library") < page.index("Tang Hall Community Centre")

    def test_drop_in_link(self, staff_client, pat, acomb_hub):
        drop_in = make_session(acomb_hub, kind=Session.Kind.DROP_IN)
        make_slot(drop_in, starts_at=at_today(0, 45))
        page = staff_client(pat).get(reverse("hubs:today")).content.decode()
        assert reverse("hubs:drop-in-new", kwargs={"pk": drop_in.pk}) in page
        assert "Record a drop-in conversation" in page

    def test_another_day(self, staff_client, pat, session):
        later = make_slot(session, days_ahead=2)
        booking = make_booking(later, person=PersonFactory(given_name="Kit", family_name="Lane"))
        day = later.starts_at.date().isoformat()
        page = staff_client(pat).get(reverse("hubs:today"), {"on": day}).content.decode()
        assert "Kit Lane" in page
        # Not recordable before the day.
        assert reverse("hubs:conversation-new", kwargs={"pk": booking.pk}) not in page

    def test_choose_a_day_with_the_date_input(self, staff_client, pat):
        day = timezone.localdate() + dt.timedelta(days=5)
        response = staff_client(pat).get(
            reverse("hubs:today"), {"on_0": day.day, "on_1": day.month, "on_2": day.year}
        )
        assert f"{day:%A} {day.day} {day:%B %Y}" in response.content.decode()

    def test_bad_date_says_so(self, staff_client, pat):
        response = staff_client(pat).get(
            reverse("hubs:today"), {"on_0": "31", "on_1": "2", "on_2": "2026"}
        )
        assert "Date must be a real date" in response.content.decode()

    def test_bounded_queries(
        self, staff_client, pat, session, acomb_hub, heworth_hub, django_assert_max_num_queries
    ):
        c = staff_client(pat)
        c.get(reverse("hubs:today"))  # warm the session and permissions caches
        for hub in (acomb_hub, heworth_hub):
            s = make_session(hub, start_time=dt.time(1, 0), end_time=dt.time(5, 0), capacity=3)
            for hour in range(1, 5):
                slot = make_slot(s, starts_at=at_today(hour), capacity=3)
                for _ in range(3):
                    make_booking(slot)
        with django_assert_max_num_queries(14):
            response = c.get(reverse("hubs:today"))
        assert response.status_code == 200
        assert response.content.decode().count("Record the conversation<") == 24

    def test_day_is_audited_per_person(self, staff_client, pat, booking):
        staff_client(pat).get(reverse("hubs:today"))
        assert AuditEvent.objects.filter(
            actor=pat, action="view", person_id=booking.person_id, object_type="hubs.booking"
        ).exists()


class TestRecord:
    def test_form_prefills_what_matters_and_audits(self, staff_client, pat, booking):
        response = staff_client(pat).get(
            reverse("hubs:conversation-new", kwargs={"pk": booking.pk})
        )
        page = response.content.decode()
        assert "Getting to the allotment again" in page
        assert "sam@example.org by email" in page
        assert AuditEvent.objects.filter(
            actor=pat, action="view", person_id=booking.person_id
        ).exists()

    def test_record_attended(self, staff_client, pat, booking):
        response = staff_client(pat).post(
            reverse("hubs:conversation-new", kwargs={"pk": booking.pk}),
            {
                "attendance": "attended",
                "what_matters": "The allotment",
                "outcomes": ["information_advice", "equipment"],
                "send_survey": "on",
                "action": "save",
            },
        )
        conversation = Conversation.objects.get(booking=booking)
        assert response.status_code == 302
        assert response["Location"] == reverse("hubs:conversation", kwargs={"pk": conversation.pk})
        assert conversation.equipment and conversation.information_advice
        booking.refresh_from_db()
        assert booking.status == "attended"
        assert booking.messages.filter(kind="survey").exists()

    def test_bad_input_keeps_what_was_typed(self, staff_client, pat, booking):
        response = staff_client(pat).post(
            reverse("hubs:conversation-new", kwargs={"pk": booking.pk}),
            {"attendance": "attended", "strengths": "Keen gardener", "action": "save"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Choose at least one outcome of the conversation" in page
        assert "Keen gardener" in page
        assert not Conversation.objects.exists()

    def test_attendance_is_required(self, staff_client, pat, booking):
        response = staff_client(pat).post(
            reverse("hubs:conversation-new", kwargs={"pk": booking.pk}), {"action": "save"}
        )
        assert "Choose whether the person came" in response.content.decode()

    def test_directory_search_then_connect(self, staff_client, pat, booking):
        provider = Provider.objects.create(name="Acomb friends", description="A group.")
        walk = Service.objects.create(
            provider=provider,
            name="Acomb walking group",
            description="We walk.",
            state="published",
        )
        Service.objects.create(
            provider=provider, name="Secret walking club", description="Draft.", state="draft"
        )
        c = staff_client(pat)
        url = reverse("hubs:conversation-new", kwargs={"pk": booking.pk})
        searched = c.post(
            url,
            {
                "attendance": "attended",
                "notes": "Loves walking",
                "listing_query": "walking",
                "action": "search",
            },
        )
        page = searched.content.decode()
        assert "Acomb walking group" in page
        assert "Secret walking club" not in page
        assert "Loves walking" in page
        assert "There is a problem" not in page
        assert not Conversation.objects.exists()
        saved = c.post(
            url,
            {
                "attendance": "attended",
                "notes": "Loves walking",
                "outcomes": ["connected_activity"],
                "listings": [str(walk.pk)],
                "action": "save",
            },
        )
        assert saved.status_code == 302
        conversation = Conversation.objects.get()
        assert list(conversation.listings.all()) == [walk]

    def test_connected_without_listing_is_refused(self, staff_client, pat, booking):
        response = staff_client(pat).post(
            reverse("hubs:conversation-new", kwargs={"pk": booking.pk}),
            {"attendance": "attended", "outcomes": ["connected_activity"], "action": "save"},
        )
        assert "Choose the community activities" in response.content.decode()

    def test_already_recorded_goes_to_the_conversation(self, staff_client, pat, conversation):
        response = staff_client(pat).get(
            reverse("hubs:conversation-new", kwargs={"pk": conversation.booking_id})
        )
        assert response["Location"] == reverse("hubs:conversation", kwargs={"pk": conversation.pk})

    def test_future_booking_cannot_be_recorded(self, staff_client, pat, session):
        future = make_booking(make_slot(session, days_ahead=3))
        url = reverse("hubs:conversation-new", kwargs={"pk": future.pk})
        c = staff_client(pat)
        assert "on a later day" in c.get(url).content.decode()
        c.post(url, {"attendance": "attended", "outcomes": ["equipment"], "action": "save"})
        assert not Conversation.objects.exists()


class TestDropIn:
    @pytest.fixture
    def drop_in(self, acomb_hub):
        return make_session(acomb_hub, kind=Session.Kind.DROP_IN)

    @pytest.fixture
    def known(self, tp_team, pat):
        person = PersonFactory(given_name="Dee", family_name="Walker")
        involvement_open(actor=pat, person=person, team=tp_team, reason="Test")
        return person

    def test_find_the_person(self, staff_client, pat, drop_in, known):
        hidden = PersonFactory(given_name="Dee", family_name="Hidden")
        url = reverse("hubs:drop-in-new", kwargs={"pk": drop_in.pk})
        page = staff_client(pat).get(url, {"q": "Dee"}).content.decode()
        assert "Walker, Dee" in page
        assert "Hidden" not in page
        assert hidden.pk

    def test_record_a_drop_in(self, staff_client, pat, drop_in, known):
        url = reverse("hubs:drop-in-new", kwargs={"pk": drop_in.pk})
        url += f"?person={known.pk}"
        response = staff_client(pat).post(
            url, {"outcomes": ["carer_support"], "what_matters": "Caring for mum", "action": "save"}
        )
        assert response.status_code == 302
        conversation = Conversation.objects.get()
        assert conversation.session == drop_in
        assert conversation.booking is None
        assert conversation.held_on == timezone.localdate()

    def test_person_not_visible_is_404(self, staff_client, pat, drop_in):
        stranger = PersonFactory()
        url = reverse("hubs:drop-in-new", kwargs={"pk": drop_in.pk}) + f"?person={stranger.pk}"
        assert staff_client(pat).get(url).status_code == 404

    def test_future_day_becomes_today(self, staff_client, pat, drop_in, known):
        later = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
        url = reverse("hubs:drop-in-new", kwargs={"pk": drop_in.pk})
        staff_client(pat).post(
            f"{url}?on={later}&person={known.pk}", {"outcomes": ["equipment"], "action": "save"}
        )
        assert Conversation.objects.get().held_on == timezone.localdate()


class TestDetail:
    def test_shows_and_audits(self, staff_client, pat, conversation):
        response = staff_client(pat).get(
            reverse("hubs:conversation", kwargs={"pk": conversation.pk})
        )
        page = response.content.decode()
        assert "Conversation with Sam Brown" in page
        assert "Information and advice" in page
        assert reverse("hubs:survey-paper", kwargs={"pk": conversation.pk}) in page
        assert AuditEvent.objects.filter(
            actor=pat, action="view", object_id=str(conversation.pk)
        ).exists()


class TestPaperSurvey:
    def test_enter_once(self, staff_client, pat, conversation):
        c = staff_client(pat)
        url = reverse("hubs:survey-paper", kwargs={"pk": conversation.pk})
        response = c.post(url, {"score": "4", "comment": "Kind and quick"})
        assert response.status_code == 302
        answer = SurveyResponse.objects.get(conversation=conversation)
        assert (answer.score, answer.source, answer.comment) == (4, "paper", "Kind and quick")
        again = c.post(url, {"score": "1"})
        assert again.status_code == 302
        assert SurveyResponse.objects.get(conversation=conversation).score == 4

    def test_score_required(self, staff_client, pat, conversation):
        url = reverse("hubs:survey-paper", kwargs={"pk": conversation.pk})
        response = staff_client(pat).post(url, {"comment": "Kept"})
        page = response.content.decode()
        assert "Choose the answer on the form" in page
        assert "Kept" in page
        assert not SurveyResponse.objects.exists()
