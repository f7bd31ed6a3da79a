"""What a partner (a voluntary group's staff, role "Partner") sees of casework: only the
connections that link workers and coordinators made to the partner's own listings, once the
person has been introduced (introduced, went, still going). Suggestions that were never made
and connections that stopped are not theirs to see.

For each connection the partner sees the date of the latest news, the listing, the worker's
name and how to reach their team, and the person's first name only while the person has an
active consent sharing their record with the partner's organisation for partner sharing or
referral; otherwise the person is "Someone". Nothing else of the episode is loaded.

The partner's organisations are those `directory.selectors.partner_organisation_ids` gives
(their own organisation and their teams'); anyone without the Partner role sees nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from alongside.directory.selectors import partner_organisation_ids
from alongside.people.models import Consent

from .models import Connection

VIEW_CONNECTION = "casework.view_connection"
# Connections a partner hears about: the person has been introduced to the group.
PARTNER_STATUSES = (
    Connection.Status.INTRODUCED,
    Connection.Status.WENT,
    Connection.Status.STILL_GOING,
)
# Consents under which the person's first name may be given to the partner.
NAME_PURPOSES = (Consent.Purpose.SHARE_PARTNERS, Consent.Purpose.REFERRAL)
# Everything a partner's page may read; deferring the rest keeps the episode's details
# (and the person's other details) out of memory altogether.
PARTNER_FIELDS = (
    "id",
    "name",
    "status",
    "status_changed_on",
    "created_at",
    "listing__id",
    "listing__name",
    "listing__provider__id",
    "listing__provider__name",
    "episode__id",
    "episode__person_id",
    "episode__programme_id",
    "episode__team__id",
    "episode__team__name",
    "episode__team__email",
    "episode__team__phone",
    "episode__worker__id",
    "episode__worker__full_name",
    "episode__worker__email",
)


def _name_shared() -> Exists:
    """The person has an active consent sharing their record with the organisation that
    runs the listing, for partner sharing or referral."""
    return Exists(
        Consent.objects.filter(
            person_id=OuterRef("episode__person_id"),
            purpose__in=NAME_PURPOSES,
            withdrawn_at__isnull=True,
            given_at__lte=timezone.localdate(),
            shared_with=OuterRef("listing__provider__account_organisation_id"),
        )
    )


def partner_referrals_for_user(*, user: Any) -> QuerySet[Connection]:
    """Connections to the listings of the user's organisations that the person has been
    introduced to, newest news first. Each has `person_first_name`: the person's preferred
    or first name when they agreed to share it with the organisation, else ""."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_CONNECTION):
        return Connection.objects.none()
    organisations = partner_organisation_ids(user=user)
    if not organisations:
        return Connection.objects.none()
    first_name = Coalesce(
        NullIf(F("episode__person__preferred_name"), Value("")),
        F("episode__person__given_name"),
    )
    return (
        Connection.objects.filter(
            listing__provider__account_organisation_id__in=organisations,
            status__in=PARTNER_STATUSES,
        )
        .annotate(
            name_shared=_name_shared(),
            person_first_name=Case(
                When(name_shared=True, then=first_name),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .select_related("listing__provider", "episode__team", "episode__worker")
        .only(*PARTNER_FIELDS)
        .order_by("-status_changed_on", "-created_at", "id")
    )


def partner_referral_get_for_user(*, user: Any, pk: UUID | str) -> Connection:
    """One connection the partner may see (as in the list); else 404, so other
    organisations' connections are not revealed."""
    connection = partner_referrals_for_user(user=user).filter(pk=pk).first()
    if connection is None:
        raise Http404("No such referral")
    return connection
