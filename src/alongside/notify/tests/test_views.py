"""The outbox pages: who may see them, what they show and what reading them records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.accounts.tests.factories import (
    AdministratorFactory,
    AnalystFactory,
    FrontDoorOfficerFactory,
    PartnerFactory,
    TeamManagerFactory,
)
from alongside.core.models import AuditEvent
from alongside.notify.models import OutboxMessage
from alongside.notify.services import Attachment, send_email, send_sms

pytestmark = [pytest.mark.django_db, pytest.mark.urls("alongside.notify.tests.urls")]

PDF = b"%PDF-1.7 booklet bytes"


@pytest.fixture
def message():
    return send_email(
        to="jo.bloggs@example.org",
        subject="Your list from Live Well York",
        body="Hello Jo.\nHere is your list.",
        kind="portal.my_list",
        actor=FrontDoorOfficerFactory(full_name="Fran Front"),
        attachments=[Attachment("my-list-large-print.pdf", PDF)],
    )


def urls(message):
    return [
        reverse("notify:outbox"),
        reverse("notify:message", kwargs={"pk": message.pk}),
        reverse(
            "notify:attachment",
            kwargs={"pk": message.pk, "attachment_pk": message.attachments.get().pk},
        ),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, message):
    for url in urls(message):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("factory", [FrontDoorOfficerFactory, AnalystFactory, PartnerFactory])
def test_staff_without_the_permission_are_refused(staff_client, message, factory):
    client = staff_client(factory())
    for url in urls(message):
        assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


@pytest.mark.parametrize("factory", [AdministratorFactory, TeamManagerFactory])
def test_administrators_and_team_managers_may_read_the_outbox(staff_client, message, factory):
    client = staff_client(factory())
    assert client.get(reverse("notify:outbox")).status_code == 200


def test_the_list_shows_messages_newest_first_with_shortened_addresses(
    staff_client, message, django_assert_max_num_queries
):
    later = send_sms(to="07700900982", body="See you on Tuesday", kind="hubs.reminder")
    client = staff_client(AdministratorFactory())
    with django_assert_max_num_queries(10):
        page = client.get(reverse("notify:outbox")).content.decode()
    assert page.index(later.reference) < page.index(message.reference)
    assert "j…@example.org" in page
    assert "jo.bloggs@example.org" not in page
    assert "Here is your list" not in page  # bodies are not on the list
    assert "Fran Front" in page and "The system" in page
    assert "1 file" in page
    assert "Kept in the outbox, not sent" in page
    # Listing messages does not record a reading of any of them.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


def test_the_list_query_count_does_not_grow_with_messages(
    staff_client, message, django_assert_max_num_queries
):
    for n in range(30):
        send_email(
            to=f"person{n}@example.org",
            subject=f"Message {n}",
            body="Hello",
            kind="portal.my_list",
            actor=FrontDoorOfficerFactory(),
            attachments=[Attachment("a.pdf", PDF), Attachment("b.pdf", PDF)],
        )
    client = staff_client(AdministratorFactory())
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notify:outbox"))
    assert response.content.decode().count("2 files") == 30


def test_the_list_is_paged(staff_client):
    for n in range(51):
        send_sms(to="07700900982", body=f"Reminder {n}", kind="hubs.reminder")
    client = staff_client(AdministratorFactory())
    first = client.get(reverse("notify:outbox")).content.decode()
    assert "Messages 1 to 50 of 51" in first
    second = client.get(reverse("notify:outbox"), {"page": 2}).content.decode()
    assert "Messages 51 to 51 of 51" in second


def test_the_list_filters_by_status(staff_client, message):
    client = staff_client(AdministratorFactory())
    sent = client.get(reverse("notify:outbox"), {"status": "sent"}).content.decode()
    assert message.reference not in sent and "There are no messages like this" in sent
    queued = client.get(reverse("notify:outbox"), {"status": "queued"}).content.decode()
    assert message.reference in queued


def test_a_bad_status_filter_is_explained_not_an_error(staff_client, message):
    client = staff_client(AdministratorFactory())
    response = client.get(reverse("notify:outbox"), {"status": "<nonsense>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select which messages to show from the list" in page
    assert message.reference in page  # still shows every message


def test_reading_a_message_shows_it_all_and_is_audited(staff_client, message):
    manager = TeamManagerFactory()
    client = staff_client(manager)
    page = client.get(reverse("notify:message", kwargs={"pk": message.pk})).content.decode()
    assert "jo.bloggs@example.org" in page
    assert "Here is your list." in page
    assert "my-list-large-print.pdf" in page
    assert "The outbox only (nothing is sent)" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.actor == manager
    assert event.object_id == str(message.pk)
    assert event.object_type == "notify.outboxmessage"
    assert "jo.bloggs" not in event.object_label + event.reason


def test_opening_an_attachment_returns_its_bytes_and_is_audited(staff_client, message):
    admin = AdministratorFactory()
    attachment = message.attachments.get()
    response = staff_client(admin).get(
        reverse("notify:attachment", kwargs={"pk": message.pk, "attachment_pk": attachment.pk})
    )
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="my-list-large-print.pdf"'
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.actor == admin and "my-list-large-print.pdf" in event.reason


def test_an_attachment_is_only_found_through_its_own_message(staff_client, message):
    other = send_email(
        to="someone@example.org", subject="Other", body="Other", kind="portal.my_list"
    )
    attachment = message.attachments.get()
    response = staff_client(AdministratorFactory()).get(
        reverse("notify:attachment", kwargs={"pk": other.pk, "attachment_pk": attachment.pk})
    )
    assert response.status_code == 404


def test_an_unknown_message_is_not_found(staff_client):
    import uuid

    response = staff_client(AdministratorFactory()).get(
        reverse("notify:message", kwargs={"pk": uuid.uuid4()})
    )
    assert response.status_code == 404
    assert OutboxMessage.objects.count() == 0
