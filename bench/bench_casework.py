"""Casework at a city's scale (issue 6): the pages a coordinator and a manager open all day.

Data: 4 Local Area Coordination teams (one per neighbourhood) of 8 coordinators, each
coordinator holding 60 Level 2 and 30 Level 1 open episodes (2,880 open), plus 12,000 closed
episodes from earlier years; 6 timeline contacts and 2 connections per episode, a history of
status changes, and introductions with reasons. Rows are bulk-inserted (what the services
would write, minus the audit trail) so setup takes seconds, not minutes.

Measured as server time through Django's test client (routing, permission checks, selectors,
the audit write for each view of an episode, templates). Issue 6 sets no budget; we hold these
pages to the 80 ms p95 that issue 7 sets for the link workers' intake queue.

    .venv/bin/python bench/run.py bench_casework
    scripts/with-postgres.sh .venv/bin/python bench/run.py bench_casework
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils import timezone

from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.casework import services
from alongside.casework.models import (
    Connection,
    Contact,
    Episode,
    EpisodeChange,
    Introduction,
    IntroductionReason,
)
from alongside.core.models import Neighbourhood, Ward
from alongside.people.models import Involvement, Person

WORKERS_PER_TEAM = 8
LEVEL2_EACH, LEVEL1_EACH = 60, 30
CLOSED = 12_000
CONTACTS_EACH, CONNECTIONS_EACH = 6, 2
_state: dict[str, Any] = {}


def _bulk(model: type, rows: list, size: int = 2000) -> None:
    model.objects.bulk_create(rows, batch_size=size)


@transaction.atomic
def setup() -> str:
    rng = random.Random(6)
    today = timezone.localdate()
    now = timezone.now()
    council = Organisation.objects.create(name="Bench council", kind="council")
    lac_role = Group.objects.get(name="Local Area Coordinator")
    manager_role = Group.objects.get(name="Team manager")
    reasons = list(IntroductionReason.objects.all())
    teams: list[Team] = []
    workers: dict[Any, list[User]] = {}
    for n, hood in enumerate(Neighbourhood.objects.order_by("name")):
        team = Team.objects.create(organisation=council, name=f"LAC {hood.name}")
        team.programmes.add(Programme.Code.LAC)
        team.wards.set(Ward.objects.filter(neighbourhood=hood))
        teams.append(team)
        workers[team.pk] = []
        for w in range(WORKERS_PER_TEAM):
            user = User.objects.create_user(
                email=f"lac{n}-{w}@bench.example", password=None, full_name=f"Worker {n}-{w}"
            )
            user.groups.add(lac_role)
            Membership.objects.create(team=team, user=user)
            workers[team.pk].append(user)
        manager = User.objects.create_user(
            email=f"manager{n}@bench.example", password=None, full_name=f"Manager {n}"
        )
        manager.groups.add(manager_role)
        Membership.objects.create(team=team, user=manager, is_lead=True)
        if n == 0:
            _state["manager"] = manager

    # (team, worker, status, level, opened)
    plan: list[tuple[Team, User | None, str, int, dt.date]] = []
    for team in teams:
        for worker in workers[team.pk]:
            for i in range(LEVEL2_EACH + LEVEL1_EACH):
                status = rng.choice(["active", "active", "active", "contacted", "paused"])
                level = 2 if i < LEVEL2_EACH else 1
                plan.append(
                    (team, worker, status, level, today - dt.timedelta(rng.randint(1, 400)))
                )
    for i in range(CLOSED):
        team = teams[i % len(teams)]
        worker = workers[team.pk][i % WORKERS_PER_TEAM]
        plan.append(
            (
                team,
                worker,
                "closed",
                rng.choice([1, 2]),
                today - dt.timedelta(rng.randint(200, 1500)),
            )
        )

    wards = {team.pk: list(team.wards.all()) for team in teams}
    people = [
        Person(
            given_name=f"Given{i}",
            family_name=f"Family{i % 997}",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(i % 20000),
        )
        for i in range(len(plan))
    ]
    _bulk(Person, people)
    _bulk(
        Involvement,
        [
            Involvement(person=p, team=t, reason="bench")
            for p, (t, *_rest) in zip(people, plan, strict=True)
        ],
    )
    intros = []
    episodes = []
    for person, (team, worker, status, level, opened) in zip(people, plan, strict=True):
        ward = rng.choice(wards[team.pk])
        intro = Introduction(
            person=person,
            programme_id="lac",
            team=team,
            ward=ward,
            source=rng.choice(Introduction.Source.values[:-1]),
            received_on=opened,
        )
        intros.append(intro)
        closed = status == "closed"
        episodes.append(
            Episode(
                person=person,
                programme_id="lac",
                team=team,
                ward=ward,
                introduction=intro,
                worker=worker,
                level=level,
                status=status,
                status_changed_at=now,
                opened_on=opened,
                first_contact_on=opened + dt.timedelta(3),
                closed_on=opened + dt.timedelta(120) if closed else None,
                close_reason="goals_met" if closed else "",
                outcome_in_own_words="Better now" if closed else "",
            )
        )
    _bulk(Introduction, intros)
    through = Introduction.reasons.through
    _bulk(
        through,
        [
            through(introduction_id=i.pk, introductionreason_id=rng.choice(reasons).pk)
            for i in intros
        ],
    )
    _bulk(Episode, episodes)
    contacts, connections, changes = [], [], []
    for episode in episodes:
        for c in range(CONTACTS_EACH):
            contacts.append(
                Contact(
                    episode=episode,
                    worker_id=episode.worker_id,
                    kind=rng.choice(["call", "visit", "meeting", "walking_alongside"]),
                    happened_on=episode.opened_on + dt.timedelta(3 + 7 * c),
                    minutes=rng.choice([15, 30, 60]),
                    summary="Caught up.",
                    is_sensitive=c == 4,
                )
            )
        for c in range(CONNECTIONS_EACH):
            connections.append(
                Connection(
                    episode=episode,
                    name=f"Group {c}",
                    status=rng.choice(Connection.Status.values),
                    status_changed_on=episode.opened_on,
                    stopped_reason="Moved",
                )
            )
        changes.append(
            EpisodeChange(
                episode=episode,
                kind="status",
                old_value="new",
                new_value="contacted",
                changed_at=now,
            )
        )
    _bulk(Contact, contacts, 5000)
    _bulk(Connection, connections, 5000)
    _bulk(EpisodeChange, changes, 5000)

    coordinator = workers[teams[0].pk][0]
    mine = Episode.objects.filter(worker=coordinator, status="active", level=2).first()
    coordinator_client = Client()
    coordinator_client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    manager_client = Client()
    manager_client.force_login(
        _state["manager"], backend="django.contrib.auth.backends.ModelBackend"
    )
    _state.update(
        coordinator=coordinator,
        episode=mine,
        c=coordinator_client,
        m=manager_client,
        team=teams[0],
        ward=wards[teams[0].pk][0],
        reasons=[reasons[0].code],
    )
    return (
        f"{len(plan):,} episodes ({len(plan) - CLOSED:,} open), {len(contacts):,} contacts, "
        f"{len(teams) * WORKERS_PER_TEAM} coordinators"
    )


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def _caseload() -> None:
    _get(_state["c"], "/staff/casework/")


def _team() -> None:
    _get(_state["m"], "/staff/casework/team/")


def _overview() -> None:
    _get(_state["c"], f"/staff/casework/episodes/{_state['episode'].pk}/")


def _timeline() -> None:
    _get(_state["c"], f"/staff/casework/episodes/{_state['episode'].pk}/timeline/")


def _figures() -> None:
    _get(_state["m"], "/staff/casework/figures/")


def _introduce() -> None:
    person = Person.objects.create(given_name="New", family_name="Person", ward=_state["ward"])
    services.introduction_create(
        actor=_state["coordinator"],
        person=person,
        programme_code="lac",
        details=services.IntroductionDetails(
            source="gp", reasons=_state["reasons"], received_on=timezone.localdate()
        ),
    )


BENCHMARKS = [
    ("casework: my caseload page (90 open)", _caseload, 50),
    ("casework: team view (8 coordinators)", _team, 50),
    ("casework: episode overview", _overview, 50),
    ("casework: episode timeline", _timeline, 50),
    ("casework: figures for the quarter (all teams)", _figures, 20),
    ("casework: record an introduction (service)", _introduce, 50),
]
