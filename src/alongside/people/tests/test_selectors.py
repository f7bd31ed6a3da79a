"""Who may see which records: row-level access, search and the record's related reads."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from alongside.accounts import roles
from alongside.accounts.tests.factories import OrganisationFactory, TeamFactory
from alongside.core.audit import audit_record
from alongside.people import selectors

from .factories import (
    ArchivedPersonFactory,
    ConsentFactory,
    EndedInvolvementFactory,
    InvolvementFactory,
    PersonFactory,
    PersonLinkFactory,
    WithdrawnConsentFactory,
    make_staff,
    person_for_team,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db


def _names(user, **kwargs):
    return [p.family_name for p in selectors.person_list_for_user(user=user, **kwargs)]


# Row-level access ------------------------------------------------------------------------------


def test_a_team_member_sees_the_people_their_team_works_with(officer, person):
    PersonFactory(family_name="Unrelated")
    assert _names(officer) == ["Hall"]
    assert selectors.person_get_for_user(user=officer, pk=person.pk) == person


def test_a_member_of_another_team_sees_nothing_and_gets_404(other_team, person):
    outsider = make_staff(roles.FRONT_DOOR_OFFICER, team=other_team)
    assert _names(outsider) == []
    with pytest.raises(Http404):
        selectors.person_get_for_user(user=outsider, pk=person.pk)
    with pytest.raises(Http404):
        selectors.person_detail_for_user(user=outsider, pk=person.pk)


def test_a_person_in_no_team_sees_nothing(person):
    assert _names(make_staff(roles.FRONT_DOOR_OFFICER)) == []


def test_when_the_team_stops_working_with_them_the_record_is_no_longer_visible(team):
    person = PersonFactory(family_name="Former")
    EndedInvolvementFactory(person=person, team=team)
    member = make_staff(roles.FRONT_DOOR_OFFICER, team=team)
    assert _names(member) == []


def test_an_inactive_team_gives_no_access(team, officer, person):
    team.is_active = False
    team.save()
    assert _names(officer) == []


def test_consent_shared_with_an_organisation_lets_its_staff_see_the_record(person):
    library = OrganisationFactory(name="Explore York Libraries")
    librarian = make_staff(
        roles.FRONT_DOOR_OFFICER, organisation=library, team=TeamFactory(organisation=library)
    )
    assert _names(librarian) == []
    ConsentFactory(person=person, shared_with=[library])
    assert _names(librarian) == ["Hall"]
    assert selectors.person_get_for_user(user=librarian, pk=person.pk) == person


def test_withdrawn_consent_or_consent_for_another_organisation_gives_no_access(person):
    library = OrganisationFactory(name="Explore York Libraries")
    librarian = make_staff(roles.FRONT_DOOR_OFFICER, organisation=library)
    WithdrawnConsentFactory(person=person, shared_with=[library])
    ConsentFactory(person=person, shared_with=[OrganisationFactory(name="Another charity")])
    assert _names(librarian) == []


def test_a_person_seen_for_two_reasons_is_listed_once(team, officer, person):
    ConsentFactory(person=person, shared_with=[officer.organisation])
    InvolvementFactory(person=person, team=TeamFactory(organisation=officer.organisation))
    assert _names(officer) == ["Hall"]


def test_administrators_see_every_record(person):
    PersonFactory(family_name="Unrelated")
    assert sorted(_names(make_staff(roles.ADMINISTRATOR))) == ["Hall", "Unrelated"]


def test_an_analyst_sees_no_one(person):
    analyst = make_staff(roles.ANALYST)
    assert _names(analyst) == []
    with pytest.raises(Http404):
        selectors.person_get_for_user(user=analyst, pk=person.pk)


def test_a_malformed_id_is_not_found(officer):
    with pytest.raises(Http404):
        selectors.person_get_for_user(user=officer, pk="not-a-uuid")


def test_archived_records_are_hidden_from_lists_unless_asked_but_can_be_opened(team, officer):
    archived = ArchivedPersonFactory(family_name="Archived")
    InvolvementFactory(person=archived, team=team)
    assert _names(officer) == []
    assert _names(officer, include_archived=True) == ["Archived"]
    assert selectors.person_get_for_user(user=officer, pk=archived.pk) == archived


# Search ----------------------------------------------------------------------------------------


@pytest.fixture
def caseload(team):
    people = {
        "hall": person_for_team(
            team,
            given_name="Margaret",
            family_name="Hall",
            preferred_name="Peggy",
            date_of_birth=datetime.date(1942, 3, 27),
            nhs_number=valid_nhs_number(10),
            postcode="YO24 4AB",
        ),
        "hallam": person_for_team(
            team,
            given_name="Tom",
            family_name="Hallam",
            date_of_birth=datetime.date(1980, 1, 2),
            postcode="YO1 7HH",
        ),
        "khan": person_for_team(
            team,
            given_name="Amir",
            family_name="Khan",
            date_of_birth=datetime.date(1990, 11, 5),
            postcode="YO24 1AA",
        ),
    }
    return people


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hall", ["Hall", "Hallam"]),
        ("HALL", ["Hall", "Hallam"]),
        ("peggy", ["Hall"]),
        ("margaret hall", ["Hall"]),
        ("Hall, Tom", ["Hallam"]),
        ("amir", ["Khan"]),
        ("yo24 4ab", ["Hall"]),
        ("YO244AB", ["Hall"]),
        ("YO24", ["Hall", "Khan"]),
        ("27/03/1942", ["Hall"]),
        ("27-3-1942", ["Hall"]),
        ("1942-03-27", ["Hall"]),
        ("27 March 1942", ["Hall"]),
        ("nobody", []),
        ("", ["Hall", "Hallam", "Khan"]),
    ],
)
def test_search_by_name_postcode_or_date_of_birth(officer, caseload, query, expected):
    assert _names(officer, query=query) == expected


def test_search_by_nhs_number_with_or_without_spaces(officer, caseload):
    number = caseload["hall"].nhs_number
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert _names(officer, query=number) == ["Hall"]
    assert _names(officer, query=spaced) == ["Hall"]


def test_search_only_covers_records_the_user_may_see(officer, caseload):
    PersonFactory(given_name="Margaret", family_name="Hall")
    assert _names(officer, query="margaret") == ["Hall"]


def test_date_parsing_accepts_british_formats_only():
    assert selectors.parse_date("4/3/1950") == datetime.date(1950, 3, 4)
    assert selectors.parse_date("1950-03-04") == datetime.date(1950, 3, 4)
    assert selectors.parse_date("31/02/1950") is None
    assert selectors.parse_date("John") is None


# Related reads ---------------------------------------------------------------------------------


def test_linked_records_say_whether_the_user_may_see_the_other_record(team, officer, person):
    visible = person_for_team(team, family_name="Visible")
    hidden = PersonFactory(family_name="Hidden")
    PersonLinkFactory(from_person=person, to_person=visible)
    PersonLinkFactory(from_person=hidden, to_person=person)
    records = selectors.person_links_for_user(user=officer, person=person)
    assert {(r.other.family_name, r.visible) for r in records} == {
        ("Visible", True),
        ("Hidden", False),
    }


def test_the_access_log_needs_its_permission(officer, person):
    audit_record(actor=officer, action="view", obj=person, person_id=person.pk)
    assert list(selectors.person_access_log_for_user(user=officer, person=person)) == []
    admin = make_staff(roles.ADMINISTRATOR)
    [event] = selectors.person_access_log_for_user(user=admin, person=person)
    assert event.actor == officer


def test_a_consent_of_another_person_is_not_found(officer, person):
    other = ConsentFactory()
    with pytest.raises(Http404):
        selectors.consent_get_for_user(user=officer, person=person, pk=other.pk)
