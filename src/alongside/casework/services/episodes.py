"""Introductions and the life of an episode: status, level, worker and closing.

The one table of allowed status changes is `TRANSITIONS`; closing is its own service because
it needs a reason, the outcome in the person's words and what was avoided."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from alongside.accounts.models import Team, User
from alongside.core.audit import audit_record
from alongside.core.models import Ward
from alongside.people.models import Person
from alongside.people.services import involvement_open

from ..caseloads import team_workers
from ..models import (
    Diversion,
    DiversionKind,
    Episode,
    EpisodeChange,
    Introduction,
    IntroductionReason,
)
from ..programmes import PROGRAMMES, casework_programme
from ..selectors import ADD_INTRODUCTION, MANAGE_CASELOADS
from .common import check_can_work, episode_audit

S = Episode.Status
# Every status change a worker may make. Closed is reached only through `episode_close`,
# from closing; a closed episode stays closed (a new introduction opens a new episode).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.CONTACTED, S.ACTIVE, S.CLOSING),
    S.CONTACTED: (S.ACTIVE, S.PAUSED, S.CLOSING),
    S.ACTIVE: (S.PAUSED, S.CLOSING),
    S.PAUSED: (S.ACTIVE, S.CLOSING),
    S.CLOSING: (S.ACTIVE, S.CLOSED),
    S.CLOSED: (),
}
# Moving to these means the worker has reached the person.
REACHED = (S.CONTACTED, S.ACTIVE)


def allowed_transitions(episode: Episode) -> list[str]:
    """The statuses a worker may move this episode to by hand (closing has its own form)."""
    return [s for s in TRANSITIONS[episode.status] if s != S.CLOSED]


def record_change(
    *, actor: Any, episode: Episode, kind: str, old: str, new: str, note: str = ""
) -> EpisodeChange:
    return EpisodeChange.objects.create(
        episode=episode,
        kind=kind,
        old_value=old[:200],
        new_value=new[:200],
        note=note,
        changed_at=timezone.now(),
        created_by=actor,
        modified_by=actor,
    )


# --- introductions ------------------------------------------------------------------------------


def team_for_introduction(*, programme_code: str, ward: Ward | None, actor: Any) -> Team | None:
    """The team that takes an introduction: for a place-based programme, the active team of
    that programme covering the ward (the actor's own first when several do); otherwise the
    actor's own team in the programme."""
    teams = Team.objects.filter(is_active=True, programmes=programme_code)
    if casework_programme(programme_code).place_based:
        if ward is None:
            return None
        teams = teams.filter(wards=ward)
    else:
        teams = teams.filter(memberships__user=actor)
    mine = teams.filter(memberships__user=actor).first()
    return mine or teams.order_by("name").first()


def workers_of(team: Team) -> list[User]:
    """Active members of the team who may work on episodes, in name order (one query)."""
    return team_workers(team)


def _least_loaded(team: Team, candidates: Sequence[User]) -> User | None:
    if not candidates:
        return None
    loads = dict(
        Episode.objects.filter(team=team, worker__in=candidates)
        .exclude(status=S.CLOSED)
        .values_list("worker")
        .annotate(n=Count("id"))
    )
    return min(candidates, key=lambda u: (loads.get(u.pk, 0), u.full_name))


@dataclass(frozen=True)
class IntroductionDetails:
    source: str
    reasons: Sequence[str]  # IntroductionReason codes
    received_on: dt.date
    source_other: str = ""
    introducer_name: str = ""
    introducer_organisation: str = ""
    introducer_contact: str = ""
    reasons_other: str = ""
    notes: str = ""


@transaction.atomic
def introduction_create(
    *,
    actor: User,
    person: Person,
    programme_code: str,
    details: IntroductionDetails,
    ward: Ward | None = None,
    team: Team | None = None,
    worker: User | None = None,
) -> Episode:
    """Record an introduction and open the person's episode in the programme.

    The ward defaults to where the person lives. The team is the one covering the ward
    (place-based programmes); the worker is the one chosen, else the actor when they work in
    that team, else the team's worker with the fewest open episodes. The team gets its reason
    to see the person's record. One open episode per person per programme."""
    if not actor.has_perm(ADD_INTRODUCTION):
        raise PermissionDenied("You do not have a role that records introductions.")
    if programme_code not in PROGRAMMES:
        raise ValidationError({"programme": "Choose a programme that does casework"})
    programme = casework_programme(programme_code)
    ward = ward or person.ward
    errors: dict[str, str] = {}
    if programme.place_based and ward is None:
        errors["ward"] = "Choose the ward where the person lives"
    if details.source not in Introduction.Source.values:
        errors["source"] = "Choose who introduced them"
    elif details.source == Introduction.Source.OTHER and not details.source_other.strip():
        errors["source_other"] = "Say who introduced them"
    reasons = list(IntroductionReason.objects.filter(code__in=details.reasons, is_active=True))
    if not reasons:
        errors["reasons"] = "Choose at least one reason"
    elif len(reasons) != len(set(details.reasons)):
        errors["reasons"] = "Choose reasons from the list"
    elif "other" in details.reasons and not details.reasons_other.strip():
        errors["reasons_other"] = "Say what the other reason is"
    if details.received_on > timezone.localdate():
        errors["received_on"] = "The date of the introduction must be today or in the past"
    if person.is_archived:
        errors["person"] = "This person's record is archived. Bring it back into use first"
    if errors:
        raise ValidationError(errors)

    if team is None:
        team = team_for_introduction(programme_code=programme_code, ward=ward, actor=actor)
        if team is None:
            where = f" covering {ward.name}" if programme.place_based and ward else ""
            raise ValidationError({"ward": f"No {programme.name} team{where} is set up yet"})
    elif not team.programmes.filter(code=programme_code).exists():
        raise ValidationError({"team": f"That team does not do {programme.name}"})

    existing = (
        Episode.objects.select_for_update()
        .filter(person=person, programme_id=programme_code)
        .exclude(status=S.CLOSED)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {"person": f"{person.display_name} already has open {programme.name} support"}
        )

    candidates = workers_of(team)
    if worker is not None and worker not in candidates:
        raise ValidationError({"worker": f"Choose one of the team's {programme.workers}"})
    if worker is None:
        worker = actor if actor in candidates else _least_loaded(team, candidates)

    introduction = Introduction(
        person=person,
        programme_id=programme_code,
        team=team,
        ward=ward,
        source=details.source,
        source_other=details.source_other.strip(),
        introducer_name=details.introducer_name.strip(),
        introducer_organisation=details.introducer_organisation.strip(),
        introducer_contact=details.introducer_contact.strip(),
        reasons_other=details.reasons_other.strip(),
        notes=details.notes.strip(),
        received_on=details.received_on,
        created_by=actor,
        modified_by=actor,
    )
    introduction.full_clean()
    introduction.save()
    introduction.reasons.set(reasons)
    now = timezone.now()
    episode = Episode(
        person=person,
        programme_id=programme_code,
        team=team,
        ward=ward,
        introduction=introduction,
        worker=worker,
        status=S.NEW,
        status_changed_at=now,
        opened_on=details.received_on,
        created_by=actor,
        modified_by=actor,
    )
    episode.full_clean()
    episode.save()
    involvement_open(
        actor=actor, person=person, team=team, reason=f"{programme.name} {programme.introduction}"
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="create",
        obj=introduction,
        changes={
            "source": [None, details.source],
            "reasons": [None, sorted(r.code for r in reasons)],
            "team": [None, team.name],
            "worker": [None, worker.full_name if worker else None],
        },
    )
    return episode


# --- status, level and worker -------------------------------------------------------------------


@transaction.atomic
def episode_transition(*, actor: User, episode: Episode, to_status: str, note: str = "") -> Episode:
    """Move the episode along the workflow in TRANSITIONS (not to closed: see episode_close)."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if to_status == S.CLOSED:
        raise ValidationError({"status": "Use the closing form to close an episode"})
    if to_status not in TRANSITIONS.get(episode.status, ()):
        label = dict(S.choices).get(to_status, to_status)
        raise ValidationError(
            {
                "status": f"An episode that is {episode.get_status_display().lower()} "
                f"cannot move to {str(label).lower()}"
            }
        )
    old = episode.status
    episode.status = to_status
    episode.status_changed_at = timezone.now()
    if to_status in REACHED and episode.first_contact_on is None:
        episode.first_contact_on = timezone.localdate()
        from .referrals import referral_first_contact  # here: referrals imports this module

        referral_first_contact(episode=episode, actor=actor)
    episode.modified_by = actor
    episode.save(
        update_fields=[
            "status",
            "status_changed_at",
            "first_contact_on",
            "modified_by",
            "modified_at",
        ]
    )
    record_change(
        actor=actor,
        episode=episode,
        kind=EpisodeChange.Kind.STATUS,
        old=old,
        new=to_status,
        note=note.strip(),
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        reason=note.strip(),
        changes={"status": [old, to_status]},
    )
    return episode


@transaction.atomic
def episode_level_change(*, actor: User, episode: Episode, level: int, reason: str) -> Episode:
    """Move between Level 1 and Level 2, saying why."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not casework_programme(episode.programme_id).has_levels:
        raise ValidationError({"level": "This programme does not use levels"})
    if level not in Episode.Level.values:
        raise ValidationError({"level": "Choose Level 1 or Level 2"})
    if not episode.is_open:
        raise ValidationError({"level": "This episode is closed"})
    if level == episode.level:
        raise ValidationError({"level": f"The support is already at Level {level}"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the level is changing"})
    old = episode.level
    episode.level = level
    episode.modified_by = actor
    episode.save(update_fields=["level", "modified_by", "modified_at"])
    record_change(
        actor=actor,
        episode=episode,
        kind=EpisodeChange.Kind.LEVEL,
        old=str(old),
        new=str(level),
        note=reason.strip(),
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        reason=reason.strip(),
        changes={"level": [old, level]},
    )
    return episode


@transaction.atomic
def episode_assign(*, actor: User, episode: Episode, worker: User, note: str) -> Episode:
    """Reassign or hand over the episode to another worker in its team, with a handover
    note. Managers (casework.manage_caseloads) and the current worker may do this."""
    is_manager = actor.has_perm(MANAGE_CASELOADS)
    if not (is_manager or actor.pk == episode.worker_id):
        raise PermissionDenied("Only a manager or the person's current worker can hand over.")
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError({"worker": "This episode is closed"})
    if worker not in workers_of(episode.team):
        raise ValidationError({"worker": "Choose someone who works in this team"})
    if worker.pk == episode.worker_id:
        raise ValidationError({"worker": f"{worker.full_name} already works with this person"})
    if not note.strip():
        raise ValidationError({"note": "Enter a handover note"})
    old = episode.worker
    episode.worker = worker
    episode.modified_by = actor
    episode.save(update_fields=["worker", "modified_by", "modified_at"])
    record_change(
        actor=actor,
        episode=episode,
        kind=EpisodeChange.Kind.WORKER,
        old=old.full_name if old else "",
        new=worker.full_name,
        note=note.strip(),
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        reason=note.strip(),
        changes={"worker": [old.full_name if old else None, worker.full_name]},
    )
    return episode


# --- closing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiversionEntry:
    kind: str  # DiversionKind code
    effect: str  # Diversion.Effect
    note: str = ""


@transaction.atomic
def episode_close(
    *,
    actor: User,
    episode: Episode,
    reason: str,
    outcome_in_own_words: str,
    diversions: Iterable[DiversionEntry] = (),
    reason_other: str = "",
    closed_on: dt.date | None = None,
) -> Episode:
    """Close an episode that is closing: the reason, what changed in the person's words, and
    which service needs were avoided or delayed (for the cost-avoided figures)."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    closed_on = closed_on or timezone.localdate()
    errors: dict[str, str] = {}
    if episode.status != S.CLOSING:
        errors["status"] = "Move the episode to closing before closing it"
    if reason not in Episode.CloseReason.values:
        errors["reason"] = "Choose why support is ending"
    elif reason == Episode.CloseReason.OTHER and not reason_other.strip():
        errors["reason_other"] = "Say why support is ending"
    if not outcome_in_own_words.strip():
        errors["outcome_in_own_words"] = "Enter what changed, in the person's own words"
    if closed_on > timezone.localdate():
        errors["closed_on"] = "The closing date must be today or in the past"
    elif closed_on < episode.opened_on:
        errors["closed_on"] = "The closing date must be after the episode opened"
    entries = list(diversions)
    kinds = {k.code: k for k in DiversionKind.objects.filter(code__in=[d.kind for d in entries])}
    if len(kinds) != len(entries) or len({d.kind for d in entries}) != len(entries):
        errors["diversions"] = "Choose each need avoided or delayed once, from the list"
    elif any(d.effect not in Diversion.Effect.values for d in entries):
        errors["diversions"] = "Say whether each need was avoided or delayed"
    if casework_programme(episode.programme_id).outcome_measures and not hasattr(
        episode, "outcome"
    ):
        errors["outcome"] = "Record what the person says about the support before closing"
    if errors:
        raise ValidationError(errors)

    episode.status = S.CLOSED
    episode.status_changed_at = timezone.now()
    episode.closed_on = closed_on
    episode.close_reason = reason
    episode.close_reason_other = reason_other.strip() if reason == "other" else ""
    episode.outcome_in_own_words = outcome_in_own_words.strip()
    episode.modified_by = actor
    episode.full_clean()
    episode.save()
    Diversion.objects.bulk_create(
        Diversion(
            episode=episode,
            kind=kinds[d.kind],
            effect=d.effect,
            note=d.note.strip()[:300],
            created_by=actor,
            modified_by=actor,
        )
        for d in entries
    )
    record_change(
        actor=actor,
        episode=episode,
        kind=EpisodeChange.Kind.STATUS,
        old=S.CLOSING,
        new=S.CLOSED,
        note=episode.get_close_reason_display(),
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        reason="Closed",
        changes={
            "status": [S.CLOSING, S.CLOSED],
            "close_reason": [None, reason],
            "diversions": [None, sorted(kinds)],
        },
    )
    from .referrals import referral_closed  # here: referrals imports this module

    referral_closed(episode=episode, actor=actor)
    return episode


def episode_view_record(*, actor: User, episode: Episode, what: str = "episode") -> None:
    """Every opening of an episode (or its PDF) is recorded against the person."""
    audit_record(
        actor=actor,
        action="view",
        obj=episode,
        person_id=episode.person_id,
        reason=f"Opened the {what}",
    )
