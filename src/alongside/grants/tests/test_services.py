"""Funds, requests and decisions: who may do what, what bad input is told, and the fund's
totals staying right (the sequential twin of test_concurrency.py, which runs on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from alongside.casework.tests import conftest as casework_fixtures
from alongside.casework.tests.factories import active_episode, closed_episode, introduce, manager
from alongside.core.models import AuditEvent
from alongside.grants import selectors, services
from alongside.grants.models import Award, Fund

pytestmark = pytest.mark.django_db

# The casework fixtures: the west team (Acomb, Westfield) with coordinators Lena and Omar and
# manager Morgan; the east team (Heworth) with coordinator Erin; an analyst.
west = casework_fixtures.west
east = casework_fixtures.east
lena = casework_fixtures.lena
omar = casework_fixtures.omar
morgan = casework_fixtures.morgan
erin = casework_fixtures.erin
analyst = casework_fixtures.analyst


def make_fund(
    actor: Any,
    *,
    name: str = "Opportunities Fund",
    budget: str = "1000",
    max_award: str | None = None,
    **kwargs: Any,
) -> Fund:
    """A fund running from a month ago to most of a year ahead, made through the service."""
    today = timezone.localdate()
    values = {
        "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=335),
        **kwargs,
    }
    return services.fund_create(
        actor=actor,
        name=name,
        budget=Decimal(budget),
        max_award=Decimal(max_award) if max_award else None,
        **values,
    )


def request_grant(actor: Any, episode: Any, fund: Fund, amount: str = "50", **kwargs: Any) -> Award:
    values = {"category": "clothing", "reason": "A warm coat for the winter walks", **kwargs}
    return services.award_request(
        actor=actor, episode=episode, fund=fund, amount=Decimal(amount), **values
    )


@pytest.fixture
def fund(morgan):
    return make_fund(morgan)


@pytest.fixture
def episode(york, lena):
    """Lena walks alongside someone in Acomb."""
    return active_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def requested(lena, episode, fund):
    return request_grant(lena, episode, fund)


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- funds --------------------------------------------------------------------------------------


def test_a_manager_sets_up_a_fund_and_it_is_audited(morgan):
    fund = make_fund(morgan, max_award="150")
    assert (fund.budget, fund.committed, fund.spent, fund.remaining) == (
        Decimal("1000"),
        0,
        0,
        Decimal("1000"),
    )
    event = AuditEvent.objects.get(object_id=str(fund.pk), action="create")
    assert event.changes["budget"] == [None, "1000"]


@pytest.mark.parametrize("who", ["lena", "analyst"])
def test_only_managers_set_up_funds(request, who):
    with pytest.raises(PermissionDenied):
        make_fund(request.getfixturevalue(who))
    assert not Fund.objects.exists()


def test_bad_fund_details_are_each_explained(morgan, fund):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.fund_create(
            actor=morgan,
            name=" opportunities fund ",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
            budget=Decimal("-1"),
            max_award=Decimal("0"),
        )
    assert errors_of(error) == {
        "name": ["There is already a fund called opportunities fund"],
        "ends_on": ["The end date must be the same as or after the start date"],
        "budget": ["The budget must be £0 or more"],
        "max_award": ["The largest single award must be more than £0"],
    }
    assert Fund.objects.count() == 1


def test_the_budget_cannot_go_below_what_is_committed_or_spent(morgan, lena, episode, fund):
    award = request_grant(lena, episode, fund, amount="300")
    services.award_approve(actor=morgan, award=award)
    with pytest.raises(ValidationError) as error:
        services.fund_update(
            actor=morgan,
            fund=fund,
            name=fund.name,
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            budget=Decimal("299.99"),
        )
    assert errors_of(error) == {
        "budget": ["The budget cannot be less than the £300 already committed or spent"]
    }
    fund.refresh_from_db()
    assert fund.budget == Decimal("1000")

    updated = services.fund_update(
        actor=morgan,
        fund=fund,
        name="Opportunities Fund 2026",
        starts_on=fund.starts_on,
        ends_on=fund.ends_on,
        budget=Decimal("300"),
        is_open=False,
    )
    assert (updated.budget, updated.committed, updated.remaining, updated.is_open) == (
        Decimal("300"),
        Decimal("300"),
        0,
        False,
    )
    event = AuditEvent.objects.filter(object_id=str(fund.pk), action="change").get()
    assert event.changes["budget"] == ["1000.00", "300"]


def test_only_managers_change_funds(lena, fund):
    with pytest.raises(PermissionDenied):
        services.fund_update(
            actor=lena,
            fund=fund,
            name=fund.name,
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            budget=Decimal("5000"),
        )


# --- requests -----------------------------------------------------------------------------------


def test_a_coordinator_requests_a_grant_for_the_person(lena, episode, fund):
    award = request_grant(lena, episode, fund, amount="45.50")
    assert award.status == "requested"
    assert (award.person, award.episode, award.requested_by) == (episode.person, episode, lena)
    assert award.amount == Decimal("45.50")
    event = AuditEvent.objects.get(object_id=str(award.pk), action="create")
    assert event.person_id == episode.person_id
    fund.refresh_from_db()
    assert fund.committed == 0  # nothing is committed until a manager approves


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"amount": "0"}, "amount", "The amount must be more than £0"),
        ({"amount": "-5"}, "amount", "The amount must be more than £0"),
        ({"amount": "10.005"}, "amount", "Enter the amount in pounds, like 45 or 45.50"),
        ({"amount": "150.01"}, "amount", "The amount must be £150 or less"),
        ({"category": "holiday"}, "category", "Choose what the grant is for"),
        ({"category": "other"}, "category_other", "Enter what the grant is for"),
        ({"reason": "  "}, "reason", "Enter what it is for and how it helps"),
    ],
)
def test_bad_requests_are_explained_and_nothing_is_saved(
    lena, episode, morgan, kwargs, field, message
):
    fund = make_fund(morgan, max_award="150")
    with pytest.raises(ValidationError) as error:
        request_grant(lena, episode, fund, **kwargs)
    assert errors_of(error)[field] == [message]
    assert not Award.objects.exists()


def test_a_request_must_fit_what_the_fund_has_left(lena, episode, morgan):
    fund = make_fund(morgan, budget="40")
    with pytest.raises(ValidationError) as error:
        request_grant(lena, episode, fund, amount="50")
    assert errors_of(error) == {"amount": ["The fund has £40 left, not enough for £50"]}


def test_the_fund_must_be_open_and_running(lena, episode, morgan):
    today = timezone.localdate()
    closed = make_fund(morgan, name="Closed", is_open=False)
    future = make_fund(
        morgan,
        name="Next year",
        starts_on=dt.date(today.year + 1, 4, 1),
        ends_on=dt.date(today.year + 2, 3, 31),
    )
    past = make_fund(
        morgan, name="Last year", starts_on=dt.date(2020, 4, 1), ends_on=dt.date(2021, 3, 31)
    )
    other_programme = make_fund(
        morgan, name="Social prescribing", programme_code="social_prescribing"
    )
    messages = {}
    for fund in (closed, future, past, other_programme):
        with pytest.raises(ValidationError) as error:
            request_grant(lena, episode, fund)
        messages[fund.name] = errors_of(error)["fund"]
    assert messages == {
        "Closed": ["Closed is not taking requests"],
        "Next year": [f"Next year opens on 1 April {today.year + 1}"],
        "Last year": ["Last year closed on 31 March 2021"],
        "Social prescribing": ["Social prescribing is not for this programme"],
    }
    assert list(selectors.open_funds_for_episode(episode=episode)) == []


def test_no_grant_for_support_that_has_ended(york, lena, fund):
    episode = closed_episode(actor=lena, ward=york["Westfield"])
    with pytest.raises(ValidationError) as error:
        request_grant(lena, episode, fund)
    assert errors_of(error) == {"episode": ["Support has ended, so a grant cannot be requested"]}


@pytest.mark.parametrize("who", ["erin", "analyst"])
def test_only_the_team_working_with_the_person_requests(request, who, episode, fund):
    with pytest.raises(PermissionDenied):
        request_grant(request.getfixturevalue(who), episode, fund)
    assert not Award.objects.exists()


# --- approving ----------------------------------------------------------------------------------


def test_a_lead_approves_and_the_amount_is_committed(morgan, requested, fund):
    award = services.award_approve(actor=morgan, award=requested, note="Pay by voucher")
    assert (award.status, award.decided_by, award.decision_note) == (
        "approved",
        morgan,
        "Pay by voucher",
    )
    assert award.decided_at is not None
    fund.refresh_from_db()
    assert (fund.committed, fund.spent, fund.remaining) == (Decimal("50"), 0, Decimal("950"))
    event = AuditEvent.objects.filter(object_id=str(award.pk), action="change").get()
    assert event.person_id == award.person_id
    assert event.changes["status"] == ["requested", "approved"]


def test_another_manager_must_decide_a_request_you_made(west, morgan, episode, fund):
    own = request_grant(morgan, episode, fund)
    with pytest.raises(PermissionDenied, match="Another manager must decide a request you made"):
        services.award_approve(actor=morgan, award=own)
    with pytest.raises(PermissionDenied, match="Another manager must decide a request you made"):
        services.award_decline(actor=morgan, award=own, note="No")
    second = manager(west, full_name="Sam Secondmanager")
    assert services.award_approve(actor=second, award=own).status == "approved"


@pytest.mark.parametrize("who", ["lena", "analyst", "other_manager"])
def test_only_a_lead_of_the_persons_team_decides(request, east, who, requested, fund):
    actor = manager(east) if who == "other_manager" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.award_approve(actor=actor, award=requested)
    requested.refresh_from_db()
    fund.refresh_from_db()
    assert (requested.status, fund.committed) == ("requested", 0)


def test_a_request_is_decided_once(morgan, requested, fund):
    services.award_approve(actor=morgan, award=requested)
    with pytest.raises(ValidationError) as error:
        services.award_approve(actor=morgan, award=requested)
    assert errors_of(error) == {"__all__": ["This request has already been decided"]}
    with pytest.raises(ValidationError, match="already been decided"):
        services.award_decline(actor=morgan, award=requested, note="Changed my mind")
    fund.refresh_from_db()
    assert fund.committed == Decimal("50")


def test_approval_beyond_the_budget_is_refused_and_changes_nothing(york, lena, morgan):
    fund = make_fund(morgan, budget="80")
    first = request_grant(lena, active_episode(actor=lena, ward=york["Acomb"]), fund)
    second = request_grant(lena, active_episode(actor=lena, ward=york["Acomb"]), fund)
    services.award_approve(actor=morgan, award=first)
    with pytest.raises(ValidationError) as error:
        services.award_approve(actor=morgan, award=second)
    assert errors_of(error) == {"__all__": ["The fund has £30 left, not enough for £50"]}
    second.refresh_from_db()
    fund.refresh_from_db()
    assert (second.status, second.decided_by, second.decided_at) == ("requested", None, None)
    assert fund.committed == Decimal("50")
    assert not AuditEvent.objects.filter(object_id=str(second.pk), action="change").exists()


def test_forty_approvals_one_after_another_stop_at_the_budget(york, lena, morgan):
    """The sequential twin of the PostgreSQL concurrency test: £1,000, forty £50 requests."""
    fund = make_fund(morgan, budget="1000")
    awards = [
        request_grant(lena, introduce(actor=lena, ward=york["Acomb"]), fund) for _ in range(40)
    ]
    refused = []
    for award in awards:
        try:
            services.award_approve(actor=morgan, award=award)
        except ValidationError as error:
            refused.append(error.messages)
    fund.refresh_from_db()
    assert Award.objects.filter(status="approved").count() == 20
    assert Award.objects.filter(status="requested").count() == 20
    assert refused == [["The fund has £0 left, not enough for £50"]] * 20
    assert (fund.committed, fund.remaining) == (Decimal("1000"), 0)


# --- declining, paying, cancelling --------------------------------------------------------------


def test_declining_needs_a_reason(morgan, requested, fund):
    with pytest.raises(ValidationError) as error:
        services.award_decline(actor=morgan, award=requested, note="  ")
    assert errors_of(error) == {"note": ["Enter why the request is declined"]}
    award = services.award_decline(actor=morgan, award=requested, note="A coat was donated")
    assert (award.status, award.decision_note) == ("declined", "A coat was donated")
    fund.refresh_from_db()
    assert fund.committed == 0


def test_paying_moves_the_amount_from_committed_to_spent(morgan, lena, requested, fund):
    with pytest.raises(ValidationError, match="Only an approved grant"):
        services.award_mark_paid(actor=morgan, award=requested)
    award = services.award_approve(actor=morgan, award=requested)
    with pytest.raises(PermissionDenied):
        services.award_mark_paid(actor=lena, award=award)
    with pytest.raises(ValidationError) as error:
        services.award_mark_paid(
            actor=morgan, award=award, paid_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert errors_of(error) == {"paid_on": ["The date paid must be today or in the past"]}
    award = services.award_mark_paid(actor=morgan, award=award)
    assert (award.status, award.paid_on) == ("paid", timezone.localdate())
    fund.refresh_from_db()
    assert (fund.committed, fund.spent, fund.remaining) == (0, Decimal("50"), Decimal("950"))


def test_a_worker_cancels_a_request(omar, morgan, requested, fund):
    with pytest.raises(ValidationError) as error:
        services.award_cancel(actor=omar, award=requested, reason="")
    assert errors_of(error) == {"reason": ["Enter why the grant is cancelled"]}
    award = services.award_cancel(actor=omar, award=requested, reason="Her son bought one")
    assert (award.status, award.decision_note) == ("cancelled", "Her son bought one")
    with pytest.raises(ValidationError, match="This request was cancelled"):
        services.award_approve(actor=morgan, award=award)
    fund.refresh_from_db()
    assert fund.committed == 0


def test_cancelling_an_approved_grant_gives_the_money_back(morgan, lena, erin, requested, fund):
    award = services.award_approve(actor=morgan, award=requested)
    for actor in (lena, erin):
        with pytest.raises(PermissionDenied):
            services.award_cancel(actor=actor, award=award, reason="Not needed")
    award = services.award_cancel(actor=morgan, award=award, reason="Not needed after all")
    assert award.status == "cancelled"
    fund.refresh_from_db()
    assert (fund.committed, fund.remaining) == (0, Decimal("1000"))
    with pytest.raises(ValidationError, match="A grant that is cancelled cannot be cancelled"):
        services.award_cancel(actor=morgan, award=award, reason="Again")


# --- selectors ----------------------------------------------------------------------------------


def test_everyone_with_the_role_sees_funds_but_awards_only_for_people_they_can_see(
    york, lena, erin, analyst, morgan, requested, fund
):
    east_episode = active_episode(actor=erin, ward=york["Heworth"])
    request_grant(erin, east_episode, fund, amount="20")
    assert list(selectors.funds_for_user(user=analyst)) == [fund]
    assert list(selectors.funds_for_user(user=lena)) == [fund]

    west_view = selectors.fund_awards_for_user(user=lena, fund=fund)
    assert list(west_view.visible) == [requested]
    assert west_view.hidden_count == 1
    assert west_view.status_totals == [{"status": "Requested", "count": 2, "amount": Decimal("70")}]
    analyst_view = selectors.fund_awards_for_user(user=analyst, fund=fund)
    assert (list(analyst_view.visible), analyst_view.hidden_count) == ([], 2)

    assert selectors.award_get_for_user(user=lena, pk=requested.pk) == requested
    with pytest.raises(Http404):
        selectors.award_get_for_user(user=erin, pk=requested.pk)
    with pytest.raises(Http404):
        selectors.award_get_for_user(user=analyst, pk=requested.pk)


def test_the_decision_queue_holds_requests_in_teams_the_manager_leads(
    york, east, erin, lena, morgan, requested, fund
):
    request_grant(erin, active_episode(actor=erin, ward=york["Heworth"]), fund)
    assert list(selectors.decision_queue_for_user(user=morgan)) == [requested]
    assert list(selectors.decision_queue_for_user(user=lena)) == []
    services.award_approve(actor=morgan, award=requested)
    assert list(selectors.decision_queue_for_user(user=morgan)) == []


def test_pounds_are_written_the_gov_uk_way():
    assert services.pounds(Decimal("45")) == "£45"
    assert services.pounds(Decimal("45.5")) == "£45.50"
    assert services.pounds(Decimal("1000.00")) == "£1,000"
