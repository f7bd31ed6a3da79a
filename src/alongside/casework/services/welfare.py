"""Welfare calls: regular calls to a person (every day, say, for someone with dementia who
lives alone), made by a volunteer or member of staff from their own daily list.

- A plan is made by a worker in the team holding the episode who holds
  casework.add_welfarecallplan; its caller is someone `caller_choices` offers. A plan is
  ended by giving its last day of calls.
- A caller records the calls on their own plans, for today and the 7 days before: spoke, no
  answer, or spoke and worried (which needs a note).
- The same day: "no answer" and "worried" set escalated_at and email the episode's worker
  at once (the team's address when nobody is assigned). The email names the person by
  first name only and never carries the caller's note. The call stays on the team's
  follow-up list until someone who can work on the episode marks it followed up.
- Missed calls: `missed_calls_escalate` (run each evening by the `welfare_escalate`
  command through the task in casework/tasks.py) records each due call with nothing
  recorded as a WelfareCall with outcome "no answer", the note MISSED_NOTE, no author and
  escalated_at set, and emails the worker. The record is what makes it idempotent: a second
  run finds the call recorded and sends nothing. A caller who phones late may still record
  the call over such a record (the worker is emailed again only for a worry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alongside.core.audit import acting_user, audit_record
from alongside.core.logging import request_id_var
from alongside.core.models import AuditEvent
from alongside.notify.services import send_email

from ..models import Episode, WelfareCall, WelfareCallPlan
from ..welfare_selectors import (
    ADD_PLAN,
    DAYS_BACK,
    CallListEntry,
    caller_choices,
    calls_missing,
    is_due,
    past_cutoff,
)
from .common import check_can_work, episode_audit

OUTCOME = WelfareCall.Outcome
F = WelfareCallPlan.Frequency
ESCALATED_OUTCOMES = (OUTCOME.NO_ANSWER, OUTCOME.CONCERN)
MISSED_NOTE = "No call was recorded"
ESCALATION_KIND = "casework.welfare_escalation"
ESCALATION_SUBJECT = "A welfare call needs you today"
WHAT_HAPPENED = {
    OUTCOME.NO_ANSWER: "no answer",
    OUTCOME.CONCERN: "the caller is worried",
    "missed": "no call was recorded",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def is_missed_record(call: WelfareCall) -> bool:
    """The record the evening task makes for a call nobody recorded."""
    return call.created_by_id is None and call.note == MISSED_NOTE


# --- plans --------------------------------------------------------------------------------------


def _check_may_plan(actor: Any, episode: Episode) -> None:
    check_can_work(actor=actor, episode=episode)
    if not actor.has_perm(ADD_PLAN):
        raise PermissionDenied("You do not have a role that plans welfare calls.")


@transaction.atomic
def call_plan_create(
    *,
    actor: Any,
    episode: Episode,
    caller: Any,
    frequency: str,
    starts_on: dt.date,
    weekday: int | None = None,
    best_time: str = "",
    ends_on: dt.date | None = None,
    notes: str = "",
) -> WelfareCallPlan:
    """Plan regular calls to the episode's person: daily, on weekdays, or weekly on a day;
    from today or later, with an optional last day; made by one of `caller_choices`."""
    _check_may_plan(actor, episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["caller"] = "This person's support has closed"
    if caller is None or not caller_choices(episode=episode).filter(pk=caller.pk).exists():
        errors["caller"] = "Choose a welfare caller or someone in the team"
    if frequency not in F.values:
        errors["frequency"] = "Choose how often to call"
    elif frequency == F.WEEKLY and weekday not in range(7):
        errors["weekday"] = "Choose the day of the week to call"
    if starts_on is None:
        errors["starts_on"] = "Enter the date of the first call"
    elif starts_on < today:
        errors["starts_on"] = "The first call must be today or later"
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last call must be on or after the first"
    if len(best_time.strip()) > 100:
        errors["best_time"] = "Best time to call must be 100 characters or fewer"
    if len(notes.strip()) > 300:
        errors["notes"] = "What the caller should know must be 300 characters or fewer"
    if errors:
        raise ValidationError(errors)
    plan = WelfareCallPlan(
        episode=episode,
        caller=caller,
        frequency=frequency,
        weekday=weekday if frequency == F.WEEKLY else None,
        best_time=best_time.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes.strip(),
        created_by=actor,
        modified_by=actor,
    )
    plan.full_clean()
    plan.save()
    episode_audit(
        actor=actor,
        episode=episode,
        action="create",
        obj=plan,
        changes={
            "frequency": [None, frequency],
            "caller": [None, caller.full_name],
            "starts_on": [None, starts_on.isoformat()],
        },
    )
    return plan


@transaction.atomic
def call_plan_end(*, actor: Any, plan: WelfareCallPlan, ends_on: dt.date) -> WelfareCallPlan:
    """End a plan: its last day of calls is today or later, and not before its first."""
    _check_may_plan(actor, plan.episode)
    plan = WelfareCallPlan.objects.select_for_update().select_related("episode").get(pk=plan.pk)
    today = timezone.localdate()
    if plan.ends_on is not None and plan.ends_on < today:
        raise ValidationError({"ends_on": f"This plan ended on {long_date(plan.ends_on)}"})
    if ends_on is None:
        raise ValidationError({"ends_on": "Enter the date of the last call"})
    if ends_on < today:
        raise ValidationError({"ends_on": "The last call must be today or later"})
    if ends_on < plan.starts_on:
        raise ValidationError(
            {"ends_on": f"The last call must be on or after the first, {long_date(plan.starts_on)}"}
        )
    old = plan.ends_on
    plan.ends_on = ends_on
    plan.modified_by = actor
    plan.full_clean()
    plan.save(update_fields=["ends_on", "modified_by", "modified_at"])
    episode_audit(
        actor=actor,
        episode=plan.episode,
        action="change",
        obj=plan,
        changes={"ends_on": [old.isoformat() if old else None, ends_on.isoformat()]},
    )
    return plan


# --- escalation ---------------------------------------------------------------------------------


def _site_url(base_url: str) -> str:
    return (base_url or getattr(settings, "ALONGSIDE_SITE_URL", "")).rstrip("/")


def _escalate(*, actor: Any, call: WelfareCall, what: str, base_url: str = "") -> None:
    """Email the episode's worker (or the team, when nobody is assigned): the person's first
    name, what happened and a link; never the caller's note."""
    episode = call.plan.episode
    person = episode.person
    to = episode.worker.email if episode.worker_id else episode.team.email
    if not to:
        return  # the call is on the team's follow-up list all the same
    link = _site_url(base_url) + reverse("casework:call-plans", kwargs={"pk": episode.pk})
    first_name = person.preferred_name or person.given_name
    send_email(
        to=to,
        subject=ESCALATION_SUBJECT,
        body=f"A welfare call to {first_name} needs you today: {what}. Open {link}",
        kind=ESCALATION_KIND,
        actor=actor,
        person_id=person.pk,
        audit_reason="Told the worker about a welfare call that needs them today",
    )


# --- recording calls ----------------------------------------------------------------------------


@transaction.atomic
def welfare_call_record(
    *,
    actor: Any,
    plan: WelfareCallPlan,
    due_on: dt.date,
    outcome: str,
    note: str = "",
    base_url: str = "",
) -> WelfareCall:
    """The caller records a call on their own plan for a day it was due (today or the 7
    days before). No answer, or a worry (which needs a note), is escalated at once."""
    if plan.caller_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the plan's caller can record its calls.")
    plan = (
        WelfareCallPlan.objects.select_for_update(of=("self",))
        .select_related("episode__person", "episode__worker", "episode__team")
        .get(pk=plan.pk)
    )
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if outcome not in OUTCOME.values:
        errors["outcome"] = "Choose what happened"
    elif outcome == OUTCOME.CONCERN and not note.strip():
        errors["note"] = "Say what worried you"
    if len(note.strip()) > 2000:
        errors["note"] = "The note must be 2000 characters or fewer"
    if not today - dt.timedelta(days=DAYS_BACK) <= due_on <= today:
        errors["due_on"] = f"You can record calls for today and the {DAYS_BACK} days before"
    elif not is_due(plan, due_on) or not plan.episode.is_open:
        errors["due_on"] = f"No call was due on {long_date(due_on)}"
    existing = WelfareCall.objects.select_for_update().filter(plan=plan, due_on=due_on).first()
    if existing is not None and not is_missed_record(existing):
        errors["due_on"] = f"The call on {long_date(due_on)} has already been recorded"
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    escalate = outcome in ESCALATED_OUTCOMES
    if existing is None:
        call = WelfareCall(
            plan=plan,
            due_on=due_on,
            caller=actor,
            outcome=outcome,
            note=note.strip(),
            called_at=now,
            escalated_at=now if escalate else None,
            created_by=actor,
            modified_by=actor,
        )
    else:
        # A late call over the evening's "missed" record: the worker already knows about
        # the missed call, so only a worry is news to them.
        call = existing
        escalate = outcome == OUTCOME.CONCERN
        call.caller, call.outcome, call.note, call.called_at = actor, outcome, note.strip(), now
        call.created_by = call.modified_by = actor
    call.full_clean()
    call.save()
    episode_audit(
        actor=actor,
        episode=plan.episode,
        action="create" if existing is None else "change",
        obj=call,
        changes={"outcome": [existing.outcome if existing else None, outcome]},
    )
    if escalate:
        _escalate(actor=actor, call=call, what=WHAT_HAPPENED[outcome], base_url=base_url)
    return call


@transaction.atomic
def welfare_call_followed_up(*, actor: Any, call: WelfareCall) -> WelfareCall:
    """Someone who can work on the episode marks an escalated call as followed up, which
    takes it off the follow-up list."""
    check_can_work(actor=actor, episode=call.plan.episode)
    episode = call.plan.episode
    call = WelfareCall.objects.select_for_update().get(pk=call.pk)
    if call.escalated_at is None:
        raise ValidationError({"call": "This call did not need following up"})
    if call.followed_up_at is not None:
        raise ValidationError(
            {"call": f"This call was followed up on {long_date(call.followed_up_at.date())}"}
        )
    call.followed_up_at = timezone.now()
    call.followed_up_by = actor
    call.modified_by = actor
    call.save(update_fields=["followed_up_at", "followed_up_by", "modified_by", "modified_at"])
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        obj=call,
        changes={"followed_up_at": [None, call.followed_up_at.isoformat()]},
    )
    return call


def missed_calls_escalate(*, day: dt.date, base_url: str = "") -> int:
    """Record each call due on the day with nothing recorded as missed, and email the
    worker once for each. For today this happens only from the cut-off hour (callers may
    still phone before then); a day in the future is refused. Returns how many."""
    today = timezone.localdate()
    if day > today:
        raise ValidationError({"day": "Missed calls can only be found for today or earlier"})
    if day == today and not past_cutoff():
        return 0
    plans = calls_missing(day=day).select_related(
        "episode__person", "episode__worker", "episode__team"
    )
    escalated = 0
    for plan in plans:
        now = timezone.now()
        try:
            with transaction.atomic():
                call = WelfareCall.objects.create(
                    plan=plan,
                    due_on=day,
                    caller_id=plan.caller_id,
                    outcome=OUTCOME.NO_ANSWER,
                    note=MISSED_NOTE,
                    called_at=now,
                    escalated_at=now,
                )
                audit_record(
                    actor=None,
                    action="create",
                    obj=call,
                    person_id=plan.episode.person_id,
                    reason=f"No welfare call was recorded for {long_date(day)}",
                )
                _escalate(actor=None, call=call, what=WHAT_HAPPENED["missed"], base_url=base_url)
        except IntegrityError:
            continue  # the caller recorded it a moment ago
        escalated += 1
    return escalated


# --- audit of the caller's list -----------------------------------------------------------------


def call_list_view_record(*, actor: Any, entries: Sequence[CallListEntry], day: dt.date) -> None:
    """The caller's list shows phone numbers: one view event per person on it, written in
    one query however long the list is (and one for the list when it is empty)."""
    user = acting_user(actor)
    label = (user.email if user else "system")[:254]
    request_id = request_id_var.get() if request_id_var.get() != "-" else ""
    reason = f"Opened the welfare call list for {long_date(day)}"
    events = [
        AuditEvent(
            actor=user,
            actor_label=label,
            action=AuditEvent.Action.VIEW,
            object_type="casework.welfarecallplan",
            object_id=str(entry.plan_id),
            object_label=f"Welfare calls to {entry.name}"[:200],
            person_id=entry.person_id,
            reason=reason,
            request_id=request_id,
        )
        for entry in entries
    ]
    if not events:
        events.append(
            AuditEvent(
                actor=user,
                actor_label=label,
                action=AuditEvent.Action.VIEW,
                object_type="casework.welfarecallplan",
                object_id="",
                object_label="Welfare call list (empty)",
                reason=reason,
                request_id=request_id,
            )
        )
    AuditEvent.objects.bulk_create(events)
