"""The person form's checks and GOV.UK-style messages."""

from __future__ import annotations

import datetime

import pytest

from alongside.accounts.models import Team
from alongside.accounts.tests.factories import TeamFactory
from alongside.people.forms import PersonCreateForm, PersonForm


def _form(**overrides):
    data = {"given_name": "Ada", "family_name": "Lovelace"}
    data.update(overrides)
    return PersonForm(data)


def _dob(day="", month="", year=""):
    return {"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year}


def test_names_only_is_enough_and_values_are_tidied():
    form = _form(given_name="  Ada ", nhs_number="943-476-5919", postcode="yo1 7hh")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["given_name"] == "Ada"
    assert form.cleaned_data["nhs_number"] == "9434765919"
    assert form.cleaned_data["postcode"] == "YO1 7HH"
    assert form.cleaned_data["date_of_birth"] is None


def test_missing_names_are_asked_for():
    form = PersonForm({})
    assert form.errors["given_name"] == ["Enter a first name"]
    assert form.errors["family_name"] == ["Enter a last name"]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (_dob(day="4"), "Date of birth must include a month"),
        (_dob(day="4", month="3"), "Date of birth must include a year"),
        (_dob(day="4", month="3", year="50"), "Year must include 4 numbers"),
        (_dob(day="30", month="2", year="1950"), "Date of birth must be a real date"),
        (_dob(day="x", month="3", year="1950"), "Date of birth must be a real date"),
        (_dob(day="1", month="1", year="1899"), "Date of birth must be after 1 January 1900"),
        (_dob(day="1", month="1", year="2999"), "Date of birth must be in the past"),
    ],
)
def test_date_of_birth_messages(parts, message):
    form = _form(**parts)
    assert not form.is_valid()
    assert message in form.errors["date_of_birth"]


def test_a_real_date_of_birth_is_accepted():
    form = _form(**_dob(day="04", month="3", year="1950"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(1950, 3, 4)


def test_too_long_a_name_says_how_long_it_may_be():
    form = _form(preferred_name="x" * 101)
    assert form.errors["preferred_name"] == ["Preferred name must be 100 characters or fewer"]


@pytest.mark.django_db
def test_with_one_team_the_team_is_not_asked_for():
    team = TeamFactory()
    form = PersonCreateForm(
        {"given_name": "Ada", "family_name": "Lovelace", "reason": "Rang"},
        teams=Team.objects.filter(pk=team.pk),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["team"] == team


@pytest.mark.django_db
def test_with_several_teams_the_team_must_be_chosen():
    teams = [TeamFactory(), TeamFactory()]
    form = PersonCreateForm(
        {"given_name": "Ada", "family_name": "Lovelace", "reason": "Rang"},
        teams=Team.objects.filter(pk__in=[t.pk for t in teams]),
    )
    assert form.errors["team"] == ["Select your team"]
