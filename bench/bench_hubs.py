"""Talking Points at a city's scale (issue 5: slot search across all hubs for 8 weeks p95 <= 50
ms; booking >= 200 bookings a second on PostgreSQL with no lost or double booking).

Data: 20 hubs (one in each of 20 wards, each run by its own team), each with 4 weekly booked
sessions of three 45-minute slots for two people, generated 8 weeks ahead by the schedule
service (about 1,900 slots), about a third of the seats already booked; plus the Talking
Points demo (four hubs, six months of history) for the managers' figures page. For the
booking run, a separate hub with 2,000 free seats per run.

Measured:
- `slot_search` over all hubs for 8 weeks: plain, with access needs, and nearest a ward;
- the staff booking page ("hubs:book" for a person) through the test client;
- the managers' figures page through the test client, with the demo's six months;
- booking throughput: 4 worker processes (as web server processes would be), each with its
  own database connection, booking distinct people through `booking_create` into 2,000 free
  seats; the row's time is the whole run (bookings a second = 2,000 / seconds).
  Afterwards: no slot holds more than its capacity, no seat is held twice, and the bookings
  made equal the attempts that succeeded (checked, or the run fails).

    .venv/bin/python bench/run.py bench_hubs
    scripts/with-postgres.sh .venv/bin/python bench/run.py bench_hubs
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import Ward
from alongside.directory.models import Location
from alongside.hubs.models import Booking, Hub, Session, Slot
from alongside.people.models import Involvement, Person

HUBS = 20
SESSIONS = 4
WEEKS = 8
PROCESSES = 4
SEATS = 2_000
RUNS = 2  # one warm-up and one measured booking run
DAYS = ("MO", "TU", "WE", "TH", "FR")
_state: dict[str, Any] = {}


def _user(email: str, role: str, team: Team, *, lead: bool = False) -> User:
    user = User.objects.create_user(email=email, password=None, full_name=email.split("@")[0])
    user.groups.add(Group.objects.get(name=role))
    Membership.objects.create(team=team, user=user, is_lead=lead)
    return user


def _hub(council: Organisation, ward: Ward, name: str, *, step_free: bool, loop: bool) -> Hub:
    team = Team.objects.create(organisation=council, name=f"{name} team")
    team.programmes.add(Programme.Code.TALKING_POINTS)
    location = Location.objects.create(
        name=name,
        ward=ward,
        latitude=(ward.min_lat + ward.max_lat) / 2,
        longitude=(ward.min_lon + ward.max_lon) / 2,
    )
    return Hub.objects.create(
        location=location,
        name=name,
        team=team,
        ward=ward,
        neighbourhood=ward.neighbourhood,
        step_free=step_free,
        hearing_loop=loop,
    )


def _session(hub: Hub, day: str, start: dt.time, end: dt.time, capacity: int) -> Session:
    return Session.objects.create(
        hub=hub,
        kind=Session.Kind.BOOKED,
        rrule=f"FREQ=WEEKLY;BYDAY={day}",
        starts_on=timezone.localdate(),
        start_time=start,
        end_time=end,
        appointment_minutes=45,
        capacity=capacity,
    )


def _people(n: int, team: Team, prefix: str) -> list[Person]:
    people = [
        Person(
            given_name=f"{prefix}{i}",
            family_name="Benchperson",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=i % 9000),
        )
        for i in range(n)
    ]
    Person.objects.bulk_create(people, batch_size=1000)
    Involvement.objects.bulk_create(
        [Involvement(person=p, team=team, reason="bench") for p in people], batch_size=1000
    )
    return people


@transaction.atomic
def _build() -> str:
    from alongside.hubs.demo import hubs_demo_load
    from alongside.hubs.services.schedule import slots_generate

    rng = random.Random(5)
    today = timezone.localdate()
    until = today + dt.timedelta(weeks=WEEKS)
    council = Organisation.objects.create(name="Bench council", kind="council")
    front_door = Team.objects.create(organisation=council, name="Bench front door")
    front_door.programmes.add(Programme.Code.FRONT_DOOR)
    officer = _user("officer@bench.example", "Front-door officer", front_door)
    wards = list(Ward.objects.order_by("code")[:HUBS])
    slots = 0
    for i, ward in enumerate(wards):
        hub = _hub(council, ward, f"Bench hub {i}", step_free=i % 2 == 0, loop=i % 3 == 0)
        for s in range(SESSIONS):
            session = _session(
                hub, DAYS[(i + s) % 5], dt.time(9 + 2 * (s % 3)), dt.time(11 + 2 * (s % 3), 15), 2
            )
            slots += slots_generate(session=session, until=until)
    # About a third of the seats already taken (as the services would leave them).
    people = _people(slots, front_door, "Booked")
    bookings = []
    for slot, person in zip(
        Slot.objects.filter(hub__name__startswith="Bench hub").order_by("pk"), people, strict=False
    ):
        if rng.random() < 0.33:
            bookings.append(Booking(slot=slot, seat=1, person=person))
    Booking.objects.bulk_create(bookings, batch_size=1000)
    Slot.objects.filter(pk__in=[b.slot_id for b in bookings]).update(booked=1)
    _state["person"] = _people(1, front_door, "Caller")[0]
    _state["officer"] = officer
    _state["ward"] = wards[-1]

    # Seats for the booking runs: a hub of its own, 1,000 slots of two seats per run.
    hub = _hub(council, wards[0], "Bench booking hub", step_free=True, loop=True)
    session = _session(hub, "MO", dt.time(8), dt.time(8, 45), 2)
    _state["runs"] = []
    start = timezone.now() + dt.timedelta(days=1)
    for run in range(RUNS):
        run_slots = [
            Slot(
                session=session,
                hub=hub,
                kind=Session.Kind.BOOKED,
                starts_at=start + dt.timedelta(hours=run * 2000 + 2 * n),
                ends_at=start + dt.timedelta(hours=run * 2000 + 2 * n, minutes=45),
                capacity=2,
            )
            for n in range(SEATS // 2)
        ]
        Slot.objects.bulk_create(run_slots, batch_size=1000)
        _state["runs"].append((run_slots, _people(SEATS, front_door, f"Run{run}-")))

    result = hubs_demo_load()
    _state["manager"] = User.objects.get(email="hubmanager@demo.alongside.test")
    return (
        f"{HUBS} hubs x {SESSIONS} sessions x {WEEKS} weeks = {slots:,} slots, "
        f"{len(bookings):,} booked; demo: {result.created.get('first contacts', 0):,} contacts"
    )


def setup() -> str:
    size = _build()
    officer = Client()
    officer.force_login(_state["officer"], backend="django.contrib.auth.backends.ModelBackend")
    manager = Client()
    manager.force_login(_state["manager"], backend="django.contrib.auth.backends.ModelBackend")
    _state["officer_client"] = officer
    _state["manager_client"] = manager
    return size


def _eight_weeks() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now, now + dt.timedelta(weeks=WEEKS)


def search_all() -> None:
    from alongside.hubs.services.bookings import slot_search

    start, end = _eight_weeks()
    assert slot_search(start=start, end=end)


def search_needs() -> None:
    from alongside.hubs.services.bookings import slot_search

    start, end = _eight_weeks()
    slot_search(start=start, end=end, needs=("step_free", "hearing_loop"))


def search_near() -> None:
    from alongside.hubs.services.bookings import slot_search

    start, end = _eight_weeks()
    assert slot_search(start=start, end=end, near_ward=_state["ward"])


def book_page() -> None:
    response = _state["officer_client"].get(reverse("hubs:book"), {"person": _state["person"].pk})
    assert response.status_code == 200, response.status_code


def dashboard_page() -> None:
    response = _state["manager_client"].get(reverse("hubs:dashboard"))
    assert response.status_code == 200, response.status_code


def _book_share(pairs: list[tuple[int, Any]], actor_pk: Any, results: Any) -> None:
    """In a forked worker process with its own database connection: book each (slot, person)
    pair through `booking_create` and report how many were made, refused and failed."""
    from alongside.hubs.services.bookings import booking_create

    made = refused = failed = 0
    try:
        actor = User.objects.get(pk=actor_pk)
        slots = Slot.objects.select_related("hub", "hub__team").in_bulk([p[0] for p in pairs])
        people = Person.objects.in_bulk([p[1] for p in pairs])
        for slot_pk, person_pk in pairs:
            try:
                booking_create(
                    actor=actor, slot=slots[slot_pk], person=people[person_pk], send=False
                )
                made += 1
            except ValidationError:
                refused += 1
            except DatabaseError:
                failed += 1
    finally:
        connection.close()
        results.put((made, refused, failed))


def booking_throughput() -> None:
    """Book 2,000 distinct people into 2,000 free seats from several worker processes (as
    several web server processes would), then check nothing was lost or doubled."""
    slots, people = _state["runs"].pop(0)
    pairs = [(slots[i // 2].pk, person.pk) for i, person in enumerate(people)]
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    connections.close_all()  # each worker opens its own connection
    workers = [
        context.Process(
            target=_book_share, args=(pairs[n::PROCESSES], _state["officer"].pk, results)
        )
        for n in range(PROCESSES)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    counts = [results.get() for _ in workers]
    seconds = time.perf_counter() - started
    for w in workers:
        w.join()
    made = [sum(c[0] for c in counts)]
    refused = [sum(c[1] for c in counts)]
    failed = [sum(c[2] for c in counts)]

    ids = [s.pk for s in slots]
    live = ~Q(status=Booking.Status.CANCELLED)
    assert not Slot.objects.filter(pk__in=ids, booked__gt=F("capacity")).exists(), "overbooked"
    doubled = (
        Booking.objects.filter(live, slot_id__in=ids)
        .values("slot_id", "seat")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubled.exists(), "a seat held twice"
    total = Booking.objects.filter(live, slot_id__in=ids).count()
    assert total == made[0], f"{total} bookings for {made[0]} successes"
    counted = Slot.objects.filter(pk__in=ids).aggregate(n=Count("id"), booked=models_sum())
    assert counted["booked"] == total, "slot counts differ from bookings"
    print(
        f"  booking_create: {made[0]} booked, {refused[0]} refused, {failed[0]} database errors "
        f"in {seconds:.2f} s = {made[0] / seconds:.0f} bookings/s ({PROCESSES} processes, "
        f"{connection.vendor})"
    )


def models_sum() -> Any:
    from django.db.models import Sum

    return Sum("booked")


BENCHMARKS = [
    ("hubs slot_search, all hubs, 8 weeks", search_all, 50),
    ("hubs slot_search, step-free + hearing loop", search_needs, 50),
    ("hubs slot_search, nearest a ward", search_near, 50),
    ("hubs:book page for a person (test client)", book_page, 30),
    ("hubs:dashboard, demo six months (test client)", dashboard_page, 30),
    (
        f"booking_create x{SEATS:,} seats, {PROCESSES} processes (whole run)",
        booking_throughput,
        1,
    ),
]
