"""What every casework service shares: the check that the actor may work on the episode,
and the audit event for a change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from alongside.core.audit import audit_record
from alongside.core.models import AuditEvent

from ..models import Episode
from ..selectors import can_work_on


def check_can_work(*, actor: Any, episode: Episode) -> None:
    """Only a worker in the team that holds the episode may change it."""
    if not can_work_on(user=actor, episode=episode):
        raise PermissionDenied("Only the team working with this person can change this.")


def episode_audit(
    *,
    actor: Any,
    episode: Episode,
    action: str,
    obj: models.Model | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit event about the episode (or something in it), filed under the person."""
    return audit_record(
        actor=actor,
        action=action,
        obj=obj if obj is not None else episode,
        person_id=episode.person_id,
        reason=reason,
        changes=changes,
    )
