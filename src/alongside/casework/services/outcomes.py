"""The programme's own outcome measures (social prescribing), recorded or changed before the
episode closes: whether the person's goals were achieved, two statements on a five-point
agree scale, and optionally their GP visits in the same number of months before referral
and after (entered from the practice record; both or neither, so every figure is a pair).

Only programmes with `outcome_measures` have them; only a worker in the team that holds
the episode may record them, and a closed episode's outcome no longer changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from alongside.core.audit import field_changes

from ..models import Episode, ProgrammeOutcome
from ..programmes import PROGRAMMES
from .common import check_can_work, episode_audit

DEFAULT_GP_MONTHS = 6
MAX_GP_MONTHS = 24
MAX_GP_VISITS = 366
OUTCOME_FIELDS = (
    "goals_achieved",
    "more_able",
    "would_not_have",
    "gp_months",
    "gp_visits_before",
    "gp_visits_after",
)


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(
    *,
    goals_achieved: str,
    more_able: str,
    would_not_have: str,
    gp_months: Any,
    gp_visits_before: Any,
    gp_visits_after: Any,
) -> None:
    errors: dict[str, str] = {}
    if goals_achieved not in ProgrammeOutcome.Achieved.values:
        errors["goals_achieved"] = "Choose whether they achieved their goals"
    if more_able not in ProgrammeOutcome.Agreement.values:
        errors["more_able"] = "Choose how much they agree that they feel more able to manage"
    if would_not_have not in ProgrammeOutcome.Agreement.values:
        errors["would_not_have"] = (
            "Choose how much they agree that they would not have made these changes"
        )
    if not _whole_number(gp_months) or not 1 <= gp_months <= MAX_GP_MONTHS:
        errors["gp_months"] = f"Months counted must be a whole number from 1 to {MAX_GP_MONTHS}"
    for name, value, when in (
        ("gp_visits_before", gp_visits_before, "before"),
        ("gp_visits_after", gp_visits_after, "after"),
    ):
        if value is not None and (not _whole_number(value) or not 0 <= value <= MAX_GP_VISITS):
            errors[name] = f"GP visits {when} must be a whole number from 0 to {MAX_GP_VISITS}"
    if not errors and (gp_visits_before is None) != (gp_visits_after is None):
        missing = "gp_visits_after" if gp_visits_after is None else "gp_visits_before"
        errors[missing] = "Enter GP visits both before and after, or neither"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outcome_save(
    *,
    actor: Any,
    episode: Episode,
    goals_achieved: str,
    more_able: str,
    would_not_have: str,
    gp_months: int = DEFAULT_GP_MONTHS,
    gp_visits_before: int | None = None,
    gp_visits_after: int | None = None,
) -> ProgrammeOutcome:
    """Record, or change, what the person says about the support before the episode
    closes."""
    check_can_work(actor=actor, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    programme = PROGRAMMES.get(episode.programme_id)
    if programme is None or not programme.outcome_measures:
        raise ValidationError({"outcome": "This programme does not record these outcomes"})
    if not episode.is_open:
        raise ValidationError({"outcome": "This person's support has closed"})
    values = {
        "goals_achieved": goals_achieved,
        "more_able": more_able,
        "would_not_have": would_not_have,
        "gp_months": gp_months,
        "gp_visits_before": gp_visits_before,
        "gp_visits_after": gp_visits_after,
    }
    _checked(**values)
    outcome = ProgrammeOutcome.objects.select_for_update().filter(episode=episode).first()
    before = {name: getattr(outcome, name) for name in OUTCOME_FIELDS} if outcome else {}
    if outcome is None:
        outcome = ProgrammeOutcome(episode=episode, created_by=actor)
    for name, value in values.items():
        setattr(outcome, name, value)
    outcome.modified_by = actor
    outcome.full_clean()
    outcome.save()
    episode_audit(
        actor=actor,
        episode=episode,
        action="change" if before else "create",
        obj=outcome,
        changes=field_changes(before, values, fields=OUTCOME_FIELDS),
    )
    return outcome
