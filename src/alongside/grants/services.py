"""Writes for small funds and awards.

A fund's running totals (committed: approved, not yet paid; spent: paid) change only here,
and only by conditional UPDATEs that the database checks row by row: approving moves the
award from requested and adds its amount to the fund only where the budget still covers it.
Two managers approving at the same moment therefore cannot take the fund over its budget,
and cannot approve the same request twice; the loser is told why and nothing is changed.

Award statuses move only along `TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from alongside.accounts.models import User
from alongside.casework.models import Episode
from alongside.casework.programmes import PROGRAMMES
from alongside.casework.services.common import check_can_work
from alongside.core.audit import audit_record, field_changes

from . import selectors
from .models import Award, Fund

A = Award.Status
# Every status change an award may make; each has its own service below.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    A.REQUESTED: (A.APPROVED, A.DECLINED, A.CANCELLED),
    A.APPROVED: (A.PAID, A.CANCELLED),
    A.DECLINED: (),
    A.PAID: (),
    A.CANCELLED: (),
}
NOTE_MAX = Award._meta.get_field("decision_note").max_length
FUND_FIELDS = ("name", "programme_id", "starts_on", "ends_on", "budget", "max_award", "is_open")


def pounds(amount: Decimal) -> str:
    """Money as GOV.UK writes it: £45, £45.50, £1,000."""
    text = f"£{amount:,.2f}"
    return text.removesuffix(".00")


def not_enough(remaining: Decimal, amount: Decimal) -> str:
    return f"The fund has {pounds(remaining)} left, not enough for {pounds(amount)}"


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- funds --------------------------------------------------------------------------------------


def _fund_errors(
    *,
    fund: Fund | None,
    name: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    budget: Decimal | None,
    max_award: Decimal | None,
    programme_code: str | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the fund"
    else:
        same_name = Fund.objects.filter(name__iexact=name)
        if fund is not None:
            same_name = same_name.exclude(pk=fund.pk)
        if same_name.exists():
            errors["name"] = f"There is already a fund called {name}"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the fund starts"
    if ends_on is None:
        errors["ends_on"] = "Enter the date the fund ends"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    if budget is None:
        errors["budget"] = "Enter the budget in pounds"
    elif budget < 0:
        errors["budget"] = "The budget must be £0 or more"
    elif fund is not None and budget < fund.committed + fund.spent:
        errors["budget"] = (
            f"The budget cannot be less than the {pounds(fund.committed + fund.spent)} "
            "already committed or spent"
        )
    if max_award is not None and max_award <= 0:
        errors["max_award"] = "The largest single award must be more than £0"
    if programme_code and programme_code not in PROGRAMMES:
        errors["programme"] = "Choose a programme that does casework, or none"
    return errors


def _check_may(actor: Any, perm: str, message: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDenied(message)


@transaction.atomic
def fund_create(
    *,
    actor: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: Decimal,
    max_award: Decimal | None = None,
    programme_code: str | None = None,
    is_open: bool = True,
) -> Fund:
    """Set up a fund with its budget and dates. Team managers only (grants.add_fund)."""
    _check_may(actor, selectors.ADD_FUND, "Only a team manager can set up a fund.")
    name = name.strip()
    errors = _fund_errors(
        fund=None,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        max_award=max_award,
        programme_code=programme_code,
    )
    if errors:
        raise ValidationError(errors)
    fund = Fund(
        name=name,
        programme_id=programme_code or None,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        max_award=max_award,
        is_open=is_open,
        created_by=actor,
        modified_by=actor,
    )
    fund.full_clean()
    fund.save()
    audit_record(
        actor=actor,
        action="create",
        obj=fund,
        changes=field_changes({}, {f: getattr(fund, f) for f in FUND_FIELDS}),
    )
    return fund


@transaction.atomic
def fund_update(
    *,
    actor: User,
    fund: Fund,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: Decimal,
    max_award: Decimal | None = None,
    programme_code: str | None = None,
    is_open: bool = True,
) -> Fund:
    """Change a fund's name, dates, budget, largest award or whether it takes requests.
    The budget cannot go below what is already committed or spent. Team managers only
    (grants.change_fund)."""
    _check_may(actor, selectors.CHANGE_FUND, "Only a team manager can change a fund.")
    # Locked so that an approval cannot add to the totals between the check and the save.
    current = Fund.objects.select_for_update().get(pk=fund.pk)
    before = {f: getattr(current, f) for f in FUND_FIELDS}
    name = name.strip()
    errors = _fund_errors(
        fund=current,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        max_award=max_award,
        programme_code=programme_code,
    )
    if errors:
        raise ValidationError(errors)
    current.name = name
    current.programme_id = programme_code or None
    current.starts_on = starts_on
    current.ends_on = ends_on
    current.budget = budget
    current.max_award = max_award
    current.is_open = is_open
    current.modified_by = actor
    current.full_clean()
    try:
        with transaction.atomic():
            # The totals are left out: only the award services change them.
            current.save(update_fields=[*FUND_FIELDS, "modified_by", "modified_at"])
    except IntegrityError as error:  # the budget check in the database, the last guard
        raise ValidationError(
            {"budget": "The budget cannot be less than what is already committed or spent"}
        ) from error
    changes = field_changes(before, {f: getattr(current, f) for f in FUND_FIELDS})
    audit_record(actor=actor, action="change", obj=current, changes=changes)
    return current


# --- requests -----------------------------------------------------------------------------------


@transaction.atomic
def award_request(
    *,
    actor: User,
    episode: Episode,
    fund: Fund,
    category: str,
    amount: Decimal,
    reason: str,
    category_other: str = "",
) -> Award:
    """Ask for a small grant for the person on this episode. The requester must work on the
    episode (its team); the fund must be open, running today and for this programme; the
    amount more than £0, no more than the fund's largest award and what it has left."""
    _check_may(actor, selectors.REQUEST_AWARD, "You do not have a role that requests grants.")
    check_can_work(actor=actor, episode=episode)
    fund = Fund.objects.get(pk=fund.pk)
    today = timezone.localdate()
    reason = reason.strip()
    category_other = category_other.strip()
    errors: dict[str, str] = {}
    if not episode.is_open:
        errors["episode"] = "Support has ended, so a grant cannot be requested"
    if not fund.is_open:
        errors["fund"] = f"{fund.name} is not taking requests"
    elif today < fund.starts_on:
        errors["fund"] = f"{fund.name} opens on {_long_date(fund.starts_on)}"
    elif today > fund.ends_on:
        errors["fund"] = f"{fund.name} closed on {_long_date(fund.ends_on)}"
    elif fund.programme_id and fund.programme_id != episode.programme_id:
        errors["fund"] = f"{fund.name} is not for this programme"
    if category not in Award.Category.values:
        errors["category"] = "Choose what the grant is for"
    elif category == Award.Category.OTHER and not category_other:
        errors["category_other"] = "Enter what the grant is for"
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "Enter the amount in pounds, like 45 or 45.50"
    elif amount <= 0:
        errors["amount"] = "The amount must be more than £0"
    elif fund.max_award is not None and amount > fund.max_award:
        errors["amount"] = f"The amount must be {pounds(fund.max_award)} or less"
    elif "fund" not in errors and amount > fund.remaining:
        errors["amount"] = not_enough(fund.remaining, amount)
    if not reason:
        errors["reason"] = "Enter what it is for and how it helps"
    if errors:
        raise ValidationError(errors)
    award = Award(
        fund=fund,
        person_id=episode.person_id,
        episode=episode,
        category=category,
        category_other=category_other if category == Award.Category.OTHER else "",
        amount=amount,
        reason=reason,
        status=A.REQUESTED,
        requested_by=actor,
        requested_on=today,
        created_by=actor,
        modified_by=actor,
    )
    award.full_clean()
    award.save()
    _audit(
        actor=actor,
        award=award,
        action="create",
        changes={
            "fund": [None, fund.name],
            "category": [None, category],
            "amount": [None, str(amount)],
            "status": [None, A.REQUESTED],
        },
    )
    return award


# --- decisions ----------------------------------------------------------------------------------


def _audit(
    *, actor: Any, award: Award, action: str, changes: dict[str, Any], reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=award,
        person_id=award.person_id,
        reason=reason,
        changes=changes,
    )


def _check_decider(actor: Any, award: Award) -> None:
    if not selectors.leads_award_team(user=actor, award=award):
        raise PermissionDenied("Only a manager of the team working with this person can decide.")
    if award.requested_by_id == actor.pk:
        raise PermissionDenied("Another manager must decide a request you made")


def _already_decided(award: Award) -> ValidationError:
    status = Award.objects.filter(pk=award.pk).values_list("status", flat=True).first()
    if status == A.CANCELLED:
        return ValidationError({"__all__": "This request was cancelled"})
    return ValidationError({"__all__": "This request has already been decided"})


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"The note must be {NOTE_MAX} characters or fewer"})
    return note


@transaction.atomic
def award_approve(*, actor: User, award: Award, note: str = "") -> Award:
    """Approve a request and commit its amount from the fund, in one transaction of two
    conditional UPDATEs: the award moves only if it is still requested (else someone else
    decided it first), and the fund's committed total grows only if the budget still covers
    it (else the whole approval is undone and the manager is told what is left)."""
    _check_decider(actor, award)
    note = _note(note)
    now = timezone.now()
    moved = Award.objects.filter(pk=award.pk, status=A.REQUESTED).update(
        status=A.APPROVED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
        modified_by=actor,
        modified_at=now,
    )
    if not moved:
        raise _already_decided(award)
    amount = award.amount
    committed = Fund.objects.filter(
        pk=award.fund_id, budget__gte=F("committed") + F("spent") + amount
    ).update(committed=F("committed") + amount, modified_by=actor, modified_at=now)
    if not committed:
        fund = Fund.objects.get(pk=award.fund_id)
        # Raising inside the atomic block rolls back the award's move above.
        raise ValidationError({"__all__": not_enough(fund.remaining, amount)})
    award.refresh_from_db()
    _audit(
        actor=actor,
        award=award,
        action="change",
        reason=note,
        changes={"status": [A.REQUESTED, A.APPROVED], "committed": [None, str(amount)]},
    )
    return award


@transaction.atomic
def award_decline(*, actor: User, award: Award, note: str) -> Award:
    """Decline a request, saying why (the coordinator tells the person)."""
    _check_decider(actor, award)
    note = _note(note)
    if not note:
        raise ValidationError({"note": "Enter why the request is declined"})
    now = timezone.now()
    moved = Award.objects.filter(pk=award.pk, status=A.REQUESTED).update(
        status=A.DECLINED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
        modified_by=actor,
        modified_at=now,
    )
    if not moved:
        raise _already_decided(award)
    award.refresh_from_db()
    _audit(
        actor=actor,
        award=award,
        action="change",
        reason=note,
        changes={"status": [A.REQUESTED, A.DECLINED]},
    )
    return award


@transaction.atomic
def award_mark_paid(*, actor: User, award: Award, paid_on: dt.date | None = None) -> Award:
    """Record that an approved award was paid: its amount moves from the fund's committed
    total to its spent total. A manager who leads the team records it."""
    if not selectors.can_mark_paid(user=actor, award=award):
        raise PermissionDenied("Only a manager of the team working with this person can do this.")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The date paid must be today or in the past"})
    if award.decided_at and paid_on < timezone.localdate(award.decided_at):
        raise ValidationError(
            {"paid_on": "The date paid must be the same as or after the date it was approved"}
        )
    now = timezone.now()
    moved = Award.objects.filter(pk=award.pk, status=A.APPROVED).update(
        status=A.PAID, paid_on=paid_on, modified_by=actor, modified_at=now
    )
    if not moved:
        raise ValidationError({"__all__": "Only an approved grant can be marked as paid"})
    amount = award.amount
    Fund.objects.filter(pk=award.fund_id).update(
        committed=F("committed") - amount,
        spent=F("spent") + amount,
        modified_by=actor,
        modified_at=now,
    )
    award.refresh_from_db()
    _audit(
        actor=actor,
        award=award,
        action="change",
        changes={"status": [A.APPROVED, A.PAID], "paid_on": [None, str(paid_on)]},
    )
    return award


@transaction.atomic
def award_cancel(*, actor: User, award: Award, reason: str) -> Award:
    """Cancel a request (anyone working on the episode) or an approved award (a manager who
    leads the team), saying why. Cancelling an approved award gives its amount back to the
    fund."""
    current = Award.objects.select_related("episode").get(pk=award.pk)
    if current.status not in (A.REQUESTED, A.APPROVED):
        status = current.get_status_display().lower()
        raise ValidationError({"__all__": f"A grant that is {status} cannot be cancelled"})
    if not selectors.can_cancel(user=actor, award=current):
        raise PermissionDenied("You cannot cancel this grant.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the grant is cancelled"})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": f"The reason must be {NOTE_MAX} characters or fewer"})
    now = timezone.now()
    old = current.status
    moved = Award.objects.filter(pk=current.pk, status=old).update(
        status=A.CANCELLED, decision_note=reason, modified_by=actor, modified_at=now
    )
    if not moved:
        raise ValidationError(
            {"__all__": "Someone else changed this grant just now. Check it and try again"}
        )
    changes: dict[str, Any] = {"status": [old, A.CANCELLED]}
    if old == A.APPROVED:
        Fund.objects.filter(pk=current.fund_id).update(
            committed=F("committed") - current.amount, modified_by=actor, modified_at=now
        )
        changes["committed"] = [str(current.amount), None]
    current.refresh_from_db()
    _audit(actor=actor, award=current, action="change", reason=reason, changes=changes)
    return current


def award_view_record(*, actor: User, award: Award, what: str = "grant") -> None:
    """Every opening of an award (who it is for and why) is recorded against the person."""
    audit_record(
        actor=actor,
        action="view",
        obj=award,
        person_id=award.person_id,
        reason=f"Opened the {what}",
    )
