"""Partners' pages: the people link workers and coordinators have introduced to the
partner's own listings (casework.view_connection, held by the Partner role).

A partner sees each connection's date, listing and status, the worker's name and how to reach
their team, and the person's first name only when the person agreed to share their record
with the partner's organisation; nothing else of the episode. Another organisation's
connection is a 404. Opening one that shows a name is recorded against the person."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core.audit import audit_record
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.directory.selectors import partner_providers_for_user

from .. import partner_selectors
from ..models import Connection
from ..programmes import PROGRAMMES

PAGE_SIZE = 25


def _with_programme(connection: Connection) -> Connection:
    """Attach the programme's settings, for what its workers are called."""
    connection.programme = PROGRAMMES.get(connection.episode.programme_id)
    return connection


@staff_required(partner_selectors.VIEW_CONNECTION)
@never_cache
def partner_referrals(request: HttpRequest) -> HttpResponse:
    """The people introduced to the partner's listings, newest news first, paged."""
    connections = partner_selectors.partner_referrals_for_user(user=request.user)
    page, pagination = paginate(request, connections, PAGE_SIZE)
    page.object_list = [_with_programme(c) for c in page.object_list]
    return render(
        request,
        "casework/partner_referrals.html",
        {
            "page": page,
            "pagination": pagination,
            "has_providers": partner_providers_for_user(user=request.user).exists(),
        },
    )


@staff_required(partner_selectors.VIEW_CONNECTION)
@never_cache
def partner_referral(request: HttpRequest, pk: UUID) -> HttpResponse:
    """One person introduced to the partner's listing (404 unless it is theirs). When the
    person's first name is shown, the opening is audited against the person."""
    connection = _with_programme(
        partner_selectors.partner_referral_get_for_user(user=request.user, pk=pk)
    )
    if connection.person_first_name:
        audit_record(
            actor=request.user,
            action="view",
            obj=connection,
            person_id=connection.episode.person_id,
            reason="Opened a referral to one of the organisation's listings",
        )
    return render(request, "casework/partner_referral.html", {"connection": connection})


urlpatterns = [
    path("partner/referrals/", partner_referrals, name="partner-referrals"),
    path("partner/referrals/<uuid:pk>/", partner_referral, name="partner-referral"),
]
