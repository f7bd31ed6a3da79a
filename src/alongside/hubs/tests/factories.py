"""Factories for Talking Points: teams and staff, hubs (directory venues), sessions, slots,
first contacts and bookings. Slots and bookings made here keep the same invariants as the
services (a booking takes the next seat and counts against the slot), so tests of reads can
build state quickly; tests of booking itself go through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Programme, Team
from alongside.accounts.tests.factories import TeamFactory
from alongside.directory.models import Location
from alongside.hubs.models import Booking, FirstContact, Hub, Session, Slot
from alongside.people.models import Person
from alongside.people.tests.factories import PersonFactory, make_staff


def front_door_team(name: str = "Customer access", **kwargs: Any) -> Team:
    team = TeamFactory(name=name, **kwargs)
    team.programmes.add(Programme.objects.get(code=Programme.Code.FRONT_DOOR))
    return team


def hub_team(name: str = "Talking Points West", **kwargs: Any) -> Team:
    team = TeamFactory(name=name, **kwargs)
    team.programmes.add(Programme.objects.get(code=Programme.Code.TALKING_POINTS))
    return team


def officer(team: Team, **kwargs: Any):
    """A front-door officer in the team."""
    return make_staff(roles.FRONT_DOOR_OFFICER, team=team, **kwargs)


def practitioner(team: Team, **kwargs: Any):
    """A Talking Point practitioner in the team."""
    return make_staff(roles.TALKING_POINT_PRACTITIONER, team=team, **kwargs)


def manager(team: Team, **kwargs: Any):
    """A team manager who leads the team."""
    user = make_staff(roles.TEAM_MANAGER, **kwargs)
    Membership.objects.create(team=team, user=user, is_lead=True)
    return user


def make_hub(
    *,
    team: Team,
    ward: Any,
    name: str = "Acomb Explore Library",
    step_free: bool = True,
    hearing_loop: bool = False,
    interpreters: bool = True,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Hub:
    """A hub at a new directory venue in the ward."""
    location = Location.objects.create(
        name=name,
        ward=ward,
        latitude=latitude if latitude is not None else (ward.min_lat + ward.max_lat) / 2,
        longitude=longitude if longitude is not None else (ward.min_lon + ward.max_lon) / 2,
    )
    return Hub.objects.create(
        location=location,
        name=name,
        team=team,
        ward=ward,
        neighbourhood=ward.neighbourhood,
        step_free=step_free,
        hearing_loop=hearing_loop,
        interpreters=interpreters,
    )


def make_session(
    hub: Hub,
    *,
    kind: str = Session.Kind.BOOKED,
    rrule: str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    starts_on: dt.date | None = None,
    start_time: dt.time = dt.time(10, 0),
    end_time: dt.time = dt.time(12, 0),
    appointment_minutes: int = 60,
    capacity: int = 1,
    **kwargs: Any,
) -> Session:
    return Session.objects.create(
        hub=hub,
        kind=kind,
        rrule=rrule,
        starts_on=starts_on or timezone.localdate(),
        start_time=start_time,
        end_time=end_time,
        appointment_minutes=appointment_minutes,
        capacity=capacity,
        **kwargs,
    )


def make_slot(
    session: Session,
    *,
    starts_at: dt.datetime | None = None,
    days_ahead: int = 2,
    capacity: int | None = None,
) -> Slot:
    """One open slot of the session (by default two days ahead at the session's start)."""
    if starts_at is None:
        day = timezone.localdate() + dt.timedelta(days=days_ahead)
        starts_at = timezone.make_aware(dt.datetime.combine(day, session.start_time))
    return Slot.objects.create(
        session=session,
        hub=session.hub,
        kind=session.kind,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=session.appointment_minutes),
        capacity=capacity or session.capacity,
    )


def make_contact(
    *,
    team: Team,
    person: Person | None = None,
    contact_date: dt.date | None = None,
    decision: str = "",
    **kwargs: Any,
) -> FirstContact:
    """A first contact taken by the team (undecided unless `decision` is given)."""
    person = person or PersonFactory()
    return FirstContact.objects.create(
        person=person,
        team=team,
        ward=person.ward,
        contact_date=contact_date or timezone.localdate(),
        made_by=FirstContact.MadeBy.PERSON,
        what_matters="Getting out of the house again",
        decision=decision,
        decided_at=timezone.now() if decision else None,
        **kwargs,
    )


def make_booking(
    slot: Slot,
    *,
    person: Person | None = None,
    first_contact: FirstContact | None = None,
    status: str = Booking.Status.BOOKED,
    **kwargs: Any,
) -> Booking:
    """A live booking in the slot's next seat (the slot must have a free seat)."""
    assert slot.booked < slot.capacity, "the slot is full"
    person = person or (first_contact.person if first_contact else PersonFactory())
    slot.booked += 1
    Slot.objects.filter(pk=slot.pk).update(booked=slot.booked)
    return Booking.objects.create(
        slot=slot,
        seat=slot.booked,
        person=person,
        first_contact=first_contact,
        status=status,
        email=person.email,
        mobile=kwargs.pop("mobile", ""),
        **kwargs,
    )
