"""Residents booking a Talking Point themselves, and using the links in our messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alongside.hubs.models import Booking, BookingMessage, WaitingListEntry
from alongside.hubs.services import bookings as services
from alongside.hubs.tokens import make_token
from alongside.people.models import Person
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_session, make_slot

pytestmark = pytest.mark.django_db

DETAILS = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "postcode": "YO24 3AB",
    "email": "ada@example.org",
    "mobile": "",
    "notes": "I will bring my daughter",
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def slot(acomb_hub):
    return make_slot(make_session(acomb_hub), days_ahead=3)


def manage_url(booking, name="hubs-public:manage"):
    return reverse(name, kwargs={"token": make_token("manage", booking.pk, booking.token_version)})


def test_start_explains_and_offers_choices(client, acomb_hub):
    response = client.get(reverse("hubs-public:start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A Talking Point is a free conversation" in body
    assert "Acomb Explore Library" in body


def test_when_online_booking_is_off_the_pages_give_a_phone_number(client, settings, slot):
    settings.HUBS_PUBLIC_BOOKING = False
    for url in (
        reverse("hubs-public:start"),
        reverse("hubs-public:times"),
        reverse("hubs-public:details", kwargs={"slot": slot.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "cannot book online" in response.content.decode()
    posted = client.post(reverse("hubs-public:details", kwargs={"slot": slot.pk}), DETAILS)
    assert posted.status_code == 404
    assert not Booking.objects.exists()


def test_times_are_shown_a_week_at_a_time_for_the_choices(client, acomb_hub, heworth_hub, slot):
    make_slot(make_session(heworth_hub), days_ahead=3)
    response = client.get(
        reverse("hubs-public:times"), {"where": f"hub:{acomb_hub.pk}", "carer": "no"}
    )
    assert response.status_code == 200
    days = response.context["days"]
    assert [row["option"].slot_id for day in days for row in day["slots"]] == [slot.pk]
    assert response.context["next"] and response.context["previous"] is None
    stepped = client.get(reverse("hubs-public:times"), {"needs": ["step_free"]})
    assert len([r for d in stepped.context["days"] for r in d["slots"]]) == 1
    bad = client.get(reverse("hubs-public:times"), {"where": "hub:nonsense"})
    assert bad.status_code == 400


def test_a_resident_books_and_sees_the_confirmation(
    client, tp_team, slot, django_capture_on_commit_callbacks
):
    url = reverse("hubs-public:details", kwargs={"slot": slot.pk})
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, DETAILS)
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.channel, booking.notes) == ("online", "I will bring my daughter")
    assert booking.person.family_name == "Lovelace"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Your Talking Point is booked" in page.content.decode()
    assert page.context["reference"].startswith("TP-")
    assert BookingMessage.objects.filter(booking=booking, kind="confirmation").exists()


def test_details_are_checked_and_kept(client, slot):
    url = reverse("hubs-public:details", kwargs={"slot": slot.pk})
    response = client.post(url, {**DETAILS, "email": "", "mobile": "", "postcode": "nope"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter an email address or a mobile phone number" in body
    assert "Enter a real postcode" in body
    assert "Lovelace" in body
    bad_mobile = client.post(url, {**DETAILS, "email": "", "mobile": "123"})
    assert "Enter a UK mobile number" in bad_mobile.content.decode()
    assert not Booking.objects.exists()


def test_the_honeypot_keeps_nothing(client, slot):
    url = reverse("hubs-public:details", kwargs={"slot": slot.pk})
    response = client.post(url, {**DETAILS, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.url == reverse("hubs-public:received")
    assert not Booking.objects.exists()
    assert not Person.objects.exists()


def test_bookings_are_rate_limited(client, settings, acomb_hub):
    settings.HUBS_PUBLIC_BOOKINGS_PER_HOUR = 1
    session = make_session(acomb_hub)
    first, second = make_slot(session, days_ahead=3), make_slot(session, days_ahead=4)
    ok = client.post(reverse("hubs-public:details", kwargs={"slot": first.pk}), DETAILS)
    assert ok.status_code == 302
    refused = client.post(reverse("hubs-public:details", kwargs={"slot": second.pk}), DETAILS)
    assert refused.status_code == 429
    assert Booking.objects.count() == 1


def test_a_taken_time_is_explained(client, slot):
    make_booking(slot)
    url = reverse("hubs-public:details", kwargs={"slot": slot.pk})
    assert client.get(url).context["taken"] is True
    response = client.post(url, DETAILS)
    assert response.status_code == 400
    assert services.TAKEN in response.content.decode()


def test_manage_link_cancels_after_a_check(client, slot, django_capture_on_commit_callbacks):
    booking = make_booking(slot, person=PersonFactory(email="p@example.org"))
    page = client.get(manage_url(booking))
    assert page.status_code == 200
    cancel = manage_url(booking, "hubs-public:manage-cancel")
    assert "Are you sure" in client.get(cancel).content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(cancel)
    assert done.status_code == 200
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "person")
    # The old link no longer works: the booking changed.
    assert client.get(manage_url(Booking(pk=booking.pk, token_version=1))).status_code == 410


def test_manage_link_rebooks_and_old_links_stop_working(client, slot):
    later = make_slot(slot.session, days_ahead=6)
    booking = make_booking(slot, person=PersonFactory(email="p@example.org"))
    old_link = manage_url(booking)
    url = manage_url(booking, "hubs-public:manage-rebook")
    chosen = client.get(url, {"slot": later.pk})
    assert chosen.status_code == 200
    assert chosen.context["chosen"].slot_id == later.pk
    response = client.post(url, {"slot": later.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.rebooked_as.slot == later
    assert client.get(old_link).status_code == 410


def test_bad_links_get_a_kind_page(client, slot):
    booking = make_booking(slot)
    good = make_token("manage", booking.pk, booking.token_version)
    tampered = client.get(reverse("hubs-public:manage", kwargs={"token": good[:-3] + "abc"}))
    assert tampered.status_code == 400
    assert "call us" in tampered.content.decode().lower()
    wrong_purpose = make_token("offer", booking.pk, booking.token_version)
    assert (
        client.get(reverse("hubs-public:manage", kwargs={"token": wrong_purpose})).status_code
        == 400
    )
    unknown = make_token("manage", "not-a-uuid", 1)
    assert client.get(reverse("hubs-public:manage", kwargs={"token": unknown})).status_code == 400


def test_expired_links_are_gone(client, settings, slot):
    booking = make_booking(slot)
    url = manage_url(booking)
    settings.HUBS_LINK_DAYS = -1
    assert client.get(url).status_code == 410


def test_an_offer_link_books_the_place(client, fay, acomb_hub, slot):
    booking = services.booking_create(actor=fay, slot=slot, person=PersonFactory(), send=False)
    entry = services.waiting_add(
        actor=fay, hub=acomb_hub, person=PersonFactory(), email="w@example.org"
    )
    services.booking_cancel(actor=fay, booking=booking, reason="Unwell", cancelled_by="person")
    entry.refresh_from_db()
    url = reverse(
        "hubs-public:offer", kwargs={"token": make_token("offer", entry.pk, entry.token_version)}
    )
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "booked"
    assert client.get(url).status_code == 410  # used


def test_an_expired_offer_link_is_gone(client, fay, acomb_hub, slot):
    entry = WaitingListEntry.objects.create(
        hub=acomb_hub,
        person=PersonFactory(),
        status="offered",
        offered_slot=slot,
        offer_expires_at=timezone.now() - dt.timedelta(minutes=5),
    )
    url = reverse(
        "hubs-public:offer", kwargs={"token": make_token("offer", entry.pk, entry.token_version)}
    )
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert not Booking.objects.exists()
