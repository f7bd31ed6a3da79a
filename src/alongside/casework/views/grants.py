"""The episode's Grants section: the person's requests and awards from small funds such as the
Opportunities Fund, and the form a worker uses to ask for one."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core.permissions import staff_required
from alongside.grants import selectors as grant_selectors
from alongside.grants import services as grant_services
from alongside.grants.forms import GrantRequestForm

from .. import selectors
from .common import add_service_errors, episode_for, posted, render_episode

SECTION = "grants"


@staff_required(selectors.VIEW_EPISODE)
@never_cache
def episode_grants(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The person's grants on this episode with amounts and statuses, newest first."""
    episode = episode_for(request, pk, section=SECTION)
    awards = grant_selectors.awards_for_episode(user=request.user, episode=episode)
    may_request = (
        episode.is_open
        and request.user.has_perm(grant_selectors.REQUEST_AWARD)
        and selectors.can_work_on(user=request.user, episode=episode)
    )
    return render_episode(
        request,
        episode,
        "casework/episode_grants.html",
        section=SECTION,
        context={"awards": awards, "may_request": may_request},
    )


@staff_required(selectors.VIEW_EPISODE, selectors.WORK_ON_EPISODE, grant_selectors.REQUEST_AWARD)
@never_cache
def grant_request(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Ask a fund for a small grant for the person. Only the team working with them may."""
    episode = episode_for(request, pk, section=SECTION)
    if not selectors.can_work_on(user=request.user, episode=episode):
        raise PermissionDenied("Only the team working with this person can request a grant.")
    if not episode.is_open:
        messages.info(request, "Support has ended, so a grant cannot be requested.")
        return redirect("casework:episode-grants", pk=episode.pk)
    funds = grant_selectors.open_funds_for_episode(episode=episode)
    form = GrantRequestForm(posted(request), funds=funds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award = grant_services.award_request(
                actor=request.user,
                episode=episode,
                fund=data["fund"],
                category=data["category"],
                category_other=data["category_other"],
                amount=data["amount"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Your request for {grant_services.pounds(award.amount)} has been sent to "
                "a manager to decide.",
            )
            return redirect("casework:episode-grants", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/grant_request.html",
        section=SECTION,
        context={"form": form, "has_funds": bool(funds)},
    )


urlpatterns = [
    path("episodes/<uuid:pk>/grants/", episode_grants, name="episode-grants"),
    path("episodes/<uuid:pk>/grants/request/", grant_request, name="grant-request"),
]
