"""Reads of person records, always on behalf of a member of staff.

A person's record is seen only by staff with a reason: their team works with the person
(an open involvement), or the person agreed to share their record with the member of
staff's organisation (an active consent). Information governance administrators, who
hold `people.view_all_people`, see every record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from alongside.accounts.models import Membership, Organisation, Team
from alongside.core.models import AuditEvent
from alongside.core.postcodes import is_valid_postcode, normalise_postcode

from .models import Consent, Involvement, Person, PersonLink

_NHS_NUMBER = re.compile(r"^\d{3}[\s-]?\d{3}[\s-]?\d{4}$")
_OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%d %m %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def _visible_to(user: Any) -> Q | None:
    """The condition for records this user may see; None when they may see none."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("people.view_person"):
        return None
    if user.has_perm("people.view_all_people"):
        return Q()
    teams = Membership.objects.filter(user=user, team__is_active=True).values("team_id")
    condition = Q(
        Exists(
            Involvement.objects.filter(
                person=OuterRef("pk"), ended_at__isnull=True, team_id__in=teams
            )
        )
    )
    if user.organisation_id:
        condition |= Q(
            Exists(
                Consent.objects.filter(
                    person=OuterRef("pk"),
                    withdrawn_at__isnull=True,
                    shared_with=user.organisation_id,
                )
            )
        )
    return condition


def visible_people(*, user: Any, include_archived: bool = True) -> QuerySet[Person]:
    """Every record the user may see, with nothing else applied."""
    condition = _visible_to(user)
    if condition is None:
        return Person.objects.none()
    people = Person.objects.filter(condition)
    if not include_archived:
        people = people.filter(archived_at__isnull=True)
    return people


def parse_date(text: str) -> date | None:
    """A date typed in a common British way, or None."""
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def search_condition(query: str) -> Q:
    """What a search box entry means: an NHS number, a postcode (or its first half),
    a date of birth, or else words that each appear in a first, last or preferred name."""
    text = " ".join(query.split())
    if not text:
        return Q()
    if _NHS_NUMBER.match(text):
        return Q(nhs_number=re.sub(r"\D", "", text))
    if is_valid_postcode(text):
        return Q(postcode=normalise_postcode(text))
    if _OUTWARD_CODE.match(text.upper()):
        return Q(postcode__startswith=f"{text.upper()} ")
    found = parse_date(text)
    if found is not None:
        return Q(date_of_birth=found)
    condition = Q()
    for word in re.split(r"[\s,]+", text):
        if word:
            condition &= (
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    return condition


def person_list_for_user(
    *, user: Any, query: str = "", include_archived: bool = False
) -> QuerySet[Person]:
    """The records this user may see that match the search, in name order.

    Archived records are left out unless asked for.
    """
    return (
        visible_people(user=user, include_archived=include_archived)
        .filter(search_condition(query))
        .select_related("ward")
        .order_by("family_name", "given_name", "id")
    )


def _get_visible(queryset: QuerySet[Person], pk: Any) -> Person:
    try:
        return queryset.get(pk=pk)
    except (Person.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404("No record found") from error


def person_get_for_user(*, user: Any, pk: UUID | str) -> Person:
    """One record the user may see (archived ones too); Http404 when it is not visible."""
    return _get_visible(
        visible_people(user=user).select_related("ward__neighbourhood", "small_area"), pk
    )


def person_detail_for_user(*, user: Any, pk: UUID | str) -> Person:
    """As person_get_for_user, with consents and the teams involved loaded."""
    return _get_visible(
        visible_people(user=user)
        .select_related("ward__neighbourhood", "small_area")
        .prefetch_related(
            Prefetch(
                "consents",
                queryset=Consent.objects.prefetch_related(
                    Prefetch("shared_with", queryset=Organisation.objects.order_by("name"))
                ).order_by("withdrawn_at", "-given_at"),
            ),
            Prefetch(
                "involvements",
                queryset=Involvement.objects.filter(ended_at__isnull=True)
                .select_related("team__organisation")
                .order_by("started_at"),
                to_attr="open_involvements",
            ),
        ),
        pk,
    )


def consent_get_for_user(*, user: Any, person: Person, pk: UUID | str) -> Consent:
    """One of the person's consents; the person must already be visible to the user."""
    person_get_for_user(user=user, pk=person.pk)
    try:
        return Consent.objects.get(person=person, pk=pk)
    except (Consent.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404("No consent found") from error


@dataclass(frozen=True)
class LinkedRecord:
    """Another record linked to this one. Details are shown only when the user may see it."""

    link: PersonLink
    other: Person
    visible: bool


def person_links_for_user(*, user: Any, person: Person) -> list[LinkedRecord]:
    links = list(
        PersonLink.objects.filter(Q(from_person=person) | Q(to_person=person))
        .select_related("from_person", "to_person", "created_by")
        .order_by("created_at")
    )
    others = {
        link.to_person_id if link.from_person_id == person.pk else link.from_person_id
        for link in links
    }
    visible = set(visible_people(user=user).filter(pk__in=others).values_list("pk", flat=True))
    records = []
    for link in links:
        other = link.to_person if link.from_person_id == person.pk else link.from_person
        records.append(LinkedRecord(link=link, other=other, visible=other.pk in visible))
    return records


def person_link_candidates_for_user(
    *, user: Any, person: Person, query: str, limit: int = 20
) -> list[Person]:
    """Records this user may see, other than this one, matching the search."""
    if not query.strip():
        return []
    return list(
        person_list_for_user(user=user, query=query, include_archived=True).exclude(pk=person.pk)[
            :limit
        ]
    )


def person_access_log_for_user(*, user: Any, person: Person) -> QuerySet[AuditEvent]:
    """Every access to and change of the person's record, newest first."""
    if not user.has_perm("people.view_person_access_log"):
        return AuditEvent.objects.none()
    person_get_for_user(user=user, pk=person.pk)
    return (
        AuditEvent.objects.filter(person_id=person.pk)
        .select_related("actor__organisation")
        .order_by("-at", "-id")
    )


def team_choices_for_user(*, user: Any) -> QuerySet[Team]:
    """Teams the user works in: the ones they may add a person for."""
    return (
        Team.objects.filter(memberships__user=user, is_active=True)
        .select_related("organisation")
        .order_by("name")
    )


def organisation_choices() -> QuerySet[Organisation]:
    """Organisations a person may agree to share their record with."""
    return Organisation.objects.filter(is_active=True).order_by("name")
