"""Fixtures for the person record's tests: a team, its officer, and a person they work with."""

from __future__ import annotations

import pytest

from alongside.accounts import roles
from alongside.accounts.tests.factories import TeamFactory
from alongside.core.models import Postcode, SmallArea

from .factories import make_staff, person_for_team


@pytest.fixture
def team(db):
    return TeamFactory(name="Front door")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Another team")


@pytest.fixture
def officer(team):
    """A front-door officer in `team`."""
    return make_staff(roles.FRONT_DOOR_OFFICER, team=team, full_name="Olive Officer")


@pytest.fixture
def person(team):
    """Someone `team` works with."""
    return person_for_team(team, given_name="Margaret", family_name="Hall")


@pytest.fixture
def acomb_postcode(york):
    """A postcode in the imported directory, in Acomb ward."""
    ward = york["Acomb"]
    return Postcode.objects.create(
        postcode="YO24 4AB",
        lat=53.955,
        lon=-1.125,
        ward=ward,
        small_area=SmallArea.objects.filter(ward=ward).first(),
    )
