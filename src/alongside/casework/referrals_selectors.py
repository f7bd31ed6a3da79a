"""Reads of referrals and pathways, always on behalf of someone.

Who sees a referral:
- link workers and managers (casework.triage_referral) of the team it was sent to, in the
  intake queue and on its own page; anyone else gets a 404;
- the member of staff who sent it, only its status (`referrals_sent_for_user`), never what
  the episode holds beyond the dates of first contact and closing;
- a resident who referred themselves sees nothing back at all.
Pathways are seen by the team's workers (casework.view_pathway) and changed by its leads.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from alongside.accounts.models import Organisation, Programme, Team

from .models import Pathway, PathwayQuestion, Referral
from .selectors import led_team_ids_for_user, team_ids_for_user

REFER = "casework.refer_person"
TRIAGE = "casework.triage_referral"
VIEW_PATHWAY = "casework.view_pathway"
ADD_PATHWAY = "casework.add_pathway"
CHANGE_PATHWAY = "casework.change_pathway"
SP = Programme.Code.SOCIAL_PRESCRIBING
R = Referral.Status

# Urgent first, then soon, then routine.
URGENCY_ORDER = Case(
    When(urgency=Referral.Urgency.URGENT, then=Value(0)),
    When(urgency=Referral.Urgency.SOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def reference(referral: Referral) -> str:
    """The reference a referrer quotes: the first 8 characters of its id, in capitals."""
    return str(referral.pk)[:8].upper()


def long_date(value: dt.date) -> str:
    """3 May 2026."""
    return f"{value.day} {value:%B %Y}"


def short_date(value: dt.date) -> str:
    """3 May."""
    return f"{value.day} {value:%B}"


# --- teams and pathways a referrer chooses from ---------------------------------------------


def social_prescribing_teams() -> QuerySet[Team]:
    """Every active social prescribing team, by name."""
    return (
        Team.objects.filter(is_active=True, programmes=SP)
        .select_related("organisation")
        .order_by("name")
    )


def default_team_for_referrer(*, user: Any, teams: list[Team]) -> Team | None:
    """The team a referrer most likely means: for a GP practice the team of its primary care
    network (the practice's parent organisation); otherwise a team of their own
    organisation; otherwise the first team."""
    organisation: Organisation | None = getattr(user, "organisation", None)
    if organisation is not None:
        if organisation.kind == Organisation.Kind.GP_PRACTICE and organisation.parent_id:
            for team in teams:
                if team.organisation_id == organisation.parent_id:
                    return team
        for team in teams:
            if team.organisation_id == organisation.pk:
                return team
    return teams[0] if teams else None


def self_referral_team() -> Team | None:
    """Where residents' own referrals go: the team named by CASEWORK_SELF_REFERRAL_TEAM,
    else the first active social prescribing team by name."""
    teams = social_prescribing_teams()
    name = getattr(settings, "CASEWORK_SELF_REFERRAL_TEAM", "")
    if name:
        named = teams.filter(name=name).first()
        if named is not None:
            return named
    return teams.first()


def active_pathways(*, team: Team) -> list[Pathway]:
    """The team's active pathways with their active questions, by name."""
    return list(
        Pathway.objects.filter(team=team, is_active=True)
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=PathwayQuestion.objects.filter(is_active=True),
                to_attr="active_questions",
            )
        )
        .order_by("name")
    )


# --- the intake queue and one referral --------------------------------------------------------


def _triage_visible(user: Any) -> Q | None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm(TRIAGE):
        return None
    return Q(team_id__in=team_ids_for_user(user))


def intake_queue(*, user: Any, pathway_id: Any = None, urgency: str = "") -> QuerySet[Referral]:
    """Referrals waiting for triage in the user's teams: urgent first, then oldest. Each has
    its team, pathway and reasons loaded (a fixed number of queries for any length)."""
    condition = _triage_visible(user)
    if condition is None:
        return Referral.objects.none()
    referrals = Referral.objects.filter(condition, status=R.RECEIVED)
    if pathway_id:
        referrals = referrals.filter(pathway_id=pathway_id)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    return (
        referrals.select_related("team", "pathway")
        .prefetch_related("reasons")
        .annotate(urgency_order=URGENCY_ORDER)
        .order_by("urgency_order", "received_at", "pk")
    )


def intake_pathways(*, user: Any) -> QuerySet[Pathway]:
    """The pathways of the user's teams, to filter the queue by."""
    return Pathway.objects.filter(team_id__in=team_ids_for_user(user)).order_by("name")


def referral_get_for_triage(*, user: Any, pk: UUID | str) -> Referral:
    """A referral sent to one of the user's teams, for someone who triages; else 404."""
    condition = _triage_visible(user)
    referral = None
    if condition is not None:
        referral = (
            Referral.objects.filter(condition, pk=pk)
            .select_related(
                "team__organisation",
                "pathway",
                "referring_organisation",
                "referred_by",
                "triaged_by",
                "person",
                "episode",
                "redirected_to",
            )
            .prefetch_related("reasons", "codes__code")
            .first()
        )
    if referral is None:
        raise Http404("No such referral")
    return referral


def days_waiting(referral: Referral, *, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localdate(referral.received_at)).days


# --- what referrers see -----------------------------------------------------------------------


def referrals_sent_for_user(*, user: Any) -> QuerySet[Referral]:
    """The referrals this member of staff sent, newest first, with only what a referrer may
    see: the person's name as they gave it, the dates and the status."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(REFER):
        return Referral.objects.none()
    return (
        Referral.objects.filter(referred_by=user)
        .select_related("team", "episode", "redirected_to")
        .only(
            "id",
            "given_name",
            "family_name",
            "received_at",
            "status",
            "decision_reason",
            "triaged_at",
            "team__name",
            "episode__id",
            "episode__status",
            "episode__first_contact_on",
            "episode__closed_on",
            "redirected_to__name",
        )
        .order_by("-received_at", "pk")
    )


def referral_sent_get(*, user: Any, pk: UUID | str) -> Referral:
    """One referral the user sent; anyone else's is a 404."""
    referral = referrals_sent_for_user(user=user).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def status_for_referrer(referral: Referral) -> str:
    """The status in the words a referrer reads: "Waiting", "Accepted: first contact on
    3 May", "Closed on 9 June", "Declined: the person declined"."""
    if referral.status == R.RECEIVED:
        return "Waiting"
    if referral.status == R.DECLINED:
        return f"Declined: {referral.decision_reason}"
    if referral.status == R.REDIRECTED:
        where = referral.redirected_to.name if referral.redirected_to_id else "another service"
        return f"Passed to {where}"
    episode = referral.episode
    if episode is not None and episode.closed_on is not None:
        return f"Closed on {short_date(episode.closed_on)}"
    if episode is not None and episode.first_contact_on is not None:
        return f"Accepted: first contact on {short_date(episode.first_contact_on)}"
    return "Accepted: not contacted yet"


# --- pathways ---------------------------------------------------------------------------------


def pathways_for_user(*, user: Any) -> QuerySet[Pathway]:
    """The pathways of the user's social prescribing teams, by team and name."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_PATHWAY):
        return Pathway.objects.none()
    return (
        Pathway.objects.filter(team_id__in=team_ids_for_user(user), team__programmes=SP)
        .select_related("team")
        .order_by("team__name", "name")
    )


def pathway_teams_led(*, user: Any) -> QuerySet[Team]:
    """Active social prescribing teams the user leads: where they may define pathways."""
    return (
        Team.objects.filter(pk__in=led_team_ids_for_user(user), programmes=SP)
        .select_related("organisation")
        .order_by("name")
    )


def pathway_get_for_manager(*, user: Any, pk: UUID | str) -> Pathway:
    """A pathway of a team the user leads, with its questions; else 404."""
    pathway = (
        Pathway.objects.filter(pk=pk, team_id__in=led_team_ids_for_user(user))
        .select_related("team")
        .prefetch_related("questions")
        .first()
    )
    if pathway is None:
        raise Http404("No such pathway")
    return pathway


def question_get_for_manager(*, user: Any, pathway: Pathway, pk: UUID | str) -> PathwayQuestion:
    question = PathwayQuestion.objects.filter(pathway=pathway, pk=pk).first()
    if question is None:
        raise Http404("No such question")
    return question


@dataclass(frozen=True)
class PathwayFigures:
    """A pathway's last 12 months. `within_target_share` is of the referrals that are due:
    contacted, or waiting longer than the target (declined and passed-on ones do not count);
    None when none are due yet."""

    referrals: int
    median_days: float | None
    within_target_share: float | None
    waiting_past_target: int

    @property
    def within_target_percent(self) -> int | None:
        share = self.within_target_share
        return None if share is None else round(share * 100)


def pathway_figures(
    *, pathways: list[Pathway], today: dt.date | None = None
) -> dict[Any, PathwayFigures]:
    """For each pathway, over the 12 months to `today`: how many referrals, the median days
    from referral to first contact, the share contacted within the pathway's target, and how
    many are still waiting (not yet triaged, or accepted with no contact yet) past the target.
    One query for any number of pathways."""
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365), dt.time()))
    rows: dict[Any, list[tuple[str, dt.datetime, dt.date | None]]] = {p.pk: [] for p in pathways}
    for pathway_id, status, received_at, first_contact_on in Referral.objects.filter(
        pathway_id__in=list(rows), received_at__gte=since
    ).values_list("pathway_id", "status", "received_at", "episode__first_contact_on"):
        rows[pathway_id].append((status, received_at, first_contact_on))
    figures = {}
    for pathway in pathways:
        days_to_contact: list[int] = []
        due = within = waiting_past = 0
        for status, received_at, first_contact_on in rows[pathway.pk]:
            received_on = timezone.localdate(received_at)
            if first_contact_on is not None:
                days = (first_contact_on - received_on).days
                days_to_contact.append(days)
                due += 1
                within += days <= pathway.target_days
            elif (
                status in (R.RECEIVED, R.ACCEPTED)
                and (today - received_on).days > pathway.target_days
            ):
                due += 1
                waiting_past += 1
        figures[pathway.pk] = PathwayFigures(
            referrals=len(rows[pathway.pk]),
            median_days=statistics.median(days_to_contact) if days_to_contact else None,
            within_target_share=within / due if due else None,
            waiting_past_target=waiting_past,
        )
    return figures
