"""Reads of casework, always on behalf of a member of staff.

Who sees an episode:
- members of the team that holds it (coordinators, link workers and the team's managers);
- staff of another organisation only while the person has an active consent sharing their
  record with that organisation for support, sharing with partners or referral;
- nobody else. Analysts hold no episode permission and see figures only.
An episode that is not visible is a 404, so its existence is not revealed.

Inside a visible episode, sensitive timeline entries are shown only to the episode's worker,
the entry's author and the leads of the team (see `can_see_sensitive`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from alongside.accounts.models import Membership
from alongside.people.models import Consent

from .models import CommunityWork, Contact, Episode, Gap, Story, SystemIntelligence

if TYPE_CHECKING:
    from alongside.core.models import Ward

    from .figures import Quarter

VIEW_EPISODE = "casework.view_episode"
WORK_ON_EPISODE = "casework.change_episode"
ADD_INTRODUCTION = "casework.add_introduction"
MANAGE_CASELOADS = "casework.manage_caseloads"
APPROVE_STORY = "casework.approve_story"
VIEW_FIGURES = "casework.view_casework_figures"
PUBLISHED_STORY_LEVELS = (Story.ConsentLevel.ANONYMISED, Story.ConsentLevel.NAMED)
SHARING_PURPOSES = (
    Consent.Purpose.SUPPORT,
    Consent.Purpose.SHARE_PARTNERS,
    Consent.Purpose.REFERRAL,
)


def team_ids_for_user(user: Any) -> QuerySet[Membership]:
    """The active teams the user belongs to, as a subquery of ids."""
    return Membership.objects.filter(user=user, team__is_active=True).values("team_id")


def led_team_ids_for_user(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, team__is_active=True, is_lead=True).values(
        "team_id"
    )


def _visible_to(user: Any) -> Q | None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_EPISODE):
        return None
    condition = Q(team_id__in=team_ids_for_user(user))
    if user.organisation_id:
        condition |= Q(
            Exists(
                Consent.objects.filter(
                    person=OuterRef("person_id"),
                    withdrawn_at__isnull=True,
                    purpose__in=SHARING_PURPOSES,
                    shared_with=user.organisation_id,
                )
            )
        )
    return condition


def visible_episodes(*, user: Any) -> QuerySet[Episode]:
    """Every episode the user may see, with nothing else applied."""
    condition = _visible_to(user)
    if condition is None:
        return Episode.objects.none()
    return Episode.objects.filter(condition)


def episode_get_for_user(*, user: Any, pk: UUID | str) -> Episode:
    """One visible episode with its person, team, worker, ward and introduction; else 404."""
    episode = (
        visible_episodes(user=user)
        .select_related(
            "person", "team__organisation", "worker", "ward", "programme", "introduction"
        )
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404("No such episode")
    return episode


def is_team_member(*, user: Any, team_id: Any) -> bool:
    return Membership.objects.filter(user=user, team_id=team_id, team__is_active=True).exists()


def is_team_lead(*, user: Any, team_id: Any) -> bool:
    return Membership.objects.filter(
        user=user, team_id=team_id, team__is_active=True, is_lead=True
    ).exists()


def can_work_on(*, user: Any, episode: Episode) -> bool:
    """May change the episode: a worker in the team that holds it. Staff who see it under a
    consent to share read it only."""
    return (
        getattr(user, "is_authenticated", False)
        and user.has_perm(WORK_ON_EPISODE)
        and is_team_member(user=user, team_id=episode.team_id)
    )


def can_see_sensitive(*, user: Any, episode: Episode, author_id: Any = None) -> bool:
    """Sensitive entries: the episode's worker, the entry's author and the team's leads."""
    if user.pk in (episode.worker_id, author_id):
        return True
    return is_team_lead(user=user, team_id=episode.team_id)


# --- the team's work: stories, community work, system intelligence, gaps, concerns ---------


def stories_awaiting_for_user(*, user: Any) -> QuerySet[Story]:
    """Stories waiting for a manager, in teams the user leads; oldest first."""
    return (
        Story.objects.filter(
            status=Story.Status.AWAITING_APPROVAL,
            episode__team_id__in=led_team_ids_for_user(user),
        )
        .select_related("episode__person", "episode__team", "created_by")
        .order_by("modified_at")
    )


def story_for_manager(*, user: Any, pk: UUID) -> Story:
    """A story in a team the user leads, with its episode; else 404."""
    story = (
        Story.objects.filter(pk=pk, episode__team_id__in=led_team_ids_for_user(user))
        .select_related("consent", "created_by", "decided_by")
        .first()
    )
    if story is None:
        raise Http404("No such story")
    story.episode = episode_get_for_user(user=user, pk=story.episode_id)
    return story


def stories_published_for_user(*, user: Any) -> QuerySet[Story]:
    """Approved stories for publication, of the user's teams, whose consent still stands.
    Only what may be shared is loaded: the title and the text for publication."""
    return (
        Story.objects.filter(
            status=Story.Status.APPROVED,
            consent_level__in=PUBLISHED_STORY_LEVELS,
            consent__isnull=False,
            consent__withdrawn_at__isnull=True,
            episode__team_id__in=team_ids_for_user(user),
        )
        .only("id", "title", "publishable_text", "consent_level", "decided_at")
        .order_by("-decided_at")
    )


def community_work_for_user(
    *, user: Any, quarter: Quarter | None = None, ward: Ward | None = None
) -> QuerySet[CommunityWork]:
    """Community work of the user's teams, newest first, optionally in a quarter and ward."""
    work = CommunityWork.objects.filter(team_id__in=team_ids_for_user(user))
    if quarter is not None:
        work = work.filter(happened_on__range=(quarter.start, quarter.end))
    if ward is not None:
        work = work.filter(ward=ward)
    return work.select_related("team", "worker", "ward", "provider").order_by(
        "-happened_on", "-created_at"
    )


def system_intelligence_for_user(
    *, user: Any, quarter: Quarter | None = None, ward: Ward | None = None
) -> QuerySet[SystemIntelligence]:
    """System intelligence of the user's teams, newest first, optionally filtered."""
    items = SystemIntelligence.objects.filter(team_id__in=team_ids_for_user(user))
    if quarter is not None:
        items = items.filter(noted_on__range=(quarter.start, quarter.end))
    if ward is not None:
        items = items.filter(ward=ward)
    return items.select_related("team", "worker", "ward").order_by("-noted_on", "-created_at")


def team_gaps(*, user: Any, need_ids: list[Any] | None = None, ward: Any = None) -> QuerySet[Gap]:
    """Gaps recorded by the teams the user belongs to, newest first, optionally for some
    needs and one ward."""
    gaps = Gap.objects.filter(team_id__in=team_ids_for_user(user)).select_related(
        "need", "ward", "team"
    )
    if need_ids is not None:
        gaps = gaps.filter(need_id__in=need_ids)
    if ward is not None:
        gaps = gaps.filter(ward=ward)
    return gaps.order_by("-recorded_on", "-created_at")


def open_concerns(*, user: Any) -> QuerySet[Contact]:
    """Safeguarding concerns not yet marked done, in episodes the user can see and either
    of a team they lead, or that they work with or raised; oldest first."""
    mine = Q(episode__worker=user) | Q(worker=user)
    return (
        Contact.objects.filter(
            safeguarding_concern=True,
            escalation_done_at__isnull=True,
            episode_id__in=visible_episodes(user=user).values("pk"),
        )
        .filter(Q(episode__team_id__in=led_team_ids_for_user(user)) | mine)
        .select_related("episode__person", "episode__team", "worker")
        .order_by("happened_on", "created_at")
    )
