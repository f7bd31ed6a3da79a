"""Sending: every message is stored and audited; the outbox backend sends nothing; bad input
stores nothing; an unknown backend is a clear error."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError

from alongside.accounts.tests.factories import FrontDoorOfficerFactory
from alongside.core.models import AuditEvent
from alongside.notify import backends, services
from alongside.notify.backends import Delivery
from alongside.notify.models import OutboxAttachment, OutboxMessage
from alongside.notify.services import Attachment, send_email, send_sms

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 a small file"


def email(**overrides):
    values = {
        "to": "resident@example.org",
        "subject": "Your list",
        "body": "Hello.\nYour list is attached.",
        "kind": "portal.my_list",
    }
    values.update(overrides)
    return send_email(**values)


def test_send_email_stores_the_message_and_its_files_and_sends_nothing():
    officer = FrontDoorOfficerFactory()
    message = email(actor=officer, attachments=[Attachment("my-list.pdf", PDF)])
    message.refresh_from_db()
    assert message.to == "resident@example.org"
    assert message.subject == "Your list"
    assert message.channel == OutboxMessage.Channel.EMAIL
    assert message.kind == "portal.my_list"
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.backend == "outbox"
    assert message.sent_at is None
    assert message.created_by == officer
    assert message.status_label == "Kept in the outbox, not sent"
    (attachment,) = message.attachments.all()
    assert bytes(attachment.content) == PDF
    assert attachment.size == len(PDF)
    assert attachment.content_type == "application/pdf"
    assert len(message.reference) == 9 and message.reference[4] == "-"


def test_sending_is_audited_without_the_address():
    officer = FrontDoorOfficerFactory()
    message = email(actor=officer, audit_reason="Emailed a My list booklet")
    event = AuditEvent.objects.get(object_id=str(message.pk))
    assert event.actor == officer
    assert event.action == AuditEvent.Action.CREATE
    assert event.object_type == "notify.outboxmessage"
    assert event.reason == "Emailed a My list booklet"
    everything = f"{event.object_label} {event.reason} {event.changes}"
    assert "resident@example.org" not in everything


def test_a_system_message_is_audited_as_the_system():
    message = email()
    event = AuditEvent.objects.get(object_id=str(message.pk))
    assert event.actor is None and event.actor_label == "system"
    assert message.created_by is None


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"to": "not an address"}, "to", "Enter an email address in the correct format"),
        ({"to": ""}, "to", "Enter an email address in the correct format"),
        ({"subject": " "}, "subject", "Enter a subject"),
        ({"subject": "Line one\nBcc: x@example.org"}, "subject", "Subject must be on one line"),
        ({"subject": "x" * 201}, "subject", "Subject must be 200 characters or fewer"),
        ({"body": "  "}, "body", "Enter the message"),
        ({"kind": "no dot"}, "kind", "Kind must look like"),
        (
            {"attachments": [Attachment('bad"name.pdf', PDF)]},
            "attachments",
            "has a name we cannot use",
        ),
        ({"attachments": [Attachment("empty.pdf", b"")]}, "attachments", "empty.pdf is empty"),
        (
            {"attachments": [Attachment("big.pdf", b"x" * (services.MAX_ATTACHMENT_BYTES + 1))]},
            "attachments",
            "must be smaller than 2 MB",
        ),
    ],
)
def test_bad_email_input_is_refused_and_stores_nothing(overrides, field, text):
    with pytest.raises(ValidationError) as error:
        email(**overrides)
    assert text in " ".join(error.value.message_dict[field])
    assert not OutboxMessage.objects.exists()
    assert not OutboxAttachment.objects.exists()
    assert not AuditEvent.objects.filter(object_type="notify.outboxmessage").exists()


def test_send_sms_normalises_a_uk_mobile_number():
    message = send_sms(to="+44 7700 900 982", body="See you Tuesday", kind="hubs.reminder")
    assert message.to == "07700900982"
    assert message.channel == OutboxMessage.Channel.SMS
    assert message.to_masked == "…982"


@pytest.mark.parametrize("number", ["01904 551550", "07700 90098", "phone me", ""])
def test_send_sms_refuses_numbers_that_are_not_uk_mobiles(number):
    with pytest.raises(ValidationError) as error:
        send_sms(to=number, body="Hello", kind="hubs.reminder")
    assert error.value.message_dict["to"] == [services.PHONE_MESSAGE]
    assert not OutboxMessage.objects.exists()


def test_send_sms_refuses_a_message_too_long_to_send():
    with pytest.raises(ValidationError) as error:
        send_sms(to="07700900982", body="x" * 919, kind="hubs.reminder")
    assert "918 characters or fewer" in error.value.message_dict["body"][0]


def test_an_unknown_backend_is_a_clear_error_and_a_failed_system_check(settings):
    settings.NOTIFY_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match='NOTIFY_BACKEND is "carrier-pigeon"'):
        email()
    assert not OutboxMessage.objects.exists()
    errors = [m for m in checks.run_checks() if m.id == "notify.E001"]
    assert len(errors) == 1 and '"outbox"' in errors[0].msg


def test_the_configured_backend_passes_the_system_check():
    assert not [m for m in checks.run_checks() if m.id == "notify.E001"]


class RecordingBackend:
    """A backend that really 'sends', for checking the hand-over after commit."""

    name = "recording"
    sends = True
    delivered: list[str] = []
    result = Delivery(sent=True, provider_reference="provider-123")

    def deliver(self, message):
        RecordingBackend.delivered.append(message.reference)
        return RecordingBackend.result


@pytest.fixture
def recording_backend(settings, monkeypatch):
    monkeypatch.setitem(backends.BACKENDS, "recording", RecordingBackend)
    settings.NOTIFY_BACKEND = "recording"
    RecordingBackend.delivered = []
    RecordingBackend.result = Delivery(sent=True, provider_reference="provider-123")
    return RecordingBackend


def test_a_sending_backend_gets_the_message_after_commit(
    recording_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = email()
    assert recording_backend.delivered == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert recording_backend.delivered == [message.reference]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert message.provider_reference == "provider-123"
    assert message.status_label == "Sent"


def test_delivering_twice_sends_once(recording_backend):
    message = email()
    services.message_deliver(message_id=message.pk)
    services.message_deliver(message_id=message.pk)
    assert recording_backend.delivered == [message.reference]


def test_a_failed_delivery_is_recorded(recording_backend):
    recording_backend.result = Delivery(sent=False, failure_reason="Address does not exist")
    message = email()
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.failure_reason == "Address does not exist"
    assert message.sent_at is None


def test_the_outbox_backend_queues_no_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = email()
    assert callbacks == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
