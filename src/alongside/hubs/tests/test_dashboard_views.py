"""The Talking Points figures page and its CSV: who may use them, what they show (headline
figures, charts with their tables, the table by group), small numbers hidden for analysts and
for other teams' hubs, bad choices explained, a bounded number of queries, and every CSV
download recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.core.models import AuditEvent

from .test_figures import known_data

pytestmark = pytest.mark.django_db
URL = reverse("hubs:dashboard")
CSV_URL = reverse("hubs:dashboard-csv")


@pytest.fixture
def data(front_door, acomb_hub, north_hub, york):
    return known_data(front_door, acomb_hub, north_hub, york)


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_staff_without_the_figures_role_are_refused(staff_client, fay, pat, url):
    assert staff_client(fay).get(url).status_code == 403
    assert staff_client(pat).get(url).status_code == 403


def test_a_manager_sees_the_figures(staff_client, mona, data):
    response = staff_client(mona).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'role="img"' in html and '<title id="chart-waits-title">' in html
    assert '<desc id="chart-paid-desc">' in html
    assert 'id="chart-waits-table"' in html and 'id="chart-paid-table"' in html
    assert "65% expected" in html
    assert 'id="by-group"' in html
    rows = {r["label"]: r for r in response.context["rows"]}
    # Mona leads the team running Acomb: exact; Haxby is another team's: hidden.
    assert rows["Acomb Explore Library"]["exact"]
    assert "6" in rows["Acomb Explore Library"]["cells"]
    assert not rows["Haxby Memorial Hall"]["exact"]
    assert "fewer than 5" in rows["Haxby Memorial Hall"]["cells"]


def test_an_analyst_sees_small_numbers_hidden(staff_client, analyst, data):
    response = staff_client(analyst).get(URL)
    assert response.status_code == 200
    rows = {r["label"]: r for r in response.context["rows"]}
    assert not rows["Acomb Explore Library"]["exact"]
    assert "fewer than 5" in response.content.decode()
    assert "You see exact numbers" not in response.content.decode()


@pytest.mark.parametrize("group", ["hub", "ward", "neighbourhood", "month"])
def test_each_grouping(staff_client, mona, data, group, django_assert_max_num_queries):
    client = staff_client(mona)
    client.get(URL)  # session and permission caches
    with django_assert_max_num_queries(25):
        response = client.get(URL, {"group": group, "period": "12"})
    assert response.status_code == 200
    assert response.context["figures"].grouping == group
    assert len(response.context["figures"].months) == 13


def test_filters(staff_client, mona, data, york):
    response = staff_client(mona).get(URL, {"group": "ward", "ward": york["Heworth"].pk})
    assert [r["label"] for r in response.context["rows"]] == ["Heworth"]
    response = staff_client(mona).get(URL, {"hub": data["north"].pk})
    assert [r["label"] for r in response.context["rows"]] == ["Haxby Memorial Hall"]


def test_bad_choices_are_explained_and_the_defaults_shown(staff_client, mona, data):
    response = staff_client(mona).get(URL, {"period": "99", "group": "planet", "hub": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose a period from the list" in html
    assert "Choose hub, neighbourhood, ward or month" in html
    assert "Choose a hub from the list" in html
    assert response.context["figures"].grouping == "hub"
    assert response.context["figures"].period.months == 6


def test_the_csv_hides_small_numbers_for_everyone_and_is_audited(staff_client, mona, data):
    response = staff_client(mona).get(CSV_URL, {"group": "hub"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "fewer than 5" not in text
    assert "By hub,Haxby Memorial Hall,Seen at a Talking Point,<5" in text
    assert AuditEvent.objects.filter(object_type="hubs.figures", actor=mona).count() == 1
