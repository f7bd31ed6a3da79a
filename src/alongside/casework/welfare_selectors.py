"""Reads for the day-to-day work with a person in social prescribing (and any casework
programme): appointments and welfare calls.

Which calls are due: a plan's call is due on a day from its first day to its last (if it
has one), every day for a daily plan, Monday to Friday for a weekday plan, and on its day
of the week for a weekly plan; never once the episode has closed or the person's record is
archived. A due call not recorded by the end of the day is missed: the follow-up list shows
today's as they stand from CASEWORK_WELFARE_CUTOFF_HOUR (default 18:00), and the nightly
task records them (services/welfare.py).

Who sees what:
- a caller sees only their own plans' calls, and of each only what a caller needs: the
  person's preferred or first name, phone number, whether they must not be phoned, the best
  time and the notes for the caller; nothing of their casework;
- workers see the plans, calls and appointments of episodes they may see (selectors.py);
- the follow-up list shows escalated calls, not yet followed up, of episodes the user may
  see in the teams they belong to.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Membership, Programme, User

from .models import Appointment, Episode, WelfareCall, WelfareCallPlan
from .selectors import team_ids_for_user, visible_episodes

VIEW_PLAN = "casework.view_welfarecallplan"
ADD_PLAN = "casework.add_welfarecallplan"
VIEW_CALL = "casework.view_welfarecall"
RECORD_CALL = "casework.add_welfarecall"
DAYS_BACK = 7  # a caller may record calls for today and the 7 days before
DEFAULT_CUTOFF_HOUR = 18
F = WelfareCallPlan.Frequency


def cutoff_hour() -> int:
    """The hour of the day from which a due call with nothing recorded counts as missed."""
    return int(getattr(settings, "CASEWORK_WELFARE_CUTOFF_HOUR", DEFAULT_CUTOFF_HOUR))


def past_cutoff(now: dt.datetime | None = None) -> bool:
    return timezone.localtime(now or timezone.now()).hour >= cutoff_hour()


def recordable_days(today: dt.date | None = None) -> list[dt.date]:
    """The days a caller may record calls for: today first, then the 7 days before."""
    today = today or timezone.localdate()
    return [today - dt.timedelta(days=n) for n in range(DAYS_BACK + 1)]


# --- which calls are due ------------------------------------------------------------------------


def is_due(plan: WelfareCallPlan, day: dt.date) -> bool:
    """Whether the plan has a call due on the day (its episode's state aside). A plan of an
    unknown frequency is never due."""
    if day < plan.starts_on or (plan.ends_on is not None and day > plan.ends_on):
        return False
    if plan.frequency == F.DAILY:
        return True
    if plan.frequency == F.WEEKDAYS:
        return day.weekday() < 5
    return plan.frequency == F.WEEKLY and plan.weekday == day.weekday()


def _due_on(day: dt.date) -> Q:
    frequency = Q(frequency=F.DAILY) | Q(frequency=F.WEEKLY, weekday=day.weekday())
    if day.weekday() < 5:
        frequency |= Q(frequency=F.WEEKDAYS)
    return (
        Q(starts_on__lte=day)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        & frequency
        & ~Q(episode__status=Episode.Status.CLOSED)
        & Q(episode__person__archived_at__isnull=True)
    )


def plans_due(*, day: dt.date) -> QuerySet[WelfareCallPlan]:
    """Every plan with a call due on the day, recorded or not."""
    return WelfareCallPlan.objects.filter(_due_on(day))


def _recorded(day: dt.date) -> Exists:
    return Exists(WelfareCall.objects.filter(plan=OuterRef("pk"), due_on=day))


def calls_missing(*, day: dt.date) -> QuerySet[WelfareCallPlan]:
    """Plans with a call due on the day and nothing recorded for it."""
    return plans_due(day=day).exclude(_recorded(day))


# --- the caller's list --------------------------------------------------------------------------


@dataclass(frozen=True)
class CallListEntry:
    """One call on a caller's list: only what the caller needs to make it."""

    plan_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    phone: str
    do_not_phone: bool
    best_time: str
    notes: str
    outcome: str  # "" until recorded
    outcome_label: str


OUTCOME_LABELS = dict(WelfareCall.Outcome.choices)


def call_list_for_caller(*, user: Any, day: dt.date) -> list[CallListEntry]:
    """The calls due on the day on the user's own plans, by first name, each with the
    outcome when one is recorded. One query however many there are."""
    outcome = WelfareCall.objects.filter(plan=OuterRef("pk"), due_on=day).values("outcome")[:1]
    plans = (
        plans_due(day=day)
        .filter(caller=user)
        .annotate(outcome=Subquery(outcome))
        .select_related("episode__person")
        .only(
            "id",
            "best_time",
            "notes",
            "episode__id",
            "episode__person__id",
            "episode__person__given_name",
            "episode__person__preferred_name",
            "episode__person__phone",
            "episode__person__do_not_phone",
        )
    )
    entries = []
    for plan in plans:
        person = plan.episode.person
        entries.append(
            CallListEntry(
                plan_id=plan.pk,
                person_id=person.pk,
                name=person.preferred_name or person.given_name,
                phone=person.phone,
                do_not_phone=person.do_not_phone,
                best_time=plan.best_time,
                notes=plan.notes,
                outcome=plan.outcome or "",
                outcome_label=str(OUTCOME_LABELS.get(plan.outcome, "")) if plan.outcome else "",
            )
        )
    return sorted(entries, key=lambda e: (e.outcome != "", e.name.casefold(), str(e.plan_id)))


def is_caller(user: Any) -> bool:
    """Someone with a call plan of their own (staff may be callers without the role)."""
    return WelfareCallPlan.objects.filter(caller=user).exists()


def may_use_call_list(user: Any) -> bool:
    return user.has_perm(RECORD_CALL) or is_caller(user)


def plan_for_caller(*, user: Any, pk: Any) -> WelfareCallPlan:
    """One of the user's own plans, with the person (for their first name); else 404."""
    plan = (
        WelfareCallPlan.objects.filter(pk=pk, caller=user).select_related("episode__person").first()
    )
    if plan is None:
        raise Http404("No such call plan")
    return plan


# --- plans and calls of an episode --------------------------------------------------------------


def caller_choices(*, episode: Episode) -> QuerySet[User]:
    """Who may make an episode's welfare calls: anyone with the Welfare caller role, and
    staff in the episode's team or in an active team that does volunteering; active
    accounts only, by name."""
    volunteering = Membership.objects.filter(
        team__is_active=True, team__programmes=Programme.Code.VOLUNTEERING
    ).values("user_id")
    own_team = Membership.objects.filter(team_id=episode.team_id).values("user_id")
    welfare_callers = User.objects.filter(groups__name=roles.WELFARE_CALLER).values("pk")
    return User.objects.filter(
        Q(pk__in=welfare_callers) | Q(pk__in=own_team) | Q(pk__in=volunteering),
        is_active=True,
    ).order_by("full_name", "pk")


def plans_for_episode(*, episode: Episode) -> QuerySet[WelfareCallPlan]:
    """The episode's plans with their callers, newest first."""
    return episode.call_plans.select_related("caller").order_by("-starts_on", "-created_at")


def recent_calls_for_episode(*, episode: Episode, limit: int = 30) -> list[WelfareCall]:
    """The episode's latest calls, newest first, with who made and followed them up."""
    return list(
        WelfareCall.objects.filter(plan__episode=episode)
        .select_related("caller", "followed_up_by")
        .order_by("-due_on", "-called_at")[:limit]
    )


# --- the follow-up list -------------------------------------------------------------------------


def _team_episodes(user: Any) -> QuerySet[Episode]:
    return visible_episodes(user=user).filter(team_id__in=team_ids_for_user(user)).values("pk")


def follow_up_for_user(*, user: Any) -> QuerySet[WelfareCall]:
    """Escalated calls not yet followed up, in episodes the user may see in their own
    teams; oldest first."""
    return (
        WelfareCall.objects.filter(
            escalated_at__isnull=False,
            followed_up_at__isnull=True,
            plan__episode_id__in=_team_episodes(user),
        )
        .select_related("plan__episode__person", "plan__episode__worker", "caller")
        .order_by("due_on", "called_at")
    )


def missed_today_for_user(*, user: Any, now: dt.datetime | None = None) -> list[WelfareCallPlan]:
    """From the cut-off hour, today's due calls with nothing recorded yet, in episodes the
    user may see in their own teams; before it, none."""
    now = now or timezone.now()
    if not past_cutoff(now):
        return []
    return list(
        calls_missing(day=timezone.localdate(now))
        .filter(episode_id__in=_team_episodes(user))
        .select_related("episode__person", "episode__worker", "caller")
        .order_by("episode__person__given_name", "pk")
    )


def follow_up_call_for_user(*, user: Any, pk: Any) -> WelfareCall:
    """An escalated call in an episode the user may see in their own teams; else 404."""
    call = (
        WelfareCall.objects.filter(
            pk=pk, escalated_at__isnull=False, plan__episode_id__in=_team_episodes(user)
        )
        .select_related("plan__episode__person", "plan__episode__team")
        .first()
    )
    if call is None:
        raise Http404("No such call")
    return call


# --- appointments -------------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def appointments_for_episode(
    *, episode: Episode, today: dt.date | None = None
) -> tuple[list[Appointment], list[Appointment]]:
    """The episode's appointments from today on (soonest first) and before today (latest
    first), with who meets the person."""
    start = _start_of(today or timezone.localdate())
    everything = list(episode.appointments.select_related("worker").order_by("starts_at"))
    upcoming = [a for a in everything if a.starts_at >= start]
    past = [a for a in reversed(everything) if a.starts_at < start]
    return upcoming, past


def appointment_for_episode(*, episode: Episode, pk: Any) -> Appointment:
    appointment = episode.appointments.select_related("worker").filter(pk=pk).first()
    if appointment is None:
        raise Http404("No such appointment")
    appointment.episode = episode
    return appointment


def upcoming_appointments_for_user(
    *, user: Any, today: dt.date | None = None
) -> QuerySet[Appointment]:
    """The user's booked appointments from today on, across the episodes they may see,
    soonest first."""
    return (
        Appointment.objects.filter(
            worker=user,
            status=Appointment.Status.BOOKED,
            starts_at__gte=_start_of(today or timezone.localdate()),
            episode_id__in=visible_episodes(user=user).values("pk"),
        )
        .select_related("episode__person", "episode__team")
        .order_by("starts_at")
    )


def unrecorded_appointments_for_user(
    *, user: Any, today: dt.date | None = None
) -> QuerySet[Appointment]:
    """The user's appointments before today still shown as booked: what happened is not
    yet recorded. Latest first."""
    return (
        Appointment.objects.filter(
            worker=user,
            status=Appointment.Status.BOOKED,
            starts_at__lt=_start_of(today or timezone.localdate()),
            episode_id__in=visible_episodes(user=user).values("pk"),
        )
        .select_related("episode__person", "episode__team")
        .order_by("-starts_at")
    )
