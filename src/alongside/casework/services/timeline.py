"""The timeline of contacts: visits, calls, walking alongside to a group, meetings, and the
time each took.

A contact may be marked sensitive (shown only to the person's worker, its author and the
team's leads) and may raise a safeguarding concern, which must say the escalation it needs
and stays open until its author or a team lead marks the escalation done.

Corrections: the author may correct a contact on the day they recorded it, and never after,
so the record others have read does not change under them. A safeguarding concern, once
raised, cannot be taken off by a correction; it is closed by marking the escalation done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.core.audit import field_changes

from ..models import Contact, Episode
from ..selectors import is_team_lead
from .common import check_can_work, episode_audit

K = Contact.Kind
MAX_MINUTES = 24 * 60
# Contacts in which the worker reaches the person (a message may go unanswered).
REACHING_KINDS = (K.VISIT, K.CALL, K.WALKING_ALONGSIDE, K.MEETING)
CONCERN_ESCALATIONS = tuple(e for e in Contact.Escalation.values if e)
CONTACT_FIELDS = (
    "kind",
    "happened_on",
    "minutes",
    "is_sensitive",
    "safeguarding_concern",
    "escalation",
    "escalated_to",
)


def long_date(value: dt.date) -> str:
    """1 March 2026."""
    return f"{value.day} {value:%B %Y}"


def _checked(
    *,
    episode: Episode,
    kind: str,
    happened_on: dt.date | None,
    minutes: Any,
    summary: str,
    safeguarding_concern: bool,
    escalation: str,
) -> None:
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["happened_on"] = "This person's support has closed"
    if kind not in K.values:
        errors["kind"] = "Choose the kind of contact"
    if happened_on is None:
        errors["happened_on"] = "Enter the date of the contact"
    elif happened_on > timezone.localdate():
        errors["happened_on"] = "The date of the contact must be today or in the past"
    elif happened_on < episode.opened_on:
        errors["happened_on"] = (
            f"The date of the contact must be on or after {long_date(episode.opened_on)}, "
            "when support began"
        )
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["minutes"] = "Enter the time spent in minutes"
    elif not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = f"Time spent must be between 1 and {MAX_MINUTES} minutes"
    if not summary.strip():
        errors["summary"] = "Enter a summary of the contact"
    if safeguarding_concern and escalation not in CONCERN_ESCALATIONS:
        errors["escalation"] = "Choose the escalation this concern needs"
    if errors:
        raise ValidationError(errors)


def _note_first_contact(*, episode: Episode, kind: str, happened_on: dt.date) -> dict[str, Any]:
    """The first date the worker reached the person: set from a visit, call, walk or meeting
    when not yet known, or moved earlier by one recorded afterwards. The status is left to the
    worker. Returns the audit change, if any."""
    if kind not in REACHING_KINDS:
        return {}
    old = episode.first_contact_on
    if old is not None and old <= happened_on:
        return {}
    episode.first_contact_on = happened_on
    episode.save(update_fields=["first_contact_on", "modified_at"])
    if old is None:  # first reached: tell the referrer, when a referral opened the episode
        from .referrals import referral_first_contact

        referral_first_contact(episode=episode)
    return {"first_contact_on": [old.isoformat() if old else None, happened_on.isoformat()]}


@transaction.atomic
def contact_add(
    *,
    actor: Any,
    episode: Episode,
    kind: str,
    happened_on: dt.date,
    minutes: int,
    summary: str,
    is_sensitive: bool = False,
    safeguarding_concern: bool = False,
    escalation: str = "",
    escalated_to: str = "",
) -> Contact:
    """Add a contact to the timeline of an open episode. The date is today or earlier and not
    before support began; the time is 1 to 1440 minutes; a safeguarding concern needs its
    escalation (without a concern, any escalation given is ignored)."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _checked(
        episode=episode,
        kind=kind,
        happened_on=happened_on,
        minutes=minutes,
        summary=summary,
        safeguarding_concern=safeguarding_concern,
        escalation=escalation,
    )
    contact = Contact(
        episode=episode,
        worker=actor,
        kind=kind,
        happened_on=happened_on,
        minutes=minutes,
        summary=summary.strip(),
        is_sensitive=is_sensitive,
        safeguarding_concern=safeguarding_concern,
        escalation=escalation if safeguarding_concern else "",
        escalated_to=escalated_to.strip() if safeguarding_concern else "",
        created_by=actor,
        modified_by=actor,
    )
    contact.full_clean()
    contact.save()
    # The summary stays out of the audit trail: it may be sensitive.
    changes = field_changes({}, {name: getattr(contact, name) for name in CONTACT_FIELDS})
    changes.update(_note_first_contact(episode=episode, kind=kind, happened_on=happened_on))
    episode_audit(actor=actor, episode=episode, action="create", obj=contact, changes=changes)
    return contact


def can_correct(*, user: Any, contact: Contact) -> bool:
    """Its author, on the day they recorded it, while the support is open."""
    return (
        user.pk == contact.worker_id
        and timezone.localdate(contact.created_at) == timezone.localdate()
        and contact.episode.is_open
    )


@transaction.atomic
def contact_update(
    *,
    actor: Any,
    contact: Contact,
    kind: str,
    happened_on: dt.date,
    minutes: int,
    summary: str,
    is_sensitive: bool = False,
    safeguarding_concern: bool = False,
    escalation: str = "",
    escalated_to: str = "",
) -> Contact:
    """Correct a contact: only its author, on the day they recorded it. A concern already
    raised stays raised (and keeps an escalation); mark it done instead."""
    check_can_work(actor=actor, episode=contact.episode)
    contact = Contact.objects.select_for_update().select_related("episode").get(pk=contact.pk)
    if not can_correct(user=actor, contact=contact):
        raise PermissionDenied("Only its author can correct a contact, on the day they added it.")
    if contact.safeguarding_concern and not safeguarding_concern:
        raise ValidationError(
            {
                "safeguarding_concern": "A safeguarding concern cannot be taken off. "
                "Mark its escalation as done instead"
            }
        )
    episode = Episode.objects.select_for_update().get(pk=contact.episode_id)
    _checked(
        episode=episode,
        kind=kind,
        happened_on=happened_on,
        minutes=minutes,
        summary=summary,
        safeguarding_concern=safeguarding_concern,
        escalation=escalation,
    )
    before = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    summary_changed = contact.summary != summary.strip()
    contact.kind = kind
    contact.happened_on = happened_on
    contact.minutes = minutes
    contact.summary = summary.strip()
    contact.is_sensitive = is_sensitive
    contact.safeguarding_concern = safeguarding_concern
    contact.escalation = escalation if safeguarding_concern else ""
    contact.escalated_to = escalated_to.strip() if safeguarding_concern else ""
    contact.modified_by = actor
    contact.full_clean()
    contact.save()
    changes = field_changes(before, {name: getattr(contact, name) for name in CONTACT_FIELDS})
    if summary_changed:
        changes["summary"] = ["[not recorded]", "[changed]"]
    changes.update(_note_first_contact(episode=episode, kind=kind, happened_on=happened_on))
    episode_audit(
        actor=actor,
        episode=episode,
        action="change",
        obj=contact,
        reason="Corrected by its author",
        changes=changes,
    )
    return contact


def can_mark_done(*, user: Any, contact: Contact, is_lead: bool | None = None) -> bool:
    """An open concern may be marked done by its author or a lead of the episode's team.
    Pass `is_lead` when already known, to save a query per contact."""
    if not contact.safeguarding_concern or contact.escalation_done_at is not None:
        return False
    if user.pk == contact.worker_id:
        return True
    if is_lead is None:
        is_lead = is_team_lead(user=user, team_id=contact.episode.team_id)
    return is_lead


@transaction.atomic
def escalation_done(*, actor: Any, contact: Contact) -> Contact:
    """Mark the escalation of a safeguarding concern as done: its author or a lead of the
    team, who must also work in the team that holds the episode."""
    check_can_work(actor=actor, episode=contact.episode)
    contact = Contact.objects.select_for_update().select_related("episode").get(pk=contact.pk)
    if not contact.safeguarding_concern:
        raise ValidationError({"contact": "This contact has no safeguarding concern"})
    if contact.escalation_done_at is not None:
        raise ValidationError(
            {
                "contact": "This concern's escalation was already marked as done on "
                f"{long_date(timezone.localdate(contact.escalation_done_at))}"
            }
        )
    if not can_mark_done(user=actor, contact=contact):
        raise PermissionDenied("Only the person who raised the concern or a team lead can do this.")
    contact.escalation_done_at = timezone.now()
    contact.modified_by = actor
    contact.save(update_fields=["escalation_done_at", "modified_by", "modified_at"])
    episode_audit(
        actor=actor,
        episode=contact.episode,
        action="change",
        obj=contact,
        reason="Safeguarding escalation done",
        changes={"escalation_done_at": [None, contact.escalation_done_at.isoformat()]},
    )
    return contact
