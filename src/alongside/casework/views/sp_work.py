"""Appointments, welfare calls and the programme's outcome.

Who may use these pages:
- an episode's appointments: casework.view_episode (the episode must be visible, else 404);
  booking and changing them also need casework.add_appointment and a place in the team that
  holds the episode (else 403). "My appointments": casework.view_episode and
  casework.add_appointment.
- an episode's welfare call plans: casework.view_episode and casework.view_welfarecallplan;
  making and ending plans also need casework.add_welfarecallplan and a place in the team.
- the caller's list and recording a call: anyone signed in who holds
  casework.add_welfarecall or is the caller on a plan (else 403); only their own plans'
  calls (another caller's plan is a 404). They see the person's first name, phone number,
  the best time and the notes for the caller, nothing of the casework. Opening the list is
  audited, once for each person on it.
- the follow-up list: casework.view_welfarecall; escalated calls in episodes the user may see
  in their own teams. Marking one followed up needs a place in the team that holds it.
- an episode's outcome: casework.view_episode, for programmes with outcome measures only
  (others 404); recording it needs a place in the team. The outcome figures and their CSV:
  casework.view_casework_figures (managers see exact numbers; others and every CSV see 1 to
  4 as "fewer than 5"); each download is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.core.audit import audit_record
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required

from .. import outcomes_report, selectors
from .. import welfare_selectors as welfare
from ..forms.sp_work import (
    AppointmentForm,
    CallPlanEndForm,
    CallPlanForm,
    CallRecordForm,
    OutcomeForm,
    appointment_initial,
)
from ..models import Appointment, Episode, ProgrammeOutcome, WelfareCall, WelfareCallPlan
from ..programmes import casework_programme
from ..selectors import MANAGE_CASELOADS, VIEW_EPISODE, VIEW_FIGURES, WORK_ON_EPISODE
from ..services import appointments as appointment_services
from ..services import outcomes as outcome_services
from ..services import welfare as welfare_services
from ..services.episodes import workers_of
from .common import add_service_errors, episode_for, posted, render_episode

ADD_APPOINTMENT = appointment_services.ADD_APPOINTMENT
PAGE_SIZE = 50
UNRECORDED_SHOWN = 20
APPOINTMENT_TAGS = {
    Appointment.Status.BOOKED: "blue",
    Appointment.Status.ATTENDED: "green",
    Appointment.Status.DID_NOT_ATTEND: "orange",
    Appointment.Status.CANCELLED: "grey",
}
CALL_TAGS = {
    WelfareCall.Outcome.SPOKE: "green",
    WelfareCall.Outcome.NO_ANSWER: "orange",
    WelfareCall.Outcome.CONCERN: "red",
}
long_date = welfare_services.long_date


def _refuse_change(
    request: HttpRequest, episode: Episode, *, back_to: str, what: str
) -> HttpResponse | None:
    """A 403 for someone outside the team; a redirect (saying why) when the episode has
    closed; None when the change may go ahead."""
    if not selectors.can_work_on(user=request.user, episode=episode):
        raise PermissionDenied("Only the team working with this person can change this.")
    if not episode.is_open:
        messages.info(request, f"This person's support has closed, so {what} cannot change.")
        return redirect(back_to, pk=episode.pk)
    return None


def _tagged(calls: Any) -> list[WelfareCall]:
    """The calls with the colour of their outcome's tag."""
    calls = list(calls)
    for call in calls:
        call.tag_colour = CALL_TAGS.get(call.outcome, "grey")
    return calls


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- appointments -------------------------------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def appointment_list(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The episode's appointments: from today on, soonest first, then the earlier ones."""
    episode = episode_for(request, pk, section="appointments")
    upcoming, past = welfare.appointments_for_episode(episode=episode)
    now = timezone.now()
    for appointment in (*upcoming, *past):
        appointment.tag_colour = APPOINTMENT_TAGS.get(appointment.status, "grey")
        appointment.needs_recording = (
            appointment.status == Appointment.Status.BOOKED and appointment.starts_at < now
        )
    can_book = (
        episode.is_open
        and request.user.has_perm(ADD_APPOINTMENT)
        and selectors.can_work_on(user=request.user, episode=episode)
    )
    return render_episode(
        request,
        episode,
        "casework/appointments.html",
        section="appointments",
        context={
            "upcoming": upcoming,
            "past": past,
            "can_book": can_book,
        },
    )


def _default_worker(request: HttpRequest, episode: Episode, workers: list[Any]) -> str:
    if request.user in workers:
        return str(request.user.pk)
    return str(episode.worker_id or "")


@staff_required(VIEW_EPISODE, ADD_APPOINTMENT)
@never_cache
def appointment_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Book an appointment: when, how long, where, and who will meet the person."""
    episode = episode_for(request, pk, section="appointments")
    if refused := _refuse_change(
        request, episode, back_to="casework:appointments", what="appointments"
    ):
        return refused
    workers = workers_of(episode.team)
    form = AppointmentForm(
        posted(request),
        workers=workers,
        initial={
            "minutes": 45,
            "worker": _default_worker(request, episode, workers),
            "day": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            booked = appointment_services.appointment_book(
                actor=request.user, episode=episode, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="day")
        else:
            when = timezone.localtime(booked.starts_at)
            messages.success(
                request, f"The appointment on {long_date(when.date())} has been booked."
            )
            return redirect("casework:appointments", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/appointment_form.html",
        section="appointments",
        context={"form": form, "adding": True},
    )


@staff_required(VIEW_EPISODE, ADD_APPOINTMENT)
@never_cache
def appointment_update(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Record whether the person came (or that it was cancelled), or change the booking."""
    episode = episode_for(request, pk, section="appointments")
    appointment = welfare.appointment_for_episode(episode=episode, pk=item_pk)
    if refused := _refuse_change(
        request, episode, back_to="casework:appointments", what="appointments"
    ):
        return refused
    workers = workers_of(episode.team)
    if appointment.worker not in workers:
        workers = [appointment.worker, *workers]
    form = AppointmentForm(
        posted(request),
        workers=workers,
        with_status=True,
        initial=appointment_initial(appointment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment_services.appointment_update(
                actor=request.user, appointment=appointment, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="status")
        else:
            messages.success(request, "The appointment has been saved.")
            return redirect("casework:appointments", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/appointment_form.html",
        section="appointments",
        context={"form": form, "appointment": appointment, "adding": False},
    )


@staff_required(VIEW_EPISODE, ADD_APPOINTMENT)
@never_cache
def my_appointments(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's booked appointments from today on, across the people they
    support, and earlier ones still waiting for what happened. Audited: it names people."""
    page, pagination = paginate(
        request, welfare.upcoming_appointments_for_user(user=request.user), PAGE_SIZE
    )
    unrecorded = list(
        welfare.unrecorded_appointments_for_user(user=request.user)[:UNRECORDED_SHOWN]
    )
    audit_record(
        actor=request.user,
        action="view",
        object_type="casework.appointment",
        object_label="My appointments",
        reason=f"Opened their list of appointments (page {page.number})",
    )
    return render(
        request,
        "casework/appointments_mine.html",
        {"page": page, "pagination": pagination, "unrecorded": unrecorded},
    )


# --- welfare call plans -------------------------------------------------------------------------


@staff_required(VIEW_EPISODE, welfare.VIEW_PLAN)
@never_cache
def call_plans(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The episode's welfare call plans, and its recent calls with their outcomes and any
    worries, with escalated calls still to follow up first."""
    episode = episode_for(request, pk, section="calls")
    can_work = selectors.can_work_on(user=request.user, episode=episode)
    today = timezone.localdate()
    plans = []
    for plan in welfare.plans_for_episode(episode=episode):
        plan.weekday_name = (
            welfare_services.WEEKDAYS[plan.weekday] if plan.weekday is not None else ""
        )
        plans.append({"plan": plan, "current": plan.ends_on is None or plan.ends_on >= today})
    calls = _tagged(welfare.recent_calls_for_episode(episode=episode))
    return render_episode(
        request,
        episode,
        "casework/call_plans.html",
        section="calls",
        context={
            "plans": plans,
            "calls": calls,
            "to_follow_up": [c for c in calls if c.escalated_at and not c.followed_up_at],
            "can_plan": episode.is_open and can_work and request.user.has_perm(welfare.ADD_PLAN),
            "can_follow_up": can_work,
            "missed_note": welfare_services.MISSED_NOTE,
        },
    )


@staff_required(VIEW_EPISODE, welfare.ADD_PLAN)
@never_cache
def call_plan_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Plan regular welfare calls to the person."""
    episode = episode_for(request, pk, section="calls")
    if refused := _refuse_change(
        request, episode, back_to="casework:call-plans", what="its welfare calls"
    ):
        return refused
    form = CallPlanForm(
        posted(request),
        callers=list(welfare.caller_choices(episode=episode)),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            welfare_services.call_plan_create(actor=request.user, episode=episode, **form.values())
        except ValidationError as error:
            add_service_errors(form, error, fallback="caller")
        else:
            messages.success(request, "The welfare call plan has been saved.")
            return redirect("casework:call-plans", pk=episode.pk)
    return render_episode(
        request, episode, "casework/call_plan_form.html", section="calls", context={"form": form}
    )


@staff_required(VIEW_EPISODE, welfare.ADD_PLAN)
@never_cache
def call_plan_end(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """End a plan by giving the day of its last call."""
    episode = episode_for(request, pk, section="calls")
    plan = get_object_or_404(
        WelfareCallPlan.objects.select_related("caller"), pk=item_pk, episode=episode
    )
    plan.episode = episode
    if refused := _refuse_change(
        request, episode, back_to="casework:call-plans", what="its welfare calls"
    ):
        return refused
    today = timezone.localdate()
    if plan.ends_on is not None and plan.ends_on < today:
        messages.info(request, f"These calls ended on {long_date(plan.ends_on)}.")
        return redirect("casework:call-plans", pk=episode.pk)
    form = CallPlanEndForm(posted(request), initial={"ends_on": max(today, plan.starts_on)})
    if request.method == "POST" and form.is_valid():
        try:
            welfare_services.call_plan_end(
                actor=request.user, plan=plan, ends_on=form.cleaned_data["ends_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="ends_on")
        else:
            messages.success(
                request,
                f"The calls by {plan.caller.full_name} will end after "
                f"{long_date(form.cleaned_data['ends_on'])}.",
            )
            return redirect("casework:call-plans", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/call_plan_end.html",
        section="calls",
        context={"form": form, "plan": plan},
    )


# --- the caller's list --------------------------------------------------------------------------


def _check_caller(request: HttpRequest) -> None:
    if not welfare.may_use_call_list(request.user):
        raise PermissionDenied("You do not make welfare calls.")


@staff_required()
@never_cache
def calls_today(request: HttpRequest) -> HttpResponse:
    """The caller's calls due on a day (today unless they choose one of the 7 before), each
    with only what they need to make it. Audited: it shows phone numbers."""
    _check_caller(request)
    days = welfare.recordable_days()
    day = days[0]
    chosen = request.GET.get("day", "").strip()
    if chosen:
        try:
            day = dt.date.fromisoformat(chosen)
        except ValueError:
            day = None
        if day not in days:
            messages.error(
                request,
                f"You can see calls for today and the {welfare.DAYS_BACK} days before. "
                "Showing today's calls.",
            )
            day = days[0]
    entries = welfare.call_list_for_caller(user=request.user, day=day)
    welfare_services.call_list_view_record(actor=request.user, entries=entries, day=day)
    return render(
        request,
        "casework/calls_today.html",
        {
            "day": day,
            "days": days,
            "is_today": day == days[0],
            "to_call": [e for e in entries if not e.outcome],
            "done": [e for e in entries if e.outcome],
        },
    )


@staff_required()
@never_cache
def call_record(request: HttpRequest, plan_pk: UUID, day: str) -> HttpResponse:
    """Record a call on one of the caller's own plans, for a day it was due."""
    _check_caller(request)
    plan = welfare.plan_for_caller(user=request.user, pk=plan_pk)
    try:
        due_on = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("No such day") from None
    back = f"{reverse('casework:calls-today')}?day={due_on.isoformat()}"
    person = plan.episode.person
    name = person.preferred_name or person.given_name
    if due_on not in welfare.recordable_days():
        messages.error(
            request, f"You can record calls for today and the {welfare.DAYS_BACK} days before."
        )
        return redirect(reverse("casework:calls-today"))
    if not plan.episode.is_open or not welfare.is_due(plan, due_on):
        messages.error(request, f"No call to {name} was due on {long_date(due_on)}.")
        return redirect(back)
    existing = WelfareCall.objects.filter(plan=plan, due_on=due_on).first()
    if existing is not None and not welfare_services.is_missed_record(existing):
        messages.info(request, f"The call to {name} on {long_date(due_on)} is already recorded.")
        return redirect(back)
    form = CallRecordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            call = welfare_services.welfare_call_record(
                actor=request.user,
                plan=plan,
                due_on=due_on,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="outcome")
        else:
            told = " Their link worker has been told." if call.escalated_at else ""
            messages.success(request, f"The call to {name} has been saved.{told}")
            return redirect(back)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action="view",
            obj=plan,
            person_id=person.pk,
            reason=f"Opened a welfare call to record it ({long_date(due_on)})",
        )
    return render(
        request,
        "casework/call_record.html",
        {
            "form": form,
            "plan": plan,
            "person": person,
            "name": name,
            "due_on": due_on,
            "back": back,
            "late_over_missed": existing is not None,
        },
    )


# --- the follow-up list -------------------------------------------------------------------------


@staff_required(welfare.VIEW_CALL)
@never_cache
def calls_follow_up(request: HttpRequest) -> HttpResponse:
    """Escalated calls to follow up in the user's teams (oldest first) and, from the cut-off
    hour, today's calls with nothing recorded. Audited: it names people."""
    page, pagination = paginate(request, welfare.follow_up_for_user(user=request.user), PAGE_SIZE)
    page.object_list = _tagged(page.object_list)
    missed = welfare.missed_today_for_user(user=request.user)
    audit_record(
        actor=request.user,
        action="view",
        object_type="casework.welfarecall",
        object_label="Welfare calls to follow up",
        reason=f"Opened the welfare calls to follow up (page {page.number})",
    )
    return render(
        request,
        "casework/calls_follow_up.html",
        {
            "page": page,
            "pagination": pagination,
            "missed": missed,
            "cutoff": welfare.cutoff_hour(),
            "can_follow_up": request.user.has_perm(WORK_ON_EPISODE),
            "missed_note": welfare_services.MISSED_NOTE,
        },
    )


@staff_required(welfare.VIEW_CALL)
@require_POST
def call_followed_up(request: HttpRequest, call_pk: UUID) -> HttpResponse:
    """Mark an escalated call as followed up; back to the follow-up list, or to the
    episode's calls when asked from there."""
    call = welfare.follow_up_call_for_user(user=request.user, pk=call_pk)
    try:
        welfare_services.welfare_call_followed_up(actor=request.user, call=call)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        person = call.plan.episode.person
        messages.success(
            request,
            f"The call to {person.display_name} on {long_date(call.due_on)} "
            "is marked as followed up.",
        )
    if request.POST.get("back") == "plans":
        return redirect("casework:call-plans", pk=call.plan.episode_id)
    return redirect("casework:calls-follow-up")


# --- the programme's outcome --------------------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def outcome(request: HttpRequest, pk: UUID) -> HttpResponse:
    """What the person says about the support, recorded or changed before closing; read
    only once the episode has closed or for those outside the team."""
    episode = episode_for(request, pk, section="outcome")
    if not casework_programme(episode.programme_id).outcome_measures:
        raise Http404("This programme does not record these outcomes")
    recorded = ProgrammeOutcome.objects.filter(episode=episode).first()
    can_change = episode.is_open and selectors.can_work_on(user=request.user, episode=episode)
    if request.method == "POST" and (
        refused := _refuse_change(request, episode, back_to="casework:outcome", what="its outcome")
    ):
        return refused
    initial = (
        {name: getattr(recorded, name) for name in outcome_services.OUTCOME_FIELDS}
        if recorded
        else {}
    )
    form = OutcomeForm(posted(request), initial=initial) if can_change else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            outcome_services.outcome_save(actor=request.user, episode=episode, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, fallback="goals_achieved")
        else:
            messages.success(request, "The outcome has been saved.")
            return redirect("casework:outcome", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/outcome.html",
        section="outcome",
        context={"form": form, "outcome": recorded, "can_change": can_change},
    )


# --- the outcome figures ------------------------------------------------------------------------


def _year_choice(
    request: HttpRequest, *, say: bool
) -> tuple[outcomes_report.FinancialYear, list[outcomes_report.FinancialYear]]:
    """The financial year asked for; this one when none is asked for, or (with a message
    when `say`) when what was asked is not a year."""
    today = timezone.localdate()
    current = outcomes_report.FinancialYear.containing(today)
    text = request.GET.get("year", "").strip()
    year = outcomes_report.FinancialYear.parse(text) if text else current
    if year is None:
        year = current
        if say:
            messages.error(
                request, f"There is no year called ‘{text[:20]}’. Showing {current.label}."
            )
    years = outcomes_report.recent_years(today)
    if year not in years:
        years.append(year)
    return year, years


@staff_required(VIEW_FIGURES)
@never_cache
def sp_outcomes(request: HttpRequest) -> HttpResponse:
    """Social prescribing's outcome figures for a financial year: counts only, GP visits
    paired per person."""
    year, years = _year_choice(request, say=True)
    exact = request.user.has_perm(MANAGE_CASELOADS)
    tables = outcomes_report.outcome_figures(year=year)
    return render(
        request,
        "casework/outcomes_report.html",
        {
            "year": year,
            "years": years,
            "exact": exact,
            "tables": [{"table": t, "rows": t.cells(exact=exact)} for t in tables],
        },
    )


@staff_required(VIEW_FIGURES)
@never_cache
def sp_outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV, small numbers always hidden; each download is audited."""
    year, _ = _year_choice(request, say=False)
    content = outcomes_report.outcomes_export(actor=request.user, year=year)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"social-prescribing-outcomes-{year.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EPISODE = "episodes/<uuid:pk>/"
urlpatterns = [
    path(f"{EPISODE}appointments/", appointment_list, name="appointments"),
    path(f"{EPISODE}appointments/add/", appointment_add, name="appointment-add"),
    path(f"{EPISODE}appointments/<uuid:item_pk>/", appointment_update, name="appointment-update"),
    path("appointments/", my_appointments, name="my-appointments"),
    path(f"{EPISODE}calls/", call_plans, name="call-plans"),
    path(f"{EPISODE}calls/add/", call_plan_add, name="call-plan-add"),
    path(f"{EPISODE}calls/<uuid:item_pk>/end/", call_plan_end, name="call-plan-end"),
    path("calls/", calls_today, name="calls-today"),
    path("calls/follow-up/", calls_follow_up, name="calls-follow-up"),
    # before call-record, whose second part would otherwise take "followed-up" as a day
    path("calls/<uuid:call_pk>/followed-up/", call_followed_up, name="call-followed-up"),
    path("calls/<uuid:plan_pk>/<str:day>/", call_record, name="call-record"),
    path(f"{EPISODE}outcome/", outcome, name="outcome"),
    path("outcomes/", sp_outcomes, name="sp-outcomes"),
    path("outcomes.csv", sp_outcomes_csv, name="sp-outcomes-csv"),
]
