"""Reads of caseloads, teams and the figures on an episode's overview, always on behalf of a
member of staff.

A worker's caseload is their open episodes. Capacity is counted in Level 2 episodes (the
ongoing support with a shared agreement): settings.CASEWORK_LEVEL2_CAPACITY, unless a manager
has set the worker their own figure (WorkerCapacity). Every list here is built from a fixed
number of grouped queries, never one query per worker or per episode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from alongside.accounts.models import Membership, Team, User
from alongside.core.models import Ward

from .models import (
    Connection,
    Contact,
    Diversion,
    Episode,
    EpisodeChange,
    Goal,
    Story,
    WorkerCapacity,
)
from .programmes import PROGRAMMES, CaseworkProgramme
from .selectors import led_team_ids_for_user, visible_episodes

S = Episode.Status
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in S.values if s != S.CLOSED)
LEVEL_SHORT = {1: "Level 1", 2: "Level 2"}


# --- capacity -----------------------------------------------------------------------------------


def default_capacity() -> int:
    return int(settings.CASEWORK_LEVEL2_CAPACITY)


def capacities_of(user_ids: Iterable[Any]) -> dict[Any, int]:
    """Each worker's Level 2 capacity (their own figure, else the default), in one query."""
    ids = list(user_ids)
    own = dict(
        WorkerCapacity.objects.filter(user_id__in=ids).values_list("user_id", "level2_capacity")
    )
    return {pk: own.get(pk, default_capacity()) for pk in ids}


def capacity_record_of(user: Any) -> WorkerCapacity | None:
    """The worker's own capacity figure, when a manager has set one."""
    return WorkerCapacity.objects.filter(user=user).first()


def capacity_of(user: Any) -> int:
    return capacities_of([user.pk])[user.pk]


def open_loads(user_ids: Iterable[Any]) -> dict[Any, dict[int, int]]:
    """{worker id: {level: open episodes}} for the workers, across all their teams, in one
    grouped query."""
    ids = list(user_ids)
    loads: dict[Any, dict[int, int]] = {pk: {1: 0, 2: 0} for pk in ids}
    rows = (
        Episode.objects.filter(worker_id__in=ids)
        .exclude(status=S.CLOSED)
        .values("worker_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        loads[row["worker_id"]][row["level"]] = row["n"]
    return loads


@dataclass(frozen=True)
class Load:
    """A worker's open episodes against their Level 2 capacity."""

    level1: int
    level2: int
    capacity: int

    @property
    def total(self) -> int:
        return self.level1 + self.level2

    @property
    def at_capacity(self) -> bool:
        """At or over: taking another Level 2 episode would go beyond what they can hold."""
        return self.level2 >= self.capacity

    @property
    def over_capacity(self) -> bool:
        return self.level2 > self.capacity


def loads_of(user_ids: Iterable[Any]) -> dict[Any, Load]:
    """Each worker's Load, in two queries whatever the number of workers."""
    ids = list(user_ids)
    counts = open_loads(ids)
    capacities = capacities_of(ids)
    return {pk: Load(counts[pk][1], counts[pk][2], capacities[pk]) for pk in ids}


# --- my caseload --------------------------------------------------------------------------------


def caseload_for_user(*, user: Any, status: str = "") -> QuerySet[Episode]:
    """The user's own open episodes (optionally of one status), newest first, each with the
    date of the last contact on its timeline (`last_contact_on`, None when there is none)."""
    last_contact = (
        Contact.objects.filter(episode=OuterRef("pk"))
        .order_by("-happened_on")
        .values("happened_on")[:1]
    )
    episodes = (
        visible_episodes(user=user)
        .filter(worker=user, status__in=OPEN_STATUSES)
        .select_related("person", "ward")
        .annotate(last_contact_on=Subquery(last_contact))
        .order_by("-opened_on", "-created_at")
    )
    if status:
        episodes = episodes.filter(status=status)
    return episodes


@dataclass(frozen=True)
class CaseloadSummary:
    total: int
    by_level: list[tuple[str, int]]
    by_status: list[tuple[str, str, int]]  # value, label, count
    load: Load


def caseload_summary(*, user: Any) -> CaseloadSummary:
    """Counts of the user's open episodes by level and by status, and their Level 2 count
    against their capacity (two queries)."""
    rows = (
        visible_episodes(user=user)
        .filter(worker=user, status__in=OPEN_STATUSES)
        .values("level", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    levels = {1: 0, 2: 0}
    statuses = dict.fromkeys(OPEN_STATUSES, 0)
    for row in rows:
        levels[row["level"]] += row["n"]
        statuses[row["status"]] += row["n"]
    labels = dict(S.choices)
    return CaseloadSummary(
        total=sum(levels.values()),
        by_level=[(LEVEL_SHORT[level], n) for level, n in levels.items()],
        by_status=[(s, str(labels[s]), statuses[s]) for s in OPEN_STATUSES],
        load=Load(levels[1], levels[2], capacity_of(user)),
    )


# --- teams --------------------------------------------------------------------------------------


def casework_team_ids_for_user(*, user: Any) -> QuerySet[Team]:
    """The ids of the active casework teams the user belongs to, as a subquery."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none().values("pk")
    return Team.objects.filter(
        is_active=True, memberships__user=user, programmes__code__in=list(PROGRAMMES)
    ).values("pk")


def casework_teams_for_user(*, user: Any) -> QuerySet[Team]:
    """The active casework teams the user belongs to, in name order, each with `is_lead`."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return (
        Team.objects.filter(pk__in=casework_team_ids_for_user(user=user))
        .annotate(
            is_lead=Exists(Membership.objects.filter(team=OuterRef("pk"), user=user, is_lead=True))
        )
        .order_by("name")
    )


def casework_programmes_for_user(*, user: Any) -> list[CaseworkProgramme]:
    """The casework programmes of the user's teams, in the order PROGRAMMES lists them."""
    codes = set(
        Team.programmes.through.objects.filter(
            team_id__in=casework_team_ids_for_user(user=user), programme_id__in=list(PROGRAMMES)
        ).values_list("programme_id", flat=True)
    )
    return [p for code, p in PROGRAMMES.items() if code in codes]


def casework_workers_for_user(*, user: Any) -> list[User]:
    """Everyone who may work on episodes in the user's casework teams, in name order."""
    return list(
        User.objects.filter(
            memberships__team_id__in=casework_team_ids_for_user(user=user), is_active=True
        )
        .filter(_may_work())
        .distinct()
        .order_by("full_name", "email")
    )


def team_get_for_user(*, user: Any, pk: UUID | str) -> Team:
    """One of the user's casework teams; 404 for any other."""
    try:
        team = casework_teams_for_user(user=user).filter(pk=pk).first()
    except (ValidationError, ValueError):
        team = None
    if team is None:
        raise Http404("No such team")
    return team


def _may_work() -> Q:
    """Holds casework.change_episode through a role, directly, or as a superuser."""
    app, codename = "casework", "change_episode"
    return (
        Q(
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app,
        )
        | Q(
            user_permissions__codename=codename,
            user_permissions__content_type__app_label=app,
        )
        | Q(is_superuser=True)
    )


def team_workers(team: Team) -> list[User]:
    """The team's active members who may work on episodes, in name order, in one query
    (services.episodes.workers_of uses it to check a chosen worker)."""
    return list(
        User.objects.filter(memberships__team=team, is_active=True)
        .filter(_may_work())
        .distinct()
        .order_by("full_name", "email")
    )


@dataclass(frozen=True)
class WorkerRow:
    worker: User
    load: Load
    is_lead: bool


@dataclass(frozen=True)
class WardRow:
    name: str
    level1: int
    level2: int

    @property
    def total(self) -> int:
        return self.level1 + self.level2


@dataclass
class TeamView:
    team: Team
    workers: list[WorkerRow]
    unassigned: list[Episode]
    wards: list[WardRow]
    over_capacity: list[WorkerRow] = field(default_factory=list)

    @property
    def level1(self) -> int:
        return sum(w.level1 for w in self.wards)

    @property
    def level2(self) -> int:
        return sum(w.level2 for w in self.wards)

    @property
    def open_total(self) -> int:
        return self.level1 + self.level2


def team_view(*, user: Any, team: Team) -> TeamView:
    """The team's caseloads: each worker's open episodes by level against their capacity
    (counted across all their teams), the team's open episodes nobody holds, and its open
    episodes by ward. A fixed number of queries, whatever the size of the team."""
    workers = team_workers(team)
    leads = set(
        Membership.objects.filter(team=team, is_lead=True).values_list("user_id", flat=True)
    )
    loads = loads_of(w.pk for w in workers)
    rows = [WorkerRow(w, loads[w.pk], w.pk in leads) for w in workers]
    team_open = visible_episodes(user=user).filter(team=team, status__in=OPEN_STATUSES)
    unassigned = list(
        team_open.filter(worker__isnull=True)
        .select_related("person", "ward")
        .order_by("opened_on", "created_at")
    )
    by_ward: dict[Any, dict[int, int]] = {}
    for row in team_open.values("ward_id", "level").annotate(n=Count("id")).order_by():
        by_ward.setdefault(row["ward_id"], {1: 0, 2: 0})[row["level"]] = row["n"]
    covered = list(team.wards.order_by("name").values_list("pk", "name"))
    others = Ward.objects.filter(pk__in=[pk for pk in by_ward if pk is not None]).exclude(
        pk__in=[pk for pk, _ in covered]
    )
    wards = [
        WardRow(name, by_ward.get(pk, {}).get(1, 0), by_ward.get(pk, {}).get(2, 0))
        for pk, name in [*covered, *others.order_by("name").values_list("pk", "name")]
    ]
    if None in by_ward:
        wards.append(WardRow("Ward not known", by_ward[None][1], by_ward[None][2]))
    return TeamView(
        team=team,
        workers=rows,
        unassigned=unassigned,
        wards=wards,
        over_capacity=[r for r in rows if r.load.over_capacity],
    )


def capacity_worker_get_for_user(*, user: Any, pk: int | str) -> tuple[User, Team]:
    """A worker whose capacity the user may set: an active member of a casework team the
    user leads (with that team). 404 for anyone else, so other teams' staff stay hidden."""
    try:
        membership = (
            Membership.objects.filter(
                user_id=pk,
                user__is_active=True,
                team_id__in=casework_team_ids_for_user(user=user),
            )
            .filter(team_id__in=led_team_ids_for_user(user))
            .select_related("user", "team")
            .order_by("team__name")
            .first()
        )
    except (ValidationError, ValueError):
        membership = None
    if membership is None:
        raise Http404("No such worker")
    return membership.user, membership.team


# --- one episode --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeFigures:
    connections: int
    goals: int
    contacts: int
    minutes: int
    stories: int

    @property
    def time_spent(self) -> str:
        """Minutes as "3 hours 5 minutes"."""
        hours, minutes = divmod(self.minutes, 60)
        parts = []
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if minutes or not hours:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        return " ".join(parts)


def _count_of(queryset: QuerySet[Any], key: str) -> Coalesce:
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def episode_figures(*, user: Any, episode: Episode) -> EpisodeFigures:
    """How much is recorded on the episode (connections, goals, contacts and the time they
    took, stories), in one query. 404 when the user may not see the episode."""
    minutes = (
        Contact.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    row = (
        visible_episodes(user=user)
        .filter(pk=episode.pk)
        .annotate(
            n_connections=_count_of(Connection.objects.filter(episode=OuterRef("pk")), "episode"),
            n_goals=_count_of(
                Goal.objects.filter(agreement__episode=OuterRef("pk")), "agreement__episode"
            ),
            n_contacts=_count_of(Contact.objects.filter(episode=OuterRef("pk")), "episode"),
            n_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
            n_stories=_count_of(Story.objects.filter(episode=OuterRef("pk")), "episode"),
        )
        .values("n_connections", "n_goals", "n_contacts", "n_minutes", "n_stories")
        .first()
    )
    if row is None:
        raise Http404("No such episode")
    return EpisodeFigures(
        connections=row["n_connections"],
        goals=row["n_goals"],
        contacts=row["n_contacts"],
        minutes=row["n_minutes"],
        stories=row["n_stories"],
    )


def open_safeguarding_concerns(*, user: Any, episode: Episode) -> list[Contact]:
    """Timeline entries with a safeguarding concern whose escalation is not yet done, oldest
    first. Only when the user may see the episode; what the entry says is not needed here."""
    return list(
        Contact.objects.filter(
            episode__in=visible_episodes(user=user).filter(pk=episode.pk),
            safeguarding_concern=True,
            escalation_done_at__isnull=True,
        )
        .only("id", "episode_id", "happened_on", "escalation", "escalated_to")
        .order_by("happened_on", "created_at")
    )


def episode_diversions(*, user: Any, episode: Episode) -> list[Diversion]:
    """What the support avoided or delayed, recorded at closing."""
    return list(
        Diversion.objects.filter(episode__in=visible_episodes(user=user).filter(pk=episode.pk))
        .select_related("kind")
        .order_by("kind__order", "kind__label")
    )


def change_label(kind: str, value: str) -> str:
    """A history value in words: status and level names rather than codes."""
    if kind == EpisodeChange.Kind.STATUS:
        return str(dict(S.choices).get(value, value))
    if kind == EpisodeChange.Kind.LEVEL:
        return LEVEL_SHORT.get(int(value), value) if value.isdigit() else value
    if kind == EpisodeChange.Kind.CONNECTION:
        return str(dict(Connection.Status.choices).get(value, value))
    return value or "Nobody"


@dataclass(frozen=True)
class HistoryRow:
    change: EpisodeChange
    old: str
    new: str


def episode_history(*, user: Any, episode: Episode) -> QuerySet[EpisodeChange]:
    """The episode's changes, newest first, with who made them."""
    return (
        EpisodeChange.objects.filter(episode__in=visible_episodes(user=user).filter(pk=episode.pk))
        .select_related("created_by")
        .order_by("-changed_at", "-created_at")
    )


def history_rows(changes: Iterable[EpisodeChange]) -> list[HistoryRow]:
    return [
        HistoryRow(c, change_label(c.kind, c.old_value), change_label(c.kind, c.new_value))
        for c in changes
    ]


def days_since(day: dt.date | None, *, today: dt.date) -> int | None:
    return (today - day).days if day else None
