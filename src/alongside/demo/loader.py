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
    """Load the demo organisations, teams and staff (people come from `demo_people`)."""
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
    return result
