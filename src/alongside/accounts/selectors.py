"""Reads for accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.core.models import AuditEvent, Neighbourhood, Ward

from .models import Membership, Organisation, Programme, Team, User
from .roles import ALL_ROLES, ROLE_DESCRIPTIONS


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    url: str


# (permission needed, name, description, url name)
_TOOLS = [
    (
        "people.view_person",
        "People",
        "Find someone in the shared person record, or add them.",
        "people:list",
    ),
    (
        "hubs.add_firstcontact",
        "Front door",
        "Record a first contact and the next step: advice, a Talking Point, a coordinator, "
        "social prescribing or an assessment.",
        "hubs:contacts",
    ),
    (
        "hubs.add_conversation",
        "Talking Points today",
        "Your sessions, who is booked, and the conversations to record.",
        "hubs:today",
    ),
    (
        "hubs.add_booking",
        "Talking Point bookings",
        "Book a conversation at a community hub, and see, move or cancel bookings.",
        "hubs:bookings",
    ),
    (
        "hubs.view_assessmentrequest",
        "Assessment waiting list",
        "People waiting for a full Care Act assessment, oldest first.",
        "hubs:assessments",
    ),
    (
        "hubs.view_hub",
        "Hubs and sessions",
        "Community hubs, their Talking Point sessions, free times and closures.",
        "hubs:hubs",
    ),
    (
        "hubs.view_hub_figures",
        "Talking Points figures",
        "Days to being seen against the assessment waiting list, outcomes and satisfaction.",
        "hubs:dashboard",
    ),
    (
        "casework.view_episode",
        "Casework",
        "Your caseload: the people you walk alongside, introductions, and your team's work.",
        "casework:caseload",
    ),
    (
        "casework.refer_person",
        "Refer to social prescribing",
        "Refer someone and see where your referrals are up to.",
        "casework:referrals-sent",
    ),
    (
        "casework.triage_referral",
        "Referrals waiting",
        "Your team's intake queue.",
        "casework:intake",
    ),
    (
        "casework.add_welfarecall",
        "Welfare calls",
        "The people to call today.",
        "casework:calls-today",
    ),
    (
        "casework.view_connection",
        "People introduced to your group",
        "Who link workers and coordinators have introduced to your listings.",
        "casework:partner-referrals",
    ),
    (
        "casework.view_casework_figures",
        "Casework figures",
        "Introductions, support, connections and outcomes for each quarter.",
        "casework:figures",
    ),
    (
        "grants.view_fund",
        "Grants",
        "The Opportunities Fund: requests, decisions and what is left.",
        "grants:funds",
    ),
    (
        "accounts.manage_users",
        "Users and teams",
        "Add staff, give them roles, and organise teams and organisations.",
        "accounts:user-list",
    ),
    (
        "core.change_neighbourhood",
        "Neighbourhoods",
        "Group wards into neighbourhoods.",
        "accounts:neighbourhood-list",
    ),
    (
        "core.search_auditevent",
        "Audit log",
        "Search who looked at or changed personal data, and when.",
        "accounts:audit-log",
    ),
]


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, team__is_active=True)
        .select_related("team__organisation")
        .prefetch_related("team__programmes", "team__wards")
        .order_by("team__name")
    )


def tools_for_user(*, user: User) -> list[Tool]:
    """The staff tools this person's roles give them, in a fixed order."""
    return [
        Tool(name=name, description=description, url=reverse(url_name))
        for perm, name, description, url_name in _TOOLS
        if user.has_perm(perm)
    ]


# --- Administration -------------------------------------------------------------------------
# The administration pages (accounts/admin_views.py) read through these. Each takes the acting
# user and returns nothing (lists) or raises Http404 (single objects) when that user lacks the
# permission the page needs, so a selector used elsewhere cannot leak what the view guards.

MANAGE_USERS = "accounts.manage_users"
CHANGE_NEIGHBOURHOOD = "core.change_neighbourhood"
SEARCH_AUDIT = "core.search_auditevent"

# What each permission lets a role do, in the words staff use. Permissions not listed fall back
# to their Django name without the leading "Can".
PERMISSION_WORDS = {
    "hubs.add_firstcontact": "Record first contacts at the front door and decide the next step",
    "hubs.add_booking": "Book Talking Points for people",
    "hubs.add_conversation": "Record Talking Point conversations and their outcomes",
    "hubs.manage_hubs": "Set up hubs, Talking Point sessions and closures",
    "hubs.view_hub_figures": "See Talking Points figures",
    "accounts.manage_users": "Add and change staff accounts, teams, organisations and roles",
    "core.search_auditevent": "Search the audit log of who looked at or changed what",
    "core.change_neighbourhood": "Change neighbourhoods and the wards in each",
    "people.view_person": "Find people in the shared record and see their details",
    "people.add_person": "Add people to the shared record",
    "people.change_person": "Change people's details in the shared record",
    "people.view_all_people": "See every person record, for information governance",
    "people.archive_person": "Archive a person record, with a reason",
    "people.link_person": "Link records that may be the same person",
    "people.export_person": "Export everything held on a person, for a subject access request",
    "people.erase_person": "Erase a person record where erasure is lawful",
    "people.view_person_access_log": "See who has looked at a person record",
}


@dataclass(frozen=True)
class RoleSummary:
    name: str
    description: str
    permissions: list[str]
    user_count: int


@dataclass(frozen=True)
class AuditCriteria:
    """What to look for in the audit log; empty values match everything."""

    actor_email: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    person_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        """The criteria in words, for the audit event that records the search."""
        parts = [
            f"{label} {value}"
            for label, value in [
                ("actor email", self.actor_email),
                ("action", self.action),
                ("object type", self.object_type),
                ("object id", self.object_id),
                ("person id", self.person_id),
                ("from", self.date_from),
                ("to", self.date_to),
            ]
            if value
        ]
        return "; ".join(parts) if parts else "no filters"


def _may(user: User, perm: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(perm))


def _permission_words(perm: Permission) -> str:
    key = f"{perm.content_type.app_label}.{perm.codename}"
    if key in PERMISSION_WORDS:
        return PERMISSION_WORDS[key]
    name = perm.name
    return name[4:].capitalize() if name.startswith("Can ") else name


def role_choices() -> list[Group]:
    """Every role, in the order roles.ALL_ROLES gives, then any others by name."""
    order = {name: i for i, name in enumerate(ALL_ROLES)}
    return sorted(Group.objects.all(), key=lambda g: (order.get(g.name, len(order)), g.name))


def user_list_for_admin(
    *,
    user: User,
    search: str = "",
    role: Group | None = None,
    team: Team | None = None,
    status: str = "",
) -> QuerySet[User]:
    """Staff accounts matching a search of name or email, a role, a team and a status
    ("active" or "deactivated"), with what the list shows fetched in a fixed number of queries."""
    if not _may(user, MANAGE_USERS):
        return User.objects.none()
    users = User.objects.select_related("organisation").annotate(
        has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    for term in search.split():
        users = users.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
    if role is not None:
        users = users.filter(groups=role)
    if team is not None:
        users = users.filter(memberships__team=team)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    return users.prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name")),
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("team__organisation").order_by("team__name"),
        ),
    ).order_by("full_name", "email", "pk")


def user_get_for_admin(*, user: User, pk: int) -> User:
    """One staff account with its roles, teams and organisation; 404 when not permitted."""
    if not _may(user, MANAGE_USERS):
        raise Http404
    return get_object_or_404(
        User.objects.select_related("organisation").prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("team__organisation").order_by(
                    "team__name"
                ),
            ),
        ),
        pk=pk,
    )


def user_has_second_factor(*, user: User, subject: User) -> bool:
    """Whether `subject` has a confirmed authenticator app (for administrators)."""
    if not _may(user, MANAGE_USERS):
        return False
    return TOTPDevice.objects.filter(user=subject, confirmed=True).exists()


def audit_events_by_user(*, user: User, subject: User, limit: int = 20) -> list[AuditEvent]:
    """The most recent things `subject` did, newest first."""
    if not _may(user, MANAGE_USERS):
        return []
    return list(AuditEvent.objects.filter(actor=subject).order_by("-at", "-id")[:limit])


def audit_events_about_user(*, user: User, subject: User, limit: int = 10) -> list[AuditEvent]:
    """The most recent changes made to `subject`'s account, by anyone, newest first."""
    if not _may(user, MANAGE_USERS):
        return []
    return list(
        AuditEvent.objects.filter(
            object_type=User._meta.label_lower, object_id=str(subject.pk)
        ).order_by("-at", "-id")[:limit]
    )


def team_list_for_admin(*, user: User) -> QuerySet[Team]:
    """Every team, active first, with its organisation, programmes, wards and member count."""
    if not _may(user, MANAGE_USERS):
        return Team.objects.none()
    return (
        Team.objects.select_related("organisation")
        .annotate(
            member_count=Count("memberships", distinct=True),
            lead_count=Count("memberships", filter=Q(memberships__is_lead=True), distinct=True),
        )
        .prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.order_by("name")),
            Prefetch("wards", queryset=Ward.objects.only("id", "name").order_by("name")),
        )
        .order_by("-is_active", "organisation__name", "name")
    )


def team_get_for_admin(*, user: User, pk: uuid.UUID) -> Team:
    """One team with its members (leads first), programmes and wards; 404 when not permitted."""
    if not _may(user, MANAGE_USERS):
        raise Http404
    return get_object_or_404(
        Team.objects.select_related("organisation").prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.order_by("name")),
            Prefetch("wards", queryset=Ward.objects.only("id", "name", "code").order_by("name")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "-is_lead", "user__full_name", "user__email"
                ),
            ),
        ),
        pk=pk,
    )


def team_choices(*, include_for: User | None = None) -> QuerySet[Team]:
    """Active teams, plus any inactive team `include_for` is still in (so it is not lost)."""
    condition = Q(is_active=True)
    if include_for is not None and include_for.pk:
        condition |= Q(pk__in=Membership.objects.filter(user=include_for).values("team_id"))
    return Team.objects.filter(condition).select_related("organisation")


def organisation_list_for_admin(*, user: User) -> QuerySet[Organisation]:
    """Every organisation with its parent and how many teams and people it has."""
    if not _may(user, MANAGE_USERS):
        return Organisation.objects.none()
    return (
        Organisation.objects.select_related("parent")
        .annotate(
            team_count=Count("teams", distinct=True),
            user_count=Count("users", distinct=True),
        )
        .order_by("-is_active", "name")
    )


def organisation_get_for_admin(*, user: User, pk: uuid.UUID) -> Organisation:
    if not _may(user, MANAGE_USERS):
        raise Http404
    return get_object_or_404(Organisation.objects.select_related("parent"), pk=pk)


def role_list_for_admin(*, user: User) -> list[RoleSummary]:
    """Each role with its description, its permissions in plain words and how many active
    accounts hold it."""
    if not _may(user, MANAGE_USERS):
        return []
    groups = Group.objects.annotate(
        user_count=Count("user", filter=Q(user__is_active=True), distinct=True)
    ).prefetch_related(
        Prefetch(
            "permissions",
            queryset=Permission.objects.select_related("content_type").order_by(
                "content_type__app_label", "codename"
            ),
        )
    )
    order = {name: i for i, name in enumerate(ALL_ROLES)}
    return [
        RoleSummary(
            name=group.name,
            description=ROLE_DESCRIPTIONS.get(group.name, ""),
            permissions=[_permission_words(p) for p in group.permissions.all()],
            user_count=group.user_count,
        )
        for group in sorted(groups, key=lambda g: (order.get(g.name, len(order)), g.name))
    ]


def _ward_summary_queryset() -> QuerySet[Ward]:
    # Boundaries are large; lists need only the names and populations.
    return Ward.objects.only(
        "id", "code", "name", "population", "population_year", "neighbourhood_id"
    ).order_by("name")


def neighbourhood_list_for_user(*, user: User) -> QuerySet[Neighbourhood]:
    """Every neighbourhood with its wards and their total population."""
    if not _may(user, CHANGE_NEIGHBOURHOOD):
        return Neighbourhood.objects.none()
    return (
        Neighbourhood.objects.annotate(
            population=Sum("wards__population"), ward_count=Count("wards")
        )
        .prefetch_related(Prefetch("wards", queryset=_ward_summary_queryset()))
        .order_by("name")
    )


def wards_without_neighbourhood(*, user: User) -> list[Ward]:
    if not _may(user, CHANGE_NEIGHBOURHOOD):
        return []
    return list(_ward_summary_queryset().filter(neighbourhood__isnull=True))


def neighbourhood_get_for_user(*, user: User, pk: uuid.UUID) -> Neighbourhood:
    if not _may(user, CHANGE_NEIGHBOURHOOD):
        raise Http404
    return get_object_or_404(
        Neighbourhood.objects.prefetch_related(
            Prefetch("wards", queryset=_ward_summary_queryset())
        ),
        pk=pk,
    )


def ward_choices() -> QuerySet[Ward]:
    """Every ward with the neighbourhood it is in, without boundaries."""
    return (
        Ward.objects.select_related("neighbourhood")
        .only("id", "code", "name", "population", "neighbourhood__id", "neighbourhood__name")
        .order_by("name")
    )


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list_for_user(*, user: User, criteria: AuditCriteria) -> QuerySet[AuditEvent]:
    """Audit events matching the criteria, newest first. Dates are whole days in local time:
    `date_to` includes the whole of that day. Filters use indexed columns where they can."""
    if not _may(user, SEARCH_AUDIT):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if criteria.actor_email:
        events = events.filter(actor_label__iexact=criteria.actor_email.strip())
    if criteria.action:
        events = events.filter(action=criteria.action)
    if criteria.object_type:
        events = events.filter(object_type=criteria.object_type.strip().lower())
    if criteria.object_id:
        events = events.filter(object_id=criteria.object_id.strip())
    if criteria.person_id:
        events = events.filter(person_id=criteria.person_id)
    if criteria.date_from:
        events = events.filter(at__gte=_start_of_day(criteria.date_from))
    if criteria.date_to:
        events = events.filter(at__lt=_start_of_day(criteria.date_to + timedelta(days=1)))
    return events.order_by("-at", "-id")
