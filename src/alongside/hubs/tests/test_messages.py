"""Messages about bookings: plain-English times, the channel chosen for each person, and a
BookingMessage recorded against every outbox message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alongside.hubs.models import BookingMessage
from alongside.hubs.services import messages
from alongside.hubs.tokens import read_token
from alongside.notify.models import OutboxMessage
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_session, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(acomb_hub):
    return make_slot(make_session(acomb_hub), days_ahead=3)


def test_times_read_in_plain_english():
    moment = timezone.make_aware(dt.datetime(2026, 12, 8, 10, 0))
    assert messages.when(moment) == "Tuesday 8 December, 10:00am"
    assert messages.time_label(moment.replace(hour=14, minute=30)) == "2:30pm"
    assert messages.time_label(moment.replace(hour=12, minute=0)) == "12:00pm"


@pytest.mark.parametrize(
    "send, kind",
    [
        (messages.send_confirmation, "confirmation"),
        (messages.send_reminder, "reminder"),
        (messages.send_cancellation, "cancelled"),
        (messages.send_rebooked, "rebooked"),
    ],
)
def test_each_message_is_recorded_with_the_hub_time_and_link(slot, send, kind):
    booking = make_booking(slot, person=PersonFactory(email="ada@example.org"))
    recorded = send(booking)
    assert recorded.kind == kind
    outbox = OutboxMessage.objects.get(pk=recorded.message_id)
    assert outbox.kind == f"hubs.{kind}"
    assert "Acomb Explore Library" in outbox.body
    assert messages.when(slot.starts_at) in outbox.body


def test_the_manage_link_carries_a_token_for_the_booking(slot):
    booking = make_booking(slot, person=PersonFactory(email="ada@example.org"))
    link = messages.manage_link(booking)
    token = link.rstrip("/").rsplit("/", 1)[1]
    data = read_token("manage", token)
    assert (data.pk, data.version) == (str(booking.pk), booking.token_version)


def test_someone_who_prefers_texts_gets_a_text(slot):
    ada = PersonFactory(email="ada@example.org", preferred_contact="text")
    booking = make_booking(slot, person=ada, mobile="07700900982")
    recorded = messages.send_confirmation(booking)
    assert recorded.message.channel == "sms"
    assert recorded.message.to == "07700900982"
    assert len(recorded.message.body) <= 918


def test_session_cancelled_lists_other_times(slot):
    booking = make_booking(slot, person=PersonFactory(email="ada@example.org"))
    later = make_slot(slot.session, days_ahead=5)
    from alongside.hubs.services.bookings import slot_search

    recorded = messages.send_session_cancelled(booking, slot_search(hub=slot.hub_id, limit=3))
    assert f"?slot={later.pk}" in recorded.message.body
    assert BookingMessage.objects.filter(kind="session_cancelled").count() == 1
