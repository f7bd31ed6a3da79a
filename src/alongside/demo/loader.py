"""York demo data: organisations, teams, one staff account per role, fictional people.

Everything here is plainly fictional apart from the council and York's places. Running the
loader twice changes nothing. It refuses to run under production settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import Ward

DEMO_PASSWORD = "demo-password-2026"
DEMO_DOMAIN = "demo.alongside.test"

ORGANISATIONS = [
    # (name, kind, parent name)
    ("City of York Council", Organisation.Kind.COUNCIL, None),
    ("Ouse Valley NHS Foundation Trust", Organisation.Kind.NHS_TRUST, None),
    ("Minster Primary Care Network", Organisation.Kind.PCN, None),
    ("Walmgate Lane Surgery", Organisation.Kind.GP_PRACTICE, "Minster Primary Care Network"),
    ("Acomb Neighbours Together", Organisation.Kind.VCS, None),
]

TEAMS = [
    # (organisation, team, programmes, ward names)
    ("City of York Council", "Customer access front door", ["front_door"], []),
    ("City of York Council", "Talking Points", ["talking_points"], []),
    (
        "City of York Council",
        "Local Area Coordination West",
        ["lac"],
        ["Acomb", "Westfield", "Holgate", "Dringhouses & Woodthorpe", "Rural West York"],
    ),
    ("City of York Council", "Live Well York editors", ["directory"], []),
    ("City of York Council", "Volunteering and welfare calls", ["volunteering"], []),
    ("City of York Council", "Adult social care management", ["management"], []),
    ("City of York Council", "Performance and intelligence", ["management"], []),
    ("Minster Primary Care Network", "Social prescribing link workers", ["social_prescribing"], []),
    ("Acomb Neighbours Together", "Acomb Neighbours Together staff", ["volunteering"], ["Acomb"]),
    ("Walmgate Lane Surgery", "Walmgate Lane Surgery clinicians", [], []),
]

# (role, email local part, full name, job title, team)
ACCOUNTS = [
    (
        roles.ADMINISTRATOR,
        "admin",
        "Alex Admin",
        "Systems administrator",
        "Adult social care management",
    ),
    (roles.DIRECTORY_EDITOR, "editor", "Dana Editor", "Directory editor", "Live Well York editors"),
    (
        roles.FRONT_DOOR_OFFICER,
        "frontdoor",
        "Farah Frontdoor",
        "Customer access officer",
        "Customer access front door",
    ),
    (
        roles.TALKING_POINT_PRACTITIONER,
        "talkingpoint",
        "Theo Talkingpoint",
        "Practitioner",
        "Talking Points",
    ),
    (
        roles.LOCAL_AREA_COORDINATOR,
        "lac",
        "Lena Coordinator",
        "Local Area Coordinator",
        "Local Area Coordination West",
    ),
    (
        roles.TEAM_MANAGER,
        "manager",
        "Morgan Manager",
        "Team manager",
        "Local Area Coordination West",
    ),
    (
        roles.LINK_WORKER,
        "linkworker",
        "Lee Linkworker",
        "Social prescribing link worker",
        "Social prescribing link workers",
    ),
    (
        roles.VOLUNTEER_COORDINATOR,
        "volunteers",
        "Val Volunteers",
        "Volunteer coordinator",
        "Volunteering and welfare calls",
    ),
    (
        roles.ANALYST,
        "analyst",
        "Ana Analyst",
        "Performance analyst",
        "Performance and intelligence",
    ),
    (
        roles.PARTNER,
        "partner",
        "Pat Partner",
        "Group coordinator",
        "Acomb Neighbours Together staff",
    ),
    (
        roles.HEALTH_REFERRER,
        "gp",
        "Dr Gita Practitioner",
        "GP",
        "Walmgate Lane Surgery clinicians",
    ),
    (
        roles.WELFARE_CALLER,
        "caller",
        "Wes Caller",
        "Volunteer welfare caller",
        "Volunteering and welfare calls",
    ),
]


@dataclass
class DemoSignIn:
    role: str
    email: str
    password: str


@dataclass
class DemoLoadResult:
    sign_ins: list[DemoSignIn] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n


def ensure_not_production() -> None:
    if getattr(settings, "ALONGSIDE_ENVIRONMENT", "") == "production":
        raise ImproperlyConfigured("Demo data cannot be loaded under production settings.")


@transaction.atomic
def demo_load() -> DemoLoadResult:
    """Load the demo organisations, teams, staff and fictional people."""
    ensure_not_production()
    if not Ward.objects.exists():
        raise ImproperlyConfigured("Load York's places first: manage.py load_york_places")
    result = DemoLoadResult()

    orgs: dict[str, Organisation] = {}
    for name, kind, parent in ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "parent": orgs.get(parent) if parent else None}
        )
        orgs[name] = org
        if created:
            result.count("organisations")

    teams: dict[str, Team] = {}
    wards = {w.name: w for w in Ward.objects.all()}
    for org_name, team_name, programme_codes, ward_names in TEAMS:
        team, created = Team.objects.get_or_create(organisation=orgs[org_name], name=team_name)
        if created:
            team.programmes.set(Programme.objects.filter(code__in=programme_codes))
            team.wards.set([wards[n] for n in ward_names])
            result.count("teams")
        teams[team_name] = team

    for role, local, full_name, job_title, team_name in ACCOUNTS:
        email = f"{local}@{DEMO_DOMAIN}"
        team = teams[team_name]
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=full_name,
                job_title=job_title,
                organisation=team.organisation,
            )
            User.objects.filter(pk=user.pk).update(is_demo=True)
            user.groups.add(Group.objects.get(name=role))
            Membership.objects.create(team=team, user=user, is_lead=role == roles.TEAM_MANAGER)
            result.count("accounts")
        result.sign_ins.append(DemoSignIn(role=role, email=email, password=DEMO_PASSWORD))
    demo_people_load(result)
    return result


# Demo postcodes: invented for the demo (every unit ends "ZZ"), each placed at the reference
# point of a real small area so that the ward and small area it resolves to are real.
DEMO_POSTCODES = [
    ("YO24 3ZZ", "E01013335"),  # Acomb
    ("YO26 5ZZ", "E01013338"),  # Acomb
    ("YO1 7ZZ", "E01013366"),  # Guildhall
    ("YO32 2ZZ", "E01013370"),  # Haxby & Wigginton
    ("YO24 1ZZ", "E01013356"),  # Dringhouses & Woodthorpe
    ("YO10 3ZZ", "E01013378"),  # Hull Road
    ("YO30 5ZZ", "E01013432"),  # Rawcliffe & Clifton Without
    ("YO26 4ZZ", "E01013395"),  # Holgate
    ("YO30 6ZZ", "E01013346"),  # Clifton
    ("YO24 2ZZ", "E01013441"),  # Westfield
]

# (given, family, preferred, date of birth, postcode, demo account, needs)
DEMO_PEOPLE = [
    ("Margaret", "Ashdown", "Peggy", "1941-03-12", "YO24 3ZZ", "lac", {"is_carer": False}),
    ("Harold", "Ashdown", "", "1939-07-30", "YO24 3ZZ", "lac", {"has_carer": True}),
    ("Priya", "Kettlewell", "", "1986-11-02", "YO26 5ZZ", "lac", {"is_carer": True}),
    (
        "Tomasz",
        "Brindle",
        "Tom",
        "1972-05-19",
        "YO24 2ZZ",
        "lac",
        {"interpreter_needed": True, "language": "Polish"},
    ),
    ("Irene", "Fothergill", "", "1948-01-25", "YO26 4ZZ", "lac", {"needs_large_print": True}),
    ("Samuel", "Oakenshaw", "Sam", "1995-09-14", "YO24 3ZZ", "lac", {"do_not_phone": True}),
    ("Doreen", "Pickersgill", "", "1937-12-01", "YO1 7ZZ", "frontdoor", {}),
    ("Callum", "Ridsdale", "", "2001-04-08", "YO24 1ZZ", "frontdoor", {"needs_easy_read": True}),
    (
        "Agnieszka",
        "Thwaite",
        "Aga",
        "1979-06-22",
        "YO10 3ZZ",
        "frontdoor",
        {"interpreter_needed": True, "language": "Polish"},
    ),
    ("Bernard", "Lumb", "Bernie", "1944-10-17", "YO30 6ZZ", "frontdoor", {"uses_bsl": True}),
    ("Fatima", "Greenhalgh", "", "1968-02-28", "YO32 2ZZ", "talkingpoint", {"is_carer": True}),
    ("Kenneth", "Moorby", "Ken", "1952-08-09", "YO30 5ZZ", "talkingpoint", {}),
    ("Rosalind", "Haigh", "Ros", "1958-03-03", "YO1 7ZZ", "talkingpoint", {}),
    ("Declan", "Sowerby", "", "1990-12-24", "YO24 1ZZ", "linkworker", {}),
    (
        "Winifred",
        "Calvert",
        "Winnie",
        "1934-05-05",
        "YO30 6ZZ",
        "linkworker",
        {"needs_large_print": True, "has_carer": True},
    ),
    ("Yusuf", "Bramley", "", "1983-07-11", "YO10 3ZZ", "linkworker", {}),
    ("Gladys", "Nettleton", "", "1946-09-30", "YO26 5ZZ", "linkworker", {}),
    ("Arthur", "Wetherell", "", "1940-02-14", "YO26 4ZZ", "volunteers", {}),
    ("Shirley", "Dunnington", "", "1950-11-21", "YO30 5ZZ", "volunteers", {}),
    ("Jon", "Smyth", "", "1961-04-04", "YO24 2ZZ", "frontdoor", {}),
]


def _demo_nhs_number(n: int) -> str:
    """NHS numbers starting 999 are reserved for testing: never a real patient's."""
    from alongside.people.nhs_number import nhs_check_digit

    while True:
        first_nine = f"999{n:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        n += 1


@transaction.atomic
def demo_people_load(result: DemoLoadResult) -> None:
    """Fictional people, added by demo staff through the same services staff use."""
    from datetime import date

    from alongside.core.models import Postcode, SmallArea
    from alongside.people import services as people_services
    from alongside.people.models import Consent, Person

    areas = {a.code: a for a in SmallArea.objects.select_related("ward")}
    for postcode, area_code in DEMO_POSTCODES:
        area = areas[area_code]
        _, created = Postcode.objects.get_or_create(
            postcode=postcode,
            defaults={
                "lat": area.centre_lat,
                "lon": area.centre_lon,
                "ward": area.ward,
                "small_area": area,
            },
        )
        if created:
            result.count("demo postcodes")

    users = {u.email.split("@")[0]: u for u in User.objects.filter(is_demo=True)}
    partners = Organisation.objects.filter(
        name__in=["Acomb Neighbours Together", "Minster Primary Care Network"]
    )
    for index, (given, family, preferred, dob, postcode, account, needs) in enumerate(DEMO_PEOPLE):
        born = date.fromisoformat(dob)
        if Person.objects.filter(given_name=given, family_name=family, date_of_birth=born).exists():
            continue
        actor = users[account]
        team = actor.memberships.select_related("team").first().team
        person = people_services.person_create(
            actor=actor,
            team=team,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            date_of_birth=born,
            nhs_number=_demo_nhs_number(index * 37 + 11) if index % 3 else "",
            postcode=postcode,
            address_line_1=f"{index + 1} Demo Street",
            town="York",
            reason="Demo: introduced to the team",
            **needs,
        )
        people_services.consent_record(
            actor=actor,
            person=person,
            purpose=Consent.Purpose.SUPPORT,
            agreed="Agreed that the team keeps a record to support them.",
            given_at=date(2026, 1, 1 + index % 28),
        )
        if index % 4 == 0:
            people_services.consent_record(
                actor=actor,
                person=person,
                purpose=Consent.Purpose.SHARE_PARTNERS,
                agreed="Agreed to share contact details with the groups named.",
                given_at=date(2026, 2, 1 + index % 28),
                shared_with=partners,
            )
        result.count("people")
