"""Fixtures for casework tests: a Local Area Coordination team for Acomb and Westfield, its
coordinator and manager, a second team elsewhere, and an analyst."""

from __future__ import annotations

import pytest

from alongside.accounts import roles
from alongside.people.tests.factories import make_staff

from .factories import coordinator, lac_team, manager


@pytest.fixture
def west(york):
    return lac_team(york["Acomb"], york["Westfield"], name="LAC West")


@pytest.fixture
def east(york):
    return lac_team(york["Heworth"], name="LAC East")


@pytest.fixture
def lena(west):
    """A coordinator in the west team."""
    return coordinator(west, full_name="Lena Coordinator")


@pytest.fixture
def omar(west):
    """A second coordinator in the west team."""
    return coordinator(west, full_name="Omar Coordinator")


@pytest.fixture
def morgan(west):
    """The west team's manager (a lead of the team)."""
    return manager(west, full_name="Morgan Manager")


@pytest.fixture
def erin(east):
    """A coordinator in the east team."""
    return coordinator(east, full_name="Erin Eastcoordinator")


@pytest.fixture
def analyst(db):
    return make_staff(roles.ANALYST, full_name="Ana Analyst")
