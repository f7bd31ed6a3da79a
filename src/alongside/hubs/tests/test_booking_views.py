"""Staff booking pages: who may open them, booking in a few clicks, a time taken while
choosing, cancelling, moving and the waiting list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.core.models import AuditEvent
from alongside.hubs.models import Booking, WaitingListEntry
from alongside.hubs.services import bookings as services
from alongside.people.tests.factories import PersonFactory, person_for_team

from .factories import make_booking, make_contact, make_session, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(acomb_hub):
    return make_slot(make_session(acomb_hub), days_ahead=3)


@pytest.fixture
def ada(front_door, york):
    return person_for_team(front_door, email="ada@example.org", ward=york["Westfield"])


@pytest.fixture
def booking(pat, slot):
    return make_booking(slot, person=PersonFactory(email="bo@example.org"), created_by=pat)


def test_anonymous_people_are_sent_to_sign_in(client, booking):
    for url in (
        reverse("hubs:book"),
        reverse("hubs:bookings"),
        reverse("hubs:booking", kwargs={"pk": booking.pk}),
        reverse("hubs:booking-cancel", kwargs={"pk": booking.pk}),
        reverse("hubs:booking-rebook", kwargs={"pk": booking.pk}),
        reverse("hubs:waiting-list", kwargs={"pk": booking.slot.hub_id}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_wrong_role_is_refused(staff_client, analyst, booking):
    client = staff_client(analyst)
    assert client.get(reverse("hubs:book")).status_code == 403
    assert client.get(reverse("hubs:bookings")).status_code == 403
    assert client.get(reverse("hubs:booking", kwargs={"pk": booking.pk})).status_code == 403


def test_another_teams_booking_is_not_found(staff_client, nell, booking):
    client = staff_client(nell)
    for name in ("hubs:booking", "hubs:booking-cancel", "hubs:booking-rebook"):
        assert client.get(reverse(name, kwargs={"pk": booking.pk})).status_code == 404
    assert client.get(reverse("hubs:bookings")).context["page"].paginator.count == 0


def test_booking_a_person_not_visible_is_not_found(staff_client, nell, ada):
    response = staff_client(nell).get(reverse("hubs:book"), {"person": ada.pk})
    assert response.status_code == 404


def test_the_book_page_finds_people_and_prefills_from_the_person(staff_client, fay, ada, slot):
    client = staff_client(fay)
    found = client.get(reverse("hubs:book"), {"q": ada.family_name})
    assert found.status_code == 200
    assert ada in found.context["people"]

    ada.interpreter_needed = True
    ada.save()
    page = client.get(reverse("hubs:book"), {"person": ada.pk})
    assert page.status_code == 200
    assert page.context["search"]["needs"].value() == ["interpreter"]
    assert page.context["search"]["hub"].value() == "nearest"
    assert page.context["count"] == 1
    assert "Book" in page.content.decode()


def test_staff_book_in_one_post_and_see_the_confirmation(
    staff_client, fay, ada, slot, django_capture_on_commit_callbacks
):
    client = staff_client(fay)
    url = reverse("hubs:book") + f"?person={ada.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"slot": slot.pk, "access_needs": ["step_free"], "notes": "Uses a frame"}
        )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("hubs:booking", kwargs={"pk": booking.pk})
    assert booking.access_needs == ["step_free"]
    page = client.get(response.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Confirmation" in body and "Acomb Explore Library" in body
    assert AuditEvent.objects.filter(action="view", object_id=str(booking.pk)).exists()


def test_booking_from_a_first_contact_links_it(staff_client, fay, front_door, slot):
    contact = make_contact(team=front_door, person=PersonFactory(email="c@example.org"))
    response = staff_client(fay).post(
        reverse("hubs:book") + f"?contact={contact.pk}", {"slot": slot.pk}
    )
    assert response.status_code == 302
    assert Booking.objects.get().first_contact == contact


def test_a_time_taken_while_choosing_shows_the_search_again_with_what_was_typed(
    staff_client, fay, ada, slot
):
    make_booking(slot)
    response = staff_client(fay).post(
        reverse("hubs:book") + f"?person={ada.pk}&kind=booked&hub=",
        {"slot": slot.pk, "notes": "Bring the blue folder"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert services.TAKEN in body
    assert "Bring the blue folder" in body
    assert Booking.objects.filter(person=ada).count() == 0


def test_nothing_free_lets_staff_add_to_a_waiting_list(staff_client, fay, ada, acomb_hub):
    client = staff_client(fay)
    url = reverse("hubs:book") + f"?person={ada.pk}"
    page = client.get(url)
    assert page.context["count"] == 0
    response = client.post(url, {"action": "waiting", "waiting-hub": str(acomb_hub.pk)})
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get()
    assert (entry.person, entry.hub) == (ada, acomb_hub)
    again = client.post(url, {"action": "waiting", "waiting-hub": str(acomb_hub.pk)})
    assert again.status_code == 400
    assert "already on the waiting list" in again.content.decode()


def test_bookings_list_is_bounded(staff_client, pat, acomb_hub, django_assert_max_num_queries):
    session = make_session(acomb_hub, capacity=5)
    for day in range(2, 8):
        slot = make_slot(session, days_ahead=day)
        for _ in range(3):
            make_booking(slot)
    client = staff_client(pat)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hubs:bookings"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 18
    filtered = client.get(reverse("hubs:bookings"), {"hub": str(acomb_hub.pk)})
    assert filtered.context["page"].paginator.count == 18


def test_cancel_needs_a_reason_and_then_cancels(staff_client, pat, booking):
    client = staff_client(pat)
    url = reverse("hubs:booking-cancel", kwargs={"pk": booking.pk})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"cancelled_by": "person", "reason": ""})
    assert refused.status_code == 400
    assert "Enter why the booking is cancelled" in refused.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"
    done = client.post(url, {"cancelled_by": "person", "reason": "Feeling better"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Feeling better")


def test_rebook_moves_the_booking(staff_client, pat, booking, acomb_hub):
    later = make_slot(booking.slot.session, days_ahead=6)
    client = staff_client(pat)
    url = reverse("hubs:booking-rebook", kwargs={"pk": booking.pk})
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"slot": later.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.rebooked_as.slot == later


def test_waiting_list_page_lists_and_removes(staff_client, pat, acomb_hub):
    entry = services.waiting_add(actor=pat, hub=acomb_hub, person=PersonFactory())
    client = staff_client(pat)
    url = reverse("hubs:waiting-list", kwargs={"pk": acomb_hub.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert entry.person.family_name in page.content.decode()
    assert client.post(url, {"entry": entry.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"entry": entry.pk, "reason": "Found help"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "removed"


def test_waiting_list_of_another_team_shows_nobody(staff_client, nell, pat, acomb_hub):
    services.waiting_add(actor=pat, hub=acomb_hub, person=PersonFactory())
    page = staff_client(nell).get(reverse("hubs:waiting-list", kwargs={"pk": acomb_hub.pk}))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
