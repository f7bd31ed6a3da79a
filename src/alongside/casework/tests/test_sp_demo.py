"""The social prescribing demo: four primary care networks and a hospital team with a year of
referrals, loaded once, with every accepted referral coded and opened as an episode, open
referrals waiting in the intake queues, and each team seeing only its own people."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Organisation, Team, User
from alongside.casework import partner_selectors, selectors
from alongside.casework.models import (
    CodedEvent,
    Connection,
    Episode,
    Pathway,
    ProgrammeOutcome,
    Referral,
    WelfareCall,
    WelfareCallPlan,
)
from alongside.casework.sp_demo import (
    CALLS_TEAM,
    HOSPITAL_TEAM,
    MINSTER_TEAM,
    NETWORKS,
    PARTNER_ORGANISATION,
)
from alongside.demo.loader import DEMO_PASSWORD
from alongside.directory.tests.api_factories import ProviderFactory, PublishedServiceFactory
from alongside.people.models import Involvement, Person

pytestmark = pytest.mark.django_db

REFERRAL_CODE = "871731000000106"
DECLINED_CODE = "871711000000103"
SP = "social_prescribing"
DEMO = "@demo.alongside.test"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The staff demo, a few published listings (one group in Acomb) and the social
    prescribing demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        acomb = ProviderFactory(name="Acomb Lunch Club")
        PublishedServiceFactory(provider=acomb, name="Acomb Lunch Club: Tuesdays")
        PublishedServiceFactory(provider=acomb, name="Acomb Lunch Club: Fridays")
        for name in ("Holgate Walking Group", "Clifton Craft Circle", "Heworth Men's Shed"):
            PublishedServiceFactory(name=name)
        call_command("load_demo_social_prescribing", verbosity=0)
        yield
        transaction.set_rollback(True)


def sp_teams():
    return Team.objects.filter(programmes=SP)


def test_four_networks_with_practices_and_link_worker_teams(loaded):
    pcns = Organisation.objects.filter(kind="pcn")
    assert pcns.count() == 4
    for pcn in pcns:
        assert 2 <= pcn.children.filter(kind="gp_practice").count() <= 3
    assert {n.team for n in NETWORKS} | {HOSPITAL_TEAM} == set(
        sp_teams().values_list("name", flat=True)
    )
    hospital = Team.objects.get(name=HOSPITAL_TEAM)
    assert hospital.organisation.kind == "nhs_trust"
    for team in sp_teams():
        link_workers = User.objects.filter(
            memberships__team=team, groups__name=roles.LINK_WORKER, is_demo=True
        )
        assert 2 <= link_workers.count() <= 3, team.name
        assert all(u.email.endswith(DEMO) for u in link_workers)
        assert all(u.check_password(DEMO_PASSWORD) for u in link_workers)
        assert team.email and team.phone
        names = set(Pathway.objects.filter(team=team).values_list("name", flat=True))
        assert "Mental health recovery" in names
        assert ("Hospital discharge" if team == hospital else "Primary care") in names
        for pathway in Pathway.objects.filter(team=team):
            assert 1 <= pathway.questions.count() <= 2
    callers = User.objects.filter(
        groups__name=roles.WELFARE_CALLER, memberships__team__name=CALLS_TEAM
    )
    assert callers.count() >= 4


def test_a_year_of_referrals_in_the_expected_ranges(loaded):
    referrals = Referral.objects.filter(programme_id=SP)
    total = referrals.count()
    sources = Counter(referrals.values_list("source", flat=True))
    assert 2_200 <= sources["gp_practice"] <= 2_600
    assert 350 <= sources["hospital"] <= 450
    assert sources["self"] and sources["adult_social_care"] and sources["community_therapy"]
    statuses = Counter(referrals.values_list("status", flat=True))
    assert 0.78 <= statuses["accepted"] / total <= 0.9
    assert 0.05 <= statuses["declined"] / total <= 0.12
    assert 0.03 <= statuses["redirected"] / total <= 0.09
    assert 40 <= statuses["received"] <= 60
    year_ago = timezone.now() - dt.timedelta(days=366)
    assert not referrals.filter(received_at__lt=year_ago).exists()
    months = {(r.year, r.month) for r in referrals.values_list("received_at", flat=True)}
    assert len(months) >= 12


def test_every_accepted_referral_has_an_episode_and_the_referral_code(loaded):
    accepted = Referral.objects.filter(status="accepted")
    assert not accepted.filter(episode__isnull=True).exists()
    assert not accepted.filter(person__isnull=True).exists()
    coded = CodedEvent.objects.filter(code_id=REFERRAL_CODE).values("referral_id")
    assert not accepted.exclude(pk__in=coded).exists()
    assert not accepted.exclude(episode__person=F("person")).exists()
    assert not accepted.exclude(episode__team=F("team")).exists()
    # Only accepted referrals have the referral code; only declines by the person the other.
    assert (
        not CodedEvent.objects.filter(code_id=REFERRAL_CODE)
        .exclude(referral__status="accepted")
        .exists()
    )
    declined_code = CodedEvent.objects.filter(code_id=DECLINED_CODE)
    assert declined_code.exists()
    assert set(declined_code.values_list("referral__decision_reason", flat=True)) == {
        "The person declined"
    }
    assert (
        not Referral.objects.filter(status="declined", decision_reason="The person declined")
        .exclude(pk__in=declined_code.values("referral_id"))
        .exists()
    )
    assert not Referral.objects.filter(status="redirected").exclude(redirected_to="lac").exists()


def test_episodes_read_like_a_real_year(loaded):
    episodes = Episode.objects.filter(programme_id=SP)
    statuses = Counter(episodes.values_list("status", flat=True))
    assert {"new", "contacted", "active", "closing", "closed"} <= set(statuses)
    assert not episodes.filter(first_contact_on__lt=F("opened_on")).exists()
    assert not episodes.filter(closed_on__lt=F("first_contact_on")).exists()
    assert not episodes.filter(status="closed", outcome__isnull=True).exists()
    late = episodes.filter(first_contact_on__gt=F("opened_on") + dt.timedelta(days=15))
    assert not late.exists()
    outcomes = ProgrammeOutcome.objects.filter(episode__status="closed")
    paired = outcomes.filter(gp_visits_before__isnull=False).count()
    assert 0.35 <= paired / outcomes.count() <= 0.65
    reached = episodes.exclude(status="new")
    assert not reached.filter(appointments__isnull=True).exists()
    assert Connection.objects.filter(episode__programme_id=SP).exists()
    for team in sp_teams():
        assert Involvement.objects.filter(team=team).count() >= episodes.filter(team=team).count()


def test_welfare_call_plans_with_a_few_weeks_of_calls(loaded):
    plans = WelfareCallPlan.objects.all()
    assert 25 <= plans.count() <= 35
    assert {"daily", "weekly"} <= set(plans.values_list("frequency", flat=True))
    assert not plans.exclude(caller__groups__name=roles.WELFARE_CALLER).exists()
    assert not plans.exclude(episode__status="active").exists()
    outcomes = Counter(WelfareCall.objects.values_list("outcome", flat=True))
    assert outcomes["spoke"] > outcomes["no_answer"] > 0 and outcomes["concern"] > 0
    today = timezone.localdate()
    assert not WelfareCall.objects.filter(due_on__gt=today).exists()
    assert WelfareCall.objects.filter(due_on__lte=today - dt.timedelta(days=14)).exists()


def test_people_are_plainly_fictional(loaded):
    people = Person.objects.filter(episodes__programme_id=SP).distinct()
    numbers = [n for n in people.values_list("nhs_number", flat=True) if n]
    assert numbers and all(n.startswith("999") for n in numbers)
    assert not people.exclude(postcode="").exclude(postcode__endswith="ZZ").exists()
    assert not User.objects.filter(is_demo=True).exclude(email__endswith=DEMO).exists()


def test_a_second_load_adds_nothing(loaded, capsys):
    before = (Referral.objects.count(), Person.objects.count(), User.objects.count())
    call_command("load_demo_social_prescribing")
    assert (Referral.objects.count(), Person.objects.count(), User.objects.count()) == before
    assert "nothing new" in capsys.readouterr().out


def test_the_intake_queues_have_open_referrals(loaded, staff_client):
    for team in sp_teams():
        assert Referral.objects.filter(team=team, status="received").exists(), team.name
    worker = User.objects.get(email=f"linkworker{DEMO}")
    response = staff_client(worker).get(reverse("casework:intake"))
    assert response.status_code == 200
    assert "Yusuf" in response.content.decode()


def test_each_team_sees_only_its_own_people(loaded):
    minster = User.objects.get(email=f"linkworker{DEMO}")
    hospital = User.objects.filter(memberships__team__name=HOSPITAL_TEAM).first()
    minster_seen = selectors.visible_episodes(user=minster).filter(programme_id=SP)
    hospital_seen = selectors.visible_episodes(user=hospital).filter(programme_id=SP)
    assert minster_seen.exists() and hospital_seen.exists()
    assert not minster_seen.exclude(team__name=MINSTER_TEAM).exists()
    assert not hospital_seen.exclude(team__name=HOSPITAL_TEAM).exists()


def test_the_showcase_went_through_the_services(loaded):
    gp = User.objects.get(email=f"gp{DEMO}")
    sent = Referral.objects.filter(referred_by=gp)
    assert sent.filter(given_name="Yusuf", status="received").exists()
    winifred = Episode.objects.get(person__given_name="Winifred", programme_id=SP)
    plan = winifred.call_plans.get()
    assert plan.frequency == "daily" and plan.caller.email == f"caller{DEMO}"
    assert plan.calls.filter(outcome="concern").exists()
    declan = Episode.objects.get(person__given_name="Declan", programme_id=SP)
    assert declan.status == "closed"
    assert (declan.outcome.gp_visits_before, declan.outcome.gp_visits_after) == (9, 3)
    assert declan.referral.codes.filter(code_id=REFERRAL_CODE).exists()


def test_the_demo_partner_sees_people_introduced_to_its_group(loaded):
    partner = User.objects.get(email=f"partner{DEMO}")
    assert Organisation.objects.get(name=PARTNER_ORGANISATION).providers.exists()
    seen = list(partner_selectors.partner_referrals_for_user(user=partner))
    assert seen
    names = {c.person_first_name for c in seen}
    assert "Gladys" in names and "" in names
