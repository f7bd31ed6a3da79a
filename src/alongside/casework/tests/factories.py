"""Factories for casework. Episodes are made through the real introduction service, so a
test's episode is exactly what the app would make; one helper per state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Programme, Team
from alongside.accounts.tests.factories import TeamFactory
from alongside.casework import services
from alongside.casework.models import Episode
from alongside.people.tests.factories import PersonFactory, make_staff


def lac_team(*wards: Any, name: str = "LAC West", **kwargs: Any) -> Team:
    """A Local Area Coordination team covering the wards."""
    team = TeamFactory(name=name, **kwargs)
    team.programmes.add(Programme.objects.get(code=Programme.Code.LAC))
    team.wards.add(*wards)
    return team


def sp_team(name: str = "Link workers", **kwargs: Any) -> Team:
    team = TeamFactory(name=name, **kwargs)
    team.programmes.add(Programme.objects.get(code=Programme.Code.SOCIAL_PRESCRIBING))
    return team


def coordinator(team: Team, **kwargs: Any):
    return make_staff(roles.LOCAL_AREA_COORDINATOR, team=team, **kwargs)


def manager(team: Team, **kwargs: Any):
    user = make_staff(roles.TEAM_MANAGER, **kwargs)
    Membership.objects.create(team=team, user=user, is_lead=True)
    return user


def introduce(
    *,
    actor: Any,
    person: Any = None,
    ward: Any = None,
    programme: str = Programme.Code.LAC,
    reasons: tuple[str, ...] = ("isolation",),
    source: str = "gp",
    received_on: dt.date | None = None,
    **kwargs: Any,
) -> Episode:
    """A new episode opened by `actor` through introduction_create."""
    person = person or PersonFactory(ward=ward)
    return services.introduction_create(
        actor=actor,
        person=person,
        programme_code=programme,
        ward=ward,
        details=services.IntroductionDetails(
            source=source,
            reasons=reasons,
            received_on=received_on or timezone.localdate() - dt.timedelta(days=7),
        ),
        **kwargs,
    )


def active_episode(*, actor: Any, level: int = 1, **kwargs: Any) -> Episode:
    """An episode the worker has reached and is working on (optionally at Level 2)."""
    episode = introduce(actor=actor, **kwargs)
    episode = services.episode_transition(actor=actor, episode=episode, to_status="active")
    if level == 2:
        episode = services.episode_level_change(
            actor=actor, episode=episode, level=2, reason="Wants ongoing support"
        )
    return episode


def closing_episode(*, actor: Any, **kwargs: Any) -> Episode:
    episode = active_episode(actor=actor, **kwargs)
    return services.episode_transition(actor=actor, episode=episode, to_status="closing")


def closed_episode(*, actor: Any, **kwargs: Any) -> Episode:
    episode = closing_episode(actor=actor, **kwargs)
    return services.episode_close(
        actor=actor,
        episode=episode,
        reason="goals_met",
        outcome_in_own_words="I go to the walking group every week now.",
        diversions=[services.DiversionEntry(kind="gp_visits", effect="avoided")],
    )


def worker_without(team: Team, *perms: str, **kwargs: Any):
    """A member of the team who holds every permission of the coordinator role except
    `perms` (given to the user directly, not through a role): to prove a permission check."""
    from django.contrib.auth.models import Group

    from alongside.accounts.tests.factories import UserFactory

    role = Group.objects.get(name=roles.LOCAL_AREA_COORDINATOR)
    excluded = {tuple(p.split(".")) for p in perms}
    user = UserFactory(team=team, **kwargs)
    user.user_permissions.set(
        [
            p
            for p in role.permissions.select_related("content_type")
            if (p.content_type.app_label, p.codename) not in excluded
        ]
    )
    return user
