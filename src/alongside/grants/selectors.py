"""Reads of small funds and awards, always on behalf of a member of staff.

Who sees what:
- everyone with grants.view_fund (analysts included) sees the funds and their totals;
- an award, and the name of the person it is for, only when the user may see the episode it
  belongs to (alongside.casework.selectors.visible_episodes); otherwise it is a 404, and in a
  fund's list it is counted but not named;
- a request is decided by a team manager (grants.decide_award) who leads the team holding the
  episode, and never by the person who made the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from alongside.casework.models import Episode
from alongside.casework.selectors import (
    can_work_on,
    is_team_lead,
    led_team_ids_for_user,
    visible_episodes,
)

from .models import Award, Fund

VIEW_FUND = "grants.view_fund"
VIEW_AWARD = "grants.view_award"
REQUEST_AWARD = "grants.add_award"
DECIDE_AWARD = "grants.decide_award"
ADD_FUND = "grants.add_fund"
CHANGE_FUND = "grants.change_fund"

_AWARD_RELATED = (
    "fund",
    "person",
    "episode__team",
    "requested_by",
    "decided_by",
)


def _has(user: Any, perm: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(perm))


# --- funds --------------------------------------------------------------------------------------


def funds_for_user(*, user: Any) -> QuerySet[Fund]:
    """Every fund with its running totals, newest first, for anyone who may see funds."""
    if not _has(user, VIEW_FUND):
        return Fund.objects.none()
    return Fund.objects.select_related("programme")


def fund_get_for_user(*, user: Any, pk: UUID | str) -> Fund:
    """One fund with its totals; 404 for a fund that does not exist or a user without
    grants.view_fund."""
    fund = funds_for_user(user=user).filter(pk=pk).first()
    if fund is None:
        raise Http404("No such fund")
    return fund


def open_funds_for_episode(*, episode: Episode, on: Any = None) -> QuerySet[Fund]:
    """Funds a request for this episode may come from: open, running today, and either for
    every programme or for the episode's."""
    today = on or timezone.localdate()
    return Fund.objects.filter(
        Q(programme__isnull=True) | Q(programme_id=episode.programme_id),
        is_open=True,
        starts_on__lte=today,
        ends_on__gte=today,
    ).order_by("name")


@dataclass(frozen=True)
class FundAwards:
    """A fund's awards as one user may see them: those for people whose support they can see
    (a query, to be paged), how many others there are (never who they are for), and the count
    and amount for each status."""

    visible: QuerySet[Award]
    hidden_count: int
    status_totals: list[dict[str, Any]]


def fund_awards_for_user(*, user: Any, fund: Fund) -> FundAwards:
    """The fund's awards for the fund page. Users without grants.view_award (analysts) get
    the counts by status only."""
    awards = Award.objects.filter(fund=fund)
    rows = awards.order_by().values("status").annotate(count=Count("id"), amount=Sum("amount"))
    by_status = {row["status"]: row for row in rows}
    status_totals = [
        {
            "status": status.label,
            "count": by_status[status.value]["count"],
            "amount": by_status[status.value]["amount"] or Decimal("0"),
        }
        for status in Award.Status
        if status.value in by_status
    ]
    total = sum(row["count"] for row in status_totals)
    visible = (
        awards_visible_to(user=user)
        .filter(fund=fund)
        .select_related("person", "episode__team", "requested_by")
    )
    visible_count = visible.count() if total else 0
    return FundAwards(
        visible=visible, hidden_count=total - visible_count, status_totals=status_totals
    )


# --- awards -------------------------------------------------------------------------------------


def awards_visible_to(*, user: Any) -> QuerySet[Award]:
    """Awards on episodes the user may see (none without grants.view_award)."""
    if not _has(user, VIEW_AWARD):
        return Award.objects.none()
    return Award.objects.filter(episode__in=visible_episodes(user=user))


def awards_for_episode(*, user: Any, episode: Episode) -> QuerySet[Award]:
    """The person's awards on this episode, newest first, if the user may see the episode."""
    return (
        awards_visible_to(user=user)
        .filter(episode=episode)
        .select_related("fund", "requested_by", "decided_by")
    )


def award_get_for_user(*, user: Any, pk: UUID | str) -> Award:
    """One award with its fund, person, episode and people; 404 unless the user may see the
    episode it belongs to."""
    award = awards_visible_to(user=user).select_related(*_AWARD_RELATED).filter(pk=pk).first()
    if award is None:
        raise Http404("No such award")
    return award


def decision_queue_for_user(*, user: Any) -> QuerySet[Award]:
    """Requests waiting for a decision in the teams the user leads, oldest first. Requests
    the user made themselves are included (marked by requested_by) so they can see them
    waiting, but someone else must decide them."""
    if not _has(user, DECIDE_AWARD):
        return Award.objects.none()
    return (
        Award.objects.filter(
            status=Award.Status.REQUESTED,
            episode__team_id__in=led_team_ids_for_user(user),
        )
        .select_related(*_AWARD_RELATED)
        .order_by("requested_on", "created_at")
    )


# --- who may do what to an award ----------------------------------------------------------------


def leads_award_team(*, user: Any, award: Award) -> bool:
    """A team manager (grants.decide_award) who leads the team holding the award's episode."""
    return (
        _has(user, DECIDE_AWARD)
        and award.episode_id is not None
        and is_team_lead(user=user, team_id=award.episode.team_id)
    )


def can_decide(*, user: Any, award: Award) -> bool:
    """May approve or decline this request: a lead of its team who did not make it."""
    return leads_award_team(user=user, award=award) and award.requested_by_id != user.pk


def can_mark_paid(*, user: Any, award: Award) -> bool:
    """May record that an approved award was paid: a lead of its team."""
    return leads_award_team(user=user, award=award)


def can_cancel(*, user: Any, award: Award) -> bool:
    """May cancel: a request, by anyone who works on the episode; an approved award (which
    releases its money), by a lead of the team."""
    if award.status == Award.Status.REQUESTED:
        return (
            _has(user, REQUEST_AWARD)
            and award.episode_id is not None
            and can_work_on(user=user, episode=award.episode)
        )
    if award.status == Award.Status.APPROVED:
        return leads_award_team(user=user, award=award)
    return False
