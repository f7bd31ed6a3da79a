"""Caseload capacity: a manager sets how many Level 2 episodes a worker can hold when it
differs from the default (part-time, new in post)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from alongside.accounts.models import Membership, User
from alongside.core.audit import audit_record

from ..models import WorkerCapacity
from ..selectors import MANAGE_CASELOADS, led_team_ids_for_user

MAX_LEVEL2_CAPACITY = 200


@transaction.atomic
def capacity_set(*, actor: User, worker: User, level2_capacity: int, note: str) -> WorkerCapacity:
    """Set the worker's Level 2 capacity, saying why. Only a manager who leads one of the
    worker's teams may. The old and new figures go to the audit trail."""
    if not actor.has_perm(MANAGE_CASELOADS):
        raise PermissionDenied("Only a team manager can set caseload capacity.")
    if not Membership.objects.filter(
        user=worker, team_id__in=led_team_ids_for_user(actor)
    ).exists():
        raise PermissionDenied("You can only set capacity for people in a team you lead.")
    errors: dict[str, str] = {}
    if not isinstance(level2_capacity, int) or not 0 <= level2_capacity <= MAX_LEVEL2_CAPACITY:
        errors["level2_capacity"] = f"Level 2 capacity must be between 0 and {MAX_LEVEL2_CAPACITY}"
    note = note.strip()
    if not note:
        errors["note"] = "Enter a note about the capacity, for example 'Works 3 days a week'"
    if errors:
        raise ValidationError(errors)

    capacity = WorkerCapacity.objects.select_for_update().filter(user=worker).first()
    old: Any = capacity.level2_capacity if capacity else None
    if capacity is None:
        capacity = WorkerCapacity(user=worker, created_by=actor)
    capacity.level2_capacity = level2_capacity
    capacity.note = note
    capacity.modified_by = actor
    capacity.full_clean()
    capacity.save()
    audit_record(
        actor=actor,
        action="create" if old is None else "change",
        obj=capacity,
        reason=note,
        changes={
            "level2_capacity": [
                old if old is not None else settings.CASEWORK_LEVEL2_CAPACITY,
                level2_capacity,
            ]
        },
    )
    return capacity
