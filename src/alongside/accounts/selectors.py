"""Reads for accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from .models import Membership, User


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    url: str


# (permission needed, name, description, url name)
_TOOLS = [
    ("people.view_person", "People", "Find someone in the shared person record, or add them.",
     "people:list"),
    ("accounts.manage_users", "Users and teams",
     "Add staff, give them roles, and organise teams and organisations.", "accounts:user-list"),
    ("core.change_neighbourhood", "Neighbourhoods",
     "Group wards into neighbourhoods.", "accounts:neighbourhood-list"),
    ("core.search_auditevent", "Audit log",
     "Search who looked at or changed personal data, and when.", "accounts:audit-log"),
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
