"""Connections to the community and gaps where nothing suitable exists.

A connection is followed from suggestion to whether the person still goes; every move is a
line in the episode's history. Only listings the public can see may be suggested, and a
listing is connected once at a time (again only after the person stopped going). A gap says
what was needed, where and what would help; gaps feed the gapping exercise, so they carry
no personal data of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.core.models import Ward
from alongside.directory.models import PUBLIC_STATES, Service, TaxonomyTerm

from ..models import Connection, Episode, EpisodeChange, Gap
from .common import check_can_work, episode_audit
from .episodes import record_change

NEEDS_TAXONOMY = "needs"
NAME_MAX = 200
STOPPED_REASON_MAX = 300
C = Connection.Status


def _locked_open_episode(episode: Episode, *, field: str) -> Episode:
    """The episode, locked so that two suggestions at once cannot both pass the checks."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError({field: "This person's support has closed"})
    return episode


@transaction.atomic
def connection_add(
    *,
    actor: Any,
    episode: Episode,
    listing: Service | None = None,
    name: str = "",
    notes: str = "",
) -> Connection:
    """Suggest a connection: a directory listing (published or due for review), or by name
    something that is not in the directory. Refused while the same listing (or, without a
    listing, the same name) is connected and the person has not stopped going."""
    check_can_work(actor=actor, episode=episode)
    field = "listing" if listing is not None else "name"
    episode = _locked_open_episode(episode, field=field)
    current = Connection.objects.filter(episode=episode).exclude(status=C.STOPPED)
    if listing is not None:
        if listing.state not in PUBLIC_STATES:
            raise ValidationError(
                {
                    "listing": f"{listing.name} is not published in the directory, so it cannot "
                    "be suggested"
                }
            )
        if current.filter(listing=listing).exists():
            raise ValidationError({"listing": f"Already connected to {listing.name}"})
        name = listing.name[:NAME_MAX]
    else:
        name = " ".join(name.split())
        if not name:
            raise ValidationError({"name": "Enter the name of what they could connect to"})
        if len(name) > NAME_MAX:
            raise ValidationError({"name": f"Name must be {NAME_MAX} characters or fewer"})
        if current.filter(listing__isnull=True, name__iexact=name).exists():
            raise ValidationError({"name": f"Already connected to {name}"})

    connection = Connection(
        episode=episode,
        listing=listing,
        name=name,
        status=C.SUGGESTED,
        status_changed_on=timezone.localdate(),
        notes=notes.strip(),
        created_by=actor,
        modified_by=actor,
    )
    connection.full_clean()
    connection.save()
    record_change(
        actor=actor,
        episode=episode,
        kind=EpisodeChange.Kind.CONNECTION,
        old="",
        new=C.SUGGESTED,
        note=f"{name}: suggested",
    )
    episode_audit(
        actor=actor,
        episode=episode,
        action="create",
        obj=connection,
        changes={
            "connection": [None, name],
            "listing": [None, str(listing.pk) if listing else None],
            "status": [None, C.SUGGESTED],
        },
    )
    return connection


@transaction.atomic
def connection_update(
    *,
    actor: Any,
    connection: Connection,
    status: str,
    stopped_reason: str = "",
    note: str = "",
) -> Connection:
    """Move a connection to any status (suggested, introduced, went, still going, stopped).
    Stopping needs the reason; leaving stopped clears it. Each move is recorded in the
    episode's history and the audit trail."""
    check_can_work(actor=actor, episode=connection.episode)
    connection = (
        Connection.objects.select_for_update().select_related("episode").get(pk=connection.pk)
    )
    if not connection.episode.is_open:
        raise ValidationError({"status": "This person's support has closed"})
    stopped_reason = " ".join(stopped_reason.split())
    note = note.strip()
    if status not in C.values:
        raise ValidationError({"status": "Choose how the connection is going"})
    if status == C.STOPPED and not stopped_reason:
        raise ValidationError({"stopped_reason": "Enter why they stopped going"})
    if len(stopped_reason) > STOPPED_REASON_MAX:
        raise ValidationError(
            {"stopped_reason": f"Why they stopped must be {STOPPED_REASON_MAX} characters or fewer"}
        )
    if status == connection.status and status != C.STOPPED:
        raise ValidationError(
            {
                "status": f"{connection.name} is already marked as "
                f"{connection.get_status_display().lower()}"
            }
        )
    if status == C.STOPPED == connection.status and stopped_reason == connection.stopped_reason:
        raise ValidationError({"stopped_reason": "This is already why they stopped going"})

    old_status, old_reason = connection.status, connection.stopped_reason
    connection.status = status
    connection.stopped_reason = stopped_reason if status == C.STOPPED else ""
    connection.status_changed_on = timezone.localdate()
    connection.modified_by = actor
    connection.full_clean()
    connection.save()

    label = str(C(status).label).lower()
    detail = "; ".join(
        part for part in (stopped_reason if status == C.STOPPED else "", note) if part
    )
    record_change(
        actor=actor,
        episode=connection.episode,
        kind=EpisodeChange.Kind.CONNECTION,
        old=old_status,
        new=status,
        note=f"{connection.name}: {label}" + (f" ({detail})" if detail else ""),
    )
    changes: dict[str, Any] = {"status": [old_status, status]}
    if old_reason != connection.stopped_reason:
        changes["stopped_reason"] = [old_reason or None, connection.stopped_reason or None]
    episode_audit(
        actor=actor,
        episode=connection.episode,
        action="change",
        obj=connection,
        reason=note,
        changes=changes,
    )
    return connection


def need_terms() -> list[TaxonomyTerm]:
    """The terms of the needs taxonomy, top-level terms before their children."""
    return list(
        TaxonomyTerm.objects.filter(taxonomy__code=NEEDS_TAXONOMY).order_by("parent__name", "name")
    )


@transaction.atomic
def gap_record(
    *,
    actor: Any,
    episode: Episode,
    need: TaxonomyTerm | None,
    what_would_help: str,
    ward: Ward | None = None,
    recorded_on: dt.date | None = None,
) -> Gap:
    """Record that nothing suitable exists for a need: the need (a term of the needs
    taxonomy), the ward (the episode's when not given) and what would help. The gap belongs
    to the episode's team."""
    check_can_work(actor=actor, episode=episode)
    what_would_help = what_would_help.strip()
    recorded_on = recorded_on or timezone.localdate()
    errors: dict[str, str] = {}
    if need is None:
        errors["need"] = "Choose the need that nothing in the directory meets"
    elif not TaxonomyTerm.objects.filter(pk=need.pk, taxonomy__code=NEEDS_TAXONOMY).exists():
        errors["need"] = "Choose a need from the list"
    if not what_would_help:
        errors["what_would_help"] = "Enter what would help"
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = "The date must be today or in the past"
    if errors:
        raise ValidationError(errors)

    gap = Gap(
        episode=episode,
        team_id=episode.team_id,
        need=need,
        ward=ward or episode.ward,
        what_would_help=what_would_help,
        recorded_on=recorded_on,
        created_by=actor,
        modified_by=actor,
    )
    gap.full_clean()
    gap.save()
    episode_audit(
        actor=actor,
        episode=episode,
        action="create",
        obj=gap,
        changes={
            "need": [None, need.name if need else None],
            "ward": [None, gap.ward.name if gap.ward else None],
        },
    )
    return gap
