"""No double booking under load (PostgreSQL only: SQLite serialises every write, so there is
no race to lose; test_bookings.py runs the same logic one booking after another).

200 attempts, each in its own thread with its own database connection, are released
together by a barrier to compete for 20 seats (10 slots of capacity 2). Exactly 20 win;
every slot's `booked` matches its live bookings; no seat is used twice; every loser is told
the time has been taken (a ValidationError), and no database error escapes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count

from alongside.hubs.models import Booking, Slot
from alongside.hubs.services import bookings as services
from alongside.people.models import Person
from alongside.people.tests.factories import PersonFactory

from .factories import make_hub, make_session, make_slot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ATTEMPTS = 200


@pytest.fixture
def acomb_hub(tp_team):
    """A hub in Acomb. An earlier transactional test may have flushed York's places (they are
    loaded once for the run, not restored by serialized rollback), so load them if needed."""
    from django.core.management import call_command

    from alongside.core.models import Ward

    if not Ward.objects.filter(name="Acomb").exists():
        call_command("load_york_places", verbosity=0)
    return make_hub(team=tp_team, ward=Ward.objects.get(name="Acomb"))


def _book_together(fay: Any, pairs: list[tuple[int, Any]]) -> list[str]:
    barrier = threading.Barrier(len(pairs), timeout=60)

    def attempt(pair: tuple[int, Any]) -> str:
        slot_id, person_id = pair
        try:
            slot = Slot.objects.get(pk=slot_id)
            person = Person.objects.get(pk=person_id)
            barrier.wait()
            services.booking_create(actor=fay, slot=slot, person=person, send=False)
            return "booked"
        except ValidationError as error:
            return " ".join(error.messages)
        except Exception as error:  # reported to the test, which fails on it
            return repr(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        return list(pool.map(attempt, pairs))


def test_two_hundred_attempts_for_twenty_places_book_exactly_twenty(fay, acomb_hub):
    session = make_session(acomb_hub, capacity=2)
    slots = [make_slot(session, days_ahead=2 + day) for day in range(10)]
    people = [PersonFactory() for _ in range(ATTEMPTS)]
    pairs = [(slots[i % len(slots)].pk, p.pk) for i, p in enumerate(people)]

    results = _book_together(fay, pairs)

    assert results.count("booked") == 20
    assert results.count(services.TAKEN) == ATTEMPTS - 20, set(results)
    live = Booking.objects.exclude(status="cancelled")
    assert live.count() == 20
    counts = dict(live.values_list("slot").annotate(n=Count("id")))
    for slot in Slot.objects.filter(pk__in=[s.pk for s in slots]):
        assert slot.booked == counts.get(slot.pk, 0) == 2
    seats = list(live.values_list("slot_id", "seat"))
    assert len(seats) == len(set(seats))
