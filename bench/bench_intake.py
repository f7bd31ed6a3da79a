"""The social prescribing intake queue at a busy team's scale (issue 7: server time p95 <= 80 ms
with 500 open referrals).

Data: one link worker team with 3 pathways, 500 referrals waiting for triage (mixed urgency,
received over the last 6 weeks) and 5,000 triaged in the past year (85% accepted, each with
its person, introduction, episode and referral code; the rest declined or passed to Local
Area Coordination); a second team with 200 waiting and 2,000 triaged, so the queue has to
pick its own team's. Each referral has 1 to 3 reasons. Rows are bulk-inserted (what the
services would write, minus the audit trail).

Measured as server time through Django's test client, signed in as one of the team's link
workers: the queue's first page (50 of 500), a later page, the queue filtered by pathway and
urgency, and opening one referral (which writes its audit event).

    .venv/bin/python bench/run.py bench_intake
    scripts/with-postgres.sh .venv/bin/python bench/run.py bench_intake
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.casework.models import (
    CodedEvent,
    Episode,
    Introduction,
    IntroductionReason,
    Pathway,
    Referral,
)
from alongside.people.models import Involvement, Person

OPEN, TRIAGED = 500, 5_000
OTHER_OPEN, OTHER_TRIAGED = 200, 2_000
WORKERS = 3
REFERRAL_CODE = "871731000000106"
SP = Programme.Code.SOCIAL_PRESCRIBING
_state: dict[str, Any] = {}


def _bulk(model: type, rows: list, size: int = 2000) -> None:
    model.objects.bulk_create(rows, batch_size=size)


def _team(
    n: int, organisation: Organisation, role: Group
) -> tuple[Team, list[User], list[Pathway]]:
    team = Team.objects.create(organisation=organisation, name=f"Link workers {n}")
    team.programmes.add(SP)
    workers = []
    for w in range(WORKERS):
        user = User.objects.create_user(
            email=f"lw{n}-{w}@bench.example", password=None, full_name=f"Link worker {n}-{w}"
        )
        user.groups.add(role)
        Membership.objects.create(team=team, user=user)
        workers.append(user)
    pathways = [
        Pathway.objects.create(team=team, name=name, target_days=days)
        for name, days in (
            ("Primary care", 10),
            ("Hospital discharge", 3),
            ("Mental health recovery", 7),
        )
    ]
    return team, workers, pathways


def _referrals(
    rng: random.Random,
    team: Team,
    workers: list[User],
    pathways: list[Pathway],
    reasons: list[str],
    *,
    waiting: int,
    triaged: int,
) -> None:
    now = timezone.now()
    referrals: list[Referral] = []
    people: list[Person] = []
    involvements: list[Involvement] = []
    introductions: list[Introduction] = []
    episodes: list[Episode] = []
    codes: list[CodedEvent] = []
    for i in range(waiting + triaged):
        is_waiting = i < waiting
        received = now - dt.timedelta(
            days=rng.uniform(0, 42) if is_waiting else rng.uniform(1, 365)
        )
        referral = Referral(
            programme_id=SP,
            team=team,
            pathway=rng.choice(pathways),
            source=rng.choice(["gp_practice"] * 6 + ["hospital", "self", "adult_social_care"]),
            referrer_name="Dr Bench",
            referrer_email="referrer@bench.example",
            given_name=f"Given{i}",
            family_name=f"Family{i % 997}",
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=i % 20000),
            phone="07700 900000",
            what_matters="Getting out and seeing people again.",
            urgency=rng.choices(["routine", "soon", "urgent"], weights=[80, 15, 5])[0],
            consent_to_referral=True,
            received_at=received,
        )
        referrals.append(referral)
        if is_waiting:
            continue
        triaged_at = received + dt.timedelta(days=rng.randint(0, 4))
        referral.triaged_by = workers[i % len(workers)]
        referral.triaged_at = min(triaged_at, now)
        roll = rng.random()
        if roll < 0.85:
            person = Person(
                given_name=referral.given_name,
                family_name=referral.family_name,
                date_of_birth=referral.date_of_birth,
            )
            people.append(person)
            involvements.append(Involvement(person=person, team=team, reason="bench"))
            introduction = Introduction(
                person=person,
                programme_id=SP,
                team=team,
                source="gp",
                received_on=received.date(),
            )
            introductions.append(introduction)
            closed = rng.random() < 0.7
            opened = received.date()
            episode = Episode(
                person=person,
                programme_id=SP,
                team=team,
                introduction=introduction,
                worker=referral.triaged_by,
                status="closed" if closed else "active",
                status_changed_at=now,
                opened_on=opened,
                first_contact_on=opened + dt.timedelta(days=5),
                closed_on=opened + dt.timedelta(days=90) if closed else None,
                close_reason="goals_met" if closed else "",
            )
            episodes.append(episode)
            referral.status = "accepted"
            referral.person = person
            referral.episode = episode
            codes.append(
                CodedEvent(referral=referral, code_id=REFERRAL_CODE, recorded_at=triaged_at)
            )
        elif roll < 0.94:
            referral.status = "declined"
            referral.decision_reason = "The person declined"
        else:
            referral.status = "redirected"
            referral.redirected_to_id = Programme.Code.LAC
            referral.decision_reason = "Introduced to Local Area Coordination"
    _bulk(Person, people)
    _bulk(Involvement, involvements)
    _bulk(Introduction, introductions)
    _bulk(Episode, episodes)
    _bulk(Referral, referrals)
    _bulk(CodedEvent, codes)
    through = Referral.reasons.through
    _bulk(
        through,
        [
            through(referral_id=r.pk, introductionreason_id=code)
            for r in referrals
            for code in rng.sample(reasons, k=rng.randint(1, 3))
        ],
        5000,
    )


@transaction.atomic
def setup() -> str:
    rng = random.Random(7)
    pcn = Organisation.objects.create(name="Bench primary care network", kind="pcn")
    role = Group.objects.get(name="Link worker")
    reasons = list(IntroductionReason.objects.exclude(code="other").values_list("code", flat=True))
    team, workers, pathways = _team(0, pcn, role)
    other, other_workers, other_pathways = _team(1, pcn, role)
    _referrals(rng, team, workers, pathways, reasons, waiting=OPEN, triaged=TRIAGED)
    _referrals(
        rng,
        other,
        other_workers,
        other_pathways,
        reasons,
        waiting=OTHER_OPEN,
        triaged=OTHER_TRIAGED,
    )
    client = Client()
    client.force_login(workers[0], backend="django.contrib.auth.backends.ModelBackend")
    intake = reverse("casework:intake")
    waiting = Referral.objects.filter(team=team, status="received")
    assert waiting.count() == OPEN
    _state.update(
        client=client,
        page1=intake,
        page5=f"{intake}?page=5",
        filtered=f"{intake}?pathway={pathways[0].pk}&urgency=soon",
        referral=reverse("casework:referral", kwargs={"pk": waiting.order_by("received_at")[0].pk}),
    )
    total = OPEN + TRIAGED + OTHER_OPEN + OTHER_TRIAGED
    return (
        f"{OPEN} waiting + {TRIAGED:,} triaged in the team; {total:,} referrals in 2 teams, "
        f"{Episode.objects.count():,} episodes"
    )


def _get(url: str) -> None:
    response = _state["client"].get(url)
    assert response.status_code == 200, (url, response.status_code)


BENCHMARKS = [
    ("intake: queue, page 1 (50 of 500 waiting)", lambda: _get(_state["page1"]), 50),
    ("intake: queue, page 5", lambda: _get(_state["page5"]), 50),
    ("intake: queue filtered by pathway and urgency", lambda: _get(_state["filtered"]), 50),
    ("intake: open a waiting referral", lambda: _get(_state["referral"]), 50),
]
