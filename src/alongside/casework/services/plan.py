"""The good-life conversation and the shared agreement: writes.

Everything here is in the person's own words, so text is kept as typed (only trimmed).
Every write needs someone who may work on the episode (`check_can_work`), refuses a closed
episode, and writes one audit event holding each changed field's old and new value. A save
that changes nothing writes nothing.

The shared agreement is for Level 2 support: creating it, its goals or its actions needs the
episode at Level 2 in a programme that has levels. Goals and actions already agreed can
still be updated (how things went) whatever the level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.audit import field_changes

from ..models import Action, Agreement, Conversation, Episode, Goal, Relationship
from ..programmes import casework_programme
from .common import check_can_work, episode_audit

CONVERSATION_FIELDS: tuple[str, ...] = (
    "what_matters",
    "vision",
    "strengths",
    "gifts_skills_interests",
    "worries",
    "held_on",
)
AGREEMENT_FIELDS: tuple[str, ...] = ("agreed_on", "review_on", "notes")
GOAL_FIELDS: tuple[str, ...] = ("in_own_words", "status")
ACTION_FIELDS: tuple[str, ...] = ("what", "who", "who_name", "due_on", "progress", "progress_note")
# Who needs a name said: "a group" is no help on the page without knowing which one.
WHO_NEEDS_NAME = {
    Action.Who.GROUP: "Enter the name of the group",
    Action.Who.OTHER: "Enter who will do it",
}
ACTION_DUE_YEARS_AHEAD = 2
EPISODE_CLOSED = "This episode is closed"
AGREEMENT_NEEDS_LEVEL_2 = (
    "A shared agreement is for Level 2 support. Move the support to Level 2 first"
)


def _snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _open_episode(*, actor: Any, episode: Episode) -> Episode:
    """The episode, locked and freshly read, once the actor may work on it and it is open."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError({"episode": EPISODE_CLOSED})
    return episode


def _check_level_2(episode: Episode) -> None:
    if casework_programme(episode.programme_id).has_levels and episode.level != 2:
        raise ValidationError({"level": AGREEMENT_NEEDS_LEVEL_2})


def _years_ahead(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _belongs(item_episode_id: Any, episode: Episode, what: str) -> None:
    # Views find items through the episode in the URL; this stops a service caller
    # changing another person's plan by passing a mismatched pair.
    if item_episode_id != episode.pk:
        raise PermissionDenied(f"That {what} belongs to someone else's support.")


def _save_and_audit(
    *,
    actor: Any,
    episode: Episode,
    obj: models.Model,
    before: dict[str, Any],
    fields: tuple[str, ...],
    created: bool,
) -> bool:
    """Validate and save `obj`; audit what changed. False when nothing changed."""
    changes = field_changes(before, _snapshot(obj, fields), fields=fields)
    if not created and not changes:
        return False
    obj.modified_by = actor
    if created:
        obj.created_by = actor
    obj.full_clean()
    obj.save()
    episode_audit(
        actor=actor,
        episode=episode,
        action="create" if created else "change",
        obj=obj,
        changes=changes,
    )
    return True


# --- the good-life conversation -------------------------------------------------------------


@transaction.atomic
def conversation_save(
    *,
    actor: User,
    episode: Episode,
    what_matters: str = "",
    vision: str = "",
    strengths: str = "",
    gifts_skills_interests: str = "",
    worries: str = "",
    held_on: dt.date | None = None,
) -> Conversation:
    """Record the good-life conversation in the person's own words, creating it the first
    time. The date it was held cannot be in the future."""
    episode = _open_episode(actor=actor, episode=episode)
    if held_on is not None and held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": "The date of the conversation must be today or in the past"}
        )
    conversation = Conversation.objects.filter(episode=episode).first()
    created = conversation is None
    if conversation is None:
        conversation = Conversation(episode=episode)
    before = {} if created else _snapshot(conversation, CONVERSATION_FIELDS)
    conversation.what_matters = what_matters.strip()
    conversation.vision = vision.strip()
    conversation.strengths = strengths.strip()
    conversation.gifts_skills_interests = gifts_skills_interests.strip()
    conversation.worries = worries.strip()
    conversation.held_on = held_on
    _save_and_audit(
        actor=actor,
        episode=episode,
        obj=conversation,
        before=before,
        fields=CONVERSATION_FIELDS,
        created=created,
    )
    return conversation


@transaction.atomic
def relationship_add(
    *, actor: User, episode: Episode, kind: str, name: str, about: str = ""
) -> Relationship:
    """Add someone to the people around the person: family, friends, neighbours, groups."""
    episode = _open_episode(actor=actor, episode=episode)
    errors: dict[str, str] = {}
    if kind not in Relationship.Kind.values:
        errors["kind"] = "Choose who they are to the person"
    if not name.strip():
        errors["name"] = "Enter their name"
    if errors:
        raise ValidationError(errors)
    relationship = Relationship(episode=episode, kind=kind, name=name.strip(), about=about.strip())
    _save_and_audit(
        actor=actor,
        episode=episode,
        obj=relationship,
        before={},
        fields=("kind", "name", "about"),
        created=True,
    )
    return relationship


@transaction.atomic
def relationship_remove(*, actor: User, episode: Episode, relationship: Relationship) -> None:
    """Take someone off the people around the person. The audit event keeps who it was."""
    episode = _open_episode(actor=actor, episode=episode)
    _belongs(relationship.episode_id, episode, "person")
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        obj=relationship,
        reason="Removed from the people around them",
        changes=field_changes(_snapshot(relationship, ("kind", "name", "about")), {}),
    )
    relationship.delete()


# --- the shared agreement -------------------------------------------------------------------


def _agreement_for(*, actor: Any, episode: Episode) -> tuple[Agreement, bool]:
    """The episode's agreement, made (unsaved) when it has none yet."""
    agreement = Agreement.objects.filter(episode=episode).first()
    if agreement is not None:
        return agreement, False
    return Agreement(episode=episode, created_by=actor, modified_by=actor), True


@transaction.atomic
def agreement_save(
    *,
    actor: User,
    episode: Episode,
    agreed_on: dt.date | None = None,
    review_on: dt.date | None = None,
    notes: str = "",
) -> Agreement:
    """Record when the shared agreement was agreed and when to look at it again, creating
    it the first time. Level 2 only; agreed today or before; reviewed on or after the day
    it was agreed."""
    episode = _open_episode(actor=actor, episode=episode)
    _check_level_2(episode)
    errors: dict[str, str] = {}
    if agreed_on is not None and agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date agreed must be today or in the past"
    if agreed_on is not None and review_on is not None and review_on < agreed_on:
        errors["review_on"] = "The review date must be on or after the date agreed"
    if errors:
        raise ValidationError(errors)
    agreement, created = _agreement_for(actor=actor, episode=episode)
    before = {} if created else _snapshot(agreement, AGREEMENT_FIELDS)
    agreement.agreed_on = agreed_on
    agreement.review_on = review_on
    agreement.notes = notes.strip()
    _save_and_audit(
        actor=actor,
        episode=episode,
        obj=agreement,
        before=before,
        fields=AGREEMENT_FIELDS,
        created=created,
    )
    return agreement


def _clean_goal(in_own_words: str, status: str) -> None:
    errors: dict[str, str] = {}
    if not in_own_words.strip():
        errors["in_own_words"] = "Enter the goal in the person's own words"
    if status not in Goal.Status.values:
        errors["status"] = "Choose how the goal is going"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_add(
    *,
    actor: User,
    episode: Episode,
    in_own_words: str,
    status: str = Goal.Status.WORKING,
) -> Goal:
    """Add a goal, in the person's own words, after the others. The agreement is created if
    the episode has none yet. Level 2 only."""
    episode = _open_episode(actor=actor, episode=episode)
    _check_level_2(episode)
    _clean_goal(in_own_words, status)
    agreement, created = _agreement_for(actor=actor, episode=episode)
    if created:
        agreement.full_clean()
        agreement.save()
        episode_audit(actor=actor, episode=episode, action="create", obj=agreement)
    last = agreement.goals.aggregate(last=Max("order"))["last"]
    goal = Goal(
        agreement=agreement,
        in_own_words=in_own_words.strip(),
        status=status,
        order=0 if last is None else last + 1,
    )
    _save_and_audit(
        actor=actor, episode=episode, obj=goal, before={}, fields=GOAL_FIELDS, created=True
    )
    return goal


@transaction.atomic
def goal_update(
    *, actor: User, episode: Episode, goal: Goal, in_own_words: str, status: str
) -> Goal:
    """Change a goal's words or say how it is going."""
    episode = _open_episode(actor=actor, episode=episode)
    _belongs(goal.agreement.episode_id, episode, "goal")
    _clean_goal(in_own_words, status)
    before = _snapshot(goal, GOAL_FIELDS)
    goal.in_own_words = in_own_words.strip()
    goal.status = status
    _save_and_audit(
        actor=actor, episode=episode, obj=goal, before=before, fields=GOAL_FIELDS, created=False
    )
    return goal


def _clean_action(
    *, what: str, who: str, who_name: str, due_on: dt.date | None, progress: str
) -> None:
    errors: dict[str, str] = {}
    if not what.strip():
        errors["what"] = "Enter what will happen"
    if who not in Action.Who.values:
        errors["who"] = "Choose who will do it"
    elif who in WHO_NEEDS_NAME and not who_name.strip():
        errors["who_name"] = WHO_NEEDS_NAME[who]
    if due_on is not None:
        latest = _years_ahead(timezone.localdate(), ACTION_DUE_YEARS_AHEAD)
        if due_on > latest:
            errors["due_on"] = (
                f"The date to do it by must be within {ACTION_DUE_YEARS_AHEAD} years from today"
            )
    if progress not in Action.Progress.values:
        errors["progress"] = "Choose how it is going"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_add(
    *,
    actor: User,
    episode: Episode,
    goal: Goal,
    what: str,
    who: str,
    who_name: str = "",
    due_on: dt.date | None = None,
    progress: str = Action.Progress.NOT_STARTED,
    progress_note: str = "",
) -> Action:
    """Add an action towards a goal: what will happen, who does it (the person, their
    worker, family, a group, someone else) and by when, at most 2 years ahead. Level 2
    only."""
    episode = _open_episode(actor=actor, episode=episode)
    _belongs(goal.agreement.episode_id, episode, "goal")
    _check_level_2(episode)
    _clean_action(what=what, who=who, who_name=who_name, due_on=due_on, progress=progress)
    action = Action(
        goal=goal,
        what=what.strip(),
        who=who,
        who_name=who_name.strip(),
        due_on=due_on,
        progress=progress,
        progress_note=progress_note.strip(),
    )
    _save_and_audit(
        actor=actor, episode=episode, obj=action, before={}, fields=ACTION_FIELDS, created=True
    )
    return action


@transaction.atomic
def action_update(
    *,
    actor: User,
    episode: Episode,
    action: Action,
    what: str,
    who: str,
    who_name: str = "",
    due_on: dt.date | None = None,
    progress: str,
    progress_note: str = "",
) -> Action:
    """Change an action or record its progress."""
    episode = _open_episode(actor=actor, episode=episode)
    _belongs(action.goal.agreement.episode_id, episode, "action")
    _clean_action(what=what, who=who, who_name=who_name, due_on=due_on, progress=progress)
    before = _snapshot(action, ACTION_FIELDS)
    action.what = what.strip()
    action.who = who
    action.who_name = who_name.strip()
    action.due_on = due_on
    action.progress = progress
    action.progress_note = progress_note.strip()
    _save_and_audit(
        actor=actor,
        episode=episode,
        obj=action,
        before=before,
        fields=ACTION_FIELDS,
        created=False,
    )
    return action
