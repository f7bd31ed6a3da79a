"""The grants pages: funds, the decision queue, an award and the pages that decide it. Who may
open each, what each shows, and what the forms do with good and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.casework.tests import conftest as casework_fixtures
from alongside.casework.tests.factories import active_episode, manager
from alongside.core.models import AuditEvent
from alongside.grants import services
from alongside.grants.models import Award, Fund
from alongside.people.tests.factories import make_staff

from .test_services import make_fund, request_grant

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

FUND_PAGES = ["grants:funds", "grants:fund-detail", "grants:fund-create", "grants:fund-edit"]
AWARD_PAGES = [
    "grants:award",
    "grants:award-approve",
    "grants:award-decline",
    "grants:award-cancel",
]


@pytest.fixture
def fund(morgan):
    return make_fund(morgan, max_award="150")


@pytest.fixture
def episode(york, lena):
    return active_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def requested(lena, episode, fund):
    return request_grant(lena, episode, fund, amount="45.50")


@pytest.fixture
def approved(morgan, requested):
    return services.award_approve(actor=morgan, award=requested)


@pytest.fixture
def front_door(db):
    """Staff with no part in grants."""
    return make_staff(roles.FRONT_DOOR_OFFICER, full_name="Frankie Frontdoor")


def _url(name: str, obj=None) -> str:
    return reverse(name, kwargs={"pk": obj.pk}) if obj is not None else reverse(name)


def _fund_page(name: str, fund: Fund) -> str:
    return reverse(name) if name in ("grants:funds", "grants:fund-create") else _url(name, fund)


def _fund_data(**overrides) -> dict[str, str]:
    today = timezone.localdate()
    end = today + dt.timedelta(days=365)
    return {
        "name": "Opportunities Fund 2027",
        "programme": "lac",
        "starts_on_0": str(today.day),
        "starts_on_1": str(today.month),
        "starts_on_2": str(today.year),
        "ends_on_0": str(end.day),
        "ends_on_1": str(end.month),
        "ends_on_2": str(end.year),
        "budget": "£12,000",
        "max_award": "250",
        "is_open": "yes",
        **overrides,
    }


# --- who may open each page ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FUND_PAGES, "grants:queue"])
def test_anonymous_people_are_sent_to_sign_in_from_fund_pages(client, name, fund):
    response = client.get(_fund_page(name, fund) if name != "grants:queue" else _url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", [*AWARD_PAGES, "grants:award-paid"])
def test_anonymous_people_are_sent_to_sign_in_from_award_pages(client, name, requested):
    response = client.get(_url(name, requested))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", [*FUND_PAGES, "grants:queue"])
def test_staff_without_grants_are_refused(staff_client, front_door, name, fund):
    url = _fund_page(name, fund) if name != "grants:queue" else _url(name)
    assert staff_client(front_door).get(url).status_code == 403


@pytest.mark.parametrize(
    "name", ["grants:fund-create", "grants:fund-edit", "grants:queue", *AWARD_PAGES]
)
def test_analysts_see_funds_only(staff_client, analyst, name, fund, requested):
    url = (
        _url(name, requested)
        if name in AWARD_PAGES
        else (_fund_page(name, fund) if name != "grants:queue" else _url(name))
    )
    assert staff_client(analyst).get(url).status_code == 403


@pytest.mark.parametrize("name", ["grants:fund-create", "grants:fund-edit", "grants:queue"])
def test_coordinators_do_not_set_budgets_or_decide(staff_client, lena, name, fund):
    url = _fund_page(name, fund) if name != "grants:queue" else _url(name)
    assert staff_client(lena).get(url).status_code == 403


@pytest.mark.parametrize("name", [*AWARD_PAGES, "grants:award-paid"])
def test_another_team_gets_a_404_for_an_award(staff_client, east, erin, name, approved):
    """Another team's manager holds every permission but cannot see the person; their
    coordinator may open awards and cancel requests, but not these."""
    users = [manager(east)]
    if name in ("grants:award", "grants:award-cancel"):
        users.append(erin)
    for user in users:
        client = staff_client(user)
        assert client.get(_url(name, approved)).status_code == 404
        assert client.post(_url(name, approved), {"note": "x", "reason": "x"}).status_code == 404
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_an_unknown_fund_is_a_404(staff_client, lena, fund):
    url = reverse("grants:fund-detail", kwargs={"pk": "00000000-0000-0000-0000-000000000000"})
    assert staff_client(lena).get(url).status_code == 404


@pytest.mark.parametrize("name", ["grants:award-approve", "grants:award-decline"])
def test_coordinators_cannot_decide(staff_client, lena, name, requested):
    client = staff_client(lena)
    assert client.get(_url(name, requested)).status_code == 403
    assert client.post(_url(name, requested), {"note": "Fine"}).status_code == 403
    requested.refresh_from_db()
    assert requested.status == "requested"


# --- funds --------------------------------------------------------------------------------------


def test_the_fund_list_shows_totals_to_analysts(
    staff_client, django_assert_max_num_queries, analyst, morgan, approved
):
    for n in range(5):
        make_fund(morgan, name=f"Ward fund {n}", budget="2500")
    client = staff_client(analyst)
    client.get(_url("grants:funds"))
    with django_assert_max_num_queries(12):
        response = client.get(_url("grants:funds"))
    assert response.status_code == 200
    text = response.text
    assert "Opportunities Fund" in text and "Ward fund 4" in text
    assert "£1,000" in text and "£45.50" in text and "£954.50" in text
    assert approved.person.family_name not in text
    assert "Set up a fund" not in text


def test_managers_see_the_queue_link_and_may_set_up_a_fund(staff_client, morgan, requested):
    response = staff_client(morgan).get(_url("grants:funds"))
    assert "Requests waiting for your decision (1)" in response.text
    assert _url("grants:fund-create") in response.text


def test_a_fund_names_only_people_the_user_works_with(
    staff_client, york, lena, erin, analyst, fund, requested
):
    east_award = request_grant(erin, active_episode(actor=erin, ward=york["Heworth"]), fund)
    response = staff_client(lena).get(_url("grants:fund-detail", fund))
    assert response.status_code == 200
    assert requested.person.display_name in response.text
    assert east_award.person.display_name not in response.text
    assert "1 other request is for people your teams do not work with" in response.text

    response = staff_client(analyst).get(_url("grants:fund-detail", fund))
    assert response.status_code == 200
    assert requested.person.display_name not in response.text
    assert "£95.50" in response.text  # two requests, counted by status


def test_the_fund_page_takes_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, york, lena, fund
):
    for _ in range(15):
        request_grant(lena, active_episode(actor=lena, ward=york["Acomb"]), fund, amount="10")
    client = staff_client(lena)
    client.get(_url("grants:fund-detail", fund))
    with django_assert_max_num_queries(20):
        response = client.get(_url("grants:fund-detail", fund))
    assert response.text.count(reverse("grants:award", kwargs={"pk": Award.objects.first().pk}))


def test_a_manager_sets_up_a_fund(staff_client, morgan):
    client = staff_client(morgan)
    assert client.get(_url("grants:fund-create")).status_code == 200
    response = client.post(_url("grants:fund-create"), _fund_data())
    fund = Fund.objects.get()
    assert response.status_code == 302
    assert response.url == _url("grants:fund-detail", fund)
    assert (fund.name, fund.programme_id, fund.budget, fund.max_award, fund.is_open) == (
        "Opportunities Fund 2027",
        "lac",
        Decimal("12000"),
        Decimal("250"),
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter a name for the fund"),
        ({"budget": "lots"}, "Enter the budget in pounds, like 5000 or 5000.50"),
        ({"budget": ""}, "Enter the budget in pounds, like 5000 or 5000.50"),
        ({"max_award": "0"}, "The largest single award must be more than £0"),
        ({"ends_on_2": "2001"}, "The end date must be the same as or after the start date"),
        ({"starts_on_0": ""}, "Start date must include a day"),
    ],
)
def test_bad_fund_details_are_explained_and_kept(staff_client, morgan, overrides, message):
    response = staff_client(morgan).post(_url("grants:fund-create"), _fund_data(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert response.text.count("Error: ") >= 1
    assert "<title>Error: " in response.text
    assert not Fund.objects.exists()


def test_the_budget_cannot_go_below_what_is_committed(staff_client, morgan, fund, approved):
    client = staff_client(morgan)
    page = client.get(_url("grants:fund-edit", fund))
    assert page.status_code == 200
    assert 'value="Opportunities Fund"' in page.text and 'value="1000"' in page.text
    data = _fund_data(name="Opportunities Fund", budget="40", max_award="150")
    response = client.post(_url("grants:fund-edit", fund), data)
    assert response.status_code == 200
    assert "The budget cannot be less than the £45.50 already committed or spent" in response.text
    fund.refresh_from_db()
    assert fund.budget == Decimal("1000")
    response = client.post(_url("grants:fund-edit", fund), {**data, "budget": "800"})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert (fund.budget, fund.committed) == (Decimal("800"), Decimal("45.50"))


# --- the queue and an award ---------------------------------------------------------------------


def test_the_queue_lists_requests_in_teams_the_manager_leads(
    staff_client, django_assert_max_num_queries, york, morgan, lena, erin, fund, requested
):
    east_award = request_grant(erin, active_episode(actor=erin, ward=york["Heworth"]), fund)
    for _ in range(10):
        request_grant(lena, active_episode(actor=lena, ward=york["Westfield"]), fund, amount="5")
    client = staff_client(morgan)
    client.get(_url("grants:queue"))
    with django_assert_max_num_queries(15):
        response = client.get(_url("grants:queue"))
    assert response.status_code == 200
    assert "11 requests waiting" in response.text
    assert requested.person.display_name in response.text
    assert east_award.person.display_name not in response.text


def test_the_award_page_is_audited_and_offers_the_right_actions(
    staff_client, lena, morgan, requested
):
    response = staff_client(lena).get(_url("grants:award", requested))
    assert response.status_code == 200
    assert "£45.50" in response.text and "A warm coat" in response.text
    assert _url("grants:award-approve", requested) not in response.text
    assert _url("grants:award-cancel", requested) in response.text
    assert AuditEvent.objects.filter(
        object_id=str(requested.pk), action="view", person_id=requested.person_id
    ).exists()

    response = staff_client(morgan).get(_url("grants:award", requested))
    assert _url("grants:award-approve", requested) in response.text
    assert _url("grants:award-decline", requested) in response.text


def test_a_manager_who_made_the_request_is_told_someone_else_decides(
    staff_client, morgan, episode, fund
):
    own = request_grant(morgan, episode, fund)
    client = staff_client(morgan)
    response = client.get(_url("grants:award", own))
    assert "Another manager must decide a request you made" in response.text
    assert _url("grants:award-approve", own) not in response.text
    assert client.post(_url("grants:award-approve", own), {"note": ""}).status_code == 403
    own.refresh_from_db()
    assert own.status == "requested"


# --- deciding -----------------------------------------------------------------------------------


def test_a_manager_approves_a_request(staff_client, morgan, fund, requested):
    client = staff_client(morgan)
    page = client.get(_url("grants:award-approve", requested))
    assert page.status_code == 200
    assert "Approve this request" in page.text and "£1,000 left" in page.text
    response = client.post(_url("grants:award-approve", requested), {"note": "Voucher"})
    assert response.status_code == 302
    assert response.url == _url("grants:award", requested)
    requested.refresh_from_db()
    fund.refresh_from_db()
    assert (requested.status, requested.decision_note, fund.committed) == (
        "approved",
        "Voucher",
        Decimal("45.50"),
    )
    follow = client.get(response.url)
    assert f"You approved £45.50 for {requested.person.display_name}." in follow.text


def test_approving_more_than_is_left_is_refused_on_the_page(
    staff_client, york, lena, morgan, episode
):
    fund = make_fund(morgan, name="Small fund", budget="60")
    first = request_grant(lena, episode, fund, amount="30")
    second = request_grant(lena, active_episode(actor=lena, ward=york["Acomb"]), fund, amount="30")
    services.award_approve(actor=morgan, award=first)
    Fund.objects.filter(pk=fund.pk).update(budget=Decimal("50"))  # someone trimmed the budget
    response = staff_client(morgan).post(_url("grants:award-approve", second), {"note": ""})
    assert response.status_code == 200
    assert "The fund has £20 left, not enough for £30" in response.text
    assert "<title>Error: " in response.text
    second.refresh_from_db()
    assert second.status == "requested"


def test_a_decided_request_sends_the_manager_back_to_it(staff_client, morgan, approved):
    client = staff_client(morgan)
    response = client.get(_url("grants:award-approve", approved))
    assert response.status_code == 302
    assert response.url == _url("grants:award", approved)
    assert "This request has already been decided." in client.get(response.url).text
    assert AuditEvent.objects.filter(
        object_id=str(approved.pk), action="view", reason="Opened the grant: Approve this request"
    ).exists()


def test_declining_needs_a_reason(staff_client, morgan, fund, requested):
    client = staff_client(morgan)
    response = client.post(_url("grants:award-decline", requested), {"note": ""})
    assert response.status_code == 200
    assert "Enter why the request is declined" in response.text
    requested.refresh_from_db()
    assert requested.status == "requested"
    response = client.post(_url("grants:award-decline", requested), {"note": "Donated instead"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.decision_note) == ("declined", "Donated instead")


def test_marking_paid(staff_client, morgan, lena, fund, approved, requested):
    assert staff_client(lena).get(_url("grants:award-paid", approved)).status_code == 403
    client = staff_client(morgan)
    assert client.get(_url("grants:award-paid", approved)).status_code == 200
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    bad = {"paid_on_0": tomorrow.day, "paid_on_1": tomorrow.month, "paid_on_2": tomorrow.year}
    response = client.post(_url("grants:award-paid", approved), bad)
    assert "The date paid must be today or in the past" in response.text
    today = timezone.localdate()
    good = {"paid_on_0": today.day, "paid_on_1": today.month, "paid_on_2": today.year}
    response = client.post(_url("grants:award-paid", approved), good)
    assert response.status_code == 302
    fund.refresh_from_db()
    assert (fund.committed, fund.spent) == (0, Decimal("45.50"))


def test_a_coordinator_cancels_a_request_but_not_an_approved_grant(
    staff_client, lena, omar, morgan, fund, episode
):
    award = request_grant(lena, episode, fund)
    client = staff_client(omar)
    assert client.get(_url("grants:award-cancel", award)).status_code == 200
    response = client.post(_url("grants:award-cancel", award), {"reason": ""})
    assert "Enter why the grant is cancelled" in response.text
    response = client.post(_url("grants:award-cancel", award), {"reason": "Family helped"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "cancelled"

    other = services.award_approve(actor=morgan, award=request_grant(lena, episode, fund))
    assert client.get(_url("grants:award-cancel", other)).status_code == 403
    response = staff_client(morgan).post(_url("grants:award-cancel", other), {"reason": "Moved"})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.committed == 0
