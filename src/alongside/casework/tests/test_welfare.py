"""Welfare calls: plans, which calls are due, the caller's list (only what a caller needs),
recording calls, escalation to the worker the same day, missed calls, the follow-up list,
and who may use each."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Programme
from alongside.accounts.tests.factories import TeamFactory
from alongside.casework import welfare_selectors as welfare
from alongside.casework.models import Episode, WelfareCall, WelfareCallPlan
from alongside.casework.services.welfare import (
    ESCALATION_KIND,
    MISSED_NOTE,
    call_plan_create,
    call_plan_end,
    missed_calls_escalate,
    welfare_call_followed_up,
    welfare_call_record,
)
from alongside.casework.tasks import escalate_missed_calls
from alongside.core.models import AuditEvent
from alongside.notify.models import OutboxMessage
from alongside.people.tests.factories import PersonFactory, make_staff

from .factories import active_episode, sp_team, worker_without

pytestmark = pytest.mark.django_db

SP = "social_prescribing"
TODAY = timezone.localdate
WORRY = "She said she had not eaten since Tuesday"
CALLS = reverse("casework:calls-today")
FOLLOW_UP = reverse("casework:calls-follow-up")


@pytest.fixture
def sp(db):
    return sp_team("Link workers North")


@pytest.fixture
def liam(sp):
    """A link worker in the north team."""
    return make_staff(roles.LINK_WORKER, team=sp, full_name="Liam Linkworker")


@pytest.fixture
def sam(db):
    """A link worker in another social prescribing team."""
    return make_staff(roles.LINK_WORKER, team=sp_team("Link workers South"), full_name="Sam South")


@pytest.fixture
def wendy(db):
    """A volunteer welfare caller."""
    return make_staff(roles.WELFARE_CALLER, full_name="Wendy Caller")


@pytest.fixture
def walt(db):
    """Another volunteer welfare caller."""
    return make_staff(roles.WELFARE_CALLER, full_name="Walt Caller")


@pytest.fixture
def person(db):
    return PersonFactory(
        given_name="Margaret",
        preferred_name="Peggy",
        family_name="Oldfield",
        phone="01904 555 123",
    )


@pytest.fixture
def episode(liam, sp, person):
    """Liam supports Peggy (social prescribing)."""
    return active_episode(actor=liam, programme=SP, team=sp, person=person)


def make_plan(actor, episode, caller, *, starts_on=None, **values):
    """A plan made through the service; `starts_on` in the past is set afterwards (the
    service only plans from today)."""
    fields = {"frequency": "daily", "starts_on": TODAY(), "best_time": "Mornings"}
    fields.update(values)
    plan = call_plan_create(actor=actor, episode=episode, caller=caller, **fields)
    if starts_on is not None:
        WelfareCallPlan.objects.filter(pk=plan.pk).update(starts_on=starts_on)
        plan.refresh_from_db()
    return plan


@pytest.fixture
def plan(liam, episode, wendy):
    """Wendy phones Peggy every day, and has done for a fortnight."""
    return make_plan(
        liam,
        episode,
        wendy,
        starts_on=TODAY() - dt.timedelta(days=14),
        notes="Speak slowly; she is hard of hearing",
    )


def record(actor, plan, outcome="spoke", note="", due_on=None):
    return welfare_call_record(
        actor=actor, plan=plan, due_on=due_on or TODAY(), outcome=outcome, note=note
    )


def after_cutoff(settings):
    settings.CASEWORK_WELFARE_CUTOFF_HOUR = 0


def before_cutoff(settings):
    settings.CASEWORK_WELFARE_CUTOFF_HOUR = 24


def escalations():
    return OutboxMessage.objects.filter(kind=ESCALATION_KIND)


def title(response) -> str:
    return response.text.split("<title>", 1)[1].split("</title>", 1)[0].strip()


# --- which calls are due ------------------------------------------------------------------------

MONDAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "frequency, weekday, due_days",
    [
        ("daily", None, [0, 1, 2, 3, 4, 5, 6]),
        ("weekdays", None, [0, 1, 2, 3, 4]),
        ("weekly", 2, [2]),
    ],
)
def test_calls_are_due_by_frequency(frequency, weekday, due_days):
    plan = WelfareCallPlan(
        frequency=frequency, weekday=weekday, starts_on=MONDAY - dt.timedelta(days=7)
    )
    due = [n for n in range(7) if welfare.is_due(plan, MONDAY + dt.timedelta(days=n))]
    assert due == due_days


def test_calls_are_due_only_between_the_first_and_last_day():
    plan = WelfareCallPlan(frequency="daily", starts_on=MONDAY, ends_on=MONDAY)
    assert welfare.is_due(plan, MONDAY)
    assert not welfare.is_due(plan, MONDAY - dt.timedelta(days=1))
    assert not welfare.is_due(plan, MONDAY + dt.timedelta(days=1))


def test_the_database_agrees_on_which_plans_are_due(liam, sp, wendy):
    plans = {}
    for frequency, weekday in (("daily", None), ("weekdays", None), ("weekly", 2)):
        episode = active_episode(actor=liam, programme=SP, team=sp)
        plans[frequency] = make_plan(
            liam,
            episode,
            wendy,
            frequency=frequency,
            weekday=weekday,
            starts_on=MONDAY - dt.timedelta(days=7),
        )
    for n in range(7):
        day = MONDAY + dt.timedelta(days=n)
        found = set(welfare.plans_due(day=day))
        assert found == {p for p in plans.values() if welfare.is_due(p, day)}, day


def test_a_closed_episode_or_an_ended_plan_has_no_calls_due(plan, liam, episode, wendy):
    ended = make_plan(liam, episode, wendy, starts_on=TODAY() - dt.timedelta(days=5))
    WelfareCallPlan.objects.filter(pk=ended.pk).update(ends_on=TODAY() - dt.timedelta(days=1))
    assert list(welfare.plans_due(day=TODAY())) == [plan]
    Episode.objects.filter(pk=episode.pk).update(
        status="closed", closed_on=TODAY(), close_reason="goals_met"
    )
    assert not welfare.plans_due(day=TODAY()).exists()


# --- who may call -------------------------------------------------------------------------------


def test_callers_are_welfare_callers_the_team_and_volunteering_teams(episode, liam, wendy, sam):
    volunteers = TeamFactory(name="Volunteer centre")
    volunteers.programmes.add(Programme.objects.get(code=Programme.Code.VOLUNTEERING))
    vera = make_staff(roles.VOLUNTEER_COORDINATOR, team=volunteers, full_name="Vera Volunteers")
    gone = make_staff(roles.WELFARE_CALLER, full_name="Gone Caller", is_active=False)
    choices = set(welfare.caller_choices(episode=episode))
    assert {liam, wendy, vera} <= choices
    assert sam not in choices and gone not in choices


# --- plans --------------------------------------------------------------------------------------


def test_a_plan_is_made_and_audited(episode, liam, wendy):
    plan = make_plan(liam, episode, wendy, frequency="weekly", weekday=4, notes=" Ring twice ")
    assert (plan.caller, plan.weekday, plan.notes) == (wendy, 4, "Ring twice")
    assert AuditEvent.objects.filter(
        object_type="casework.welfarecallplan", action="create", person_id=episode.person_id
    ).exists()


@pytest.mark.parametrize(
    "values, field",
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "weekly"}, "weekday"),
        ({"starts_on": TODAY() - dt.timedelta(days=1)}, "starts_on"),
        ({"ends_on": TODAY() - dt.timedelta(days=1)}, "ends_on"),
    ],
)
def test_bad_plans_are_refused_and_change_nothing(episode, liam, wendy, values, field):
    fields = {"frequency": "daily", "starts_on": TODAY()}
    fields.update(values)
    with pytest.raises(ValidationError) as error:
        call_plan_create(actor=liam, episode=episode, caller=wendy, **fields)
    assert field in error.value.message_dict
    assert not WelfareCallPlan.objects.exists()


def test_the_caller_must_be_one_of_the_choices(episode, liam, sam):
    with pytest.raises(ValidationError) as error:
        make_plan(liam, episode, sam)
    assert "caller" in error.value.message_dict


def test_only_the_team_plans_calls(episode, sam, wendy):
    with pytest.raises(PermissionDenied):
        make_plan(sam, episode, wendy)


def test_planning_calls_needs_the_permission(york, lena, west, wendy):
    """Someone who works on the episode but holds no casework.add_welfarecallplan."""
    episode = active_episode(actor=lena, ward=york["Acomb"])
    with pytest.raises(PermissionDenied):
        make_plan(worker_without(west, "casework.add_welfarecallplan"), episode, wendy)


def test_a_plan_is_ended_from_today_on(plan, liam):
    with pytest.raises(ValidationError):
        call_plan_end(actor=liam, plan=plan, ends_on=TODAY() - dt.timedelta(days=1))
    call_plan_end(actor=liam, plan=plan, ends_on=TODAY())
    plan.refresh_from_db()
    assert plan.ends_on == TODAY()
    assert not welfare.is_due(plan, TODAY() + dt.timedelta(days=1))


# --- recording calls and escalating -------------------------------------------------------------


def test_speaking_to_them_is_recorded_and_escalates_nothing(plan, wendy):
    call = record(wendy, plan)
    assert (call.outcome, call.caller, call.escalated_at) == ("spoke", wendy, None)
    assert not escalations().exists()
    assert AuditEvent.objects.filter(object_type="casework.welfarecall", action="create").exists()


def test_no_answer_emails_the_worker_at_once(plan, wendy, liam):
    call = record(wendy, plan, outcome="no_answer")
    assert call.escalated_at is not None
    message = escalations().get()
    assert message.to == liam.email
    assert message.body.startswith("A welfare call to Peggy needs you today: no answer. Open ")
    assert reverse("casework:call-plans", kwargs={"pk": plan.episode_id}) in message.body
    assert "Oldfield" not in message.body


def test_a_worry_needs_a_note_which_never_goes_in_the_email(plan, wendy):
    with pytest.raises(ValidationError) as error:
        record(wendy, plan, outcome="concern", note="  ")
    assert error.value.message_dict["note"] == ["Say what worried you"]
    assert not WelfareCall.objects.exists()
    record(wendy, plan, outcome="concern", note=WORRY)
    message = escalations().get()
    assert "the caller is worried" in message.body
    assert WORRY not in message.body


def test_the_team_is_emailed_when_nobody_is_assigned(plan, wendy, sp):
    sp.email = "north@example.org"
    sp.save()
    Episode.objects.filter(pk=plan.episode_id).update(worker=None)
    record(wendy, plan, outcome="no_answer")
    assert escalations().get().to == "north@example.org"


def test_only_the_plans_caller_records_its_calls(plan, walt, liam):
    for someone in (walt, liam):
        with pytest.raises(PermissionDenied):
            record(someone, plan)


@pytest.mark.parametrize("days_ago", [8, -1])
def test_calls_are_recorded_for_today_and_the_7_days_before(plan, wendy, days_ago):
    with pytest.raises(ValidationError) as error:
        record(wendy, plan, due_on=TODAY() - dt.timedelta(days=days_ago))
    assert "due_on" in error.value.message_dict
    record(wendy, plan, due_on=TODAY() - dt.timedelta(days=7))


def test_a_call_is_recorded_once_a_day(plan, wendy):
    record(wendy, plan)
    with pytest.raises(ValidationError) as error:
        record(wendy, plan, outcome="no_answer")
    assert "already been recorded" in error.value.message_dict["due_on"][0]
    assert WelfareCall.objects.get().outcome == "spoke"


def test_a_call_not_due_that_day_is_refused(liam, episode, wendy):
    weekly = make_plan(
        liam,
        episode,
        wendy,
        frequency="weekly",
        weekday=(TODAY().weekday() + 1) % 7,
        starts_on=TODAY() - dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as error:
        record(wendy, weekly)
    assert "No call was due" in error.value.message_dict["due_on"][0]


# --- following up -------------------------------------------------------------------------------


def test_the_team_marks_an_escalated_call_followed_up(plan, wendy, liam):
    call = record(wendy, plan, outcome="no_answer")
    welfare_call_followed_up(actor=liam, call=call)
    call.refresh_from_db()
    assert call.followed_up_by == liam
    assert not welfare.follow_up_for_user(user=liam).exists()
    with pytest.raises(ValidationError):
        welfare_call_followed_up(actor=liam, call=call)


def test_only_the_team_follows_up(plan, wendy, sam):
    call = record(wendy, plan, outcome="no_answer")
    with pytest.raises(PermissionDenied):
        welfare_call_followed_up(actor=sam, call=call)
    with pytest.raises(PermissionDenied):
        welfare_call_followed_up(actor=wendy, call=call)


def test_a_call_that_went_well_needs_no_follow_up(plan, wendy, liam):
    call = record(wendy, plan)
    with pytest.raises(ValidationError):
        welfare_call_followed_up(actor=liam, call=call)


# --- missed calls -------------------------------------------------------------------------------


def test_missed_calls_are_recorded_and_emailed_once(plan, settings, liam, wendy, sp):
    after_cutoff(settings)
    other = make_plan(liam, active_episode(actor=liam, programme=SP, team=sp), wendy)
    record(wendy, other)
    assert missed_calls_escalate(day=TODAY()) == 1
    call = WelfareCall.objects.get(plan=plan)
    assert (call.outcome, call.note, call.created_by) == ("no_answer", MISSED_NOTE, None)
    assert call.escalated_at is not None
    message = escalations().get()
    assert "no call was recorded" in message.body
    assert missed_calls_escalate(day=TODAY()) == 0
    assert escalations().count() == 1


def test_before_the_cutoff_nothing_is_missed_yet(plan, settings):
    before_cutoff(settings)
    assert missed_calls_escalate(day=TODAY()) == 0
    assert not WelfareCall.objects.exists()
    assert missed_calls_escalate(day=TODAY() - dt.timedelta(days=1)) == 1


def test_a_future_day_is_refused(plan):
    with pytest.raises(ValidationError):
        missed_calls_escalate(day=TODAY() + dt.timedelta(days=1))


def test_a_late_call_replaces_the_missed_record(plan, settings, wendy):
    after_cutoff(settings)
    missed_calls_escalate(day=TODAY())
    record(wendy, plan, outcome="spoke", note="Rang at 8pm, all well")
    call = WelfareCall.objects.get()
    assert (call.outcome, call.created_by) == ("spoke", wendy)
    assert escalations().count() == 1  # a late "all well" is no news
    assert welfare.follow_up_for_user(user=plan.episode.worker).exists()


def test_a_late_worry_over_a_missed_record_emails_again(plan, settings, wendy):
    after_cutoff(settings)
    missed_calls_escalate(day=TODAY())
    record(wendy, plan, outcome="concern", note=WORRY)
    assert escalations().count() == 2


def test_the_task_and_the_command_escalate_missed_calls(plan, settings):
    after_cutoff(settings)
    assert escalate_missed_calls.enqueue(TODAY().isoformat()).return_value == 1
    WelfareCall.objects.filter(plan=plan).delete()
    out = StringIO()
    call_command("welfare_escalate", stdout=out)
    assert "1 missed call was escalated" in out.getvalue()
    out = StringIO()
    call_command("welfare_escalate", stdout=out)
    assert "0 missed calls were escalated" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("welfare_escalate", day="yesterday")
    with pytest.raises(CommandError):
        call_command("welfare_escalate", day=(TODAY() + dt.timedelta(days=1)).isoformat())


# --- the caller's list --------------------------------------------------------------------------


def test_calls_today_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(CALLS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_calls_today_needs_the_role_or_a_plan(staff_client, lena, analyst):
    assert staff_client(lena).get(CALLS).status_code == 403
    assert staff_client(analyst).get(CALLS).status_code == 403


def test_a_caller_sees_only_what_they_need(staff_client, plan, wendy, episode):
    person = episode.person
    person.do_not_phone = True
    person.save()
    response = staff_client(wendy).get(CALLS)
    assert response.status_code == 200
    html = response.text
    assert "Peggy" in html and "01904 555 123" in html
    assert "Speak slowly; she is hard of hearing" in html and "Mornings" in html
    assert "has asked not to be phoned" in html
    for hidden in ("Oldfield", "Margaret", "Liam", "Link workers North", str(episode.pk)):
        assert hidden not in html
    event = AuditEvent.objects.get(object_type="casework.welfarecallplan", action="view")
    assert (event.person_id, event.actor) == (person.pk, wendy)


def test_a_caller_sees_only_their_own_calls(staff_client, plan, walt):
    response = staff_client(walt).get(CALLS)
    assert response.status_code == 200
    assert "Peggy" not in response.text
    assert "You have no calls due on this day" in response.text


def test_staff_who_are_callers_use_the_list(staff_client, liam, episode):
    """Link workers hold no casework.add_welfarecall, but may be a plan's caller."""
    assert staff_client(liam).get(CALLS).status_code == 403
    make_plan(liam, episode, liam)
    assert "Peggy" in staff_client(liam).get(CALLS).text


def test_recorded_calls_move_to_the_recorded_table(staff_client, plan, wendy):
    record(wendy, plan, outcome="no_answer")
    html = staff_client(wendy).get(CALLS).text
    assert "You have recorded every call for this day" in html
    assert "Recorded (1)" in html


def test_the_caller_may_look_back_7_days(staff_client, plan, wendy):
    client = staff_client(wendy)
    week_ago = (TODAY() - dt.timedelta(days=7)).isoformat()
    response = client.get(CALLS, {"day": week_ago})
    assert response.context["day"].isoformat() == week_ago
    assert reverse("casework:call-record", kwargs={"plan_pk": plan.pk, "day": week_ago}) in (
        response.text
    )
    for bad in ("2001-01-01", "soon", (TODAY() + dt.timedelta(days=1)).isoformat()):
        response = client.get(CALLS, {"day": bad}, follow=True)
        assert response.context["day"] == TODAY()
        assert "You can see calls for today and the 7 days before" in response.text


def test_the_call_list_takes_the_same_queries_for_3_or_30_plans(
    staff_client, liam, sp, wendy, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            make_plan(liam, active_episode(actor=liam, programme=SP, team=sp), wendy)

    add(3)
    client = staff_client(wendy)
    client.get(CALLS)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CALLS).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(CALLS)
    assert "To call (30)" in response.text


# --- recording a call through the form ----------------------------------------------------------


def _record_url(plan, day=None):
    return reverse(
        "casework:call-record", kwargs={"plan_pk": plan.pk, "day": (day or TODAY()).isoformat()}
    )


def test_call_record_anonymous_people_are_sent_to_sign_in(client, plan):
    response = client.get(_record_url(plan))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_another_callers_plan_is_a_404(staff_client, plan, walt):
    assert staff_client(walt).get(_record_url(plan)).status_code == 404


def test_a_day_that_is_not_a_date_is_a_404(staff_client, plan, wendy):
    url = reverse("casework:call-record", kwargs={"plan_pk": plan.pk, "day": "tuesday"})
    assert staff_client(wendy).get(url).status_code == 404


def test_recording_a_no_answer_through_the_form(staff_client, plan, wendy, liam):
    client = staff_client(wendy)
    page = client.get(_record_url(plan))
    assert page.status_code == 200
    assert "Call to Peggy" in page.text and "Oldfield" not in page.text
    response = client.post(_record_url(plan), {"outcome": "no_answer", "note": ""}, follow=True)
    assert "Their link worker has been told" in response.text
    assert WelfareCall.objects.get().outcome == "no_answer"
    assert escalations().get().to == liam.email


def test_a_worry_without_a_note_re_renders_and_saves_nothing(staff_client, plan, wendy):
    response = staff_client(wendy).post(_record_url(plan), {"outcome": "concern", "note": ""})
    assert response.status_code == 200
    assert "Say what worried you" in response.text
    assert title(response).startswith("Error: ")
    assert not WelfareCall.objects.exists()


def test_an_already_recorded_call_goes_back_to_the_list(staff_client, plan, wendy):
    record(wendy, plan)
    response = staff_client(wendy).get(_record_url(plan), follow=True)
    assert "is already recorded" in response.text
    assert WelfareCall.objects.count() == 1


def test_a_day_without_a_call_goes_back_to_the_list(staff_client, plan, wendy):
    early = TODAY() - dt.timedelta(days=30)
    response = staff_client(wendy).get(_record_url(plan, early), follow=True)
    assert "You can record calls for today and the 7 days before" in response.text


# --- a welfare caller and the episode pages -----------------------------------------------------


def test_a_welfare_caller_cannot_open_episodes(staff_client, plan, wendy):
    client = staff_client(wendy)
    for name in ("casework:episode", "casework:call-plans", "casework:timeline"):
        assert client.get(reverse(name, kwargs={"pk": plan.episode_id})).status_code == 403


# --- the episode's plans ------------------------------------------------------------------------


def _plans_url(episode, name="casework:call-plans", **kwargs):
    return reverse(name, kwargs={"pk": episode.pk, **kwargs})


def test_call_plans_anonymous_people_are_sent_to_sign_in(client, episode):
    response = client.get(_plans_url(episode))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("role", [roles.ANALYST, roles.HEALTH_REFERRER])
def test_call_plans_other_roles_are_refused(staff_client, episode, role):
    assert staff_client(make_staff(role)).get(_plans_url(episode)).status_code == 403


def test_call_plans_of_another_team_are_a_404(staff_client, episode, sam):
    client = staff_client(sam)
    assert client.get(_plans_url(episode)).status_code == 404
    assert client.get(_plans_url(episode, "casework:call-plan-add")).status_code == 404


def test_the_plans_page_shows_plans_calls_and_worries(staff_client, plan, wendy, liam):
    record(wendy, plan, outcome="concern", note=WORRY)
    record(wendy, plan, due_on=TODAY() - dt.timedelta(days=1))
    response = staff_client(liam).get(_plans_url(plan.episode))
    assert response.status_code == 200
    html = response.text
    assert "Wendy Caller" in html and "Every day" in html
    assert WORRY in html
    assert "1 call to follow up" in html
    assert "Mark as followed up" in html


def test_making_a_plan_through_the_form(staff_client, episode, liam, wendy):
    today = TODAY()
    data = {
        "caller": str(wendy.pk),
        "frequency": "weekly",
        "weekday": "3",
        "best_time": "After lunch",
        "starts_on_0": str(today.day),
        "starts_on_1": str(today.month),
        "starts_on_2": str(today.year),
        "notes": "",
    }
    response = staff_client(liam).post(_plans_url(episode, "casework:call-plan-add"), data)
    assert response.status_code == 302
    plan = WelfareCallPlan.objects.get()
    assert (plan.caller, plan.frequency, plan.weekday, plan.ends_on) == (wendy, "weekly", 3, None)


def test_a_weekly_plan_without_a_day_re_renders(staff_client, episode, liam, wendy):
    today = TODAY()
    data = {
        "caller": str(wendy.pk),
        "frequency": "weekly",
        "weekday": "",
        "best_time": "Kept as typed",
        "starts_on_0": str(today.day),
        "starts_on_1": str(today.month),
        "starts_on_2": str(today.year),
    }
    response = staff_client(liam).post(_plans_url(episode, "casework:call-plan-add"), data)
    assert response.status_code == 200
    assert "Choose the day of the week to call" in response.text
    assert "Kept as typed" in response.text
    assert not WelfareCallPlan.objects.exists()


def test_without_the_permissions_calls_cannot_be_planned(staff_client, york, lena, west):
    episode = active_episode(actor=lena, ward=york["Acomb"])
    client = staff_client(
        worker_without(west, "casework.view_welfarecallplan", "casework.add_welfarecallplan")
    )
    assert client.get(_plans_url(episode)).status_code == 403
    assert client.get(_plans_url(episode, "casework:call-plan-add")).status_code == 403


def test_ending_a_plan_through_the_form(staff_client, plan, liam):
    today = TODAY()
    url = _plans_url(plan.episode, "casework:call-plan-end", item_pk=plan.pk)
    client = staff_client(liam)
    assert client.get(url).status_code == 200
    data = {
        "ends_on_0": str(today.day),
        "ends_on_1": str(today.month),
        "ends_on_2": str(today.year),
    }
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.ends_on == today


def test_the_plans_page_takes_the_same_queries_for_3_or_30_plans(
    staff_client, episode, liam, wendy
):
    def add(n):
        for _ in range(n):
            plan = make_plan(liam, episode, wendy, starts_on=TODAY() - dt.timedelta(days=3))
            record(wendy, plan, outcome="no_answer")

    add(3)
    client = staff_client(liam)
    url = _plans_url(episode)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- the follow-up list -------------------------------------------------------------------------


def test_follow_up_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(FOLLOW_UP)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_follow_up_needs_the_permission(staff_client, wendy, west, analyst):
    for someone in (wendy, worker_without(west, "casework.view_welfarecall"), analyst):
        assert staff_client(someone).get(FOLLOW_UP).status_code == 403


def test_follow_up_shows_escalated_calls_of_my_teams(staff_client, plan, wendy, liam, sam):
    record(wendy, plan, outcome="concern", note=WORRY)
    record(wendy, plan, due_on=TODAY() - dt.timedelta(days=1))
    response = staff_client(liam).get(FOLLOW_UP)
    assert response.status_code == 200
    assert "1 call to follow up" in response.text
    assert "Peggy Oldfield" in response.text
    assert WORRY not in response.text
    assert AuditEvent.objects.filter(object_label="Welfare calls to follow up").exists()
    assert "Peggy" not in staff_client(sam).get(FOLLOW_UP).text


def test_todays_missed_calls_show_from_the_cutoff(staff_client, plan, liam, settings):
    before_cutoff(settings)
    assert "Not recorded today" not in staff_client(liam).get(FOLLOW_UP).text
    after_cutoff(settings)
    html = staff_client(liam).get(FOLLOW_UP).text
    assert "Not recorded today (1)" in html
    assert "No call recorded by 0:00" in html


def test_marking_followed_up_takes_the_call_off_the_list(staff_client, plan, wendy, liam):
    call = record(wendy, plan, outcome="no_answer")
    url = reverse("casework:call-followed-up", kwargs={"call_pk": call.pk})
    client = staff_client(liam)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "is marked as followed up" in response.text
    assert "There are no welfare calls for you to follow up" in response.text
    call.refresh_from_db()
    assert call.followed_up_by == liam


def test_following_up_from_the_plans_page_goes_back_there(staff_client, plan, wendy, liam):
    call = record(wendy, plan, outcome="no_answer")
    url = reverse("casework:call-followed-up", kwargs={"call_pk": call.pk})
    response = staff_client(liam).post(url, {"back": "plans"})
    assert response.url == _plans_url(plan.episode)


def test_another_teams_call_is_a_404(staff_client, plan, wendy, sam):
    call = record(wendy, plan, outcome="no_answer")
    url = reverse("casework:call-followed-up", kwargs={"call_pk": call.pk})
    assert staff_client(sam).post(url).status_code == 404
    call.refresh_from_db()
    assert call.followed_up_at is None


def test_the_follow_up_list_takes_the_same_queries_for_3_or_30(
    staff_client, liam, sp, wendy, settings, django_assert_max_num_queries
):
    after_cutoff(settings)

    def add(n):
        for _ in range(n):
            episode = active_episode(actor=liam, programme=SP, team=sp)
            record(wendy, make_plan(liam, episode, wendy), outcome="no_answer")
            make_plan(liam, episode, wendy)  # and one missed today

    add(3)
    client = staff_client(liam)
    client.get(FOLLOW_UP)
    with CaptureQueriesContext(connection) as few:
        assert client.get(FOLLOW_UP).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(FOLLOW_UP)
    assert "30 calls to follow up" in response.text
    assert "Not recorded today (30)" in response.text
