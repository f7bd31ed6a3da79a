"""Demo Talking Points: a front door and four community hubs with six months of history that
shows what York saw. Loaded by `manage.py load_demo_hubs` after `load_demo_directory` (the hubs
are its venues; without it, plain demo venues are made).

What it makes:
- the front-door team (the staff demo's "Customer access front door", or "Customer access")
  with two officers; four Talking Points teams, one per neighbourhood, each with a manager
  and two practitioners (demo sign-ins at @demo.alongside.test, the demo password);
- a hub in each neighbourhood at a directory venue there (a library or community centre
  when there is one), with weekly booked sessions on two days (45-minute conversations, two
  people at a time), a drop-in and a carers' session;
- six months and this month of history: about 150 first contacts a month, decided roughly
  40% Talking Point, 25% information and advice, 10% Local Area Coordination, 10% social
  prescribing, 10% straight to a full assessment and 5% urgent response. People are seen at
  a Talking Point in a median of about 6 days (a bad patch three months ago, just over 8);
  about 8% do not attend; about 40% go on to a full assessment and about 43% need a paid-for
  service (against 65% expected). The assessment waiting list takes 9 to 12 weeks, and some
  are still waiting. About 85% of those answering the survey score 4 or 5;
- slots from today on, made by the schedule service, and the last few days' Talking Point
  bookings made through the booking service.

The past is bulk-inserted (the services refuse dates in the past), keeping the models' rules:
each slot's booked count equals its live bookings, and seats run from 1. The random numbers
are seeded, and the load happens once: if the demo hubs exist, a second call adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import Neighbourhood, Ward
from alongside.demo.loader import DEMO_DOMAIN, DEMO_PASSWORD, ensure_not_production
from alongside.directory.models import Location
from alongside.people.models import Involvement, Person

from .models import (
    AssessmentRequest,
    Booking,
    Closure,
    Conversation,
    FirstContact,
    Hub,
    Session,
    Slot,
    SurveyResponse,
)

SEED = 20160905
COUNCIL = "City of York Council"
FRONT_DOOR_TEAMS = ("Customer access front door", "Customer access")
MONTHS = 6
CONTACTS_PER_WEEKDAY = (5, 9)  # about 150 a month
DECISIONS = (
    (FirstContact.Decision.TALKING_POINT, 40),
    (FirstContact.Decision.INFORMATION, 25),
    (FirstContact.Decision.LAC, 10),
    (FirstContact.Decision.SOCIAL_PRESCRIBING, 10),
    (FirstContact.Decision.ASSESSMENT, 10),
    (FirstContact.Decision.URGENT_RESPONSE, 5),
)
DID_NOT_ATTEND = 0.08
PAID_SERVICE = 0.43
SURVEY_ANSWERED = 0.55
SCORES = ((5, 55), (4, 30), (3, 9), (2, 4), (1, 2))


@dataclass(frozen=True)
class HubPlan:
    neighbourhood: str
    team: str
    booked_days: tuple[str, str]
    drop_in_day: str
    carers_day: str
    manager: tuple[str, str]
    practitioners: tuple[tuple[str, str], tuple[str, str]]
    hearing_loop: bool


HUBS = (
    HubPlan(
        "West",
        "Talking Points West",
        ("TU", "TH"),
        "WE",
        "FR",
        ("hubmanager", "Hattie Moorcroft"),
        (("practitioner", "Piers Oddfellow"), ("tpwest2", "Nadia Ferriby")),
        True,
    ),
    HubPlan(
        "North",
        "Talking Points North",
        ("MO", "WE"),
        "TH",
        "TU",
        ("hubmanager.north", "Gordon Skelton"),
        (("tpnorth1", "Ellen Wigginton"), ("tpnorth2", "Rashid Towthorpe")),
        False,
    ),
    HubPlan(
        "East",
        "Talking Points East",
        ("TU", "FR"),
        "MO",
        "TH",
        ("hubmanager.east", "Bea Osbaldwick"),
        (("tpeast1", "Connor Heslington"), ("tpeast2", "Mei Dunnington")),
        True,
    ),
    HubPlan(
        "Central & South",
        "Talking Points Central and South",
        ("WE", "FR"),
        "TU",
        "MO",
        ("hubmanager.central", "Rowan Micklegate"),
        (("tpcentral1", "Tilly Fishergate"), ("tpcentral2", "Abdul Bishopthorpe")),
        False,
    ),
)
OFFICERS = (("frontdoor", "Farah Frontdoor"), ("frontdoor2", "Kieran Walmgate"))
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4}
GIVEN = (
    *("Ada", "Bernard", "Cynthia", "Derek", "Enid", "Fergus", "Glenys", "Howard", "Ines"),
    *("Jim", "Kathleen", "Lionel", "Marjorie", "Norman", "Olive", "Phyllis", "Roy", "Sheila"),
    *("Terry", "Ursula", "Vince", "Wilma", "Yvonne", "Zoltan", "Anwen", "Basil", "Cora"),
)
FAMILY = (
    *("Aldwark", "Barlby", "Cawood", "Deighton", "Escrick", "Flaxton", "Gate", "Hessay"),
    *("Kexby", "Lund", "Murton", "Naburn", "Overton", "Poppleton", "Riccall", "Skipwith"),
    *("Thorganby", "Upper", "Wilberfoss", "Youlton", "Askham", "Bilbrough", "Copgrove"),
)
WHAT_MATTERS = (
    "Staying in my own home and managing the stairs.",
    "Getting out to see people again since my wife died.",
    "Looking after my mum without falling apart myself.",
    "Getting back to the allotment after my operation.",
    "Sorting out the bathroom so I can wash safely.",
    "Feeling less lonely in the evenings.",
)
WORRIES = (
    "Had two falls this winter.",
    "The family live far away.",
    "Finding it hard to cope with the caring.",
    "Money is tight and the heating is expensive.",
    "Memory is getting worse.",
)


@dataclass
class HubsDemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n


@cache
def _password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _account(
    *,
    local: str,
    full_name: str,
    job_title: str,
    organisation: Organisation,
    role: str,
    team: Team,
    result: HubsDemoResult,
    lead: bool = False,
) -> User:
    """A demo sign-in, made once, and its place in the team."""
    user = User.objects.filter(email=_email(local)).first()
    if user is None:
        user = User.objects.create(
            email=_email(local),
            password=_password_hash(),
            full_name=full_name,
            job_title=job_title,
            organisation=organisation,
        )
        User.objects.filter(pk=user.pk).update(is_demo=True)
        user.groups.add(Group.objects.get(name=role))
        result.count("accounts")
    if not Membership.objects.filter(team=team, user=user).exists():
        Membership.objects.create(team=team, user=user, is_lead=lead)
    return user


def _team(organisation: Organisation, name: str, programme: str, result: HubsDemoResult) -> Team:
    team, created = Team.objects.get_or_create(organisation=organisation, name=name)
    if created:
        team.programmes.add(Programme.objects.get(code=programme))
        result.count("teams")
    return team


@dataclass
class _Staff:
    front_door: Team
    officers: list[User]
    teams: dict[str, Team]
    practitioners: dict[str, list[User]]


def _ensure_staff(result: HubsDemoResult) -> _Staff:
    council, created = Organisation.objects.get_or_create(
        name=COUNCIL, defaults={"kind": Organisation.Kind.COUNCIL}
    )
    result.count("organisations", int(created))
    front_door = (
        Team.objects.filter(organisation=council, name__in=FRONT_DOOR_TEAMS)
        .order_by("name")
        .first()
    ) or _team(council, FRONT_DOOR_TEAMS[1], Programme.Code.FRONT_DOOR, result)
    officers = [
        _account(
            local=local,
            full_name=name,
            job_title="Customer access officer",
            organisation=council,
            role=roles.FRONT_DOOR_OFFICER,
            team=front_door,
            result=result,
        )
        for local, name in OFFICERS
    ]
    teams: dict[str, Team] = {}
    practitioners: dict[str, list[User]] = {}
    for plan in HUBS:
        team = teams[plan.neighbourhood] = _team(
            council, plan.team, Programme.Code.TALKING_POINTS, result
        )
        _account(
            local=plan.manager[0],
            full_name=plan.manager[1],
            job_title="Talking Points manager",
            organisation=council,
            role=roles.TEAM_MANAGER,
            team=team,
            result=result,
            lead=True,
        )
        practitioners[plan.neighbourhood] = [
            _account(
                local=local,
                full_name=name,
                job_title="Talking Point practitioner",
                organisation=council,
                role=roles.TALKING_POINT_PRACTITIONER,
                team=team,
                result=result,
            )
            for local, name in plan.practitioners
        ]
    # The staff demo's practitioner works in the west hub too.
    theo = User.objects.filter(email=_email("talkingpoint")).first()
    if theo is not None and not Membership.objects.filter(team=teams["West"], user=theo).exists():
        Membership.objects.create(team=teams["West"], user=theo)
    return _Staff(front_door, officers, teams, practitioners)


# --- hubs and sessions ---------------------------------------------------------------------------

PREFERRED = ("Library", "Community Centre", "Community Hub")


def _venue(hood: Neighbourhood, result: HubsDemoResult) -> Location:
    """A directory venue in the neighbourhood not yet a hub: a library or community centre
    first. Without the directory demo, a plain venue is made in the biggest ward."""
    candidates = list(
        Location.objects.filter(
            kind=Location.Kind.VENUE, ward__neighbourhood=hood, hub__isnull=True
        )
        .exclude(latitude__isnull=True)
        .order_by("name", "pk")
    )

    def rank(location: Location) -> tuple[int, str]:
        for i, word in enumerate(PREFERRED):
            if word in location.name:
                return i, location.name
        return len(PREFERRED), location.name

    if candidates:
        return min(candidates, key=rank)
    ward = (
        Ward.objects.filter(neighbourhood=hood)
        .order_by(F("population").desc(nulls_last=True))
        .first()
    )
    if ward is None:
        raise ImproperlyConfigured("Load York's places first: manage.py load_york_places")
    result.count("venues")
    return Location.objects.create(
        name=f"{ward.name} Community Hub",
        kind=Location.Kind.VENUE,
        ward=ward,
        latitude=(ward.min_lat + ward.max_lat) / 2,
        longitude=(ward.min_lon + ward.max_lon) / 2,
    )


@dataclass
class _HubSetUp:
    hub: Hub
    plan: HubPlan
    booked: Session
    drop_in: Session
    carers: Session
    wards: list[Ward]


def _session(
    hub: Hub,
    kind: str,
    days: str,
    start: dt.time,
    end: dt.time,
    capacity: int,
    first: dt.date,
    people: list[User],
) -> Session:
    session = Session(
        hub=hub,
        kind=kind,
        rrule=f"FREQ=WEEKLY;BYDAY={days}",
        starts_on=first,
        start_time=start,
        end_time=end,
        appointment_minutes=45,
        capacity=capacity,
        public_booking=kind != Session.Kind.DROP_IN,
    )
    session.full_clean()
    session.save()
    session.practitioners.set(people)
    return session


def _hubs(staff: _Staff, first: dt.date, result: HubsDemoResult) -> list[_HubSetUp]:
    hoods = {h.name: h for h in Neighbourhood.objects.all()}
    set_up = []
    for plan in HUBS:
        hood = hoods.get(plan.neighbourhood)
        if hood is None:
            raise ImproperlyConfigured(f"No neighbourhood called {plan.neighbourhood}")
        location = _venue(hood, result)
        hub = Hub(
            location=location,
            name=location.name,
            team=staff.teams[plan.neighbourhood],
            ward=location.ward,
            neighbourhood=hood,
            step_free=True,
            hearing_loop=plan.hearing_loop,
            interpreters=True,
            directions="Ask at the front desk for the Talking Point; the room is signed.",
        )
        hub.full_clean()
        hub.save()
        people = staff.practitioners[plan.neighbourhood]
        set_up.append(
            _HubSetUp(
                hub=hub,
                plan=plan,
                booked=_session(
                    hub,
                    Session.Kind.BOOKED,
                    ",".join(plan.booked_days),
                    dt.time(10),
                    dt.time(11, 30),
                    2,
                    first,
                    people,
                ),
                drop_in=_session(
                    hub,
                    Session.Kind.DROP_IN,
                    plan.drop_in_day,
                    dt.time(13),
                    dt.time(15),
                    6,
                    first,
                    people,
                ),
                carers=_session(
                    hub,
                    Session.Kind.CARERS,
                    plan.carers_day,
                    dt.time(14),
                    dt.time(15, 30),
                    1,
                    first,
                    people[:1],
                ),
                wards=list(Ward.objects.filter(neighbourhood=hood).order_by("name")),
            )
        )
        result.count("hubs")
        result.count("sessions", 3)
    return set_up


# --- the history --------------------------------------------------------------------------------


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _times(session: Session) -> list[tuple[dt.time, dt.time]]:
    step = dt.timedelta(minutes=session.appointment_minutes)
    start = dt.datetime.combine(dt.date.min, session.start_time)
    end = dt.datetime.combine(dt.date.min, session.end_time)
    out = []
    while start + step <= end:
        out.append((start.time(), (start + step).time()))
        start += step
    return out


class _History:
    """Six months of contacts and what followed, built in memory and saved in bulk."""

    def __init__(self, *, staff: _Staff, hubs: list[_HubSetUp], first: dt.date) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.first = first
        self.staff = staff
        self.hubs = {h.plan.neighbourhood: h for h in hubs}
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        # (session pk, day) -> that day's slots, for the past.
        self.slots: dict[tuple[Any, dt.date], list[Slot]] = {}
        self.closed_days: set[tuple[Any, dt.date]] = set()
        self.upcoming: list[tuple[FirstContact, _HubSetUp, dt.date, bool]] = []
        self.dip = (self.today.replace(day=1) - dt.timedelta(days=70)).replace(day=1)
        self.names = 0

    def add(self, obj: models.Model) -> Any:
        self.rows[type(obj)].append(obj)
        return obj

    # -- slots in the past
    def build_slots(self) -> None:
        west = self.hubs["West"]
        training = self.first + dt.timedelta(days=45)
        while training.weekday() != WEEKDAYS[west.plan.booked_days[0]]:
            training += dt.timedelta(days=1)
        closure = self.add(
            Closure(hub=west.hub, starts_on=training, ends_on=training, reason="Staff training day")
        )
        for setup in self.hubs.values():
            for session, days in (
                (setup.booked, setup.plan.booked_days),
                (setup.carers, (setup.plan.carers_day,)),
            ):
                weekdays = {WEEKDAYS[d] for d in days}
                day = self.first
                while day < self.today:
                    if day.weekday() in weekdays:
                        closed = setup is west and day == training
                        if closed:
                            self.closed_days.add((session.pk, day))
                        self.slots[(session.pk, day)] = [
                            self.add(
                                Slot(
                                    session=session,
                                    hub=setup.hub,
                                    kind=session.kind,
                                    starts_at=_at(day, begins),
                                    ends_at=_at(day, ends),
                                    capacity=session.capacity,
                                    status=Slot.Status.CLOSED if closed else Slot.Status.OPEN,
                                    closure=closure if closed else None,
                                )
                            )
                            for begins, ends in _times(session)
                        ]
                    day += dt.timedelta(days=1)

    def free_slot(self, session: Session, day: dt.date) -> Slot | None:
        """The first past slot of the session on or after the day with a seat free; None
        when the day reached is today or later."""
        while day < self.today:
            if (session.pk, day) not in self.closed_days:
                for slot in self.slots.get((session.pk, day), []):
                    if slot.booked < slot.capacity:
                        return slot
            day += dt.timedelta(days=1)
        return None

    # -- people
    def person(self, ward: Ward) -> Person:
        self.names += 1
        rng = self.rng
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 60))
        person = self.add(
            Person(
                given_name=rng.choice(GIVEN),
                family_name=f"{rng.choice(FAMILY)}-Demo{self.names}",
                date_of_birth=born,
                ward=ward,
                town="York",
            )
        )
        self.add(
            Involvement(
                person=person, team=self.staff.front_door, reason="First contact at the front door"
            )
        )
        return person

    # -- contacts
    def build(self) -> None:
        self.build_slots()
        day = self.first
        while day <= self.today:
            if day.weekday() < 5:
                for _ in range(self.rng.randint(*CONTACTS_PER_WEEKDAY)):
                    self.contact(day)
            day += dt.timedelta(days=1)

    def contact(self, day: dt.date) -> None:
        rng = self.rng
        setup = self.hubs[rng.choice(list(self.hubs))]
        ward = rng.choice(setup.wards)
        person = self.person(ward)
        officer = rng.choice(self.staff.officers)
        decision = rng.choices([d for d, _ in DECISIONS], weights=[w for _, w in DECISIONS])[0]
        # Today's last few calls are not decided yet.
        undecided = day == self.today and rng.random() < 0.3
        made_by = rng.choices(list(FirstContact.MadeBy.values), weights=[55, 30, 15])[0]
        contact = self.add(
            FirstContact(
                person=person,
                team=self.staff.front_door,
                ward=ward,
                contact_date=day,
                channel=rng.choices(list(FirstContact.Channel.values), weights=[70, 15, 15])[0],
                made_by=made_by,
                contact_name=""
                if made_by == "person"
                else "A relative"
                if made_by == "family"
                else "District nurse",
                what_matters=rng.choice(WHAT_MATTERS),
                worries=rng.choice(WORRIES),
                urgency=FirstContact.Urgency.URGENT
                if decision == FirstContact.Decision.URGENT_RESPONSE
                else FirstContact.Urgency.ROUTINE,
                decision="" if undecided else decision,
                decided_at=None
                if undecided
                else _at(day, dt.time(rng.randint(9, 16), rng.choice((0, 15, 30, 45)))),
                decided_by=None if undecided else officer,
                created_by=officer,
                modified_by=officer,
            )
        )
        if undecided:
            return
        if decision == FirstContact.Decision.TALKING_POINT:
            self.talking_point(contact, setup)
        elif decision == FirstContact.Decision.ASSESSMENT:
            self.front_door_assessment(contact)

    def talking_point(self, contact: FirstContact, setup: _HubSetUp) -> None:
        rng = self.rng
        carers = rng.random() < 0.1
        session = setup.carers if carers else setup.booked
        # How soon the person can come: most within a week; a bad patch in one month.
        scale = 3.6 if contact.contact_date.replace(day=1) == self.dip else 1.35
        wait = max(1, round(rng.gammavariate(3, scale)))
        target = contact.contact_date + dt.timedelta(days=wait)
        slot = self.free_slot(session, target)
        if slot is None:
            self.upcoming.append((contact, setup, max(target, self.today), carers))
            return
        if rng.random() < DID_NOT_ATTEND:
            missed = self.booking(contact, slot, Booking.Status.DID_NOT_ATTEND)
            self.conversation(setup=setup, attended=False, contact=contact, booking=missed)
            if rng.random() < 0.6:
                later = timezone.localtime(slot.starts_at).date() + dt.timedelta(days=3)
                again = self.free_slot(session, later)
                if again is not None:
                    booking = self.booking(contact, again, Booking.Status.ATTENDED)
                    self.conversation(setup=setup, attended=True, contact=contact, booking=booking)
            return
        booking = self.booking(contact, slot, Booking.Status.ATTENDED)
        self.conversation(setup=setup, attended=True, contact=contact, booking=booking)

    def booking(self, contact: FirstContact, slot: Slot, status: str) -> Booking:
        slot.booked += 1
        booking = self.add(
            Booking(
                slot=slot,
                seat=slot.booked,
                person=contact.person,
                first_contact=contact,
                status=status,
                channel=Booking.Channel.ONLINE
                if self.rng.random() < 0.15
                else Booking.Channel.STAFF,
                created_by=contact.created_by,
                modified_by=contact.created_by,
            )
        )
        return booking

    def conversation(
        self,
        *,
        setup: _HubSetUp,
        attended: bool,
        contact: FirstContact | None = None,
        booking: Booking | None = None,
        person: Person | None = None,
        day: dt.date | None = None,
    ) -> Conversation:
        """The conversation for a booking, or at a drop-in (no booking) on the day."""
        rng = self.rng
        slot = booking.slot if booking is not None else None
        person = booking.person if booking is not None else person
        practitioner = rng.choice(self.staff.practitioners[setup.plan.neighbourhood])
        held_on = timezone.localtime(slot.starts_at).date() if slot is not None else day
        if not attended:
            return self.add(
                Conversation(
                    booking=booking,
                    session=slot.session if slot else None,
                    hub=setup.hub,
                    person=person,
                    first_contact=contact,
                    practitioner=practitioner,
                    held_on=held_on,
                    attendance=Conversation.Attendance.DID_NOT_ATTEND,
                    created_by=practitioner,
                    modified_by=practitioner,
                )
            )
        paid = rng.random() < PAID_SERVICE
        assessment = rng.random() < (0.8 if paid else 0.1)
        carers = slot is not None and slot.kind == Session.Kind.CARERS
        conversation = self.add(
            Conversation(
                booking=booking,
                session=slot.session if slot else setup.drop_in,
                hub=setup.hub,
                person=person,
                first_contact=contact,
                practitioner=practitioner,
                held_on=held_on,
                attendance=Conversation.Attendance.ATTENDED,
                what_matters=contact.what_matters if contact else rng.choice(WHAT_MATTERS),
                strengths="Knows the neighbours well; still drives to the shops.",
                people_around="A daughter nearby who visits at weekends.",
                information_advice=rng.random() < 0.6,
                connected_activity=rng.random() < 0.45,
                introduced_lac=rng.random() < 0.1,
                referred_social_prescribing=rng.random() < 0.1,
                equipment=rng.random() < 0.15,
                carer_support=carers or rng.random() < 0.05,
                assessment_requested=assessment,
                paid_service_needed=paid,
                created_by=practitioner,
                modified_by=practitioner,
            )
        )
        if booking is None:
            reason = f"Seen at a Talking Point at {setup.hub.name}"
            self.add(Involvement(person=person, team=setup.hub.team, reason=reason))
        if rng.random() < SURVEY_ANSWERED:
            self.add(
                SurveyResponse(
                    conversation=conversation,
                    score=rng.choices([s for s, _ in SCORES], weights=[w for _, w in SCORES])[0],
                    comment=rng.choice(
                        (
                            "",
                            "",
                            "Very helpful, thank you.",
                            "I felt listened to.",
                            "Took a while to find the room.",
                        )
                    ),
                    source=rng.choice((SurveyResponse.Source.LINK, SurveyResponse.Source.PAPER)),
                )
            )
        if assessment:
            days = rng.randint(14, 35)
            done = held_on + dt.timedelta(days=days) < self.today
            self.add(
                AssessmentRequest(
                    person=person,
                    team=setup.hub.team,
                    route=AssessmentRequest.Route.TALKING_POINT,
                    first_contact=contact,
                    conversation=conversation,
                    requested_on=held_on,
                    status=AssessmentRequest.Status.ASSESSED
                    if done
                    else AssessmentRequest.Status.WAITING,
                    assessed_on=held_on + dt.timedelta(days=days) if done else None,
                    paid_service_needed=paid if done else None,
                    created_by=practitioner,
                    modified_by=practitioner,
                )
            )
        return conversation

    def front_door_assessment(self, contact: FirstContact) -> None:
        rng = self.rng
        days = rng.randint(63, 84)  # the 9 to 12 week waiting list
        assessed_on = contact.contact_date + dt.timedelta(days=days)
        withdrawn = rng.random() < 0.04
        if withdrawn:
            status, assessed_on = AssessmentRequest.Status.WITHDRAWN, None
        elif assessed_on < self.today:
            status = AssessmentRequest.Status.ASSESSED
        else:
            status, assessed_on = AssessmentRequest.Status.WAITING, None
        self.add(
            AssessmentRequest(
                person=contact.person,
                team=self.staff.front_door,
                route=AssessmentRequest.Route.FRONT_DOOR,
                first_contact=contact,
                requested_on=contact.contact_date,
                status=status,
                assessed_on=assessed_on,
                paid_service_needed=(rng.random() < 0.65) if assessed_on else None,
                withdrawn_reason="Moved to live with family" if withdrawn else "",
                created_by=contact.created_by,
                modified_by=contact.created_by,
            )
        )

    def drop_ins(self) -> None:
        """A few people a week walk in to each drop-in without a first contact."""
        for setup in self.hubs.values():
            weekday = WEEKDAYS[setup.plan.drop_in_day]
            day = self.first
            while day < self.today:
                if day.weekday() == weekday:
                    for _ in range(self.rng.randint(0, 3)):
                        person = self.person(self.rng.choice(setup.wards))
                        self.conversation(setup=setup, attended=True, person=person, day=day)
                day += dt.timedelta(days=1)

    def save(self, result: HubsDemoResult) -> None:
        order = [
            Person,
            Involvement,
            Closure,
            Slot,
            FirstContact,
            Booking,
            Conversation,
            SurveyResponse,
            AssessmentRequest,
        ]
        labels = {
            Person: "people",
            Slot: "past slots",
            FirstContact: "first contacts",
            Booking: "bookings",
            Conversation: "conversations",
            SurveyResponse: "survey responses",
            AssessmentRequest: "assessment requests",
        }
        # A person seen at a hub gets one involvement with its team.
        seen: set[tuple[Any, Any]] = set()
        involvements = []
        for row in self.rows[Involvement]:
            key = (row.person.pk, row.team.pk)
            if key not in seen:
                seen.add(key)
                involvements.append(row)
        for booking in self.rows[Booking]:
            key = (booking.person.pk, booking.slot.hub.team_id)
            if key not in seen:
                seen.add(key)
                involvements.append(
                    Involvement(
                        person=booking.person,
                        team_id=booking.slot.hub.team_id,
                        reason=f"Booked a Talking Point at {booking.slot.hub.name}",
                    )
                )
        self.rows[Involvement] = involvements
        for model in order:
            rows = self.rows.get(model, [])
            model.objects.bulk_create(rows, batch_size=500)
            if model in labels:
                result.count(labels[model], len(rows))


# --- from today on ------------------------------------------------------------------------------


def _future(
    hubs: list[_HubSetUp], history: _History, staff: _Staff, result: HubsDemoResult
) -> None:
    """Slots from today through the schedule service, and the people decided in the last
    few days booked through the booking service."""
    from .services.bookings import booking_create
    from .services.schedule import slots_generate

    for setup in hubs:
        for session in (setup.booked, setup.drop_in, setup.carers):
            session.generated_until = None
            result.count("future slots", slots_generate(session=session))
    booked = 0
    for contact, setup, day, carers in history.upcoming:
        session = setup.carers if carers else setup.booked
        slot = (
            Slot.objects.filter(
                session=session,
                status=Slot.Status.OPEN,
                starts_at__gte=max(_at(day, dt.time.min), timezone.now()),
                booked__lt=F("capacity"),
            )
            .order_by("starts_at")
            .first()
        )
        if slot is None:
            continue
        booking_create(
            actor=contact.created_by,
            slot=slot,
            person=contact.person,
            first_contact=contact,
            send=False,
        )
        booked += 1
    result.count("upcoming bookings", booked)


@transaction.atomic
def hubs_demo_load() -> HubsDemoResult:
    """Load the demo hubs and their history once; a second call adds nothing."""
    ensure_not_production()
    if not Ward.objects.exists():
        raise ImproperlyConfigured("Load York's places first: manage.py load_york_places")
    result = HubsDemoResult()
    staff = _ensure_staff(result)
    if Hub.objects.filter(team__in=staff.teams.values()).exists():
        return result
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    hubs = _hubs(staff, first, result)
    history = _History(staff=staff, hubs=hubs, first=first)
    history.build()
    history.drop_ins()
    history.save(result)
    _future(hubs, history, staff, result)
    return result
