"""Factories for person records. One subclass per state, so tests read as the situation."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.tests.factories import ROLE_FACTORIES, OrganisationFactory, TeamFactory
from alongside.people.models import Consent, Involvement, Person, PersonLink
from alongside.people.nhs_number import nhs_check_digit


def valid_nhs_number(n: int) -> str:
    """A valid NHS number, different for each n (below ten million)."""
    for last in range(10):
        first_nine = f"9{n:07d}{last}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable: at most one last digit leaves no check digit")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Iterator(["Ada", "Bert", "Cath", "Dev", "Edna", "Fola", "Gus", "Hana"])
    family_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = factory.Sequence(lambda n: datetime.date(1940, 1, 1) + datetime.timedelta(n))
    postcode = ""


class ArchivedPersonFactory(PersonFactory):
    archived_at = factory.LazyFunction(timezone.now)
    archived_reason = "Moved out of the area"


class InvolvementFactory(factory.django.DjangoModelFactory):
    """A team working with a person, so the team's members may see the record."""

    class Meta:
        model = Involvement

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    reason = "Asked for help at home"


class EndedInvolvementFactory(InvolvementFactory):
    ended_at = factory.LazyFunction(timezone.now)


class ConsentFactory(factory.django.DjangoModelFactory):
    """An active consent. Pass shared_with=[organisation, …] to share the record."""

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    purpose = Consent.Purpose.SHARE_PARTNERS
    agreed = "Happy for the hub and the library to see my details"
    given_at = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    @factory.post_generation
    def shared_with(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.shared_with.set(extracted)


class WithdrawnConsentFactory(ConsentFactory):
    withdrawn_at = factory.LazyFunction(timezone.localdate)
    withdrawn_reason = "Changed their mind"


class PersonLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonLink

    from_person = factory.SubFactory(PersonFactory)
    to_person = factory.SubFactory(PersonFactory)
    reason = "Same name and date of birth"


def make_staff(role: str, **kwargs) -> User:
    """A member of staff with the role, e.g. make_staff(roles.ANALYST, team=team)."""
    return ROLE_FACTORIES[role](**kwargs)


def person_for_team(team, **kwargs) -> Person:
    """A person the team works with."""
    person = PersonFactory(**kwargs)
    InvolvementFactory(person=person, team=team)
    return person


__all__ = [
    "ArchivedPersonFactory",
    "ConsentFactory",
    "EndedInvolvementFactory",
    "InvolvementFactory",
    "OrganisationFactory",
    "PersonFactory",
    "PersonLinkFactory",
    "TeamFactory",
    "WithdrawnConsentFactory",
    "make_staff",
    "person_for_team",
    "valid_nhs_number",
]
