"""The audit trail is append-only through the application."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from alongside.accounts.tests.factories import UserFactory
from alongside.core.audit import audit_record, field_changes
from alongside.core.logging import request_id_var
from alongside.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_record_fills_object_and_actor():
    user = UserFactory()
    token = request_id_var.set("req-123")
    try:
        event = audit_record(actor=user, action="view", obj=user, reason="checking")
    finally:
        request_id_var.reset(token)
    assert event.actor == user and event.actor_label == user.email
    assert event.object_type == "accounts.user" and event.object_id == str(user.pk)
    assert event.request_id == "req-123"


def test_events_cannot_be_changed_or_deleted():
    event = audit_record(actor=None, action="view", object_type="x", object_id="1")
    assert event.actor_label == "system"
    event.reason = "tampered"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_field_changes_lists_only_what_changed():
    before = {"name": "Ann", "ward": "Acomb", "age": 70}
    after = {"name": "Anne", "ward": "Acomb", "age": 70}
    assert field_changes(before, after) == {"name": ["Ann", "Anne"]}
