"""Residents refer themselves at /social-prescribing/, without signing in. The form is short
and plain; a honeypot field and a rate limit keep robots out; nothing is ever shown back
about records we may already hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from alongside.casework.models import Referral
from alongside.core.models import AuditEvent
from alongside.people.tests.factories import PersonFactory

from .factories import sp_team
from .test_referrals import date_fields, make_setting

pytestmark = pytest.mark.django_db

URL = reverse("casework-public:self-refer")
DONE_URL = reverse("casework-public:self-refer-done")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def setting(db):
    return make_setting()


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Sam",
        "family_name": "Smith",
        **date_fields("date_of_birth", dt.date(1961, 5, 4)),
        "phone": "07700 900 123",
        "email": "",
        "postcode": "YO24 4AB",
        "what_matters": "I would like to meet people",
        "reasons": ["isolation"],
        "reasons_other": "",
        "agree": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_anyone_can_open_the_form_without_signing_in(client, setting):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Ask for help from a link worker" in response.text
    assert "You do not need to see your doctor first" in response.text


def test_a_resident_refers_themselves_to_the_first_team(client, setting):
    response = client.post(URL, _form())
    assert response.status_code == 302
    assert response.url == DONE_URL
    referral = Referral.objects.get()
    assert referral.team == setting["other_team"]  # "East link workers" comes first by name
    assert referral.source == Referral.Source.SELF
    assert referral.pathway is None and referral.referred_by is None
    assert referral.postcode == "YO24 4AB"
    assert referral.what_matters == "I would like to meet people"
    event = AuditEvent.objects.get(action="create", object_id=str(referral.pk))
    assert event.actor is None and event.person_id is None
    thanks = client.get(DONE_URL)
    assert thanks.status_code == 200
    assert "We have your details" in thanks.text


def test_a_setting_chooses_the_team(client, setting, settings):
    settings.CASEWORK_SELF_REFERRAL_TEAM = "West link workers"
    client.post(URL, _form())
    assert Referral.objects.get().team == setting["team"]


def test_the_referral_waits_in_the_teams_queue(client, setting, staff_client, settings):
    settings.CASEWORK_SELF_REFERRAL_TEAM = "West link workers"
    client.post(URL, _form())
    queue = staff_client(setting["lin"]).get(reverse("casework:intake"))
    assert "Sam Smith" in queue.text
    assert "Self-referral" in queue.text


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, setting):
    response = client.post(
        URL, _form(phone="", email="", agree="", reasons=[], what_matters="Walking")
    )
    assert response.status_code == 200
    assert "Error: Ask for help" in response.text
    assert "Enter a phone number or email address" in response.text
    assert "Tick the box to say you agree" in response.text
    assert "Choose at least one thing you would like help with" in response.text
    assert 'value="Sam"' in response.text and "Walking" in response.text
    assert not Referral.objects.exists()


def test_a_bad_email_or_postcode_is_refused(client, setting):
    response = client.post(URL, _form(email="sam@", postcode="NOT A CODE"))
    assert "Enter an email address in the correct format" in response.text
    assert "Enter a real postcode" in response.text
    assert not Referral.objects.exists()


def test_the_honeypot_thanks_a_robot_and_keeps_nothing(client, setting):
    response = client.post(URL, _form(website="http://spam.example"))
    assert response.status_code == 302
    assert response.url == DONE_URL
    assert not Referral.objects.exists()


def test_the_rate_limit_refuses_after_the_limit(client, setting, settings):
    settings.CASEWORK_SELF_REFERRALS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(URL, _form()).status_code == 302
    refused = client.post(URL, _form(given_name="Third"))
    assert refused.status_code == 429
    assert "You have sent this form a lot" in refused.text
    assert client.get(URL).status_code == 429
    assert Referral.objects.count() == 2


def test_the_default_limit_is_five_an_hour(client, setting, settings):
    del settings.CASEWORK_SELF_REFERRALS_PER_HOUR  # read with a default of 5
    for _ in range(5):
        client.post(URL, _form())
    assert client.post(URL, _form()).status_code == 429


def test_nothing_is_shown_back_about_existing_records(client, setting):
    PersonFactory(given_name="Sam", family_name="Smith", date_of_birth=dt.date(1961, 5, 4))
    known = client.post(URL, _form(), follow=True)
    unknown = client.post(URL, _form(given_name="Nobody", family_name="Known"), follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text  # the same thank-you page, whoever it was
    assert "Sam" not in known.text and "Smith" not in known.text


def test_with_no_social_prescribing_team_the_form_says_so(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert "you cannot use this form yet" in response.text
    assert client.post(URL, _form()).status_code == 200
    assert not Referral.objects.exists()


def test_an_inactive_team_is_not_used(client, db):
    sp_team(name="Closed team", is_active=False)
    assert "you cannot use this form yet" in client.get(URL).text
