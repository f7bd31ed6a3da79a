"""Social prescribing's outcome measures: recording them before closing, the outcome page,
and the year's figures (GP visits paired per person, small numbers hidden)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.casework import services
from alongside.casework.models import Episode, ProgrammeOutcome
from alongside.casework.outcomes_report import (
    FinancialYear,
    outcome_figures,
    outcomes_csv_text,
)
from alongside.casework.services.outcomes import outcome_save
from alongside.core.models import AuditEvent
from alongside.people.tests.factories import make_staff

from .factories import active_episode, closing_episode, manager, sp_team

pytestmark = pytest.mark.django_db

SP = "social_prescribing"
REPORT = reverse("casework:sp-outcomes")
REPORT_CSV = reverse("casework:sp-outcomes-csv")
ANSWERS = {"goals_achieved": "yes", "more_able": "agree", "would_not_have": "strongly_agree"}


@pytest.fixture
def sp(db):
    return sp_team("Link workers North")


@pytest.fixture
def liam(sp):
    return make_staff(roles.LINK_WORKER, team=sp, full_name="Liam Linkworker")


@pytest.fixture
def sam(db):
    return make_staff(roles.LINK_WORKER, team=sp_team("Link workers South"), full_name="Sam South")


@pytest.fixture
def boss(sp):
    """The north team's manager: sees exact numbers."""
    return manager(sp, full_name="Mo Manager")


@pytest.fixture
def episode(liam, sp):
    return active_episode(actor=liam, programme=SP, team=sp)


def save(actor, episode, **values):
    fields = dict(ANSWERS)
    fields.update(values)
    return outcome_save(actor=actor, episode=episode, **fields)


def closed_with_outcome(actor, team, **values):
    """A social prescribing episode closed today with its outcome."""
    episode = closing_episode(actor=actor, programme=SP, team=team)
    save(actor, episode, **values)
    return services.episode_close(
        actor=actor,
        episode=episode,
        reason="goals_met",
        outcome_in_own_words="I go to the singing group now.",
    )


def _url(episode):
    return reverse("casework:outcome", kwargs={"pk": episode.pk})


def title(response) -> str:
    return response.text.split("<title>", 1)[1].split("</title>", 1)[0].strip()


def table(tables, key):
    return next(t for t in tables if t.key == key)


def rows(tables, key, *, exact=True):
    return dict(table(tables, key).cells(exact=exact))


# --- recording the outcome ----------------------------------------------------------------------


def test_the_outcome_is_recorded_and_audited(episode, liam):
    outcome = save(liam, episode, gp_visits_before=9, gp_visits_after=4)
    assert (outcome.goals_achieved, outcome.gp_months, outcome.gp_visits_after) == ("yes", 6, 4)
    event = AuditEvent.objects.get(object_type="casework.programmeoutcome", action="create")
    assert event.person_id == episode.person_id


def test_the_outcome_may_change_before_closing(episode, liam):
    save(liam, episode)
    save(liam, episode, goals_achieved="partly")
    assert ProgrammeOutcome.objects.get().goals_achieved == "partly"
    event = AuditEvent.objects.get(object_type="casework.programmeoutcome", action="change")
    assert event.changes == {"goals_achieved": ["yes", "partly"]}


@pytest.mark.parametrize(
    "values, field",
    [
        ({"goals_achieved": "maybe"}, "goals_achieved"),
        ({"more_able": ""}, "more_able"),
        ({"would_not_have": "yes"}, "would_not_have"),
        ({"gp_months": 0}, "gp_months"),
        ({"gp_months": 25}, "gp_months"),
        ({"gp_visits_before": 3}, "gp_visits_after"),
        ({"gp_visits_after": 3}, "gp_visits_before"),
        ({"gp_visits_before": -1, "gp_visits_after": 2}, "gp_visits_before"),
    ],
)
def test_bad_outcomes_are_refused_and_change_nothing(episode, liam, values, field):
    with pytest.raises(ValidationError) as error:
        save(liam, episode, **values)
    assert field in error.value.message_dict
    assert not ProgrammeOutcome.objects.exists()


def test_only_programmes_with_outcome_measures_take_them(york, lena):
    episode = active_episode(actor=lena, ward=york["Acomb"])
    with pytest.raises(ValidationError) as error:
        save(lena, episode)
    assert "outcome" in error.value.message_dict


def test_a_closed_episodes_outcome_no_longer_changes(liam, sp):
    episode = closed_with_outcome(liam, sp)
    with pytest.raises(ValidationError):
        save(liam, episode, goals_achieved="no")
    assert ProgrammeOutcome.objects.get().goals_achieved == "yes"


def test_only_the_team_records_the_outcome(episode, sam):
    with pytest.raises(PermissionDenied):
        save(sam, episode)


def test_closing_needs_the_outcome_first(liam, sp):
    episode = closing_episode(actor=liam, programme=SP, team=sp)
    close = {"reason": "goals_met", "outcome_in_own_words": "Much better."}
    with pytest.raises(ValidationError) as error:
        services.episode_close(actor=liam, episode=episode, **close)
    assert "outcome" in error.value.message_dict
    save(liam, episode)
    assert services.episode_close(actor=liam, episode=episode, **close).status == "closed"


# --- the outcome page ---------------------------------------------------------------------------


def test_outcome_anonymous_people_are_sent_to_sign_in(client, episode):
    response = client.get(_url(episode))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("role", [roles.ANALYST, roles.WELFARE_CALLER])
def test_outcome_other_roles_are_refused(staff_client, episode, role):
    assert staff_client(make_staff(role)).get(_url(episode)).status_code == 403


def test_outcome_of_another_team_is_a_404(staff_client, episode, sam):
    assert staff_client(sam).get(_url(episode)).status_code == 404


def test_a_programme_without_outcome_measures_has_no_outcome_page(staff_client, york, lena):
    episode = active_episode(actor=lena, ward=york["Acomb"])
    assert staff_client(lena).get(_url(episode)).status_code == 404


def test_recording_the_outcome_through_the_form(staff_client, episode, liam):
    client = staff_client(liam)
    page = client.get(_url(episode))
    assert page.status_code == 200
    assert "I feel more able to manage my own health and wellbeing" in page.text
    data = {**ANSWERS, "gp_months": "6", "gp_visits_before": "8", "gp_visits_after": "3"}
    assert client.post(_url(episode), data).status_code == 302
    outcome = ProgrammeOutcome.objects.get()
    assert (outcome.gp_visits_before, outcome.gp_visits_after) == (8, 3)
    assert client.get(_url(episode)).context["form"].initial["gp_visits_before"] == 8


@pytest.mark.parametrize(
    "values, message",
    [
        ({"gp_visits_before": "8"}, "Enter GP visits both before and after, or neither"),
        ({"goals_achieved": ""}, "Choose whether they achieved their goals"),
        ({"gp_months": "six"}, "Months counted must be a whole number"),
    ],
)
def test_bad_input_re_renders_with_the_message(staff_client, episode, liam, values, message):
    data = {**ANSWERS, "gp_months": "6", "gp_visits_before": "", "gp_visits_after": ""}
    data.update(values)
    response = staff_client(liam).post(_url(episode), data)
    assert response.status_code == 200
    assert message in response.text
    assert title(response).startswith("Error: ")
    assert not ProgrammeOutcome.objects.exists()


def test_a_closed_episode_shows_its_outcome_read_only(staff_client, liam, sp):
    episode = closed_with_outcome(liam, sp, gp_visits_before=5, gp_visits_after=2)
    client = staff_client(liam)
    response = client.get(_url(episode))
    assert response.status_code == 200
    assert "5 in the 6 months before the referral, 2 in the 6 months after" in response.text
    assert "<form" not in response.text.split("</nav>", 1)[-1].split("<footer", 1)[0]
    redirected = client.post(_url(episode), {**ANSWERS, "gp_months": "6"}, follow=True)
    assert "support has closed" in redirected.text


def test_only_the_team_may_post_an_outcome(staff_client, episode, sam):
    assert staff_client(sam).post(_url(episode), {**ANSWERS, "gp_months": "6"}).status_code == 404


# --- financial years ----------------------------------------------------------------------------


def test_a_financial_year_runs_april_to_march():
    year = FinancialYear(2026)
    assert (year.start, year.end, year.label) == (
        dt.date(2026, 4, 1),
        dt.date(2027, 3, 31),
        "April 2026 to March 2027",
    )
    assert FinancialYear.containing(dt.date(2027, 3, 31)) == year
    assert FinancialYear.containing(dt.date(2027, 4, 1)) == FinancialYear(2027)
    assert FinancialYear.parse(" 2026 ") == year
    assert FinancialYear.parse("26") is None and FinancialYear.parse("next") is None


# --- the figures --------------------------------------------------------------------------------


def this_year():
    return FinancialYear.containing(timezone.localdate())


def test_the_figures_count_closed_episodes_with_an_outcome(liam, sp):
    for achieved in ("yes", "yes", "partly", "no", "yes", "yes"):
        closed_with_outcome(liam, sp, goals_achieved=achieved)
    active_episode(actor=liam, programme=SP, team=sp)  # still open
    last_year = closed_with_outcome(liam, sp)
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    Episode.objects.filter(pk=last_year.pk).update(opened_on=long_ago, closed_on=long_ago)
    tables = outcome_figures(year=this_year())
    assert rows(tables, "episodes") == {
        "Closed in the year": ["6"],
        "With an outcome recorded": ["6"],
    }
    assert rows(tables, "goals") == {"Yes": ["4"], "Partly": ["1"], "No": ["1"]}


def test_agreement_is_strongly_agree_or_agree(liam, sp):
    for more_able in ("strongly_agree", "agree", "agree", "neither", "disagree", "agree"):
        closed_with_outcome(liam, sp, more_able=more_able, would_not_have="strongly_disagree")
    statements = rows(outcome_figures(year=this_year()), "statements")
    assert statements["I feel more able to manage my own health and wellbeing"] == [
        "6",
        "4",
        "66.7",
    ]
    assert statements["I would not have made these changes without my link worker"] == [
        "6",
        "0",
        "0",
    ]


def test_gp_visits_are_paired_per_person(liam, sp):
    """Only people with both figures count, grouped by the months counted."""
    for before, after in ((10, 4), (6, 6), (3, 5), (8, 2), (5, 3)):
        closed_with_outcome(liam, sp, gp_visits_before=before, gp_visits_after=after)
    closed_with_outcome(liam, sp)  # no GP figures: left out, not counted as zero
    closed_with_outcome(liam, sp, gp_months=12, gp_visits_before=20, gp_visits_after=10)
    tables = outcome_figures(year=this_year())
    gp = rows(tables, "gp_visits")
    # 6 months: before 32, after 20; means 6.4 and 4; changes -6, 0, 2, -6, -2 -> median -2
    assert gp["6 months before and after"] == ["5", "32", "20", "6.4", "4", "-2"]
    assert gp["12 months before and after"] == ["1", "20", "10", "20", "10", "-10"]
    assert rows(tables, "gp_direction") == {
        "Went down": ["4"],
        "Stayed the same": ["1"],
        "Went up": ["1"],
    }


def test_small_numbers_are_hidden_unless_exact(liam, sp):
    for before, after in ((4, 2), (3, 3)):
        closed_with_outcome(liam, sp, gp_visits_before=before, gp_visits_after=after)
    tables = outcome_figures(year=this_year())
    assert rows(tables, "gp_visits", exact=False)["6 months before and after"] == [
        "fewer than 5",
        *["not shown"] * 5,
    ]
    assert rows(tables, "gp_visits")["6 months before and after"][0] == "2"
    statements = rows(tables, "statements", exact=False)
    assert statements["I feel more able to manage my own health and wellbeing"] == [
        "fewer than 5",
        "fewer than 5",
        "not shown",
    ]


def test_the_csv_hides_small_numbers(liam, sp):
    closed_with_outcome(liam, sp)
    lines = list(csv.reader(io.StringIO(outcomes_csv_text(year=this_year()))))
    assert lines[0] == ["table", "category", "measure", "value"]
    goals = [line for line in lines if line[1] == "Yes"]
    assert goals == [["Did they achieve their goals?", "Yes", "People", "<5"]]


# --- the figures page ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
def test_report_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("url", [REPORT, REPORT_CSV])
def test_report_needs_the_figures_permission(staff_client, liam, url):
    assert staff_client(liam).get(url).status_code == 403


def test_an_analyst_sees_the_report_with_small_numbers_hidden(staff_client, analyst, liam, sp):
    closed_with_outcome(liam, sp)
    response = staff_client(analyst).get(REPORT)
    assert response.status_code == 200
    assert "fewer than 5" in response.text
    assert this_year().label in response.text


def test_a_manager_sees_exact_numbers(staff_client, boss, liam, sp):
    closed_with_outcome(liam, sp)
    response = staff_client(boss).get(REPORT)
    assert response.context["exact"] is True
    assert "fewer than 5" not in response.text


def test_the_year_is_chosen_and_a_bad_one_is_explained(staff_client, analyst):
    client = staff_client(analyst)
    assert client.get(REPORT, {"year": "2020"}).context["year"] == FinancialYear(2020)
    response = client.get(REPORT, {"year": "later"}, follow=True)
    assert response.context["year"] == this_year()
    assert "There is no year called ‘later’" in response.text


def test_the_csv_download_is_audited(staff_client, analyst, liam, sp):
    closed_with_outcome(liam, sp)
    response = staff_client(analyst).get(REPORT_CSV, {"year": this_year().code})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"social-prescribing-outcomes-{this_year().code}.csv" in response["Content-Disposition"]
    assert "<5" in response.content.decode()
    event = AuditEvent.objects.get(action="export", object_type="casework.programmeoutcome")
    assert event.actor == analyst


def test_an_analyst_sees_the_report_but_not_episodes(staff_client, analyst, liam, sp):
    episode = closed_with_outcome(liam, sp)
    client = staff_client(analyst)
    assert client.get(REPORT).status_code == 200
    assert client.get(_url(episode)).status_code == 403
    assert client.get(reverse("casework:episode", kwargs={"pk": episode.pk})).status_code == 403


def test_the_report_takes_the_same_queries_for_3_or_30_people(
    staff_client, analyst, liam, sp, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            closed_with_outcome(liam, sp, gp_visits_before=i, gp_visits_after=1)

    add(3)
    client = staff_client(analyst)
    client.get(REPORT)
    with CaptureQueriesContext(connection) as few:
        assert client.get(REPORT).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(REPORT)
    assert response.status_code == 200
