"""The Talking Points demo: four hubs at directory venues, one per neighbourhood, with six months
of history that shows York's pattern on the dashboard (seen within days, the waiting-list route
taking weeks, fewer needing paid-for services than expected), loaded quickly, once, and keeping
the booking rules."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.demo.loader import DEMO_PASSWORD
from alongside.hubs import figures
from alongside.hubs.demo import HUBS
from alongside.hubs.models import Booking, FirstContact, Hub, Session, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The staff and directory demos and the hubs demo, loaded once for this module and rolled
    back after it. Yields how long the hubs demo took."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        call_command("load_demo_directory", verbosity=0)
        started = time.perf_counter()
        call_command("load_demo_hubs", verbosity=0)
        yield time.perf_counter() - started
        transaction.set_rollback(True)


def test_it_loads_quickly(loaded):
    assert loaded < 20


def test_four_hubs_one_per_neighbourhood_at_directory_venues(loaded):
    hubs = list(Hub.objects.select_related("neighbourhood", "location", "team"))
    assert len(hubs) == 4
    assert {h.neighbourhood.name for h in hubs} == {p.neighbourhood for p in HUBS}
    for hub in hubs:
        assert hub.location.kind == "venue"
        assert hub.location.ward.neighbourhood_id == hub.neighbourhood_id
        kinds = sorted(hub.sessions.values_list("kind", flat=True))
        assert kinds == sorted([Session.Kind.BOOKED, Session.Kind.DROP_IN, Session.Kind.CARERS])
        members = hub.team.memberships.filter(user__groups__name="Talking Point practitioner")
        assert members.count() >= 2
        assert hub.team.memberships.filter(is_lead=True).exists()


def test_demo_sign_ins(loaded):
    for local in ("frontdoor", "practitioner", "hubmanager"):
        user = User.objects.get(email=f"{local}@demo.alongside.test")
        assert user.check_password(DEMO_PASSWORD)


def test_about_150_first_contacts_a_month_and_the_decisions(loaded):
    contacts = FirstContact.objects.all()
    months = figures.period_for().months + 1
    assert 120 * (months - 1) < contacts.count() < 170 * months
    shares = {
        row["decision"]: row["n"] / contacts.count()
        for row in contacts.values("decision").annotate(n=Count("id"))
    }
    assert 0.33 < shares["talking_point"] < 0.47
    assert 0.2 < shares["information"] < 0.3


def test_the_booking_rules_hold(loaded):
    live = Count("bookings", filter=~Q(bookings__status="cancelled"))
    assert not Slot.objects.annotate(live=live).exclude(booked=F_booked()).exists()
    assert not Booking.objects.filter(seat__lt=1).exists()
    assert Slot.objects.filter(starts_at__gt=timezone.now()).exists()
    assert Booking.objects.filter(slot__starts_at__gt=timezone.now()).exists()


def F_booked():  # noqa: N802 - reads like the F() it wraps
    from django.db.models import F

    return F("live")


def test_the_dashboard_shows_the_york_pattern(loaded):
    total = figures.hub_figures(period=figures.period_for()).total
    assert total.value("seen_median").number < 10
    assert total.value("assessed_median").number > 60
    assert total.value("paid_share").number < 50
    assert 30 < total.value("assessment_share").number < 50
    assert 4 < total.value("dna").number < 13
    assert 78 < total.value("satisfied").number < 92
    assert total.waiting_days
    dip = max(
        m.value("seen_median").number or 0
        for m in figures.hub_figures(period=figures.period_for()).months
    )
    assert dip > 7.5


def test_a_second_load_adds_nothing(loaded):
    before = (Hub.objects.count(), FirstContact.objects.count(), Slot.objects.count())
    call_command("load_demo_hubs", verbosity=0)
    assert (Hub.objects.count(), FirstContact.objects.count(), Slot.objects.count()) == before


def test_the_demo_manager_sees_the_dashboard(loaded, client, django_assert_max_num_queries):
    manager = User.objects.get(email="hubmanager@demo.alongside.test")
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    client.get(reverse("hubs:dashboard"))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("hubs:dashboard"))
    assert response.status_code == 200
