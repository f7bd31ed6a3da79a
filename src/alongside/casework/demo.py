"""Demo casework: a year of Local Area Coordination in York's west and east, with plainly
fictional people. Loaded by `manage.py load_demo_casework` after the staff and directory demos.

Introductions, status changes, level changes and closing go through the real services; the
dates are then moved back so that the year reads like a real one (services always stamp
"now"). Everything is seeded, so two loads give the same data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import Postcode, Ward
from alongside.directory.models import PUBLIC_STATES, Provider, Service, TaxonomyTerm
from alongside.grants.models import Award, Fund
from alongside.people import services as people_services
from alongside.people.models import Consent

from . import services
from .models import (
    Action,
    Agreement,
    CommunityWork,
    Connection,
    Contact,
    Conversation,
    Episode,
    EpisodeChange,
    Gap,
    Goal,
    Introduction,
    Relationship,
    Story,
    SystemIntelligence,
)

SEED = 20190401
DEMO_DOMAIN = "demo.alongside.test"
DEMO_PASSWORD = "demo-password-2026"
WEST_TEAM = "Local Area Coordination West"
EAST_TEAM = "Local Area Coordination East"
EAST_WARDS = ["Heworth", "Hull Road", "Osbaldwick & Derwent"]
# (email local part, full name, team)
COORDINATORS = [
    ("lac2", "Omar Whitfield", WEST_TEAM),
    ("lac3", "Ruth Inglebrook", WEST_TEAM),
    ("laceast", "Erin Haxholme", EAST_TEAM),
]
# Invented postcodes (every unit ends "ZZ") at real small areas; see demo.loader.
EAST_POSTCODES = [("YO31 0ZZ", "Heworth"), ("YO10 4ZZ", "Hull Road")]
GIVEN = (
    "Aileen",
    "Barry",
    "Carol",
    "Dennis",
    "Elsie",
    "Frank",
    "Gwen",
    "Hamid",
    "Ivy",
    "Jack",
    "Kath",
    "Leonard",
    "Maureen",
    "Neville",
    "Olwen",
    "Percy",
    "Queenie",
    "Ray",
    "Sylvia",
    "Trevor",
    "Una",
    "Vernon",
    "Wendy",
    "Yasmin",
    "Zach",
    "Amara",
    "Bogdan",
    "Chloe",
    "Dylan",
    "Eilidh",
)
FAMILY = (
    "Appleyard",
    "Birkby",
    "Cowling",
    "Dalby",
    "Eastwood",
    "Firth",
    "Garside",
    "Holroyd",
    "Ibbotson",
    "Jowett",
    "Kettleborough",
    "Lister",
    "Murgatroyd",
    "Naylor",
    "Oddie",
    "Pickles",
    "Rawnsley",
    "Sugden",
    "Tetley",
    "Umpleby",
    "Varley",
    "Wadsworth",
    "Yeadon",
)
WHAT_MATTERS = (
    "Getting out of the flat and seeing people again.",
    "Keeping my allotment going and feeling useful.",
    "Being a good dad and sorting out the money worries.",
    "Staying in my own home and not being a burden.",
    "Finding work that fits around my health.",
    "Having someone to talk to since my husband died.",
)
VISIONS = (
    "I want to feel part of my street again.",
    "I'd like to volunteer and use what I know.",
    "To be settled, with the bills under control.",
    "To walk to the shops on my own by summer.",
)
STRENGTHS = (
    "Good with people, patient, a great cook.",
    "Handy with tools; knows everyone on the estate.",
    "Determined; a keen gardener; loves music.",
    "Funny, kind, and very organised.",
)
WORRIES = (
    "Falling behind on the rent.",
    "Being on my own all day.",
    "My memory, and what happens if I can't cope.",
    "Going out after dark.",
)
GOALS = (
    ("Go to a group once a week", "Find a group that meets near home", "person"),
    ("Sort out my benefits", "Book an appointment with the advice service", "worker"),
    ("Feel confident using the bus", "Walk to the bus stop together and ride into town", "worker"),
    ("Get back into volunteering", "Visit the volunteer centre's drop-in", "person"),
    ("Keep warm this winter", "Apply for help with energy costs", "worker"),
)
CONTACT_NOTES = {
    "call": "Rang to catch up; agreed next steps.",
    "visit": "Home visit. Talked about what a good week looks like.",
    "walking_alongside": "Walked with them to the group and stayed for the first half hour.",
    "meeting": "Met at the community cafe with their daughter.",
}
GAPS = (
    ("Evening social group for men in their 30s and 40s", "loneliness-and-isolation"),
    ("Polish-speaking carers' group", "carers"),
    ("Step-free chair exercise class nearer Foxwood", "physical-activity"),
)
COMMUNITY = (
    ("Acomb Knit and Natter", "venue", "Found a free room at the library for Tuesday mornings."),
    ("Foxwood Residents' Association", "funding", "Helped write a ward funding bid for a garden."),
    ("Westfield Men's Shed", "volunteers", "Recruited two volunteers through the job centre."),
    ("Holgate Community Garden", "publicity", "Put the garden on Live Well York; posters made."),
)
INTELLIGENCE = (
    ("barrier", "Blue badge applications", "Online-only form; people without internet give up."),
    ("duplication", "Hospital discharge follow-up", "Three services phoned the same person."),
    ("gap", "Mental health support for carers", "Nothing between GP and crisis team."),
    ("good_practice", "Council tax support team", "Named contact made a long case simple."),
)


@dataclass
class CaseworkDemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n


def _ensure_staff(result: CaseworkDemoResult) -> tuple[Team, Team]:
    council = Organisation.objects.get(name="City of York Council")
    west = Team.objects.get(organisation=council, name=WEST_TEAM)
    east, created = Team.objects.get_or_create(organisation=council, name=EAST_TEAM)
    if created:
        east.programmes.add(Programme.Code.LAC)
        east.wards.set(Ward.objects.filter(name__in=EAST_WARDS))
        result.count("teams")
    lac = Group.objects.get(name=roles.LOCAL_AREA_COORDINATOR)
    for local, name, team_name in COORDINATORS:
        email = f"{local}@{DEMO_DOMAIN}"
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            job_title="Local Area Coordinator",
            organisation=council,
        )
        User.objects.filter(pk=user.pk).update(is_demo=True)
        user.groups.add(lac)
        Membership.objects.create(team=west if team_name == WEST_TEAM else east, user=user)
        result.count("accounts")
    return west, east


def _postcodes_by_ward() -> dict[str, list[str]]:
    by_ward: dict[str, list[str]] = {}
    for postcode in Postcode.objects.filter(postcode__endswith="ZZ").select_related("ward"):
        if postcode.ward:
            by_ward.setdefault(postcode.ward.name, []).append(postcode.postcode)
    return by_ward


def _ensure_east_postcodes() -> None:
    from alongside.core.models import SmallArea

    for postcode, ward_name in EAST_POSTCODES:
        area = SmallArea.objects.filter(ward__name=ward_name).order_by("code").first()
        if area is None:
            continue
        Postcode.objects.get_or_create(
            postcode=postcode,
            defaults={
                "lat": area.centre_lat,
                "lon": area.centre_lon,
                "ward": area.ward,
                "small_area": area,
            },
        )


def _backdate(episode: Episode, opened: dt.date) -> None:
    """Move an episode made today back to when it really opened."""
    shift = timezone.localdate() - opened
    when = timezone.now() - shift
    Episode.objects.filter(pk=episode.pk).update(
        opened_on=opened,
        status_changed_at=when,
        first_contact_on=(opened + dt.timedelta(days=3)) if episode.first_contact_on else None,
    )
    EpisodeChange.objects.filter(episode=episode).update(changed_at=when)
    Introduction.objects.filter(pk=episode.introduction_id).update(received_on=opened)


@transaction.atomic
def casework_demo_load() -> CaseworkDemoResult:
    """Load the demo casework once; a second call adds nothing."""
    result = CaseworkDemoResult()
    west, east = _ensure_staff(result)
    if Episode.objects.filter(team__in=[west, east]).exists():
        return result
    _ensure_east_postcodes()
    rng = random.Random(SEED)
    today = timezone.localdate()
    manager = User.objects.get(email=f"manager@{DEMO_DOMAIN}")
    workers = {
        west.pk: list(
            User.objects.filter(memberships__team=west, groups__name=roles.LOCAL_AREA_COORDINATOR)
        ),
        east.pk: list(
            User.objects.filter(memberships__team=east, groups__name=roles.LOCAL_AREA_COORDINATOR)
        ),
    }
    postcodes = _postcodes_by_ward()
    listings = list(
        Service.objects.filter(state__in=PUBLIC_STATES).order_by("name").values_list("pk", "name")
    )
    needs = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="needs")}
    fund = Fund.objects.create(
        name="Opportunities Fund 2026 to 2027",
        programme_id=Programme.Code.LAC,
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2027, 3, 31),
        budget=Decimal("10000.00"),
        max_award=Decimal("300.00"),
        created_by=manager,
    )
    result.count("funds")

    people_made = 0
    for index in range(72):
        team = west if index % 6 else east
        ward_names = [w for w in postcodes if team.wards.filter(name=w).exists()]
        if not ward_names:
            continue
        ward_name = ward_names[index % len(ward_names)]
        worker = workers[team.pk][index % len(workers[team.pk])]
        given = GIVEN[index % len(GIVEN)]
        family = FAMILY[(index * 7) % len(FAMILY)]
        born = dt.date(1935 + (index * 5) % 60, 1 + index % 12, 1 + index % 27)
        person = people_services.person_create(
            actor=worker,
            team=team,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            postcode=postcode_for(postcodes, ward_name, index),
            address_line_1=f"{index + 3} Demo Close",
            town="York",
            reason="Demo: introduced to Local Area Coordination",
        )
        people_made += 1
        # The last few arrived this week and wait for a first contact.
        opened = today - dt.timedelta(
            days=rng.randint(1, 8) if index >= 68 else rng.randint(10, 360)
        )
        source = rng.choice(
            [
                "self",
                "family_friend",
                "gp",
                "adult_social_care",
                "housing",
                "neighbour",
                "mental_health",
                "voluntary_group",
                "police",
            ]
        )
        reasons = rng.sample(
            [
                "isolation",
                "mental_health",
                "money",
                "housing",
                "physical_health",
                "caring",
                "bereavement",
                "digital",
                "work",
            ],
            k=rng.randint(1, 3),
        )
        episode = services.introduction_create(
            actor=worker,
            person=person,
            programme_code=Programme.Code.LAC,
            worker=worker,
            details=services.IntroductionDetails(
                source=source,
                reasons=reasons,
                received_on=opened,
                introducer_name="" if source == "self" else "A demo introducer",
                notes="Fictional demo introduction.",
            ),
        )
        age = (today - opened).days
        stage = (
            "new"
            if age < 10
            else rng.choice(
                ["contacted", "active", "active", "active", "paused", "closed", "closed"]
            )
        )
        if stage != "new":
            episode = services.episode_transition(
                actor=worker, episode=episode, to_status="contacted"
            )
        if stage in ("active", "paused", "closed"):
            episode = services.episode_transition(actor=worker, episode=episode, to_status="active")
            if rng.random() < 0.55:
                episode = services.episode_level_change(
                    actor=worker,
                    episode=episode,
                    level=2,
                    reason="Wants to work on a shared agreement",
                )
        if stage == "paused":
            episode = services.episode_transition(
                actor=worker, episode=episode, to_status="paused", note="In hospital for a while"
            )
        _add_work(episode, worker, rng, opened, listings, needs, result)
        if stage == "closed":
            episode = services.episode_transition(
                actor=worker, episode=episode, to_status="closing"
            )
            closed_on = min(today, opened + dt.timedelta(days=rng.randint(30, 200)))
            episode = services.episode_close(
                actor=worker,
                episode=episode,
                reason=rng.choice(["goals_met", "goals_met", "person_ended", "information_only"]),
                outcome_in_own_words=rng.choice(
                    [
                        "I've got my confidence back.",
                        "I know where to go now.",
                        "I see people most days now.",
                        "The money side is sorted.",
                    ]
                ),
                diversions=[
                    services.DiversionEntry(kind=k, effect=rng.choice(["avoided", "delayed"]))
                    for k in rng.sample(
                        [
                            "social_care_assessment",
                            "gp_visits",
                            "mental_health_crisis",
                            "eviction",
                            "hospital_admission",
                        ],
                        k=rng.randint(0, 2),
                    )
                ],
                closed_on=closed_on,
            )
        _backdate(episode, opened)
        if stage == "closed":
            Episode.objects.filter(pk=episode.pk).update(closed_on=max(closed_on, opened))
        if episode.level == 2 and index % 5 == 0:
            _award(fund, episode, worker, manager, rng, opened, result)
        if index in (4, 11):
            _story(episode, worker, manager, index, result)
        result.count("episodes")
    result.count("people", people_made)

    for group_name, kind, what in COMMUNITY:
        CommunityWork.objects.create(
            team=west,
            worker=workers[west.pk][0],
            ward=west.wards.order_by("name").first(),
            group_name=group_name,
            provider=Provider.objects.filter(name=group_name).first(),
            kind=kind,
            what=what,
            happened_on=today - dt.timedelta(days=rng.randint(5, 150)),
            minutes=rng.choice([60, 90, 120]),
            created_by=workers[west.pk][0],
        )
        result.count("community work")
    for kind, service, description in INTELLIGENCE:
        SystemIntelligence.objects.create(
            team=west,
            worker=workers[west.pk][1 % len(workers[west.pk])],
            kind=kind,
            service=service,
            description=description,
            noted_on=today - dt.timedelta(days=rng.randint(5, 150)),
            raised_with="Adult social care management",
        )
        result.count("system intelligence")
    return result


def postcode_for(postcodes: dict[str, list[str]], ward_name: str, index: int) -> str:
    choices = postcodes.get(ward_name) or [""]
    return choices[index % len(choices)]


def _add_work(
    episode: Episode,
    worker: User,
    rng: random.Random,
    opened: dt.date,
    listings: list[tuple],
    needs: dict[str, TaxonomyTerm],
    result: CaseworkDemoResult,
) -> None:
    """The conversation, agreement, connections and contacts of a demo episode."""
    today = timezone.localdate()
    if episode.status == "new":
        return
    Conversation.objects.create(
        episode=episode,
        what_matters=rng.choice(WHAT_MATTERS),
        vision=rng.choice(VISIONS),
        strengths=rng.choice(STRENGTHS),
        gifts_skills_interests=rng.choice(["Baking, darts", "Gardening", "Singing", "Football"]),
        worries=rng.choice(WORRIES),
        held_on=opened + dt.timedelta(days=5),
        created_by=worker,
    )
    Relationship.objects.create(
        episode=episode, kind="family", name="Their daughter", about="Visits on Sundays"
    )
    Relationship.objects.create(
        episode=episode, kind="neighbour", name="Next-door neighbour", about="Takes in parcels"
    )
    if episode.level == 2:
        agreement = Agreement.objects.create(
            episode=episode,
            agreed_on=opened + dt.timedelta(days=14),
            review_on=opened + dt.timedelta(days=104),
            created_by=worker,
        )
        for order, (goal_text, action_text, who) in enumerate(rng.sample(GOALS, k=2)):
            goal = Goal.objects.create(
                agreement=agreement,
                in_own_words=goal_text,
                order=order,
                status=rng.choice(["working", "working", "achieved", "partly"]),
            )
            Action.objects.create(
                goal=goal,
                what=action_text,
                who=who,
                due_on=opened + dt.timedelta(days=rng.randint(20, 90)),
                progress=rng.choice(["not_started", "in_progress", "done"]),
            )
        result.count("agreements")
    for listing_id, name in rng.sample(listings, k=min(len(listings), rng.randint(0, 3))):
        status = rng.choice(["suggested", "introduced", "went", "still_going", "stopped"])
        Connection.objects.create(
            episode=episode,
            listing_id=listing_id,
            name=name,
            status=status,
            status_changed_on=min(today, opened + dt.timedelta(days=rng.randint(7, 60))),
            stopped_reason="Times did not suit them" if status == "stopped" else "",
            created_by=worker,
        )
        result.count("connections")
    for n in range(rng.randint(1, 6)):
        kind = rng.choice(list(CONTACT_NOTES))
        Contact.objects.create(
            episode=episode,
            worker=worker,
            kind=kind,
            happened_on=min(today, opened + dt.timedelta(days=3 + n * rng.randint(5, 20))),
            minutes=rng.choice([15, 30, 45, 60, 90, 120]),
            summary=CONTACT_NOTES[kind],
            is_sensitive=n == 2,
            created_by=worker,
        )
        result.count("contacts")
    if rng.random() < 0.08:
        text, need_code = rng.choice(GAPS)
        Gap.objects.create(
            episode=episode,
            team=episode.team,
            need=needs.get(need_code),
            ward=episode.ward,
            what_would_help=text,
            recorded_on=min(today, opened + dt.timedelta(days=20)),
            created_by=worker,
        )
        result.count("gaps")


def _award(
    fund: Fund,
    episode: Episode,
    worker: User,
    manager: User,
    rng: random.Random,
    opened: dt.date,
    result: CaseworkDemoResult,
) -> None:
    amount = Decimal(rng.choice([35, 60, 85, 120, 150, 240]))
    status = rng.choice(["requested", "approved", "paid", "paid"])
    requested_on = max(fund.starts_on, min(timezone.localdate(), opened + dt.timedelta(days=21)))
    Award.objects.create(
        fund=fund,
        person=episode.person,
        episode=episode,
        category=rng.choice(["id", "clothing", "devices", "transport", "energy"]),
        amount=amount,
        reason="Fictional demo request: helps them take the next step in their agreement.",
        status=status,
        requested_by=worker,
        requested_on=requested_on,
        decided_by=None if status == "requested" else manager,
        decided_at=None if status == "requested" else timezone.now(),
        paid_on=requested_on if status == "paid" else None,
    )
    if status == "approved":
        Fund.objects.filter(pk=fund.pk).update(committed=models_sum(fund, "approved"))
    elif status == "paid":
        Fund.objects.filter(pk=fund.pk).update(spent=models_sum(fund, "paid"))
    result.count("grant awards")


def models_sum(fund: Fund, status: str) -> Decimal:
    from django.db.models import Sum

    return fund.awards.filter(status=status).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _story(
    episode: Episode, worker: User, manager: User, index: int, result: CaseworkDemoResult
) -> None:
    person = episode.person
    consent = people_services.consent_record(
        actor=worker,
        person=person,
        purpose=Consent.Purpose.STORY,
        agreed="Agreed that an anonymised story may be used in reports.",
        given_at=timezone.localdate() - dt.timedelta(days=10),
    )
    approved = index == 4
    Story.objects.create(
        episode=episode,
        title="Back to the allotment" if approved else "A new routine",
        body=f"{person.given_name} had stopped going out after a fall. Their coordinator "
        "walked with them to the allotment society and they now go twice a week.",
        consent_level="anonymised",
        consent=consent,
        publishable_text="[name] had stopped going out after a fall. Their coordinator walked "
        "with them to the allotment society and they now go twice a week.",
        status="approved" if approved else "awaiting_approval",
        decided_by=manager if approved else None,
        decided_at=timezone.now() if approved else None,
        created_by=worker,
    )
    result.count("stories")
