"""The episode's Grants section and the request form: who may open them, what they show, and
what the form does with good and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from alongside.core.models import AuditEvent
from alongside.grants import services as grant_services
from alongside.grants.models import Award
from alongside.grants.tests.test_services import make_fund, request_grant
from alongside.people.models import Consent
from alongside.people.tests.factories import ConsentFactory

from .factories import active_episode, closed_episode

pytestmark = pytest.mark.django_db

PAGES = ["casework:episode-grants", "casework:grant-request"]


def _url(name: str, episode) -> str:
    return reverse(name, kwargs={"pk": episode.pk})


@pytest.fixture
def episode(york, lena):
    """Lena's active episode for someone in Acomb."""
    return active_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def fund(morgan):
    return make_fund(morgan, max_award="150")


def _share_with_erin(episode, erin):
    """The person shares their record with Erin's organisation: she may read, not change."""
    ConsentFactory(
        person=episode.person,
        purpose=Consent.Purpose.SHARE_PARTNERS,
        shared_with=[erin.organisation],
    )


def _request_data(chosen, **overrides) -> dict[str, str]:
    return {
        "fund": str(chosen.pk),
        "category": "devices",
        "category_other": "",
        "amount": "45.50",
        "reason": "A second-hand tablet so he can join the online course",
        **overrides,
    }


# --- who may open each page ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, name, episode):
    response = client.get(_url(name, episode))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", PAGES)
def test_roles_without_casework_are_refused(staff_client, analyst, name, episode):
    assert staff_client(analyst).get(_url(name, episode)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_another_team_gets_a_404(staff_client, erin, name, episode, fund):
    client = staff_client(erin)
    assert client.get(_url(name, episode)).status_code == 404
    assert client.post(_url(name, episode), _request_data(fund)).status_code == 404
    assert not Award.objects.exists()


@pytest.mark.parametrize("name", PAGES)
def test_the_worker_and_the_manager_may_open_each_page(staff_client, lena, morgan, name, episode):
    assert staff_client(lena).get(_url(name, episode)).status_code == 200
    assert staff_client(morgan).get(_url(name, episode)).status_code == 200


def test_staff_seeing_it_under_a_consent_read_grants_but_cannot_request(
    staff_client, erin, lena, episode, fund
):
    request_grant(lena, episode, fund)
    _share_with_erin(episode, erin)
    client = staff_client(erin)
    response = client.get(_url("casework:episode-grants", episode))
    assert response.status_code == 200
    assert "£50" in response.text
    assert _url("casework:grant-request", episode) not in response.text
    assert client.get(_url("casework:grant-request", episode)).status_code == 403
    assert (
        client.post(_url("casework:grant-request", episode), _request_data(fund)).status_code == 403
    )
    assert Award.objects.count() == 1


# --- the Grants section -------------------------------------------------------------------------


def test_the_section_lists_the_persons_grants_and_is_audited(
    staff_client, lena, morgan, episode, fund
):
    approved = request_grant(lena, episode, fund, amount="120", category="transport")
    grant_services.award_approve(actor=morgan, award=approved)
    request_grant(lena, episode, fund, category="other", category_other="Walking boots")
    response = staff_client(lena).get(_url("casework:episode-grants", episode))
    assert response.status_code == 200
    text = response.text
    assert "<title>Grants – " in text
    assert "Transport to a course or activity" in text and "£120" in text
    assert "Walking boots" in text and "£50" in text
    assert "Approved" in text and "Requested" in text
    assert reverse("grants:award", kwargs={"pk": approved.pk}) in text
    assert _url("casework:grant-request", episode) in text
    assert 'aria-current="page"' in text
    assert AuditEvent.objects.filter(
        person_id=episode.person_id, action="view", reason="Opened the episode: Grants"
    ).exists()


def test_the_section_says_when_there_are_no_grants(staff_client, lena, episode):
    response = staff_client(lena).get(_url("casework:episode-grants", episode))
    assert "No grants have been requested" in response.text


def test_no_request_link_once_support_has_ended(staff_client, york, lena, fund):
    closed = closed_episode(actor=lena, ward=york["Westfield"])
    response = staff_client(lena).get(_url("casework:episode-grants", closed))
    assert response.status_code == 200
    assert _url("casework:grant-request", closed) not in response.text
    response = staff_client(lena).get(_url("casework:grant-request", closed))
    assert response.status_code == 302
    assert response.url == _url("casework:episode-grants", closed)


def test_the_section_takes_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, lena, morgan, episode
):
    funds = [make_fund(morgan, name=f"Fund {n}", budget="5000") for n in range(3)]
    for n in range(12):
        request_grant(lena, episode, funds[n % 3], amount=str(10 + n))
    client = staff_client(lena)
    client.get(_url("casework:episode-grants", episode))  # warm the session and permissions
    with django_assert_max_num_queries(25):
        response = client.get(_url("casework:episode-grants", episode))
    assert response.text.count(reverse("grants:award", kwargs={"pk": Award.objects.first().pk}))


# --- the request form ---------------------------------------------------------------------------


def test_the_form_offers_open_funds_with_a_pound_prefix(staff_client, lena, morgan, episode, fund):
    make_fund(morgan, name="Closed fund", is_open=False)
    response = staff_client(lena).get(_url("casework:grant-request", episode))
    text = response.text
    assert "Opportunities Fund: £1,000 left, up to £150 for one person" in text
    assert "Closed fund" not in text
    assert 'class="govuk-input__prefix" aria-hidden="true">£</div>' in text
    assert 'inputmode="decimal"' in text
    assert "govuk-radios__conditional" in text  # "Other" reveals a text box


def test_a_good_request_is_sent(staff_client, lena, episode, fund):
    response = staff_client(lena).post(
        _url("casework:grant-request", episode), _request_data(fund, amount="£1,00.5")
    )
    assert response.status_code == 302
    assert response.url == _url("casework:episode-grants", episode)
    award = Award.objects.get()
    assert (award.episode, award.person, award.requested_by) == (episode, episode.person, lena)
    assert (award.category, award.amount, award.status) == (
        "devices",
        Decimal("100.50"),
        "requested",
    )
    page = staff_client(lena).get(response.url)
    assert "Your request for £100.50 has been sent to a manager to decide." in page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "forty"}, "Enter the amount in pounds, like 45 or 45.50"),
        ({"amount": ""}, "Enter the amount in pounds, like 45 or 45.50"),
        ({"amount": "12.345"}, "Enter the amount in pounds, like 45 or 45.50"),
        ({"amount": "0"}, "The amount must be more than £0"),
        ({"amount": "151"}, "The amount must be £150 or less"),
        ({"category": ""}, "Choose what the grant is for"),
        ({"category": "other"}, "Enter what the grant is for"),
        ({"fund": ""}, "Choose the fund to ask"),
        ({"reason": ""}, "Enter what it is for and how it helps"),
    ],
)
def test_bad_input_is_explained_and_kept(staff_client, lena, episode, fund, overrides, message):
    data = _request_data(fund, **overrides)
    response = staff_client(lena).post(_url("casework:grant-request", episode), data)
    assert response.status_code == 200
    assert message in response.text
    assert "<title>Error: Request a grant" in response.text
    assert "A second-hand tablet" in response.text or overrides.get("reason") == ""
    assert not Award.objects.exists()


def test_no_open_fund_is_said_plainly(staff_client, lena, episode):
    response = staff_client(lena).get(_url("casework:grant-request", episode))
    assert response.status_code == 200
    assert "No fund is taking requests for Local Area Coordination" in response.text
    assert "<form" not in response.text.split('id="main-content"')[-1]
