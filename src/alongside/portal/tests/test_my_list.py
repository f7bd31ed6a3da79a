"""My list: adding, removing and emptying (POST only, back to a safe page), what the page
shows, the session cookie only once something is added, and emailing a list (staff only)."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from alongside.accounts.tests.factories import (
    AnalystFactory,
    DirectoryEditorFactory,
    LinkWorkerFactory,
    OrganisationFactory,
    PartnerFactory,
)
from alongside.core.models import AuditEvent
from alongside.directory.models import Service
from alongside.notify.models import OutboxMessage
from alongside.portal import facts
from alongside.portal.context_processors import MY_LIST_SESSION_KEY

from .conftest import TODAY

MY_LIST = reverse("portal:my-list")
SEND = reverse("portal:my-list-send")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(facts, "today", lambda: TODAY)


def add(client, service, **data):
    return client.post(reverse("portal:my-list-add", kwargs={"pk": service.pk}), data)


def remove(client, service, **data):
    return client.post(reverse("portal:my-list-remove", kwargs={"pk": service.pk}), data)


def listed(client) -> list[str]:
    return client.session.get(MY_LIST_SESSION_KEY, [])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Adding ------------------------------------------------------------------------------------


def test_an_empty_list_says_how_to_add_things_and_sets_no_cookie(client, little):
    response = client.get(MY_LIST)
    assert response.status_code == 200
    assert "Your list is empty." in text(response)
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_adding_a_listing_keeps_it_in_the_session_and_goes_back_to_the_list(client, little):
    response = add(client, little["lunch"])
    assert response.status_code == 302
    assert response["Location"] == MY_LIST
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the first cookie, set on adding
    assert listed(client) == [str(little["lunch"].pk)]
    page = text(client.get(MY_LIST))
    assert "Friday Lunch Club is now in your list." in page
    assert "You have 1 thing in your list." in page
    assert "We keep your list on this device for 12 hours after you last change it." in page
    assert "My list (1)" in page  # the header's count


def test_adding_goes_back_to_a_page_on_this_site(client, little):
    back = f"/listings/{little['lunch'].pk}/?from=search"
    response = add(client, little["lunch"], next=back)
    assert response["Location"] == back


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_adding_never_sends_people_to_another_site(client, little, elsewhere):
    response = add(client, little["lunch"], next=elsewhere)
    assert response["Location"] == MY_LIST


def test_adding_twice_is_harmless(client, little):
    add(client, little["lunch"])
    response = add(client, little["lunch"])
    assert response.status_code == 302
    assert listed(client) == [str(little["lunch"].pk)]
    assert "Friday Lunch Club is already in your list." in text(client.get(MY_LIST))


def test_listings_stay_in_the_order_they_were_added(client, little):
    for key in ("walk", "lunch", "debt"):
        add(client, little[key])
    page = text(client.get(MY_LIST))
    assert page.index("Acomb Health Walk") < page.index("Friday Lunch Club")
    assert page.index("Friday Lunch Club") < page.index("Debt and Benefits Advice")


def test_a_listing_that_is_not_public_cannot_be_added(client, little):
    response = add(client, little["draft"])
    assert response.status_code == 404
    page = text(response)
    assert "We could not add this to your list" in page
    assert "not on Live Well at the moment" in page
    assert "Secret Walking Group" not in page  # nothing about a draft leaks out
    assert listed(client) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_an_unknown_listing_cannot_be_added(client, little):
    response = client.post(reverse("portal:my-list-add", kwargs={"pk": uuid.uuid4()}))
    assert response.status_code == 404
    assert "We could not add this to your list" in text(response)


def test_a_full_list_says_so_and_keeps_what_it_has(client, little, settings):
    settings.PORTAL_MY_LIST_MAX = 2
    add(client, little["lunch"])
    add(client, little["walk"])
    response = add(client, little["debt"])
    assert response.status_code == 409
    page = text(response)
    assert "Your list is full" in page
    assert "Your list can hold 2 things" in page
    assert listed(client) == [str(little["lunch"].pk), str(little["walk"].pk)]
    # Adding one already there is still fine.
    assert add(client, little["lunch"]).status_code == 302


def test_changing_the_list_needs_a_post(client, little):
    pk = little["lunch"].pk
    assert client.get(reverse("portal:my-list-add", kwargs={"pk": pk})).status_code == 405
    assert client.get(reverse("portal:my-list-remove", kwargs={"pk": pk})).status_code == 405
    assert listed(client) == []


def test_changing_the_list_needs_the_csrf_token(little):
    client = Client(enforce_csrf_checks=True)
    response = add(client, little["lunch"])
    assert response.status_code == 403
    assert listed(client) == []


# --- Removing and emptying -----------------------------------------------------------------------


def test_removing_a_listing(client, little):
    add(client, little["lunch"])
    add(client, little["walk"])
    response = remove(client, little["lunch"])
    assert response["Location"] == MY_LIST
    assert listed(client) == [str(little["walk"].pk)]
    assert "Friday Lunch Club is no longer in your list." in text(client.get(MY_LIST))


def test_removing_one_that_is_not_there_changes_nothing(client, little):
    add(client, little["walk"])
    response = remove(client, little["lunch"], next="/search/?q=lunch")
    assert response["Location"] == "/search/?q=lunch"
    assert listed(client) == [str(little["walk"].pk)]
    assert "no longer in your list" not in text(client.get(MY_LIST))


def test_emptying_the_list_asks_first(client, little):
    add(client, little["lunch"])
    add(client, little["walk"])
    page = text(client.get(reverse("portal:my-list-clear")))
    assert "Are you sure you want to empty your list?" in page
    assert "all 2 things" in page
    assert len(listed(client)) == 2  # asking changes nothing
    response = client.post(reverse("portal:my-list-clear"))
    assert response["Location"] == MY_LIST
    assert MY_LIST_SESSION_KEY not in client.session
    page = text(client.get(MY_LIST))
    assert "Your list is now empty." in page and "Your list is empty." in page


def test_emptying_an_empty_list_goes_back_to_it(client, little):
    assert client.get(reverse("portal:my-list-clear"))["Location"] == MY_LIST


# --- The page ------------------------------------------------------------------------------------


def test_the_page_shows_when_where_and_cost_with_a_remove_button(client, little):
    add(client, little["lunch"])
    page = text(client.get(MY_LIST))
    lunch = little["lunch"]
    assert f'href="/listings/{lunch.pk}/"' in page
    assert "Every Friday" in page
    assert "Acomb Library" in page
    assert "£4 for lunch" in page
    assert f'action="{reverse("portal:my-list-remove", kwargs={"pk": lunch.pk})}"' in page
    assert 'Remove<span class="govuk-visually-hidden"> Friday Lunch Club</span>' in page
    # The booklet choices, as GOV.UK radios in a GET form to the PDF.
    assert f'action="{reverse("portal:booklet-pdf")}"' in page
    for value in ("standard", "large", "easy"):
        assert f'value="{value}"' in page
    assert "Large print" in page and "Easy read" in page


def test_the_page_uses_a_fixed_number_of_queries(client, little, django_assert_max_num_queries):
    add(client, little["lunch"])
    with django_assert_max_num_queries(16) as one:
        client.get(MY_LIST)
    queries_for_one = len(one.captured_queries)
    for key in ("walk", "debt", "choir", "befriending"):
        add(client, little[key])
    with django_assert_max_num_queries(queries_for_one):
        page = text(client.get(MY_LIST))
    assert "You have 5 things in your list." in page


def test_listings_no_longer_public_leave_the_list_with_a_note(client, little):
    add(client, little["lunch"])
    add(client, little["walk"])
    client.get(MY_LIST)  # shows (and so clears) the "now in your list" messages
    Service.objects.filter(pk=little["walk"].pk).update(state=Service.State.ARCHIVED)
    page = text(client.get(MY_LIST))
    assert "One thing you saved is no longer on Live Well York" in page
    assert "Acomb Health Walk" not in page
    assert listed(client) == [str(little["lunch"].pk)]


def test_the_page_is_not_cached(client, little):
    response = client.get(MY_LIST)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_anonymous_visitors_are_not_offered_email(client, little):
    add(client, little["lunch"])
    page = text(client.get(MY_LIST))
    assert SEND not in page
    assert "Making this list for someone" not in page


def test_practitioners_are_offered_print_and_email(staff_client, little):
    client = staff_client(LinkWorkerFactory())
    add(client, little["lunch"])
    page = text(client.get(MY_LIST))
    assert "Making this list for someone" in page
    assert f'href="{SEND}"' in page
    assert f'href="{reverse("portal:booklet")}">Print</a>' in page


@pytest.mark.parametrize("factory", [AnalystFactory, PartnerFactory, DirectoryEditorFactory])
def test_staff_who_do_not_work_with_residents_are_not_offered_email(staff_client, little, factory):
    client = staff_client(factory())
    add(client, little["lunch"])
    assert SEND not in text(client.get(MY_LIST))


# --- Emailing a list -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, little):
    add(client, little["lunch"])
    for response in (client.get(SEND), client.post(SEND, {"email": "a@example.org"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("factory", [AnalystFactory, PartnerFactory, DirectoryEditorFactory])
def test_staff_without_the_permission_are_refused(staff_client, little, factory):
    client = staff_client(factory())
    add(client, little["lunch"])
    assert client.get(SEND).status_code == 403
    response = client.post(SEND, {"email": "a@example.org", "layout": "standard"})
    assert response.status_code == 403
    assert not OutboxMessage.objects.exists()


def test_the_send_form_asks_for_an_address_a_note_and_a_layout(staff_client, little):
    client = staff_client(LinkWorkerFactory())
    add(client, little["lunch"])
    page = text(client.get(SEND))
    assert "Their email address" in page
    assert "A note for them (optional)" in page
    assert "How should the booklet look?" in page
    assert "Email this list" in page


def test_mistakes_are_explained_and_what_was_typed_is_kept(staff_client, little):
    client = staff_client(LinkWorkerFactory())
    add(client, little["lunch"])
    response = client.post(SEND, {"email": "jo at example", "note": "See you Friday", "layout": ""})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Enter an email address in the correct format, like name@example.org" in page
    assert "Select standard print, large print or easy read" in page
    assert 'value="jo at example"' in page
    # Each message in the summary links to its field (the first radio for the layout).
    assert 'href="#id_email"' in page and 'id="id_email"' in page
    assert 'href="#id_layout_1"' in page and 'id="id_layout_1"' in page
    assert "See you Friday</textarea>" in page
    assert not OutboxMessage.objects.exists()


def test_an_empty_address_gets_its_own_message(staff_client, little):
    client = staff_client(LinkWorkerFactory())
    add(client, little["lunch"])
    page = text(client.post(SEND, {"email": "", "layout": "large"}))
    assert "Enter their email address" in page


def test_sending_puts_the_booklet_in_the_outbox_and_audits_it(staff_client, little):
    organisation = OrganisationFactory(name="York CVS")
    worker = LinkWorkerFactory(full_name="Priya Shah", organisation=organisation)
    client = staff_client(worker)
    add(client, little["lunch"])
    add(client, little["walk"])
    response = client.post(
        SEND,
        {"email": "jo@example.org", "note": "Lovely to meet you today.", "layout": "large"},
    )
    assert response.status_code == 302 and response["Location"] == MY_LIST

    message = OutboxMessage.objects.get()
    assert message.to == "jo@example.org"
    assert message.kind == "portal.my_list"
    assert message.created_by == worker
    assert message.subject == "Your list from Live Well York"
    assert "Priya from York CVS has sent you a list of 2 things from Live Well York." in (
        message.body
    )
    assert "Lovely to meet you today." in message.body
    assert f"http://testserver/listings/{little['lunch'].pk}/" in message.body
    assert "large print" in message.body

    (attachment,) = message.attachments.all()
    assert attachment.filename == "my-list-large-print.pdf"
    pdf = bytes(attachment.content)
    assert pdf.startswith(b"%PDF-")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Friday Lunch Club" in words and "Acomb Health Walk" in words

    event = AuditEvent.objects.get(object_type="notify.outboxmessage")
    assert event.actor == worker
    assert event.action == AuditEvent.Action.CREATE
    assert "Emailed a My list booklet (large print, 2 listings)" in event.reason
    assert "jo@example.org" not in f"{event.object_label} {event.reason} {event.changes}"

    page = text(client.get(MY_LIST))
    assert f"reference {message.reference}" in page
    assert "will not reach them" in page  # the outbox backend sends nothing, and says so


def test_an_empty_list_cannot_be_sent(staff_client, little):
    client = staff_client(LinkWorkerFactory())
    page = text(client.get(SEND))
    assert "The list is empty, so there is nothing to send yet." in page
    response = client.post(SEND, {"email": "jo@example.org", "layout": "standard"})
    assert response.status_code == 200
    assert not OutboxMessage.objects.exists()


def test_signing_out_forgets_the_list(staff_client, little):
    """A practitioner's list for one person is not left for the next person at the computer."""
    client = staff_client(LinkWorkerFactory())
    add(client, little["lunch"])
    client.post(reverse("accounts:sign-out"))
    assert listed(client) == []


def test_the_add_button_include_posts_to_add_or_remove(rf, little):
    """`portal/my_list_add_button.html`, for the listing page and search results."""
    from django.template.loader import render_to_string

    lunch = little["lunch"]
    request = rf.get(f"/listings/{lunch.pk}/")
    context = {"pk": lunch.pk, "name": lunch.name, "request": request}
    out = re.sub(r"\s+", " ", render_to_string("portal/my_list_add_button.html", context, request))
    assert f'action="{reverse("portal:my-list-add", kwargs={"pk": lunch.pk})}"' in out
    assert f'name="next" value="/listings/{lunch.pk}/"' in out
    assert 'Add<span class="govuk-visually-hidden"> Friday Lunch Club</span> to my list' in out
    assert "csrfmiddlewaretoken" in out
    out = render_to_string("portal/my_list_add_button.html", {**context, "in_list": True}, request)
    assert f'action="{reverse("portal:my-list-remove", kwargs={"pk": lunch.pk})}"' in out


def test_the_list_answers_head_requests(client, little):
    assert client.head(MY_LIST).status_code == 200
