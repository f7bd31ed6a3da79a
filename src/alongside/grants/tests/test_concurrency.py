"""Approvals at the same moment keep the fund right (PostgreSQL only: SQLite serialises every
write, so there is no race to lose; test_services.py runs the same logic one after another).

Each thread has its own database connection and really commits, so these tests use
transactional databases; serialized rollback brings back the roles and programmes the flush
after each test removes. The team is a social prescribing one so that no wards are needed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alongside.accounts import roles
from alongside.accounts.models import User
from alongside.casework.tests.factories import introduce, manager, sp_team
from alongside.grants import services
from alongside.grants.models import Award, Fund
from alongside.people.tests.factories import make_staff

from .test_services import make_fund, request_grant

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOT_ENOUGH = "The fund has £0 left, not enough for £50"


@pytest.fixture
def team():
    return sp_team(name="Link workers at the surgery")


@pytest.fixture
def worker(team):
    return make_staff(roles.LINK_WORKER, team=team, full_name="Lee Linkworker")


@pytest.fixture
def lead(team):
    return manager(team, full_name="Mo Manager")


def _requests(worker: Any, fund: Fund, count: int) -> list[Award]:
    """`count` requests of £50, each for a different person's support."""
    return [
        request_grant(worker, introduce(actor=worker, programme="social_prescribing"), fund)
        for _ in range(count)
    ]


def _approve_together(lead: Any, awards: list[Award]) -> list[str]:
    """Every award approved by the lead in its own thread, all released at once. Returns
    what each thread saw: "approved", a message the manager would read, or an unexpected
    exception's repr (which the tests forbid)."""
    barrier = threading.Barrier(len(awards), timeout=30)

    def approve(award_pk: Any) -> str:
        try:
            actor = User.objects.get(pk=lead.pk)
            award = Award.objects.select_related("episode").get(pk=award_pk)
            actor.has_perm("grants.decide_award")  # load permissions before the race
            barrier.wait()
            services.award_approve(actor=actor, award=award)
            return "approved"
        except ValidationError as error:
            return " ".join(error.messages)
        except Exception as error:  # reported to the test, which fails on it
            return repr(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(awards)) as pool:
        return list(pool.map(approve, [a.pk for a in awards]))


def test_forty_managers_approving_at_once_stop_exactly_at_the_budget(worker, lead):
    """£1,000 and forty £50 requests approved at the same moment: exactly twenty win, the
    other twenty are told the fund has nothing left, and no constraint error escapes."""
    fund = make_fund(lead, budget="1000")
    awards = _requests(worker, fund, 40)

    results = _approve_together(lead, awards)

    assert results.count("approved") == 20
    assert results.count(NOT_ENOUGH) == 20
    assert set(results) == {"approved", NOT_ENOUGH}
    fund.refresh_from_db()
    assert (fund.committed, fund.spent, fund.remaining) == (Decimal("1000"), 0, 0)
    assert Award.objects.filter(status="approved").count() == 20
    assert Award.objects.filter(status="requested").count() == 20
    approved = Award.objects.filter(status="approved")
    assert sum(a.amount for a in approved) == fund.committed
    assert all(a.decided_by_id == lead.pk and a.decided_at for a in approved)


def test_ten_managers_approving_the_same_request_commit_it_once(worker, lead):
    """Ten approvals of one request at the same moment: one wins, nine are told it has
    already been decided, and the fund commits the amount once."""
    fund = make_fund(lead, budget="1000")
    (award,) = _requests(worker, fund, 1)

    results = _approve_together(lead, [award] * 10)

    assert results.count("approved") == 1
    assert results.count("This request has already been decided") == 9
    fund.refresh_from_db()
    award.refresh_from_db()
    assert award.status == "approved"
    assert (fund.committed, fund.remaining) == (Decimal("50"), Decimal("950"))
