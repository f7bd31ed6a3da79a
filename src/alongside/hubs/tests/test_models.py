"""The database's own guarantees: no slot over capacity, one live booking per seat and per
person in a slot, and cancelled bookings give their seat back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alongside.hubs.models import Booking, Slot
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_session, make_slot

pytestmark = pytest.mark.django_db


def test_a_slot_cannot_be_booked_past_its_capacity(acomb_hub):
    slot = make_slot(make_session(acomb_hub, capacity=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=2)


def test_two_live_bookings_cannot_share_a_seat(acomb_hub):
    slot = make_slot(make_session(acomb_hub, capacity=2))
    make_booking(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, seat=1, person=PersonFactory())


def test_a_person_holds_one_place_in_a_slot(acomb_hub):
    slot = make_slot(make_session(acomb_hub, capacity=2))
    first = make_booking(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, seat=2, person=first.person)


def test_a_cancelled_booking_frees_its_seat(acomb_hub):
    slot = make_slot(make_session(acomb_hub, capacity=1))
    first = make_booking(slot)
    Booking.objects.filter(pk=first.pk).update(status="cancelled", cancelled_at=timezone.now())
    again = Booking.objects.create(slot=slot, seat=1, person=PersonFactory())
    assert again.seat == 1
