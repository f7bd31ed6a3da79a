"""Booking services: the slot search, booking, cancelling, rebooking, the waiting list,
reminders and the signed links in messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.hubs.models import Booking, BookingMessage, Slot, WaitingListEntry
from alongside.hubs.services import bookings as services
from alongside.hubs.tokens import BadToken, make_token, read_token
from alongside.notify.models import OutboxMessage
from alongside.people.models import Involvement
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_session, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(acomb_hub):
    return make_session(acomb_hub)


@pytest.fixture
def slot(session):
    return make_slot(session, days_ahead=3)


def person(**kwargs):
    return PersonFactory(email=kwargs.pop("email", "ada@example.org"), **kwargs)


# --- search -------------------------------------------------------------------------------


def test_search_finds_free_open_future_slots_soonest_first(session, slot):
    later = make_slot(session, days_ahead=5)
    full = make_slot(session, days_ahead=4)
    make_booking(full)
    closed = make_slot(session, days_ahead=6)
    Slot.objects.filter(pk=closed.pk).update(status="closed")
    make_slot(session, starts_at=timezone.now() + dt.timedelta(minutes=20))  # too soon
    make_slot(session, days_ahead=-1)  # past

    found = services.slot_search(start=timezone.localdate())

    assert [o.slot_id for o in found] == [slot.pk, later.pk]
    assert found[0].hub_name == "Acomb Explore Library"
    assert found[0].free == 1


def test_search_respects_dates_and_kind(acomb_hub, session, slot):
    carers = make_slot(make_session(acomb_hub, kind="carers"), days_ahead=3)
    far = make_slot(session, days_ahead=70)

    assert [o.slot_id for o in services.slot_search(kind="carers")] == [carers.pk]
    found = services.slot_search(start=timezone.localdate() + dt.timedelta(days=60))
    assert [o.slot_id for o in found] == [far.pk]
    end = timezone.localdate() + dt.timedelta(days=2)
    assert services.slot_search(end=end) == []


def test_search_only_hubs_meeting_every_need(acomb_hub, heworth_hub, slot):
    loop = make_slot(make_session(heworth_hub), days_ahead=3)

    assert [o.slot_id for o in services.slot_search(needs=["step_free"])] == [slot.pk]
    assert [o.slot_id for o in services.slot_search(needs=["hearing_loop"])] == [loop.pk]
    assert services.slot_search(needs=["step_free", "hearing_loop"]) == []
    with pytest.raises(ValidationError):
        services.slot_search(needs=["jetpack"])


def test_search_leaves_out_inactive_hubs_and_non_public_sessions(acomb_hub, heworth_hub, slot):
    private = make_slot(make_session(heworth_hub, public_booking=False), days_ahead=3)
    assert {o.slot_id for o in services.slot_search()} == {slot.pk, private.pk}
    assert [o.slot_id for o in services.slot_search(public_only=True)] == [slot.pk]
    acomb_hub.is_active = False
    acomb_hub.save()
    assert [o.slot_id for o in services.slot_search()] == [private.pk]


def test_public_search_is_empty_when_online_booking_is_off(settings, slot):
    settings.HUBS_PUBLIC_BOOKING = False
    assert services.slot_search(public_only=True) == []
    assert len(services.slot_search()) == 1


def test_search_near_a_ward_puts_the_nearest_hub_first(york, acomb_hub, north_hub, session):
    acomb_later = make_slot(session, days_ahead=5)
    north_sooner = make_slot(make_session(north_hub), days_ahead=2)

    found = services.slot_search(near_ward=york["Westfield"])

    assert [o.slot_id for o in found] == [acomb_later.pk, north_sooner.pk]
    assert found[0].distance_km < found[1].distance_km
    assert [o.slot_id for o in services.slot_search()] == [north_sooner.pk, acomb_later.pk]


def test_search_leaves_out_seats_held_by_someone_elses_offer(acomb_hub, slot):
    waiting, other = person(), person()
    WaitingListEntry.objects.create(
        hub=acomb_hub,
        person=waiting,
        status="offered",
        offered_slot=slot,
        offer_expires_at=timezone.now() + dt.timedelta(hours=5),
    )
    assert services.slot_search(for_person=other) == []
    assert [o.slot_id for o in services.slot_search(for_person=waiting)] == [slot.pk]
    WaitingListEntry.objects.update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert [o.slot_id for o in services.slot_search(for_person=other)] == [slot.pk]


def test_search_is_three_queries_whatever_the_size(django_assert_num_queries, acomb_hub, session):
    for day in range(2, 30):
        make_slot(session, days_ahead=day)
    with django_assert_num_queries(3):
        found = services.slot_search()
    assert len(found) == 28


# --- booking ------------------------------------------------------------------------------


def test_booking_takes_a_seat_gives_the_team_access_audits_and_confirms(
    fay, tp_team, slot, django_capture_on_commit_callbacks
):
    ada = person()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(actor=fay, slot=slot, person=ada, notes="Uses a frame")

    slot.refresh_from_db()
    assert (slot.booked, booking.seat, booking.status) == (1, 1, "booked")
    assert booking.email == "ada@example.org"
    assert Involvement.objects.filter(person=ada, team=tp_team, ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(object_id=str(booking.pk), action="create").exists()
    message = BookingMessage.objects.get(booking=booking)
    assert message.kind == "confirmation"
    assert message.message.kind == "hubs.confirmation"
    assert message.message.channel == OutboxMessage.Channel.EMAIL
    assert "Acomb Explore Library" in message.message.body
    assert "/talking-points/booking/" in message.message.body


def test_a_full_slot_is_refused_and_nothing_changes(fay, slot):
    services.booking_create(actor=fay, slot=slot, person=person())
    with pytest.raises(ValidationError) as error:
        services.booking_create(actor=fay, slot=slot, person=person())
    assert error.value.message_dict["slot"] == [services.TAKEN]
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.count() == 1


def test_closed_and_past_slots_are_refused(fay, session, slot):
    Slot.objects.filter(pk=slot.pk).update(status="closed")
    past = make_slot(session, days_ahead=-2)
    for target in (slot, past):
        with pytest.raises(ValidationError):
            services.booking_create(actor=fay, slot=target, person=person())
    assert Booking.objects.count() == 0


def test_a_person_cannot_be_in_two_places_at_once(fay, heworth_hub, slot):
    ada = person()
    services.booking_create(actor=fay, slot=slot, person=ada)
    same_time = make_slot(make_session(heworth_hub), starts_at=slot.starts_at)
    with pytest.raises(ValidationError) as error:
        services.booking_create(actor=fay, slot=same_time, person=ada)
    assert "already has a Talking Point at that time" in str(error.value)


def test_seats_are_reused_after_a_cancellation(fay, acomb_hub):
    slot = make_slot(make_session(acomb_hub, capacity=2), days_ahead=3)
    first = services.booking_create(actor=fay, slot=slot, person=person())
    second = services.booking_create(actor=fay, slot=slot, person=person())
    assert (first.seat, second.seat) == (1, 2)
    services.booking_cancel(actor=fay, booking=first, reason="Unwell", cancelled_by="person")
    third = services.booking_create(actor=fay, slot=slot, person=person())
    assert third.seat == 1
    slot.refresh_from_db()
    assert slot.booked == 2


def test_an_archived_person_is_refused(fay, slot):
    with pytest.raises(ValidationError):
        services.booking_create(
            actor=fay,
            slot=slot,
            person=person(archived_at=timezone.now(), archived_reason="Moved"),
        )


def test_a_bad_mobile_is_refused(fay, slot):
    with pytest.raises(ValidationError) as error:
        services.booking_create(actor=fay, slot=slot, person=person(), mobile="12345")
    assert "mobile" in error.value.message_dict


# --- cancel and rebook --------------------------------------------------------------------


def test_cancel_frees_the_seat_ends_old_links_and_tells_the_person(
    fay, slot, django_capture_on_commit_callbacks
):
    booking = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    old_token = make_token("manage", booking.pk, booking.token_version)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(actor=fay, booking=booking, reason="Unwell", cancelled_by="person")
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, booking.cancelled_by, slot.booked) == ("cancelled", "person", 0)
    assert booking.token_version == 2
    assert read_token("manage", old_token).version != booking.token_version
    assert BookingMessage.objects.filter(booking=booking, kind="cancelled").count() == 1
    with pytest.raises(ValidationError):
        services.booking_cancel(actor=fay, booking=booking, reason="Again", cancelled_by="staff")


def test_cancel_needs_a_reason(fay, slot):
    booking = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    with pytest.raises(ValidationError):
        services.booking_cancel(actor=fay, booking=booking, reason=" ", cancelled_by="staff")
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_rebook_makes_the_new_booking_then_cancels_the_old(
    fay, session, slot, django_capture_on_commit_callbacks
):
    later = make_slot(session, days_ahead=6)
    old = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_rebook(actor=fay, booking=old, slot=later)
    old.refresh_from_db()
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (old.status, old.rebooked_as_id) == ("cancelled", new.pk)
    assert (slot.booked, later.booked) == (0, 1)
    assert [m.kind for m in BookingMessage.objects.all()] == ["rebooked"]


def test_rebook_to_a_full_slot_keeps_the_old_booking(fay, session, slot):
    full = make_slot(session, days_ahead=6)
    make_booking(full)
    old = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    with pytest.raises(ValidationError):
        services.booking_rebook(actor=fay, booking=old, slot=full)
    old.refresh_from_db()
    assert old.status == "booked"


def test_cancelling_for_slots_offers_up_to_three_other_times(
    mona, session, slot, django_capture_on_commit_callbacks
):
    for day in range(4, 9):
        make_slot(session, days_ahead=day)
    booking = services.booking_create(actor=mona, slot=slot, person=person(), send=False)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.bookings_cancel_for_slots(actor=mona, slots=[slot], reason="Flooding")
    booking.refresh_from_db()
    assert count == 1
    assert (booking.status, booking.cancelled_by) == ("cancelled", "session")
    message = BookingMessage.objects.get(booking=booking)
    assert message.kind == "session_cancelled"
    assert message.message.body.count("/change/?slot=") == 3
    assert "Flooding" in message.message.body


# --- messages -----------------------------------------------------------------------------


def test_text_message_when_there_is_no_email_or_the_person_does_not_want_email(
    fay, session, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(actor=fay, slot=slot, person=person(email="", phone="07700 900982"))
        services.booking_create(
            actor=fay,
            slot=make_slot(session, days_ahead=4),
            person=person(do_not_email=True),
            mobile="07700900983",
        )
    channels = [m.message.channel for m in BookingMessage.objects.order_by("id")]
    assert channels == ["sms", "sms"]
    assert OutboxMessage.objects.filter(kind="hubs.confirmation").count() == 2


def test_no_message_without_an_email_or_mobile(fay, slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(actor=fay, slot=slot, person=person(email=""))
    assert not BookingMessage.objects.exists()


def test_reminders_go_once_to_tomorrows_bookings(fay, session):
    tomorrow = make_slot(session, days_ahead=1)
    booking = services.booking_create(actor=fay, slot=tomorrow, person=person(), send=False)
    services.booking_create(
        actor=fay, slot=make_slot(session, days_ahead=3), person=person(), send=False
    )

    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    call_command("send_booking_reminders", verbosity=0)
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
    assert BookingMessage.objects.filter(kind="reminder").count() == 1


def test_reminder_task_runs(fay, session):
    from alongside.hubs.tasks import send_booking_reminders

    services.booking_create(
        actor=fay, slot=make_slot(session, days_ahead=1), person=person(), send=False
    )
    assert send_booking_reminders.enqueue().return_value == 1


# --- tokens -------------------------------------------------------------------------------


def test_tokens_refuse_tampering_other_purposes_and_age(settings):
    token = make_token("manage", "abc", 1)
    assert read_token("manage", token).pk == "abc"
    with pytest.raises(BadToken):
        read_token("manage", token[:-2] + "xx")
    with pytest.raises(BadToken):
        read_token("offer", token)
    with pytest.raises(BadToken, match="expired"):
        read_token("manage", token, max_age_days=-1)


# --- the waiting list ---------------------------------------------------------------------


def test_waiting_list_once_per_hub(fay, acomb_hub):
    ada = person()
    services.waiting_add(actor=fay, hub=acomb_hub, person=ada)
    with pytest.raises(ValidationError):
        services.waiting_add(actor=fay, hub=acomb_hub, person=ada)


def test_a_freed_place_is_offered_to_the_longest_waiting_person_whose_needs_fit(
    fay, acomb_hub, slot, django_capture_on_commit_callbacks
):
    booking = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    needs_loop = services.waiting_add(
        actor=fay, hub=acomb_hub, person=person(), access_needs=["hearing_loop"]
    )
    first = services.waiting_add(actor=fay, hub=acomb_hub, person=person())
    second = services.waiting_add(actor=fay, hub=acomb_hub, person=person())

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(actor=fay, booking=booking, reason="Unwell", cancelled_by="person")

    first.refresh_from_db()
    assert first.status == "offered" and first.offered_slot_id == slot.pk
    assert first.offer_expires_at <= slot.starts_at
    needs_loop.refresh_from_db()
    second.refresh_from_db()
    assert (needs_loop.status, second.status) == ("waiting", "waiting")
    offer = BookingMessage.objects.get(waiting=first)
    assert offer.kind == "waiting_list_offer"
    assert "/talking-points/offer/" in offer.message.body
    # The seat is held: nobody else can take it while the offer stands.
    with pytest.raises(ValidationError):
        services.booking_create(actor=fay, slot=slot, person=person())

    booked = services.waiting_accept(entry=first)
    first.refresh_from_db()
    assert (first.status, first.booking_id, booked.channel) == ("booked", booked.pk, "online")


def test_an_expired_offer_passes_to_the_next_person(fay, acomb_hub, slot):
    booking = services.booking_create(actor=fay, slot=slot, person=person(), send=False)
    first = services.waiting_add(actor=fay, hub=acomb_hub, person=person())
    second = services.waiting_add(actor=fay, hub=acomb_hub, person=person())
    services.booking_cancel(actor=fay, booking=booking, reason="Unwell", cancelled_by="person")
    WaitingListEntry.objects.filter(pk=first.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert services.offers_expire() == 1

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "removed"
    assert (second.status, second.offered_slot_id) == ("offered", slot.pk)
    with pytest.raises(ValidationError):
        services.waiting_accept(entry=first)


def test_staff_can_book_from_the_waiting_list(fay, acomb_hub, slot):
    entry = services.waiting_add(actor=fay, hub=acomb_hub, person=person())
    booking = services.waiting_book(actor=fay, entry=entry, slot=slot)
    entry.refresh_from_db()
    assert (entry.status, entry.booking_id, booking.channel) == ("booked", booking.pk, "staff")


# --- public self-booking ------------------------------------------------------------------


def test_public_booking_makes_a_person_and_an_online_booking(tp_team, slot):
    booking = services.public_booking_create(
        slot=slot,
        given_name=" Ada ",
        family_name="Lovelace",
        postcode="",
        email="ada@example.org",
    )
    assert booking.channel == "online"
    assert booking.person.given_name == "Ada"
    assert booking.person.created_by is None
    assert Involvement.objects.filter(person=booking.person, team=tp_team).exists()
    assert AuditEvent.objects.filter(person_id=booking.person.pk, actor__isnull=True).exists()


def test_public_booking_needs_a_way_to_reach_the_person(slot):
    with pytest.raises(ValidationError):
        services.public_booking_create(
            slot=slot, given_name="Ada", family_name="Lovelace", postcode=""
        )
    assert not Booking.objects.exists()
