"""Fixtures for Talking Points tests: a front-door team and its officer; a hub team running
a hub in Acomb (step-free) and one in Heworth (hearing loop), with a practitioner and a
manager; an analyst; and another hub team elsewhere whose staff must be refused."""

from __future__ import annotations

import pytest

from alongside.accounts import roles
from alongside.people.tests.factories import make_staff

from .factories import front_door_team, hub_team, make_hub, manager, officer, practitioner


@pytest.fixture
def front_door(db):
    return front_door_team()


@pytest.fixture
def tp_team(db):
    return hub_team("Talking Points West")


@pytest.fixture
def other_team(db):
    return hub_team("Talking Points North")


@pytest.fixture
def fay(front_door):
    """A front-door officer."""
    return officer(front_door, full_name="Fay Frontdoor")


@pytest.fixture
def pat(tp_team):
    """A Talking Point practitioner in the west team."""
    return practitioner(tp_team, full_name="Pat Practitioner")


@pytest.fixture
def mona(tp_team):
    """The west team's manager."""
    return manager(tp_team, full_name="Mona Manager")


@pytest.fixture
def nell(other_team):
    """A practitioner in another team, who must not see the west team's people."""
    return practitioner(other_team, full_name="Nell North")


@pytest.fixture
def analyst(db):
    return make_staff(roles.ANALYST, full_name="Ana Analyst")


@pytest.fixture
def acomb_hub(tp_team, york):
    return make_hub(team=tp_team, ward=york["Acomb"], name="Acomb Explore Library", step_free=True)


@pytest.fixture
def heworth_hub(tp_team, york):
    return make_hub(
        team=tp_team,
        ward=york["Heworth"],
        name="Tang Hall Community Centre",
        step_free=False,
        hearing_loop=True,
    )


@pytest.fixture
def north_hub(other_team, york):
    return make_hub(team=other_team, ward=york["Haxby & Wigginton"], name="Haxby Memorial Hall")
