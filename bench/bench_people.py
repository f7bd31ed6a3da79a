"""The person record on a council-sized register: search and the duplicate check."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.test import Client

from alongside.accounts.models import Membership, Organisation, Team, User
from alongside.people.duplicates import find_possible_duplicates
from alongside.people.models import Involvement, Person
from alongside.people.selectors import person_list_for_user

PEOPLE = 20_000
GIVEN = "Margaret John Priya Tomasz Irene Samuel Doreen Callum Fatima Kenneth Rosalind Declan"
FAMILY = "Smith Ashdown Kettlewell Brindle Fothergill Oakenshaw Pickersgill Ridsdale Thwaite Lumb"
_state: dict[str, object] = {}


def setup() -> str:
    rng = random.Random(7)
    org = Organisation.objects.create(name="Bench council", kind="council")
    team = Team.objects.create(organisation=org, name="Bench team")
    user = User.objects.create_user(
        email="bench@example.org", password="bench-password-123", full_name="Bench User"
    )
    user.groups.add(Group.objects.get(name="Front-door officer"))
    Membership.objects.create(team=team, user=user)
    given, family = GIVEN.split(), FAMILY.split()
    start = date(1930, 1, 1)
    people = [
        Person(
            given_name=rng.choice(given),
            family_name=f"{rng.choice(family)}{'' if i % 5 else 'son'}",
            date_of_birth=start + timedelta(days=rng.randrange(365 * 80)),
        )
        for i in range(PEOPLE)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    Involvement.objects.bulk_create(
        [Involvement(person=p, team=team, reason="bench") for p in people[::2]], batch_size=2000
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    _state.update(user=user, client=client, sample=people[123])
    return f"{PEOPLE:,} people, {PEOPLE // 2:,} visible to the user"


def _search() -> None:
    list(person_list_for_user(user=_state["user"], query="Kettlewell")[:25])


def _duplicates() -> None:
    sample = _state["sample"]
    find_possible_duplicates(
        given_name="Jon",
        family_name=sample.family_name,
        date_of_birth=sample.date_of_birth,
    )


def _list_page() -> None:
    response = _state["client"].get("/staff/people/?q=smith")
    assert response.status_code == 200


BENCHMARKS = [
    ("person search by name (first 25)", _search, 100),
    ("duplicate check on create", _duplicates, 100),
    ("people list page, server time (search 'smith')", _list_page, 50),
]
