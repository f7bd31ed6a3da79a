"""Work beside casework, for the quarterly report: the community groups a team helped, and
what workers saw of the system (barriers, duplication, gaps and what works well).

Neither is about one person, so neither may name anyone; both belong to a team and are
written by a member of it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import Team, User
from alongside.core.audit import audit_record
from alongside.core.models import Ward

from ..models import CommunityWork, SystemIntelligence
from ..selectors import is_team_member

if TYPE_CHECKING:
    from alongside.directory.models import Provider

ADD_COMMUNITY_WORK = "casework.add_communitywork"
ADD_SYSTEM_INTELLIGENCE = "casework.add_systemintelligence"
MAX_MINUTES = 24 * 60


def _check_member(*, actor: User, team: Team, perm: str) -> None:
    if not actor.has_perm(perm) or not is_team_member(user=actor, team_id=team.pk):
        raise PermissionDenied("Only a member of the team can record its work.")


def _check_date(value: dt.date | None, *, field: str, name: str, errors: dict[str, str]) -> None:
    if value is None:
        errors[field] = f"Enter the {name.lower()}"
    elif value > timezone.localdate():
        errors[field] = f"The {name.lower()} must be today or in the past"


@transaction.atomic
def community_work_record(
    *,
    actor: User,
    team: Team,
    group_name: str,
    kind: str,
    what: str,
    happened_on: dt.date,
    minutes: int = 0,
    ward: Ward | None = None,
    provider: Provider | None = None,
) -> CommunityWork:
    """Record help the team gave a community group: what kind, what was done, when, and the
    time it took. The group may be a directory provider, or a name when it is not listed."""
    _check_member(actor=actor, team=team, perm=ADD_COMMUNITY_WORK)
    group_name = group_name.strip() or (provider.name if provider else "")
    errors: dict[str, str] = {}
    if not group_name:
        errors["group_name"] = "Enter the name of the group"
    if kind not in CommunityWork.Kind.values:
        errors["kind"] = "Choose the kind of help"
    if not what.strip():
        errors["what"] = "Enter what you did"
    _check_date(happened_on, field="happened_on", name="Date", errors=errors)
    if minutes is None or minutes < 0:
        errors["minutes"] = "Enter the time spent in minutes, like 90"
    elif minutes > MAX_MINUTES:
        errors["minutes"] = "Time spent must be 1,440 minutes (24 hours) or less"
    if errors:
        raise ValidationError(errors)
    work = CommunityWork(
        team=team,
        worker=actor,
        ward=ward,
        group_name=group_name[:200],
        provider=provider,
        kind=kind,
        what=what.strip(),
        happened_on=happened_on,
        minutes=minutes,
        created_by=actor,
        modified_by=actor,
    )
    work.full_clean()
    work.save()
    audit_record(
        actor=actor,
        action="create",
        obj=work,
        changes={
            "team": [None, team.name],
            "group_name": [None, work.group_name],
            "kind": [None, kind],
            "minutes": [None, minutes],
        },
    )
    return work


@transaction.atomic
def system_intelligence_record(
    *,
    actor: User,
    team: Team,
    kind: str,
    service: str,
    description: str,
    noted_on: dt.date,
    ward: Ward | None = None,
    raised_with: str = "",
) -> SystemIntelligence:
    """Record something seen of the system: a barrier to getting help, duplication between
    services, a gap, or something that works well; and who it was raised with."""
    _check_member(actor=actor, team=team, perm=ADD_SYSTEM_INTELLIGENCE)
    errors: dict[str, str] = {}
    if kind not in SystemIntelligence.Kind.values:
        errors["kind"] = "Choose what kind of thing you saw"
    if not service.strip():
        errors["service"] = "Enter the service or part of the system"
    if not description.strip():
        errors["description"] = "Enter what happened"
    _check_date(noted_on, field="noted_on", name="Date", errors=errors)
    if errors:
        raise ValidationError(errors)
    item = SystemIntelligence(
        team=team,
        worker=actor,
        ward=ward,
        kind=kind,
        service=service.strip(),
        description=description.strip(),
        noted_on=noted_on,
        raised_with=raised_with.strip(),
        created_by=actor,
        modified_by=actor,
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action="create",
        obj=item,
        changes={"team": [None, team.name], "kind": [None, kind], "service": [None, item.service]},
    )
    return item
