"""Writing the audit trail. Services call `audit_record` for every view, change and export."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from .logging import request_id_var
from .models import AuditEvent

REDACTED = "[redacted]"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return str(value)


def acting_user(actor: Any) -> Any:
    """The signed-in user behind an action, or None for the system or an anonymous visitor."""
    return actor if getattr(actor, "is_authenticated", False) else None


def field_changes(
    before: dict[str, Any], after: dict[str, Any], *, fields: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs."""
    names = fields if fields is not None else sorted(set(before) | set(after))
    changes: dict[str, list[Any]] = {}
    for name in names:
        old, new = _jsonable(before.get(name)), _jsonable(after.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    person_id: uuid.UUID | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. `obj` fills the object type, id and label when given."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:200]
    actor_user = acting_user(actor)
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_label=(actor_user.email if actor_user else "system")[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        person_id=person_id,
        reason=reason[:500],
        changes=changes or {},
        request_id=request_id_var.get() if request_id_var.get() != "-" else "",
    )


def audit_redact_person(*, person_id: uuid.UUID) -> int:
    """Remove personal values from a person's events, for the erasure service only.

    The events themselves (who did what, when) stay: the record of access outlives the data.
    """
    events = AuditEvent.objects.filter(person_id=person_id)
    redacted = 0
    for event in events.only("id", "changes"):
        new_changes = {name: [REDACTED, REDACTED] for name in event.changes}
        # Free-text reasons may name the person, so they go too; the action stays.
        models.QuerySet.update(
            AuditEvent.objects.filter(pk=event.pk),
            changes=new_changes,
            object_label=REDACTED,
            reason=REDACTED,
        )
        redacted += 1
    return redacted
