"""Pathways: a social prescribing team's routes in (primary care, hospital discharge, mental
health recovery...), each with a target time from referral to first contact and its own
intake questions. Only the leads of the team (casework.add_pathway / change_pathway) define
them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from alongside.accounts.models import Programme, Team, User
from alongside.core.audit import audit_record, field_changes

from ..models import Pathway, PathwayQuestion
from ..referrals_selectors import ADD_PATHWAY, CHANGE_PATHWAY
from ..selectors import is_team_lead

MAX_TARGET_DAYS = 365
PATHWAY_FIELDS = ("name", "description", "target_days", "is_active")
QUESTION_FIELDS = ("text", "hint", "required", "order", "is_active")


def _check_lead(*, actor: User, team: Team, perm: str) -> None:
    if not actor.has_perm(perm) or not is_team_lead(user=actor, team_id=team.pk):
        raise PermissionDenied("Only the team's managers can change its pathways.")
    if not team.programmes.filter(code=Programme.Code.SOCIAL_PRESCRIBING).exists():
        raise ValidationError({"team": "Choose a social prescribing team"})


def _check_pathway(
    *, team: Team, name: str, target_days: Any, pathway: Pathway | None = None
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the pathway"
    elif (
        Pathway.objects.filter(team=team, name__iexact=name.strip())
        .exclude(pk=pathway.pk if pathway else None)
        .exists()
    ):
        errors["name"] = f"{team.name} already has a pathway called {name.strip()}"
    if isinstance(target_days, bool) or not isinstance(target_days, int):
        errors["target_days"] = "Enter the target in days"
    elif not 1 <= target_days <= MAX_TARGET_DAYS:
        errors["target_days"] = f"The target must be between 1 and {MAX_TARGET_DAYS} days"
    if errors:
        raise ValidationError(errors)


def _audit(*, actor: User, obj: Any, action: str, before: dict, fields: tuple[str, ...]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=field_changes(before, {name: getattr(obj, name) for name in fields}),
    )


@transaction.atomic
def pathway_create(
    *, actor: User, team: Team, name: str, target_days: int, description: str = ""
) -> Pathway:
    """A new active pathway for a social prescribing team the actor leads. Names are unique
    in a team; the target is 1 to 365 days."""
    _check_lead(actor=actor, team=team, perm=ADD_PATHWAY)
    _check_pathway(team=team, name=name, target_days=target_days)
    pathway = Pathway(
        team=team,
        name=name.strip(),
        description=description.strip(),
        target_days=target_days,
        created_by=actor,
        modified_by=actor,
    )
    pathway.full_clean()
    pathway.save()
    _audit(actor=actor, obj=pathway, action="create", before={}, fields=PATHWAY_FIELDS)
    return pathway


@transaction.atomic
def pathway_update(
    *,
    actor: User,
    pathway: Pathway,
    name: str,
    target_days: int,
    description: str = "",
    is_active: bool = True,
) -> Pathway:
    """Change a pathway's name, description, target or whether referrers can choose it.
    Referrals already sent keep their pathway."""
    _check_lead(actor=actor, team=pathway.team, perm=CHANGE_PATHWAY)
    pathway = (
        Pathway.objects.select_for_update(of=("self",)).select_related("team").get(pk=pathway.pk)
    )
    _check_pathway(team=pathway.team, name=name, target_days=target_days, pathway=pathway)
    before = {name: getattr(pathway, name) for name in PATHWAY_FIELDS}
    pathway.name = name.strip()
    pathway.description = description.strip()
    pathway.target_days = target_days
    pathway.is_active = is_active
    pathway.modified_by = actor
    pathway.full_clean()
    pathway.save()
    _audit(actor=actor, obj=pathway, action="change", before=before, fields=PATHWAY_FIELDS)
    return pathway


def _check_question(*, text: str, order: Any) -> None:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the question"
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 999:
        errors["order"] = "The order must be a whole number from 0 to 999"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pathway_question_add(
    *,
    actor: User,
    pathway: Pathway,
    text: str,
    hint: str = "",
    required: bool = False,
    order: int = 0,
    is_active: bool = True,
) -> PathwayQuestion:
    """Add an intake question that referrers answer when they choose the pathway."""
    _check_lead(actor=actor, team=pathway.team, perm=CHANGE_PATHWAY)
    _check_question(text=text, order=order)
    question = PathwayQuestion(
        pathway=pathway,
        text=text.strip(),
        hint=hint.strip(),
        required=required,
        order=order,
        is_active=is_active,
        created_by=actor,
        modified_by=actor,
    )
    question.full_clean()
    question.save()
    _audit(actor=actor, obj=question, action="create", before={}, fields=QUESTION_FIELDS)
    return question


@transaction.atomic
def pathway_question_update(
    *,
    actor: User,
    question: PathwayQuestion,
    text: str,
    hint: str = "",
    required: bool = False,
    order: int = 0,
    is_active: bool = True,
) -> PathwayQuestion:
    """Change a question. Answers already given keep the words they answered."""
    _check_lead(actor=actor, team=question.pathway.team, perm=CHANGE_PATHWAY)
    _check_question(text=text, order=order)
    question = PathwayQuestion.objects.select_for_update().get(pk=question.pk)
    before = {name: getattr(question, name) for name in QUESTION_FIELDS}
    question.text = text.strip()
    question.hint = hint.strip()
    question.required = required
    question.order = order
    question.is_active = is_active
    question.modified_by = actor
    question.full_clean()
    question.save()
    _audit(actor=actor, obj=question, action="change", before=before, fields=QUESTION_FIELDS)
    return question
