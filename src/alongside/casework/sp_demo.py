"""Demo social prescribing: a year of referrals to link workers in York's four primary care
networks and the hospital, with plainly fictional people. Loaded by
`manage.py load_demo_social_prescribing` after `load_demo` (and, for connections to groups,
`load_demo_directory`).

What it makes:
- four primary care networks (the staff demo's Minster network and three more), each with
  2 or 3 GP practices and a social prescribing team of 2 or 3 link workers; a hospital team
  at the NHS trust with 2 link workers; a manager who leads every social prescribing team;
  4 volunteer welfare callers;
- pathways for each team (primary care or hospital discharge, and mental health recovery),
  each with its intake questions;
- a year of referrals: about 2,400 from GP practices, 400 from hospital wards and clinics,
  and some from adult social care, community therapy and people themselves. About 85% are
  accepted (each with its episode, SNOMED CT 871731000000106, appointments, contacts, and
  for many a connection to a published listing), about 9% declined (871711000000103 when
  the person declined), about 6% passed to Local Area Coordination, and the last few days'
  wait in the intake queues. Closed episodes have the person's outcome, with GP visits
  before and after for about half;
- about 30 welfare call plans with a few weeks of calls, some unanswered or worrying.

The year is bulk-inserted (what the services would write, minus the audit trail) so it loads
in seconds; a handful of showcase records for the demo link worker, GP and welfare caller go
through the real services (referral, triage, appointments, calls, outcome, closing), and
their dates are then moved back (services always stamp "now"). The random numbers are seeded,
and the load happens once: a second call adds nothing.

To show partners what reaches them, the demo partner organisation (Acomb Neighbours Together)
is linked to one directory organisation with published listings, when none is linked yet.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import Postcode
from alongside.demo.loader import DEMO_DOMAIN, DEMO_PASSWORD, ensure_not_production
from alongside.directory.models import PUBLIC_STATES, Provider, Service
from alongside.people.models import Consent, Involvement, Person
from alongside.people.nhs_number import nhs_check_digit

from .models import (
    Appointment,
    CodedEvent,
    Connection,
    Contact,
    Conversation,
    Diversion,
    Episode,
    EpisodeChange,
    Introduction,
    Pathway,
    PathwayQuestion,
    ProgrammeOutcome,
    Referral,
    WelfareCall,
    WelfareCallPlan,
)
from .services import connections as connection_services
from .services import episodes as episode_services
from .services import referrals as referral_services
from .services.appointments import appointment_book
from .services.outcomes import outcome_save
from .services.welfare import call_plan_create, welfare_call_record
from .welfare_selectors import is_due

SEED = 20260402
SP = Programme.Code.SOCIAL_PRESCRIBING
COUNCIL = "City of York Council"
TRUST = "Ouse Valley NHS Foundation Trust"
PARTNER_ORGANISATION = "Acomb Neighbours Together"
CALLS_TEAM = "Volunteering and welfare calls"
MINSTER_TEAM = "Social prescribing link workers"
HOSPITAL_TEAM = "Ouse Valley hospital social prescribing"
LINK_WORKER_TITLE = "Social prescribing link worker"


@dataclass(frozen=True)
class Network:
    """A primary care network, its practices and its link worker team."""

    pcn: str
    team: str
    slug: str
    phone: str
    practices: tuple[str, ...]
    link_workers: tuple[tuple[str, str], ...]  # (email local part, full name)


# Minster and Walmgate Lane Surgery come from the staff demo (demo/loader.py), as does its
# team's first link worker (linkworker@); the rest are invented here.
NETWORKS = (
    Network(
        "Minster Primary Care Network",
        MINSTER_TEAM,
        "minster",
        "01632 960 410",
        ("Walmgate Lane Surgery", "Bootham Row Surgery", "Gillygate Medical Practice"),
        (("spminster2", "Nadia Thornber"), ("spminster3", "Callum Brackenbury")),
    ),
    Network(
        "Foss Valley Primary Care Network",
        "Foss Valley social prescribing link workers",
        "fossvalley",
        "01632 960 420",
        ("Huntington Road Surgery", "Foss Islands Medical Centre", "Earswick Green Practice"),
        (("spfoss1", "Hollie Metcalfe"), ("spfoss2", "Tariq Osgodby")),
    ),
    Network(
        "Knavesmire Primary Care Network",
        "Knavesmire social prescribing link workers",
        "knavesmire",
        "01632 960 430",
        ("Tadcaster Road Surgery", "Knavesmire Medical Practice", "Dringhouses Lane Health Centre"),
        (
            ("spknavesmire1", "Bethan Skelwith"),
            ("spknavesmire2", "Marcus Fewster"),
            ("spknavesmire3", "Orla Pennock"),
        ),
    ),
    Network(
        "Ainsty Primary Care Network",
        "Ainsty social prescribing link workers",
        "ainsty",
        "01632 960 440",
        ("Acomb Green Surgery", "Front Street Medical Practice"),
        (("spainsty1", "Joel Haxworth"), ("spainsty2", "Priya Cawood")),
    ),
)
HOSPITAL_WORKERS = (("sphospital1", "Imogen Dunnock"), ("sphospital2", "Kwame Ellerby"))
HOSPITAL_PHONE = "01632 960 450"
MANAGER = ("spmanager", "Rowan Sandby")
SHOWCASE_PEOPLE = (
    ("Winifred", "Calvert"),
    ("Gladys", "Nettleton"),
    ("Declan", "Sowerby"),
    ("Yusuf", "Bramley"),
)
CALLERS = (
    ("caller2", "Maggie Spurr"),
    ("caller3", "Don Oldroyd"),
    ("caller4", "Rhiannon Yeadon"),
    ("caller5", "Hassan Beckwith"),
)

# (key, name, description, target days, [(question, hint, required)])
PATHWAYS = {
    "primary": (
        "Primary care",
        "Referrals from GP practices and the wider practice team.",
        10,
        [
            ("What has the person already tried?", "", False),
            (
                "Is there anything the link worker should know before meeting them?",
                "For example, a dog at home, or a carer who should be there",
                False,
            ),
        ],
    ),
    "discharge": (
        "Hospital discharge",
        "People going home from a hospital ward who need support settling back in.",
        3,
        [
            ("When are they going home (or when did they)?", "", True),
            ("Who will be at home with them?", "", False),
        ],
    ),
    "mental_health": (
        "Mental health recovery",
        "People recovering from a period of poor mental health, alongside their care team.",
        7,
        [("Who else supports their mental health?", "For example, a care coordinator", False)],
    ),
}
NETWORK_PATHWAYS = ("primary", "mental_health")
HOSPITAL_PATHWAYS = ("discharge", "mental_health")

# How many referrals each network's team receives in the year, by source.
GP_REFERRALS_PER_NETWORK = 600
SELF_REFERRALS_PER_NETWORK = 30
SOCIAL_CARE_PER_NETWORK = 20
THERAPY_PER_NETWORK = 10
HOSPITAL_REFERRALS = 400
# Of the referrals that were triaged: accepted, declined; the rest were redirected to LAC.
ACCEPTED_SHARE, DECLINED_SHARE = 0.85, 0.09
CALL_PLANS = 30

ACUTE_HOSPITAL = "Ouse Valley Hospital"
HOSPITAL_PLACES = (
    # (where, pathway, referred by the trust?)
    (f"{ACUTE_HOSPITAL}: ward 23 (elderly medicine)", "discharge", True),
    (f"{ACUTE_HOSPITAL}: ward 31 (stroke)", "discharge", True),
    (f"{ACUTE_HOSPITAL}: ward 14 (respiratory)", "discharge", True),
    (f"{ACUTE_HOSPITAL}: frailty clinic", "discharge", True),
    (f"{ACUTE_HOSPITAL}: discharge lounge", "discharge", True),
    ("Heworth Green mental health hospital: Ash ward", "mental_health", True),
    ("Heworth Green mental health hospital: Birch ward", "mental_health", True),
    ("Fulford Lodge independent mental health hospital", "mental_health", False),
)
THERAPY_PLACES = ("Community occupational therapy", "Community physiotherapy")
# Where link workers meet people (repeats make a place likelier).
PLACES_TO_MEET = ("practice", "practice", "home", "community", "phone")
HOSPITAL_PLACES_TO_MEET = ("home", "home", "community", "phone")
REASONS = (
    "isolation", "mental_health", "money", "physical_health", "caring", "bereavement",
    "housing", "work", "digital", "substance_use",
)  # fmt: skip

GIVEN = (
    "Abigail", "Alfie", "Annie", "Arthur", "Beatrice", "Bilal", "Brenda", "Cyril", "Daisy",
    "Derek", "Dorothy", "Edwin", "Eileen", "Ewa", "Fern", "Geoffrey", "Grace", "Harvey",
    "Hazel", "Ibrahim", "Iris", "Jamal", "Janet", "Joan", "Keith", "Kirsty", "Laila", "Lionel",
    "Lorna", "Malcolm", "Mavis", "Mohammed", "Nell", "Norman", "Oksana", "Pauline", "Reggie",
    "Rita", "Roy", "Sandra", "Shaun", "Sheila", "Stanley", "Tessa", "Violet", "Walter",
    "Yvonne", "Zainab",
)  # fmt: skip
FAMILY = (
    "Ackroyd", "Barraclough", "Bielby", "Cawthorne", "Clapham", "Drabble", "Ellerker",
    "Fairburn", "Gaunt", "Grayshon", "Haigh", "Hebblethwaite", "Illingworth", "Kilvington",
    "Lazenby", "Lofthouse", "Marsden", "Mawson", "Nettleship", "Normington", "Oxtoby",
    "Pearson-Hird", "Pickering", "Rhodes", "Rushworth", "Scatcherd", "Shackleton", "Sowden",
    "Stather", "Thackray", "Thewlis", "Ullathorne", "Vause", "Waddington", "Whiteley",
    "Wormald", "Yeoman", "Hepworth",
)  # fmt: skip
STREETS = (
    "Demo Row", "Pretend Lane", "Sample Street", "Example Grove", "Fiction Terrace",
    "Makebelieve Close", "Placeholder Avenue",
)  # fmt: skip
REFERRERS = ("Dr Helen Ashworth", "Dr Sunil Garside", "Practice nurse Jo Brear", "Dr Amy Lund")
WHAT_MATTERS = (
    "Getting out of the house and seeing people again.",
    "Feeling less lonely since my wife died.",
    "Sorting out the money worries so I can sleep.",
    "Getting fitter so I can play with my grandchildren.",
    "Finding something to do with my days now I have stopped work.",
    "Managing my diabetes without feeling so low about it.",
    "Having a reason to get up in the morning.",
    "Getting back to the allotment after my fall.",
    "Meeting other carers who understand.",
    "Feeling confident on the bus again.",
)
STRENGTHS = (
    "Good listener; great with plants.",
    "Determined, funny, a keen cook.",
    "Knows lots of people on the street; loves music.",
    "Practical and organised; used to run a shop.",
)
CLOSE_REASONS = (
    ("goals_met", 55),
    ("person_ended", 15),
    ("information_only", 15),
    ("transferred", 8),
    ("moved_away", 7),
)
OUTCOME_WORDS = (
    "I go to the walking group every week and I've made friends there.",
    "The money is sorted and I'm sleeping better.",
    "I feel like myself again.",
    "I know where to go now if things get bad.",
    "I'm back at the allotment two mornings a week.",
    "I've started volunteering at the food bank.",
)
CONTACT_NOTES = {
    "call": "Rang to catch up and plan the next step.",
    "visit": "Home visit: talked about what matters and what a good week looks like.",
    "walking_alongside": "Went with them to the group for the first time.",
    "message": "Sent the details of the group we talked about.",
}
CONCERNS = (
    "Sounded confused and said she had not eaten today.",
    "Said he had a fall yesterday and his leg hurts.",
    "Very low today; said there is no point any more.",
)
BEST_TIMES = ("Mornings, before 11", "After lunch", "Between 10 and 12", "Early evening")
CALLER_NOTES = (
    "Lives alone; likes to talk about the garden.",
    "Has early dementia: remind her what day it is.",
    "Hard of hearing: let it ring for a while.",
    "Daughter visits at weekends.",
)


@dataclass
class SocialPrescribingDemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n


@cache
def _password_hash() -> str:
    """The demo password, hashed once (hashing is slow on purpose)."""
    return make_password(DEMO_PASSWORD)


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


# --- organisations, teams, staff and pathways -----------------------------------------------


@dataclass
class _Staff:
    teams: dict[str, Team]  # by team name
    practices: dict[str, list[Organisation]]  # by team name
    workers: dict[str, list[User]]  # link workers, by team name
    callers: list[User]
    hospital: Team
    council: Organisation
    trust: Organisation


def _organisation(
    name: str, kind: str, parent: Organisation | None, result: SocialPrescribingDemoResult
) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "parent": parent}
    )
    result.count("organisations", int(created))
    return organisation


def _team(
    organisation: Organisation,
    name: str,
    slug: str,
    phone: str,
    result: SocialPrescribingDemoResult,
) -> Team:
    team, created = Team.objects.get_or_create(organisation=organisation, name=name)
    if created:
        team.programmes.add(SP)
        result.count("teams")
    if not team.email and not team.phone:
        # How partners and referrers reach the team (an Ofcom drama number).
        Team.objects.filter(pk=team.pk).update(
            email=_email(f"socialprescribing.{slug}"), phone=phone
        )
        team.refresh_from_db()
    return team


def _account(
    *,
    local: str,
    full_name: str,
    job_title: str,
    organisation: Organisation,
    role: str,
    teams: list[Team],
    result: SocialPrescribingDemoResult,
    lead: bool = False,
) -> User:
    """A demo account, made once; the password is hashed once for all of them."""
    user = User.objects.filter(email=_email(local)).first()
    if user is not None:
        return user
    user = User.objects.create(
        email=_email(local),
        password=_password_hash(),
        full_name=full_name,
        job_title=job_title,
        organisation=organisation,
    )
    User.objects.filter(pk=user.pk).update(is_demo=True)
    user.groups.add(Group.objects.get(name=role))
    for team in teams:
        Membership.objects.create(team=team, user=user, is_lead=lead)
    result.count("accounts")
    return user


def _ensure_staff(result: SocialPrescribingDemoResult) -> _Staff:
    council = Organisation.objects.filter(name=COUNCIL).first()
    trust = Organisation.objects.filter(name=TRUST).first()
    calls_team = Team.objects.filter(name=CALLS_TEAM, organisation=council).first()
    if council is None or trust is None or calls_team is None:
        raise ImproperlyConfigured("Load the staff demo first: manage.py load_demo")
    teams: dict[str, Team] = {}
    practices: dict[str, list[Organisation]] = {}
    workers: dict[str, list[User]] = {}
    for network in NETWORKS:
        pcn = _organisation(network.pcn, Organisation.Kind.PCN, None, result)
        practices[network.team] = [
            _organisation(name, Organisation.Kind.GP_PRACTICE, pcn, result)
            for name in network.practices
        ]
        team = teams[network.team] = _team(pcn, network.team, network.slug, network.phone, result)
        for local, name in network.link_workers:
            _account(
                local=local,
                full_name=name,
                job_title=LINK_WORKER_TITLE,
                organisation=pcn,
                role=roles.LINK_WORKER,
                teams=[team],
                result=result,
            )
    hospital = teams[HOSPITAL_TEAM] = _team(
        trust, HOSPITAL_TEAM, "hospital", HOSPITAL_PHONE, result
    )
    practices[HOSPITAL_TEAM] = []
    for local, name in HOSPITAL_WORKERS:
        _account(
            local=local,
            full_name=name,
            job_title=LINK_WORKER_TITLE,
            organisation=trust,
            role=roles.LINK_WORKER,
            teams=[hospital],
            result=result,
        )
    _account(
        local=MANAGER[0],
        full_name=MANAGER[1],
        job_title="Social prescribing manager",
        organisation=council,
        role=roles.TEAM_MANAGER,
        teams=list(teams.values()),
        result=result,
        lead=True,
    )
    for local, name in CALLERS:
        _account(
            local=local,
            full_name=name,
            job_title="Volunteer welfare caller",
            organisation=council,
            role=roles.WELFARE_CALLER,
            teams=[calls_team],
            result=result,
        )
    for name, team in teams.items():
        workers[name] = list(
            User.objects.filter(
                memberships__team=team, groups__name=roles.LINK_WORKER, is_active=True
            ).order_by("email")
        )
    callers = list(
        User.objects.filter(
            groups__name=roles.WELFARE_CALLER, memberships__team=calls_team, is_active=True
        ).order_by("email")
    )
    return _Staff(teams, practices, workers, callers, hospital, council, trust)


def _ensure_pathways(
    teams: dict[str, Team], result: SocialPrescribingDemoResult
) -> dict[str, dict[str, Pathway]]:
    """Each team's pathways, by key ("primary", "discharge", "mental_health")."""
    made: dict[str, dict[str, Pathway]] = {}
    for team_name, team in teams.items():
        keys = HOSPITAL_PATHWAYS if team_name == HOSPITAL_TEAM else NETWORK_PATHWAYS
        made[team_name] = {}
        for key in keys:
            name, description, target, questions = PATHWAYS[key]
            pathway, created = Pathway.objects.get_or_create(
                team=team, name=name, defaults={"description": description, "target_days": target}
            )
            if created:
                result.count("pathways")
                for order, (text, hint, required) in enumerate(questions):
                    PathwayQuestion.objects.create(
                        pathway=pathway, text=text, hint=hint, required=required, order=order
                    )
                    result.count("pathway questions")
            made[team_name][key] = pathway
    return made


def _partner_listings(
    result: SocialPrescribingDemoResult,
) -> tuple[Organisation | None, list[tuple[Any, str]]]:
    """The demo partner organisation and its published listings, linking it to one directory
    organisation (an Acomb one when there is one) when it has none yet."""
    partner = Organisation.objects.filter(name=PARTNER_ORGANISATION).first()
    if partner is None:
        return None, []
    if not Provider.objects.filter(account_organisation=partner).exists():
        unlinked = Provider.objects.filter(
            account_organisation__isnull=True, services__state__in=PUBLIC_STATES
        ).order_by("name")
        provider = unlinked.filter(name__startswith="Acomb").first() or unlinked.first()
        if provider is None:
            return partner, []
        Provider.objects.filter(pk=provider.pk).update(account_organisation=partner)
        result.count("directory organisations linked to the demo partner")
    listings = list(
        Service.objects.filter(provider__account_organisation=partner, state__in=PUBLIC_STATES)
        .order_by("name")
        .values_list("pk", "name")
    )
    return partner, listings


# --- the year ------------------------------------------------------------------------------


def _nhs_numbers(start: int) -> Iterator[str]:
    """NHS numbers starting 999, reserved for testing: never a real patient's."""
    n = start
    while True:
        first_nine = f"999{n:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            yield f"{first_nine}{check}"
        n += 1


@dataclass
class _Source:
    """Where one referral comes from."""

    team: Team
    source: str
    pathway_key: str | None
    organisation: Organisation | None = None
    detail: str = ""
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_email: str = ""
    referred_by: User | None = None


class _Year:
    """A year of referrals and what followed, built in memory and saved in bulk."""

    def __init__(
        self,
        *,
        staff: _Staff,
        pathways: dict[str, dict[str, Pathway]],
        partner: Organisation | None,
        partner_listings: list[tuple[Any, str]],
    ) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.staff = staff
        self.pathways = pathways
        self.partner = partner
        self.partner_listings = partner_listings
        self.listings = list(
            Service.objects.filter(state__in=PUBLIC_STATES)
            .order_by("name", "pk")
            .values_list("pk", "name")
        )
        self.postcodes = list(
            Postcode.objects.filter(postcode__endswith="ZZ", ward__isnull=False).order_by(
                "postcode"
            )
        )
        self.questions = {
            p.pk: list(p.questions.filter(is_active=True))
            for team_pathways in pathways.values()
            for p in team_pathways.values()
        }
        self.nhs = _nhs_numbers(200_000)
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.open_episodes: list[Episode] = []
        self.index = 0

    def add(self, obj: models.Model) -> Any:
        self.rows[type(obj)].append(obj)
        return obj

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    # -- where referrals come from
    def sources(self) -> list[_Source]:
        gita = User.objects.filter(email=_email("gp")).first()
        plan: list[_Source] = []
        for network in NETWORKS:
            team = self.staff.teams[network.team]
            practices = self.staff.practices[network.team]
            for i in range(GP_REFERRALS_PER_NETWORK):
                practice = practices[i % len(practices)]
                by_gita = gita is not None and gita.organisation_id == practice.pk and i % 3 == 0
                name = gita.full_name if by_gita else REFERRERS[i % len(REFERRERS)]
                plan.append(
                    _Source(
                        team=team,
                        source=Referral.Source.GP_PRACTICE,
                        pathway_key="mental_health" if i % 5 == 0 else "primary",
                        organisation=practice,
                        referrer_name=name,
                        referrer_role=gita.job_title if by_gita else "GP practice",
                        referrer_email=gita.email
                        if by_gita
                        else _email(f"referrals.{_slug(practice.name)}"),
                        referred_by=gita if by_gita else None,
                    )
                )
            for _ in range(SELF_REFERRALS_PER_NETWORK):
                plan.append(_Source(team=team, source=Referral.Source.SELF, pathway_key=None))
            for _ in range(SOCIAL_CARE_PER_NETWORK):
                plan.append(
                    _Source(
                        team=team,
                        source=Referral.Source.ADULT_SOCIAL_CARE,
                        pathway_key="primary",
                        organisation=self.staff.council,
                        detail="Adult social care duty team",
                        referrer_name="Adult social care duty team",
                        referrer_role="Social worker",
                        referrer_email=_email("asc.duty"),
                    )
                )
            for i in range(THERAPY_PER_NETWORK):
                plan.append(
                    _Source(
                        team=team,
                        source=Referral.Source.COMMUNITY_THERAPY,
                        pathway_key="primary",
                        organisation=self.staff.trust,
                        detail=THERAPY_PLACES[i % len(THERAPY_PLACES)],
                        referrer_name="Community therapy team",
                        referrer_role="Occupational therapist",
                        referrer_email=_email("community.therapy"),
                    )
                )
        for i in range(HOSPITAL_REFERRALS):
            where, key, by_trust = HOSPITAL_PLACES[i % len(HOSPITAL_PLACES)]
            plan.append(
                _Source(
                    team=self.staff.hospital,
                    source=Referral.Source.HOSPITAL,
                    pathway_key=key,
                    organisation=self.staff.trust if by_trust else None,
                    detail=where,
                    referrer_name="Ward discharge coordinator",
                    referrer_role="Discharge coordinator",
                    referrer_email=_email("discharge.team"),
                )
            )
        return plan

    # -- one referral
    def build(self) -> None:
        for source in self.sources():
            self.referral(source)
        self.call_plans()

    def referral(self, source: _Source) -> None:
        rng = self.rng
        self.index += 1
        age = rng.randint(0, 364)
        received_on = self.today - dt.timedelta(days=age)
        hour = rng.randint(8, 21) if source.source == Referral.Source.SELF else rng.randint(8, 16)
        received_at = min(self.at(received_on, hour, rng.choice((0, 15, 30, 45))), self.now)
        urgency = rng.choices(["routine", "soon", "urgent"], weights=[80, 15, 5])[0]
        pathway = self.pathways[source.team.name].get(source.pathway_key or "")
        given = GIVEN[self.index % len(GIVEN)]
        family = FAMILY[(self.index * 7) % len(FAMILY)]
        oldest = 1928 if source.source == Referral.Source.HOSPITAL else 1935
        born = dt.date(rng.randint(oldest, 2004), rng.randint(1, 12), rng.randint(1, 28))
        postcode = self.postcodes[self.index % len(self.postcodes)] if self.postcodes else None
        street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
        phone = f"07700 900{self.index % 1000:03d}"
        nhs = next(self.nhs) if source.source != Referral.Source.SELF and rng.random() < 0.8 else ""
        reasons = rng.sample(REASONS, k=rng.randint(1, 3))
        if source.pathway_key == "mental_health" and "mental_health" not in reasons:
            reasons[0] = "mental_health"
        referral = self.add(
            Referral(
                programme_id=SP,
                team=source.team,
                pathway=pathway,
                source=source.source,
                source_detail=source.detail,
                referring_organisation=source.organisation,
                referred_by=source.referred_by,
                referrer_name=source.referrer_name,
                referrer_role=source.referrer_role,
                referrer_email=source.referrer_email,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                nhs_number=nhs,
                phone=phone,
                address=f"{street}, York",
                postcode=postcode.postcode if postcode else "",
                what_matters=rng.choice(WHAT_MATTERS),
                urgency=urgency,
                consent_to_referral=True,
                share_back="Happy for the GP to hear how it went." if rng.random() < 0.4 else "",
                answers=self.answers(pathway),
                received_at=received_at,
                created_by=source.referred_by,
            )
        )
        for code in reasons:
            self.add(Referral.reasons.through(referral_id=referral.pk, introductionreason_id=code))

        # The last few days' referrals wait in the intake queue.
        waiting = 0.85 if age <= 2 else 0.45 if age <= 7 else 0.06 if age <= 20 else 0
        if rng.random() < waiting:
            return
        delay = {"urgent": rng.randint(0, 1), "soon": rng.randint(0, 3)}.get(
            urgency, rng.randint(1, 5)
        )
        triaged_on = min(self.today, received_on + dt.timedelta(days=delay))
        triaged_at = min(max(self.at(triaged_on, rng.randint(9, 16), 30), received_at), self.now)
        team_workers = self.staff.workers[source.team.name]
        worker = team_workers[self.index % len(team_workers)] if team_workers else None
        referral.triaged_by = worker
        referral.triaged_at = triaged_at
        roll = rng.random()
        if roll < ACCEPTED_SHARE:
            person = Person(
                given_name=given,
                family_name=family,
                date_of_birth=born,
                nhs_number=nhs,
                phone=phone,
                address_line_1=street,
                town="York",
                postcode=referral.postcode,
                ward_id=postcode.ward_id if postcode else None,
                small_area_id=postcode.small_area_id if postcode else None,
                created_by=worker,
            )
            self.accepted(referral, person, worker, reasons, triaged_on)
        elif roll < ACCEPTED_SHARE + DECLINED_SHARE:
            reason = rng.choice(list(referral_services.DECLINE_REASONS))
            if reason == "other":
                reason = referral_services.PERSON_DECLINED
            referral.status = Referral.Status.DECLINED
            referral.decision_reason = referral_services.DECLINE_REASONS[reason]
            if reason == referral_services.PERSON_DECLINED:
                self.code(referral, referral_services.DECLINED_CODE, triaged_at)
        else:
            referral.status = Referral.Status.REDIRECTED
            referral.redirected_to_id = Programme.Code.LAC
            referral.decision_reason = "Introduced to Local Area Coordination, as they agreed"

    def answers(self, pathway: Pathway | None) -> dict[str, dict[str, str]]:
        if pathway is None:
            return {}
        replies = {
            "What has the person already tried?": "Talking therapies last year.",
            "When are they going home (or when did they)?": "Later this week.",
            "Who will be at home with them?": "Nobody: they live alone.",
            "Who else supports their mental health?": "Their care coordinator.",
        }
        return {
            str(q.pk): {"question": q.text, "answer": replies[q.text]}
            for q in self.questions[pathway.pk]
            if q.text in replies and (q.required or self.rng.random() < 0.5)
        }

    def code(self, referral: Referral, code: str, when: dt.datetime) -> None:
        self.add(CodedEvent(referral=referral, code_id=code, recorded_at=when))

    # -- an accepted referral: the person, their episode and the work with them
    def accepted(
        self,
        referral: Referral,
        person: Person,
        worker: User | None,
        reasons: list[str],
        triaged_on: dt.date,
    ) -> None:
        rng = self.rng
        team = referral.team
        self.add(person)
        self.add(Involvement(person=person, team=team, reason="Referred to social prescribing"))
        self.add(
            Consent(
                person=person,
                purpose=Consent.Purpose.SUPPORT,
                agreed="Agreed to the referral, and that the link workers keep a record to "
                "support them.",
                given_at=timezone.localdate(referral.received_at),
            )
        )
        opened = timezone.localdate(referral.received_at)
        introduction = self.add(
            Introduction(
                person=person,
                programme_id=SP,
                team=team,
                ward_id=person.ward_id,
                source=referral_services.SOURCE_TO_INTRODUCTION[referral.source],
                introducer_name=referral.referrer_name,
                introducer_organisation=(
                    referral.referring_organisation.name if referral.referring_organisation else ""
                ),
                introducer_contact=referral.referrer_email,
                notes=f"Pathway: {referral.pathway.name}" if referral.pathway else "",
                received_on=opened,
                created_by=worker,
            )
        )
        for code in reasons:
            self.add(
                Introduction.reasons.through(
                    introduction_id=introduction.pk, introductionreason_id=code
                )
            )
        soonest = 1 if referral.urgency == "urgent" else 2
        first_contact = max(triaged_on, opened + dt.timedelta(days=rng.randint(soonest, 15)))
        if first_contact > self.today:
            first_contact = None
        status, closed_on = self.course(first_contact)
        changes = self.changes(status, first_contact, closed_on)
        episode = self.add(
            Episode(
                person=person,
                programme_id=SP,
                team=team,
                ward_id=person.ward_id,
                introduction=introduction,
                worker=worker,
                status=status,
                status_changed_at=changes[-1][1] if changes else referral.triaged_at,
                opened_on=opened,
                first_contact_on=first_contact,
                closed_on=closed_on,
                close_reason=self.close_reason() if closed_on else "",
                outcome_in_own_words=rng.choice(OUTCOME_WORDS) if closed_on else "",
                created_by=worker,
            )
        )
        referral.status = Referral.Status.ACCEPTED
        referral.person = person
        referral.episode = episode
        self.code(referral, referral_services.REFERRAL_CODE, referral.triaged_at)
        old = Episode.Status.NEW
        for new, when in changes:
            self.add(
                EpisodeChange(
                    episode=episode,
                    kind=EpisodeChange.Kind.STATUS,
                    old_value=old,
                    new_value=new,
                    changed_at=when,
                    created_by=worker,
                )
            )
            old = new
        if first_contact is None or worker is None:
            return
        self.work(episode, referral, worker, first_contact, closed_on)
        if status == Episode.Status.ACTIVE:
            self.open_episodes.append(episode)

    def course(self, first_contact: dt.date | None) -> tuple[str, dt.date | None]:
        """Where the episode has got to, from how long ago the person was first reached."""
        S = Episode.Status
        if first_contact is None:
            return S.NEW, None
        since = (self.today - first_contact).days
        rng = self.rng
        if since < 45:
            status = rng.choices([S.CONTACTED, S.ACTIVE, S.PAUSED], weights=[30, 65, 5])[0]
        elif since < 150:
            status = rng.choices([S.ACTIVE, S.PAUSED, S.CLOSING, S.CLOSED], weights=[45, 5, 8, 42])[
                0
            ]
        else:
            status = rng.choices([S.ACTIVE, S.PAUSED, S.CLOSED], weights=[8, 4, 88])[0]
        if status != S.CLOSED:
            return status, None
        last = self.today - dt.timedelta(days=1)
        return status, max(
            first_contact, min(last, first_contact + dt.timedelta(rng.randint(30, 150)))
        )

    def changes(
        self, status: str, first_contact: dt.date | None, closed_on: dt.date | None
    ) -> list[tuple[str, dt.datetime]]:
        """The status history that leads to `status`."""
        S = Episode.Status
        if first_contact is None:
            return []
        steps = [(S.CONTACTED, first_contact)]
        if status != S.CONTACTED:
            active_on = min(self.today, first_contact + dt.timedelta(days=7))
            if closed_on:
                active_on = min(active_on, closed_on)
            steps.append((S.ACTIVE, active_on))
        if status == S.PAUSED:
            steps.append((S.PAUSED, min(self.today, steps[-1][1] + dt.timedelta(days=20))))
        if status == S.CLOSING:
            steps.append((S.CLOSING, max(steps[-1][1], self.today - dt.timedelta(days=5))))
        if status == S.CLOSED and closed_on:
            steps.append((S.CLOSING, max(steps[-1][1], closed_on - dt.timedelta(days=7))))
            steps.append((S.CLOSED, closed_on))
        return [(new, min(self.now, self.at(day, 10 + n))) for n, (new, day) in enumerate(steps)]

    def close_reason(self) -> str:
        reasons, weights = zip(*CLOSE_REASONS, strict=True)
        return self.rng.choices(reasons, weights=weights)[0]

    def work(
        self,
        episode: Episode,
        referral: Referral,
        worker: User,
        first_contact: dt.date,
        closed_on: dt.date | None,
    ) -> None:
        """The conversation, appointments, contacts, connections and outcome of an episode
        whose person has been reached."""
        rng = self.rng
        end = closed_on or self.today
        hospital = referral.source == Referral.Source.HOSPITAL
        self.add(
            Contact(
                episode=episode,
                worker=worker,
                kind=Contact.Kind.CALL,
                happened_on=first_contact,
                minutes=rng.choice([10, 15, 20]),
                summary="Rang to introduce myself and book a first appointment.",
                created_by=worker,
            )
        )
        day = first_contact
        for n in range(rng.randint(1, 6)):
            if n:
                day = day + dt.timedelta(days=rng.randint(7, 21))
            if day > end:
                break
            place = rng.choice(HOSPITAL_PLACES_TO_MEET if hospital else PLACES_TO_MEET)
            status = (
                Appointment.Status.ATTENDED
                if n == 0
                else rng.choices(
                    [
                        Appointment.Status.ATTENDED,
                        Appointment.Status.DID_NOT_ATTEND,
                        Appointment.Status.CANCELLED,
                    ],
                    weights=[85, 10, 5],
                )[0]
            )
            self.add(
                Appointment(
                    episode=episode,
                    worker=worker,
                    starts_at=self.at(day, rng.randint(9, 15), rng.choice((0, 30))),
                    minutes=rng.choice([30, 45, 60]),
                    place=place,
                    place_detail=referral.referring_organisation.name
                    if place == "practice" and referral.referring_organisation
                    else "",
                    status=status,
                    created_by=worker,
                )
            )
            if n == 0:
                self.add(
                    Conversation(
                        episode=episode,
                        what_matters=referral.what_matters,
                        strengths=rng.choice(STRENGTHS),
                        held_on=day,
                        created_by=worker,
                    )
                )
            elif rng.random() < 0.4:
                kind = rng.choice(list(CONTACT_NOTES))
                self.add(
                    Contact(
                        episode=episode,
                        worker=worker,
                        kind=kind,
                        happened_on=day,
                        minutes=rng.choice([15, 30, 45, 60, 90]),
                        summary=CONTACT_NOTES[kind],
                        created_by=worker,
                    )
                )
        if closed_on is None and episode.status in (
            Episode.Status.ACTIVE,
            Episode.Status.CONTACTED,
        ):
            upcoming = self.today + dt.timedelta(days=rng.randint(1, 14))
            self.add(
                Appointment(
                    episode=episode,
                    worker=worker,
                    starts_at=self.at(upcoming, rng.randint(9, 15), rng.choice((0, 30))),
                    minutes=45,
                    place="home" if hospital else "practice",
                    created_by=worker,
                )
            )
        if episode.status != Episode.Status.CONTACTED and rng.random() < 0.55:
            self.connections(episode, worker, first_contact, end)
        if closed_on or (episode.status == Episode.Status.CLOSING and rng.random() < 0.5):
            self.outcome(episode)

    def connections(
        self, episode: Episode, worker: User, first_contact: dt.date, end: dt.date
    ) -> None:
        rng = self.rng
        chosen: dict[Any, str] = {}
        for _ in range(rng.randint(1, 2)):
            pool = (
                self.partner_listings
                if self.partner_listings and rng.random() < 0.04
                else self.listings
            )
            if pool:
                pk, name = rng.choice(pool)
                chosen[pk] = name
        closed = episode.status == Episode.Status.CLOSED
        for pk, name in chosen.items():
            status = rng.choice(
                ["went", "still_going", "still_going", "stopped"]
                if closed
                else ["suggested", "introduced", "introduced", "went", "still_going"]
            )
            days = max(0, (end - first_contact).days)
            self.add(
                Connection(
                    episode=episode,
                    listing_id=pk,
                    name=name[:200],
                    status=status,
                    status_changed_on=first_contact + dt.timedelta(days=rng.randint(0, days)),
                    stopped_reason="The time did not suit them" if status == "stopped" else "",
                    created_by=worker,
                )
            )
            if self.partner and (pk, name) in self.partner_listings and rng.random() < 0.5:
                consent = self.add(
                    Consent(
                        person=episode.person,
                        purpose=Consent.Purpose.SHARE_PARTNERS,
                        agreed=f"Happy for {self.partner.name} to know their first name.",
                        given_at=first_contact,
                    )
                )
                self.add(
                    Consent.shared_with.through(
                        consent_id=consent.pk, organisation_id=self.partner.pk
                    )
                )

    def outcome(self, episode: Episode) -> None:
        rng = self.rng
        A = ProgrammeOutcome.Agreement
        paired = rng.random() < 0.5
        before = rng.randint(2, 14)
        self.add(
            ProgrammeOutcome(
                episode=episode,
                goals_achieved=rng.choices(["yes", "partly", "no"], weights=[55, 35, 10])[0],
                more_able=rng.choices(
                    [A.STRONGLY_AGREE, A.AGREE, A.NEITHER, A.DISAGREE], weights=[35, 40, 15, 10]
                )[0],
                would_not_have=rng.choices(
                    [A.STRONGLY_AGREE, A.AGREE, A.NEITHER, A.DISAGREE], weights=[30, 40, 20, 10]
                )[0],
                gp_visits_before=before if paired else None,
                gp_visits_after=max(0, before - rng.randint(-1, 6)) if paired else None,
            )
        )
        if episode.status == Episode.Status.CLOSED and rng.random() < 0.4:
            self.add(Diversion(episode=episode, kind_id="gp_visits", effect="avoided"))

    # -- welfare calls
    def call_plans(self) -> None:
        """Regular calls to some of the people being supported (older people first), each
        plan with its calls so far; today's calls are still to make."""
        callers = self.staff.callers
        if not callers:
            return
        rng = self.rng
        candidates = sorted(
            (e for e in self.open_episodes if e.first_contact_on <= self.today - dt.timedelta(14)),
            key=lambda e: e.person.date_of_birth,
        )[: CALL_PLANS * 2]
        for n, episode in enumerate(rng.sample(candidates, k=min(CALL_PLANS, len(candidates)))):
            frequency = ("daily", "weekdays", "weekly")[0 if n < 10 else 1 if n < 16 else 2]
            starts_on = max(
                episode.first_contact_on, self.today - dt.timedelta(days=rng.randint(14, 42))
            )
            plan = self.add(
                WelfareCallPlan(
                    episode=episode,
                    caller=callers[n % len(callers)],
                    frequency=frequency,
                    weekday=rng.randint(0, 4) if frequency == "weekly" else None,
                    best_time=rng.choice(BEST_TIMES),
                    starts_on=starts_on,
                    notes=rng.choice(CALLER_NOTES),
                    created_by=episode.worker,
                )
            )
            day = starts_on
            while day < self.today:
                if is_due(plan, day):
                    self.call(plan, day)
                day += dt.timedelta(days=1)

    def call(self, plan: WelfareCallPlan, day: dt.date) -> None:
        rng = self.rng
        outcome = rng.choices(["spoke", "no_answer", "concern"], weights=[86, 9, 5])[0]
        called_at = self.at(day, rng.randint(9, 17), rng.choice((0, 10, 20, 40)))
        escalated = outcome != "spoke"
        recent = (self.today - day).days <= 1
        self.add(
            WelfareCall(
                plan=plan,
                due_on=day,
                caller=plan.caller,
                outcome=outcome,
                note=rng.choice(CONCERNS) if outcome == "concern" else "",
                called_at=called_at,
                escalated_at=called_at if escalated else None,
                # The last day's worries may still be on the link worker's list.
                followed_up_at=called_at + dt.timedelta(hours=2)
                if escalated and not recent
                else None,
                followed_up_by=plan.episode.worker if escalated and not recent else None,
                created_by=plan.caller,
            )
        )

    def save(self, result: SocialPrescribingDemoResult) -> None:
        # Parents before children; each list in one go.
        order = [
            Person,
            Involvement,
            Consent,
            Consent.shared_with.through,
            Introduction,
            Introduction.reasons.through,
            Episode,
            Referral,
            Referral.reasons.through,
            CodedEvent,
            EpisodeChange,
            Conversation,
            Appointment,
            Contact,
            Connection,
            ProgrammeOutcome,
            Diversion,
            WelfareCallPlan,
            WelfareCall,
        ]
        labels = {
            Person: "people",
            Referral: "referrals",
            Episode: "episodes",
            Appointment: "appointments",
            Contact: "contacts",
            Connection: "connections",
            ProgrammeOutcome: "outcomes",
            WelfareCallPlan: "welfare call plans",
            WelfareCall: "welfare calls",
            CodedEvent: "coded events",
        }
        for model in order:
            rows = self.rows.get(model, [])
            model.objects.bulk_create(rows, batch_size=500)
            if model in labels:
                result.count(labels[model], len(rows))


# --- showcase records, through the real services ---------------------------------------------


def _shift(when: dt.datetime, days: int) -> dt.datetime:
    return when - dt.timedelta(days=days)


def _showcase(
    *,
    staff: _Staff,
    pathways: dict[str, dict[str, Pathway]],
    partner_listings: list[tuple[Any, str]],
    result: SocialPrescribingDemoResult,
) -> None:
    """The demo GP refers four of the staff demo's people to the Minster team; the demo link
    worker accepts three (one still waits), works with them, plans daily calls for one with
    the demo welfare caller, connects one to the demo partner's group and closes one with
    their outcome. Dates are then moved back to when it would have happened."""
    gp = User.objects.filter(email=_email("gp")).first()
    lee = User.objects.filter(email=_email("linkworker")).first()
    caller = User.objects.filter(email=_email("caller")).first()
    team = staff.teams[MINSTER_TEAM]
    # The staff demo's people whom its link worker already knows (demo.loader.DEMO_PEOPLE).
    people = {}
    for given, family in SHOWCASE_PEOPLE:
        person = Person.objects.filter(given_name=given, family_name=family).first()
        if person is not None:
            people[given] = person
    if gp is None or lee is None or len(people) < 4:
        return
    primary = pathways[MINSTER_TEAM]["primary"]
    mental_health = pathways[MINSTER_TEAM]["mental_health"]
    now = timezone.now()
    today = timezone.localdate()

    def refer(person: Person, pathway: Pathway, days_ago: int, **details: Any) -> Referral:
        referral = referral_services.referral_create(
            actor=gp,
            team=team,
            pathway=pathway,
            person=referral_services.ReferredPerson(
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                nhs_number=person.nhs_number,
                address=f"{person.address_line_1}, {person.town}",
                postcode=person.postcode,
            ),
            details=referral_services.ReferralDetails(
                source=Referral.Source.GP_PRACTICE,
                consent_to_referral=True,
                referrer_name=gp.full_name,
                referrer_role=gp.job_title,
                referrer_email=gp.email,
                **details,
            ),
        )
        Referral.objects.filter(pk=referral.pk).update(received_at=_shift(now, days_ago))
        referral.refresh_from_db()
        result.count("showcase referrals")
        return referral

    def accept(referral: Referral, person: Person, days_later: int) -> Episode:
        referral = referral_services.referral_accept(actor=lee, referral=referral, person=person)
        when = referral.received_at + dt.timedelta(days=days_later)
        Referral.objects.filter(pk=referral.pk).update(triaged_at=when)
        CodedEvent.objects.filter(referral=referral).update(recorded_at=when)
        return Episode.objects.get(pk=referral.episode_id)

    def reach(episode: Episode, contacted_days_ago: int, *, active: bool = True) -> Episode:
        episode = episode_services.episode_transition(
            actor=lee, episode=episode, to_status="contacted"
        )
        if active:
            episode = episode_services.episode_transition(
                actor=lee, episode=episode, to_status="active"
            )
        contacted = today - dt.timedelta(days=contacted_days_ago)
        Episode.objects.filter(pk=episode.pk).update(
            first_contact_on=contacted, status_changed_at=_shift(now, contacted_days_ago - 1)
        )
        EpisodeChange.objects.filter(episode=episode).update(
            changed_at=_shift(now, contacted_days_ago)
        )
        # The first meeting, at the practice, the day they were reached.
        Appointment.objects.create(
            episode=episode,
            worker=lee,
            starts_at=timezone.make_aware(dt.datetime.combine(contacted, dt.time(11))),
            minutes=45,
            place=Appointment.Place.PRACTICE,
            place_detail="Walmgate Lane Surgery",
            status=Appointment.Status.ATTENDED,
            created_by=lee,
        )
        episode.refresh_from_db()
        return episode

    # Winifred: daily calls from the demo welfare caller, some of them worrying.
    winifred = people["Winifred"]
    episode = accept(
        refer(
            winifred,
            primary,
            40,
            reasons=["isolation", "physical_health"],
            what_matters="Staying in my own home, and someone to talk to most days.",
            share_back="Happy for Dr Practitioner to know how it went.",
        ),
        winifred,
        1,
    )
    episode = reach(episode, 35)
    appointment_book(
        actor=lee,
        episode=episode,
        starts_at=timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days=3), dt.time(10, 30))
        ),
        minutes=45,
        place=Appointment.Place.HOME,
        notes="Bring the leaflet about the lunch club.",
    )
    result.count("showcase appointments")
    if caller is not None:
        plan = call_plan_create(
            actor=lee,
            episode=episode,
            caller=caller,
            frequency=WelfareCallPlan.Frequency.DAILY,
            starts_on=today,
            best_time="Between 10 and 11 in the morning",
            notes="Hard of hearing: let it ring for a while. Her daughter visits on Sundays.",
        )
        WelfareCallPlan.objects.filter(pk=plan.pk).update(starts_on=today - dt.timedelta(days=20))
        plan.refresh_from_db()
        WelfareCall.objects.bulk_create(
            WelfareCall(
                plan=plan,
                due_on=today - dt.timedelta(days=back),
                caller=caller,
                outcome=WelfareCall.Outcome.SPOKE,
                called_at=_shift(now, back),
                created_by=caller,
            )
            for back in range(20, 6, -1)
        )
        for back, outcome, note in (
            (6, "spoke", ""),
            (5, "spoke", ""),
            (4, "no_answer", ""),
            (3, "spoke", ""),
            (2, "spoke", ""),
            (1, "concern", "Said she had a fall in the kitchen yesterday; sounded shaken."),
        ):
            welfare_call_record(
                actor=caller,
                plan=plan,
                due_on=today - dt.timedelta(days=back),
                outcome=outcome,
                note=note,
            )
        result.count("showcase welfare calls", 20)

    # Gladys: introduced to the demo partner's group; she agreed to share her details.
    gladys = people["Gladys"]
    episode = accept(
        refer(
            gladys,
            primary,
            70,
            reasons=["isolation", "bereavement"],
            what_matters="Meeting people since my husband died.",
        ),
        gladys,
        2,
    )
    episode = reach(episode, 62)
    if partner_listings:
        listing = Service.objects.get(pk=partner_listings[0][0])
        connection = connection_services.connection_add(actor=lee, episode=episode, listing=listing)
        connection_services.connection_update(actor=lee, connection=connection, status="went")
        Connection.objects.filter(pk=connection.pk).update(
            status_changed_on=today - dt.timedelta(days=30)
        )
        result.count("showcase connections")

    # Declan: mental health recovery, closed with what he said and his GP visits.
    declan = people["Declan"]
    episode = accept(
        refer(
            declan,
            mental_health,
            160,
            reasons=["mental_health", "work"],
            what_matters="Getting back to work and feeling useful.",
            urgency=Referral.Urgency.SOON,
            share_back="Happy for the GP to know what changed.",
        ),
        declan,
        1,
    )
    episode = reach(episode, 150)
    episode = episode_services.episode_transition(actor=lee, episode=episode, to_status="closing")
    outcome_save(
        actor=lee,
        episode=episode,
        goals_achieved=ProgrammeOutcome.Achieved.YES,
        more_able=ProgrammeOutcome.Agreement.STRONGLY_AGREE,
        would_not_have=ProgrammeOutcome.Agreement.AGREE,
        gp_visits_before=9,
        gp_visits_after=3,
    )
    episode_services.episode_close(
        actor=lee,
        episode=episode,
        reason=Episode.CloseReason.GOALS_MET,
        outcome_in_own_words="I'm volunteering at the repair cafe and I've applied for jobs.",
        diversions=[episode_services.DiversionEntry(kind="gp_visits", effect="avoided")],
        closed_on=today - dt.timedelta(days=14),
    )
    EpisodeChange.objects.filter(episode=episode, new_value__in=["closing", "closed"]).update(
        changed_at=_shift(now, 14)
    )
    Episode.objects.filter(pk=episode.pk).update(status_changed_at=_shift(now, 14))

    # Yusuf: sent yesterday, waiting in the intake queue.
    refer(
        people["Yusuf"],
        primary,
        1,
        reasons=["money", "housing"],
        what_matters="Sorting out the rent arrears before the letters get worse.",
        urgency=Referral.Urgency.SOON,
    )


@transaction.atomic
def sp_demo_load() -> SocialPrescribingDemoResult:
    """Load the demo social prescribing year once; a second call adds nothing."""
    ensure_not_production()
    result = SocialPrescribingDemoResult()
    staff = _ensure_staff(result)
    pathways = _ensure_pathways(staff.teams, result)
    if Referral.objects.filter(team__in=staff.teams.values()).exists():
        return result
    partner, partner_listings = _partner_listings(result)
    year = _Year(staff=staff, pathways=pathways, partner=partner, partner_listings=partner_listings)
    year.build()
    year.save(result)
    _showcase(staff=staff, pathways=pathways, partner_listings=partner_listings, result=result)
    return result
