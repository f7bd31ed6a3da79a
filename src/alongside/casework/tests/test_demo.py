"""The demo casework: a year of episodes in every state, loaded once, visible only to the team
that holds them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from alongside.accounts.models import User
from alongside.casework import selectors
from alongside.casework.demo import DEMO_DOMAIN, EAST_TEAM, WEST_TEAM
from alongside.casework.models import Episode
from alongside.grants.models import Fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", verbosity=0)
    call_command("load_demo_casework", verbosity=0)


def test_loads_every_state_once(loaded, capsys):
    statuses = set(Episode.objects.values_list("status", flat=True))
    assert {"new", "active", "closed"} <= statuses
    assert Episode.objects.filter(level=2).exists()
    before = Episode.objects.count()
    call_command("load_demo_casework")
    assert Episode.objects.count() == before
    assert "nothing new" in capsys.readouterr().out


def test_closed_episodes_read_like_real_ones(loaded):
    for episode in Episode.objects.filter(status="closed"):
        assert episode.opened_on <= episode.closed_on
        assert episode.close_reason and episode.outcome_in_own_words


def test_each_team_sees_only_its_own_people(loaded):
    west_worker = User.objects.get(email=f"lac@{DEMO_DOMAIN}")
    east_worker = User.objects.get(email=f"laceast@{DEMO_DOMAIN}")
    west_seen = selectors.visible_episodes(user=west_worker)
    east_seen = selectors.visible_episodes(user=east_worker)
    assert west_seen.exists() and east_seen.exists()
    assert not west_seen.filter(team__name=EAST_TEAM).exists()
    assert not east_seen.filter(team__name=WEST_TEAM).exists()


def test_the_fund_totals_match_its_awards(loaded):
    fund = Fund.objects.get()
    approved = sum(a.amount for a in fund.awards.filter(status="approved"))
    paid = sum(a.amount for a in fund.awards.filter(status="paid"))
    assert (fund.committed, fund.spent) == (approved, paid)
    assert fund.remaining == fund.budget - approved - paid
