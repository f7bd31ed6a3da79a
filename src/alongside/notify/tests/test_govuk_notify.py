"""The GOV.UK Notify backend, against a real HTTP server on 127.0.0.1 that answers as Notify's
API does (the client is not mocked): what is sent, what a refusal and an outage leave behind,
and the system checks that stop a misconfigured server starting."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from notifications_python_client import NotificationsAPIClient

from alongside.notify import services
from alongside.notify.backends import NotifyUnavailable, parse_notify_api_key
from alongside.notify.models import OutboxMessage
from alongside.notify.services import Attachment, send_email, send_sms
from alongside.notify.tasks import deliver_message

pytestmark = pytest.mark.django_db

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"alongside_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_FILE_TEMPLATE = "0d9c3c3b-4f0a-4a65-9a6e-3f1c2f0b7a11"
SMS_TEMPLATE = "a1b2c3d4-0000-4000-8000-000000000001"
ADDRESS = "resident@example.org"
BODY = "Hello.\nYour list is attached."
PDF = b"%PDF-1.7 a small file"


@dataclass
class FakeNotify:
    """What the fake Notify received, and how it should answer the next requests."""

    base_url: str = ""
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    auth_failures: list[str] = field(default_factory=list)
    status: int = 201
    error_message: str = "Can't send to this recipient using a team-only API key"
    delay: float = 0.0
    next_id: str = ""

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class NotifyHandler(BaseHTTPRequestHandler):
    """Notify's send endpoints: checks the JWT as Notify does, then answers as told."""

    server: NotifyServer

    def do_POST(self) -> None:
        notify = self.server.notify
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if self.path not in ("/v2/notifications/email", "/v2/notifications/sms"):
            self._answer(404, _error("ResourceNotFound", "Not found"))
            return
        problem = _token_problem(self.headers.get("Authorization", ""))
        if problem:
            notify.auth_failures.append(problem)
            self._answer(403, _error("AuthError", problem))
            return
        notify.requests.append((self.path, payload))
        if notify.delay:
            time.sleep(notify.delay)
        if notify.status == 201:
            notification_id = notify.next_id or str(uuid.uuid4())
            self._answer(201, {"id": notification_id, "reference": payload.get("reference")})
        elif notify.status == 500:
            self._answer(500, _error("Exception", "Internal server error"))
        else:
            name = "RateLimitError" if notify.status == 429 else "BadRequestError"
            self._answer(notify.status, _error(name, notify.error_message, notify.status))

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass


class NotifyServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    notify: FakeNotify


def _error(name: str, message: str, status: int = 403) -> dict[str, Any]:
    return {"errors": [{"error": name, "message": message}], "status_code": status}


def _token_problem(authorization: str) -> str:
    """What Notify would say about this Authorization header; "" when it is good."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token:
        return "Unauthorized: authentication token must be provided"
    try:
        claims = jwt.decode(
            token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
        )
    except jwt.InvalidTokenError:
        return "Invalid token: signature, api token not found"
    if claims["iss"] != SERVICE_ID:
        return "Invalid token: service not found"
    if abs(time.time() - int(claims["iat"])) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return ""


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    server = NotifyServer(("127.0.0.1", 0), NotifyHandler)
    server.notify = FakeNotify(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.notify
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def notify_settings(base_url: str, **overrides: Any) -> override_settings:
    values: dict[str, Any] = {
        "NOTIFY_BACKEND": "govuk_notify",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": base_url,
        "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
        "NOTIFY_EMAIL_FILE_TEMPLATE_ID": EMAIL_FILE_TEMPLATE,
        "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
        "NOTIFY_TIMEOUT_SECONDS": 5,
    }
    values.update(overrides)
    return override_settings(**values)


@pytest.fixture
def notify(fake_notify: FakeNotify) -> Iterator[FakeNotify]:
    """NOTIFY_BACKEND=govuk_notify, pointed at the fake Notify."""
    with notify_settings(fake_notify.base_url):
        yield fake_notify
    assert fake_notify.auth_failures == []


def queued_email(**overrides: Any) -> OutboxMessage:
    """A stored email waiting for its task (the task is not run: no on-commit here)."""
    values: dict[str, Any] = {
        "to": ADDRESS,
        "subject": "Your list",
        "body": BODY,
        "kind": "portal.my_list",
    }
    values.update(overrides)
    return send_email(**values)


def assert_untouched(message: OutboxMessage) -> None:
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.sent_at is None
    assert message.provider_reference == ""
    assert message.failure_reason == ""


def test_an_email_goes_from_send_email_through_the_task_to_notify(
    notify, django_capture_on_commit_callbacks
):
    notify.next_id = "740e5834-3a29-46b4-9a6f-16142fde533a"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queued_email()
    assert len(callbacks) == 1
    assert notify.requests == [
        (
            "/v2/notifications/email",
            {
                "email_address": ADDRESS,
                "template_id": EMAIL_TEMPLATE,
                "personalisation": {"subject": "Your list", "body": BODY},
                "reference": message.reference,
            },
        )
    ]
    message.refresh_from_db()
    assert message.backend == "govuk_notify"
    assert message.status == OutboxMessage.Status.SENT
    assert message.provider_reference == "740e5834-3a29-46b4-9a6f-16142fde533a"
    assert message.sent_at is not None
    assert message.failure_reason == ""
    assert message.status_label == "Sent"


def test_a_text_message_is_sent_with_the_sms_template(notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(to="+44 7700 900 982", body="See you Tuesday", kind="hubs.reminder")
    ((path, payload),) = notify.requests
    assert path == "/v2/notifications/sms"
    assert payload == {
        "phone_number": "07700900982",
        "template_id": SMS_TEMPLATE,
        "personalisation": {"body": "See you Tuesday"},
        "reference": message.reference,
    }
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.provider_reference


def test_a_file_is_sent_as_a_link_with_the_file_template(
    notify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queued_email(attachments=[Attachment("my-list.pdf", PDF)])
    ((path, payload),) = notify.requests
    assert path == "/v2/notifications/email"
    assert payload["template_id"] == EMAIL_FILE_TEMPLATE
    personalisation = payload["personalisation"]
    assert personalisation["subject"] == "Your list"
    assert personalisation["body"] == BODY
    upload = personalisation["link_to_file"]
    assert base64.b64decode(upload["file"]) == PDF
    assert upload["filename"] == "my-list.pdf"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_more_than_one_file_is_refused_without_asking_notify(notify):
    message = queued_email(attachments=[Attachment("one.pdf", PDF), Attachment("two.pdf", PDF)])
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "one file with an email" in message.failure_reason
    assert "has 2" in message.failure_reason
    assert notify.requests == []


def test_a_refusal_fails_the_message_with_notifys_reason_and_is_not_tried_again(
    notify, django_capture_on_commit_callbacks
):
    notify.status = 400
    with django_capture_on_commit_callbacks(execute=True):
        message = queued_email()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.failure_reason == "Can't send to this recipient using a team-only API key"
    assert message.sent_at is None
    assert message.provider_reference == ""
    notify.status = 201
    services.message_deliver(message_id=message.pk)
    assert services.messages_retry(waiting_minutes=0) == 0
    assert len(notify.requests) == 1


def test_a_refusal_that_quotes_the_address_is_stored_without_it(notify):
    notify.status = 400
    notify.error_message = f"email_address {ADDRESS.upper()} is not a valid email address"
    message = queued_email()
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.failure_reason == "email_address r…@example.org is not a valid email address"


def test_an_outage_raises_and_leaves_the_message_queued_to_send_later(notify):
    notify.status = 500
    message = queued_email()
    with pytest.raises(NotifyUnavailable, match=message.reference) as error:
        services.message_deliver(message_id=message.pk)
    assert ADDRESS not in str(error.value)
    assert_untouched(message)
    assert len(notify.requests) == 1

    notify.status = 201
    assert services.messages_retry(waiting_minutes=0) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(notify.requests) == 2


def test_the_task_fails_on_an_outage_and_the_message_stays_queued(notify):
    notify.status = 500
    message = queued_email()
    result = deliver_message.enqueue(str(message.pk))
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path.endswith("NotifyUnavailable")
    assert ADDRESS not in result.errors[0].traceback
    assert_untouched(message)


def test_notifys_rate_limit_leaves_the_message_queued(notify):
    notify.status = 429
    notify.error_message = "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
    message = queued_email()
    with pytest.raises(NotifyUnavailable):
        services.message_deliver(message_id=message.pk)
    assert_untouched(message)


def test_a_timeout_leaves_the_message_queued(fake_notify):
    fake_notify.delay = 1.0
    with notify_settings(fake_notify.base_url, NOTIFY_TIMEOUT_SECONDS=0.2):
        message = queued_email()
        with pytest.raises(NotifyUnavailable, match="no answer"):
            services.message_deliver(message_id=message.pk)
    assert_untouched(message)


def test_no_connection_leaves_the_message_queued():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with notify_settings(f"http://127.0.0.1:{port}"):
        message = queued_email()
        with pytest.raises(NotifyUnavailable):
            services.message_deliver(message_id=message.pk)
    assert_untouched(message)


def test_a_message_already_sent_is_not_sent_twice(notify):
    message = queued_email()
    services.message_deliver(message_id=message.pk)
    services.message_deliver(message_id=message.pk)
    deliver_message.enqueue(str(message.pk))
    assert services.messages_retry(waiting_minutes=0) == 0
    assert len(notify.requests) == 1


def test_the_retry_command_sends_only_messages_that_have_waited(notify):
    notify.status = 500
    message = queued_email()
    with pytest.raises(NotifyUnavailable):
        services.message_deliver(message_id=message.pk)
    notify.status = 201
    call_command("notify_retry", verbosity=0)  # written just now: left for its own task
    assert_untouched(message)
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=message.created_at - timedelta(minutes=11)
    )
    call_command("notify_retry", verbosity=0)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_a_key_notify_refuses_keeps_the_message_queued(fake_notify):
    """A revoked or wrong key is our configuration to mend, not the message's fault: the
    message waits, and goes once the key is right."""
    wrong = f"alongside_test-{SERVICE_ID}-{uuid.uuid4()}"
    with notify_settings(fake_notify.base_url, NOTIFY_API_KEY=wrong):
        message = queued_email()
        with pytest.raises(NotifyUnavailable, match="403"):
            services.message_deliver(message_id=message.pk)
    assert_untouched(message)
    assert fake_notify.requests == []
    with notify_settings(fake_notify.base_url):
        services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_a_missing_template_keeps_the_message_queued(fake_notify):
    with notify_settings(fake_notify.base_url, NOTIFY_SMS_TEMPLATE_ID=""):
        message = send_sms(to="07700900982", body="Hello", kind="hubs.reminder")
        with pytest.raises(ImproperlyConfigured, match="NOTIFY_SMS_TEMPLATE_ID"):
            services.message_deliver(message_id=message.pk)
    assert_untouched(message)
    assert fake_notify.requests == []


def test_logs_never_hold_the_address_or_the_body(notify, caplog):
    caplog.set_level(logging.DEBUG)
    sent = queued_email()
    services.message_deliver(message_id=sent.pk)
    notify.status = 400
    notify.error_message = "Missing personalisation: body"
    refused = queued_email()
    services.message_deliver(message_id=refused.pk)
    notify.status = 500
    down = queued_email()
    with pytest.raises(NotifyUnavailable):
        services.message_deliver(message_id=down.pk)
    assert sent.reference in caplog.text and refused.reference in caplog.text
    assert ADDRESS not in caplog.text
    assert "Your list is attached" not in caplog.text


def test_keys_are_taken_apart_as_the_client_does():
    client = NotificationsAPIClient(API_KEY, base_url="http://127.0.0.1")
    assert parse_notify_api_key(API_KEY) == (client.service_id, client.api_key)
    assert parse_notify_api_key(f" {API_KEY}\n") == (SERVICE_ID, SECRET)
    assert parse_notify_api_key(f"{SERVICE_ID}-{SECRET}") == (SERVICE_ID, SECRET)
    for bad in ["", "not-a-key", SECRET, f"name-{SERVICE_ID}{SECRET}", f"name_{SECRET}-{SECRET}x"]:
        assert parse_notify_api_key(bad) is None


def notify_errors() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id.startswith("notify.")]


def test_good_settings_pass_the_system_checks():
    with notify_settings("https://api.notifications.service.gov.uk"):
        assert notify_errors() == []


def test_the_outbox_needs_no_notify_settings():
    with override_settings(NOTIFY_BACKEND="outbox", NOTIFY_API_KEY="", NOTIFY_SMS_TEMPLATE_ID=""):
        assert notify_errors() == []


def test_a_missing_key_fails_the_system_check():
    with notify_settings("https://api.notifications.service.gov.uk", NOTIFY_API_KEY=""):
        errors = notify_errors()
    assert [e.id for e in errors] == ["notify.E002"]
    assert errors[0].level == checks.ERROR


@pytest.mark.parametrize(
    "key",
    [
        "just-some-text",
        SECRET,
        f"name-{SERVICE_ID}-not-a-uuid-0000000000000000000000000",
        f"name-{SERVICE_ID}-{SECRET}-extra",
        f"name-{SERVICE_ID}-{SECRET.replace('-', '')}----",
    ],
)
def test_a_malformed_key_fails_the_system_check_without_repeating_it(key):
    with notify_settings("https://api.notifications.service.gov.uk", NOTIFY_API_KEY=key):
        errors = notify_errors()
    assert [e.id for e in errors] == ["notify.E003"]
    for error in errors:
        assert key not in f"{error.msg} {error.hint}"


def test_missing_or_malformed_templates_fail_the_system_check():
    with notify_settings(
        "https://api.notifications.service.gov.uk",
        NOTIFY_EMAIL_TEMPLATE_ID="",
        NOTIFY_EMAIL_FILE_TEMPLATE_ID="my file template",
        NOTIFY_SMS_TEMPLATE_ID="",
    ):
        errors = notify_errors()
    assert [e.id for e in errors] == ["notify.E004"] * 3
    text = " ".join(e.msg for e in errors)
    assert "NOTIFY_EMAIL_TEMPLATE_ID is not set" in text
    assert "NOTIFY_EMAIL_FILE_TEMPLATE_ID is not a template id" in text
    assert "NOTIFY_SMS_TEMPLATE_ID is not set" in text
    assert "((link_to_file))" in " ".join(e.hint for e in errors)


def test_manage_py_check_refuses_to_start_with_a_bad_key():
    with (
        notify_settings("https://api.notifications.service.gov.uk", NOTIFY_API_KEY="oops"),
        pytest.raises(Exception, match="notify.E003"),
    ):
        call_command("check")
