"""The staff pages: who may open each, row-level 404s, and the journeys through them."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import resolve, reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.tests.factories import OrganisationFactory
from alongside.core.models import AuditEvent
from alongside.people.models import Consent, Erasure, Involvement, Person, PersonLink
from alongside.people.views import DRAFT_KEY

from .factories import (
    ArchivedPersonFactory,
    ConsentFactory,
    InvolvementFactory,
    PersonFactory,
    make_staff,
    person_for_team,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db

# (url name, what it needs in its kwargs, permission, a role that has it, a role that lacks it)
PAGES = [
    ("people:list", "", "people.view_person", roles.FRONT_DOOR_OFFICER, roles.ANALYST),
    ("people:create", "", "people.add_person", roles.FRONT_DOOR_OFFICER, roles.ADMINISTRATOR),
    (
        "people:create-check",
        "",
        "people.add_person",
        roles.FRONT_DOOR_OFFICER,
        roles.ADMINISTRATOR,
    ),
    ("people:detail", "person", "people.view_person", roles.LINK_WORKER, roles.PARTNER),
    (
        "people:edit",
        "person",
        "people.change_person",
        roles.FRONT_DOOR_OFFICER,
        roles.ADMINISTRATOR,
    ),
    ("people:archive", "person", "people.archive_person", roles.TEAM_MANAGER, roles.LINK_WORKER),
    (
        "people:link",
        "person",
        "people.link_person",
        roles.LOCAL_AREA_COORDINATOR,
        roles.TALKING_POINT_PRACTITIONER,
    ),
    (
        "people:consent-add",
        "person",
        "people.change_person",
        roles.VOLUNTEER_COORDINATOR,
        roles.ADMINISTRATOR,
    ),
    (
        "people:consent-withdraw",
        "consent",
        "people.change_person",
        roles.TALKING_POINT_PRACTITIONER,
        roles.ADMINISTRATOR,
    ),
    (
        "people:access-log",
        "person",
        "people.view_person_access_log",
        roles.TEAM_MANAGER,
        roles.FRONT_DOOR_OFFICER,
    ),
    (
        "people:export-json",
        "person",
        "people.export_person",
        roles.TEAM_MANAGER,
        roles.FRONT_DOOR_OFFICER,
    ),
    ("people:export-pdf", "person", "people.export_person", roles.ADMINISTRATOR, roles.LINK_WORKER),
    ("people:erase", "person", "people.erase_person", roles.ADMINISTRATOR, roles.TEAM_MANAGER),
]
PAGE_IDS = [page[0] for page in PAGES]


@pytest.fixture
def consent(person):
    return ConsentFactory(person=person)


def _url(name, needs, person, consent=None):
    if needs == "consent":
        consent = consent or ConsentFactory(person=person)
        return reverse(name, kwargs={"pk": person.pk, "consent_pk": consent.pk})
    if needs == "person":
        return reverse(name, kwargs={"pk": person.pk})
    return reverse(name)


def _draft(team, **overrides):
    draft = {
        "given_name": "Margaret",
        "family_name": "Hall",
        "date_of_birth": "1942-03-27",
        "reason": "Came to the hub",
        "team": str(team.pk),
    }
    draft.update(overrides)
    return draft


def _start_draft(client, team, **overrides):
    session = client.session
    session[DRAFT_KEY] = _draft(team, **overrides)
    session.save()


# Who may open each page ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "needs", "perm", "allowed", "refused"), PAGES, ids=PAGE_IDS)
def test_the_roles_hold_the_permissions_the_pages_need(name, needs, perm, allowed, refused):
    assert Group.objects.get(name=allowed).permissions.filter(codename=perm.split(".")[1])
    assert not Group.objects.get(name=refused).permissions.filter(codename=perm.split(".")[1])
    assert perm in resolve(_url(name, needs, PersonFactory())).func.staff_permissions


@pytest.mark.parametrize(("name", "needs", "perm", "allowed", "refused"), PAGES, ids=PAGE_IDS)
def test_anonymous_people_are_sent_to_sign_in(client, person, name, needs, perm, allowed, refused):
    url = _url(name, needs, person)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize(("name", "needs", "perm", "allowed", "refused"), PAGES, ids=PAGE_IDS)
def test_a_role_without_the_permission_is_refused(
    staff_client, team, person, name, needs, perm, allowed, refused
):
    url = _url(name, needs, person)
    assert staff_client(make_staff(refused, team=team)).get(url).status_code == 403


@pytest.mark.parametrize(("name", "needs"), [page[:2] for page in PAGES], ids=PAGE_IDS)
def test_an_analyst_is_refused_every_page(staff_client, team, person, name, needs):
    url = _url(name, needs, person)
    assert staff_client(make_staff(roles.ANALYST, team=team)).get(url).status_code == 403


@pytest.mark.parametrize(("name", "needs", "perm", "allowed", "refused"), PAGES, ids=PAGE_IDS)
def test_the_right_role_in_the_team_gets_the_page(
    staff_client, team, person, name, needs, perm, allowed, refused
):
    client = staff_client(make_staff(allowed, team=team))
    if name == "people:create-check":
        _start_draft(client, team)
    response = client.get(_url(name, needs, person))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    ("name", "needs", "perm", "allowed", "refused"),
    [page for page in PAGES if page[1] and page[3] != roles.ADMINISTRATOR],
    ids=[page[0] for page in PAGES if page[1] and page[3] != roles.ADMINISTRATOR],
)
def test_the_right_role_in_another_team_gets_404(
    staff_client, other_team, person, name, needs, perm, allowed, refused
):
    client = staff_client(make_staff(allowed, team=other_team))
    response = client.get(_url(name, needs, person))
    assert response.status_code == 404
    assert b"Margaret" not in response.content


def test_a_consent_from_another_record_is_not_found(staff_client, officer, person):
    elsewhere = ConsentFactory()
    url = reverse("people:consent-withdraw", kwargs={"pk": person.pk, "consent_pk": elsewhere.pk})
    assert staff_client(officer).get(url).status_code == 404


# The list --------------------------------------------------------------------------------------


def test_the_list_shows_the_count_and_only_visible_records(staff_client, officer, team, person):
    PersonFactory(given_name="Hidden", family_name="Outsider")
    response = staff_client(officer).get(reverse("people:list"))
    assert b"1 person" in response.content
    assert b"Hall, Margaret" in response.content
    assert b"Outsider" not in response.content
    assert b"Add a person" in response.content


def test_the_list_searches_and_pages(staff_client, officer, team):
    for n in range(30):
        person_for_team(team, given_name="Ann", family_name=f"Smith{n:02d}")
    person_for_team(team, given_name="Bob", family_name="Jones")
    client = staff_client(officer)
    first = client.get(reverse("people:list"), {"q": "smith"})
    assert b"30 people found for" in first.content
    assert first.content.count(b"Smith") >= 25
    assert b"Smith25" not in first.content
    assert b'href="?q=smith&amp;page=2"' in first.content
    second = client.get(reverse("people:list"), {"q": "smith", "page": 2})
    assert b"Smith25" in second.content
    assert b"Jones" not in second.content


def test_the_list_makes_the_same_few_queries_however_many_people(
    staff_client, officer, team, django_assert_max_num_queries
):
    client = staff_client(officer)
    for _ in range(3):
        person_for_team(team)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("people:list"))
    for _ in range(40):
        person_for_team(team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("people:list"), {"page": 2})
    assert b"43 people" in response.content


# Adding a person -------------------------------------------------------------------------------


def _details(**overrides):
    data = {
        "given_name": "Margaret",
        "family_name": "Hall",
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "1942",
        "nhs_number": "",
        "postcode": "",
        "reason": "Came to the hub",
    }
    data.update(overrides)
    return data


def test_adding_a_new_person_with_no_likely_matches(staff_client, officer, team):
    response = staff_client(officer).post(reverse("people:create"), _details(phone="01904 1"))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", kwargs={"pk": person.pk})
    assert person.date_of_birth == datetime.date(1942, 3, 27)
    assert Involvement.objects.filter(person=person, team=team).exists()


def test_form_errors_are_shown_and_what_was_typed_is_kept(staff_client, officer):
    response = staff_client(officer).post(
        reverse("people:create"),
        _details(
            given_name="",
            family_name="Hallam-Smythe",
            date_of_birth_0="31",
            date_of_birth_1="2",
            nhs_number="943 476 5918",
            postcode="YO99 ZZZZ",
            email="not an email",
            reason="",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    for message in (
        "Enter a first name",
        "Date of birth must be a real date",
        "Enter a real NHS number",
        "Enter a real postcode",
        "Enter an email address in the correct format",
        "Enter why your team is working with this person",
    ):
        assert message in html
    for typed in ('value="Hallam-Smythe"', 'value="31"', 'value="943 476 5918"', "YO99 ZZZZ"):
        assert typed in html
    assert response.context["form"].data["email"] == "not an email"
    assert not Person.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused(staff_client, officer):
    next_year = str(timezone.localdate().year + 1)
    response = staff_client(officer).post(
        reverse("people:create"), _details(date_of_birth_2=next_year)
    )
    assert b"Date of birth must be in the past" in response.content


def test_someone_in_no_team_is_told_they_need_one(staff_client):
    response = staff_client(make_staff(roles.FRONT_DOOR_OFFICER)).get(reverse("people:create"))
    assert b"You need to be in a team" in response.content


def test_a_likely_match_is_offered_and_can_be_used(staff_client, officer, team):
    existing = PersonFactory(
        given_name="John", family_name="Smith", date_of_birth=datetime.date(1942, 3, 27)
    )
    client = staff_client(officer)
    response = client.post(
        reverse("people:create"), _details(given_name="Jon", family_name="Smyth")
    )
    assert response["Location"] == reverse("people:create-check")

    check = client.get(reverse("people:create-check"))
    html = check.content.decode()
    assert "They may already be on the system" in html
    assert "Use the record for John Smith" in html
    assert "Likely the same person (same date of birth, similar name)" in html
    assert "Jon Smyth" in html  # what was typed
    assert AuditEvent.objects.filter(person_id=existing.pk, action="search").exists()

    used = client.post(reverse("people:create-check"), {"choice": str(existing.pk)})
    assert used["Location"] == reverse("people:detail", kwargs={"pk": existing.pk})
    assert Person.objects.count() == 1
    involvement = Involvement.objects.get(person=existing, team=team)
    assert involvement.reason == "Came to the hub"
    assert DRAFT_KEY not in client.session


def test_a_new_record_can_still_be_added_after_the_check(staff_client, officer):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=datetime.date(1942, 3, 27))
    client = staff_client(officer)
    client.post(
        reverse("people:create"),
        _details(given_name="John", family_name="Smith", phone="01904 2", is_carer="on"),
    )
    response = client.post(reverse("people:create-check"), {"choice": "new"})
    new = Person.objects.exclude(phone="").get()
    assert response["Location"] == reverse("people:detail", kwargs={"pk": new.pk})
    assert (new.phone, new.is_carer, new.date_of_birth) == (
        "01904 2",
        True,
        datetime.date(1942, 3, 27),
    )


def test_only_a_record_that_matched_can_be_chosen(staff_client, officer, team):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=datetime.date(1942, 3, 27))
    unrelated = PersonFactory(given_name="Someone", family_name="Else")
    client = staff_client(officer)
    client.post(reverse("people:create"), _details(given_name="John", family_name="Smith"))
    response = client.post(reverse("people:create-check"), {"choice": str(unrelated.pk)})
    assert response.status_code == 200
    assert b"Select the record to use, or choose to add a new record" in response.content
    assert not Involvement.objects.filter(person=unrelated).exists()


def test_going_back_from_the_check_keeps_what_was_typed(staff_client, officer):
    PersonFactory(given_name="John", family_name="Smith", date_of_birth=datetime.date(1942, 3, 27))
    client = staff_client(officer)
    client.post(
        reverse("people:create"),
        _details(given_name="John", family_name="Smith", town="Haxby", reason="Rang us"),
    )
    html = client.get(reverse("people:create"), {"change": "1"}).content.decode()
    for typed in ('value="John"', 'value="Smith"', 'value="Haxby"', 'value="27"', "Rang us"):
        assert typed in html


def test_the_same_nhs_number_cannot_make_a_second_record(staff_client, officer):
    PersonFactory(given_name="Edith", family_name="Brown", nhs_number=valid_nhs_number(4))
    client = staff_client(officer)
    client.post(reverse("people:create"), _details(nhs_number=valid_nhs_number(4)))
    response = client.post(reverse("people:create-check"), {"choice": "new"})
    assert b"Another record already has this NHS number" in response.content
    assert Person.objects.count() == 1


# The record and changes to it -----------------------------------------------------------------


def test_each_opening_of_the_record_is_audited(staff_client, officer, person):
    client = staff_client(officer)
    url = reverse("people:detail", kwargs={"pk": person.pk})
    first = client.get(url)
    client.get(url)
    assert AuditEvent.objects.filter(person_id=person.pk, action="view", actor=officer).count() == 2
    html = first.content.decode()
    for heading in (
        "Personal details",
        "Contact preferences",
        "Communication needs",
        "Caring",
        "Consents",
        "Linked records",
        "Teams working with them",
    ):
        assert heading in html
    assert "Front door" in html


def test_the_record_shows_do_not_phone(staff_client, officer, team):
    person = person_for_team(team, do_not_phone=True, phone="01904 3")
    html = staff_client(officer).get(reverse("people:detail", kwargs={"pk": person.pk})).content
    assert b"Do not phone" in html


def test_editing_saves_and_audits_each_change(staff_client, officer, person):
    data = _details(given_name="Peggy", family_name="Hall", do_not_email="on")
    response = staff_client(officer).post(reverse("people:edit", kwargs={"pk": person.pk}), data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(person_id=person.pk, action="change")
    assert event.changes["given_name"] == ["Margaret", "Peggy"]
    assert event.changes["do_not_email"] == [False, True]


def test_the_edit_form_starts_with_the_current_details(staff_client, officer, team):
    person = person_for_team(
        team, nhs_number=valid_nhs_number(5), date_of_birth=datetime.date(1950, 1, 2)
    )
    html = staff_client(officer).get(reverse("people:edit", kwargs={"pk": person.pk})).content
    spaced = f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}"
    assert f'value="{spaced}"'.encode() in html
    assert b'value="1950"' in html


def test_archiving_needs_a_reason(staff_client, team, person):
    client = staff_client(make_staff(roles.TEAM_MANAGER, team=team))
    url = reverse("people:archive", kwargs={"pk": person.pk})
    assert b"Enter why you are archiving this record" in client.post(url, {"reason": ""}).content
    client.post(url, {"reason": "Moved away"})
    person.refresh_from_db()
    assert person.archived_reason == "Moved away"


def test_linking_to_a_record_found_by_search(staff_client, officer, team, person):
    other = person_for_team(team, given_name="Peggy", family_name="Hall-Jones")
    client = staff_client(officer)
    url = reverse("people:link", kwargs={"pk": person.pk})
    assert b"Peggy Hall-Jones" in client.get(url, {"q": "Hall-Jones"}).content
    response = client.post(url, {"q": "Hall-Jones", "other": str(other.pk), "reason": "Same flat"})
    assert response.status_code == 302
    assert PersonLink.objects.filter(from_person=person, to_person=other).exists()


def test_a_record_the_user_cannot_see_cannot_be_linked(staff_client, officer, person):
    hidden = PersonFactory(given_name="Margaret", family_name="Hall")
    client = staff_client(officer)
    url = reverse("people:link", kwargs={"pk": person.pk})
    response = client.post(url, {"q": "Hall", "other": str(hidden.pk), "reason": "Alike"})
    assert b"Select the record to link to" in response.content
    assert not PersonLink.objects.exists()


def test_recording_and_withdrawing_a_consent(staff_client, officer, person):
    library = OrganisationFactory(name="Explore York Libraries")
    client = staff_client(officer)
    today = timezone.localdate()
    response = client.post(
        reverse("people:consent-add", kwargs={"pk": person.pk}),
        {
            "purpose": "share_partners",
            "agreed": "Library may see it",
            "shared_with": [str(library.pk)],
            "given_at_0": str(today.day),
            "given_at_1": str(today.month),
            "given_at_2": str(today.year),
            "how_recorded": "written",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert list(consent.shared_with.all()) == [library]
    url = reverse("people:consent-withdraw", kwargs={"pk": person.pk, "consent_pk": consent.pk})
    withdrawn = client.post(
        url,
        {
            "withdrawn_at_0": str(today.day),
            "withdrawn_at_1": str(today.month),
            "withdrawn_at_2": str(today.year),
            "reason": "",
        },
    )
    assert withdrawn.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at == today


def test_a_consent_form_with_nothing_filled_in_names_each_problem(staff_client, officer, person):
    response = staff_client(officer).post(reverse("people:consent-add", kwargs={"pk": person.pk}))
    for message in (
        b"Select what the consent is for",
        b"Enter what the person agreed to",
        b"Enter the date they agreed",
        b"Select how the consent was recorded",
    ):
        assert message in response.content


# Access log, subject access and erasure --------------------------------------------------------


def test_the_access_log_lists_who_looked(staff_client, officer, team, person):
    staff_client(officer).get(reverse("people:detail", kwargs={"pk": person.pk}))
    manager = make_staff(roles.TEAM_MANAGER, team=team, full_name="Mina Manager")
    response = staff_client(manager).get(reverse("people:access-log", kwargs={"pk": person.pk}))
    assert b"Olive Officer" in response.content
    assert b"Viewed" in response.content


def test_the_json_export_downloads_everything(staff_client, team, person):
    ConsentFactory(person=person, agreed="Library may see it")
    client = staff_client(make_staff(roles.TEAM_MANAGER, team=team))
    url = reverse("people:export-json", kwargs={"pk": person.pk})
    assert b"Enter why you are exporting this record" in client.post(url, {"reason": ""}).content
    response = client.post(url, {"reason": "SAR 12"})
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.json"'
    data = json.loads(response.content)
    assert data["person"]["family_name"] == "Hall"
    assert data["consents"][0]["agreed"] == "Library may see it"


def test_the_pdf_export_downloads_a_pdf(staff_client, person):
    client = staff_client(make_staff(roles.ADMINISTRATOR))
    response = client.post(
        reverse("people:export-pdf", kwargs={"pk": person.pk}), {"reason": "SAR 13"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_erasing_needs_a_lawful_basis_and_confirmation(staff_client, person):
    admin = make_staff(roles.ADMINISTRATOR)
    client = staff_client(admin)
    url = reverse("people:erase", kwargs={"pk": person.pk})
    refused = client.post(url, {"lawful_basis": ""})
    assert b"Enter the lawful basis for erasing this record" in refused.content
    assert b"Confirm that you understand the record cannot be recovered" in refused.content
    assert Person.objects.filter(pk=person.pk).exists()
    response = client.post(url, {"lawful_basis": "Article 17 request 4", "confirm": "on"})
    assert response["Location"] == reverse("people:list")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Erasure.objects.get(person_id=person.pk).erased_by == admin


def test_archived_records_are_listed_only_when_asked(staff_client, officer, team):
    archived = ArchivedPersonFactory(family_name="Gone")
    InvolvementFactory(person=archived, team=team)
    client = staff_client(officer)
    assert b"Gone" not in client.get(reverse("people:list")).content
    shown = client.get(reverse("people:list"), {"archived": "1"}).content
    assert b"Gone" in shown
    assert b"Archived" in shown


def test_the_link_page_suggests_likely_duplicates_the_user_can_see(
    staff_client, officer, team, person
):
    twin = person_for_team(team, given_name="Maggie", family_name="Hall")
    twin.date_of_birth = person.date_of_birth
    twin.save()
    hidden = PersonFactory(
        given_name="Margaret", family_name="Hall", date_of_birth=person.date_of_birth
    )
    response = staff_client(officer).get(reverse("people:link", kwargs={"pk": person.pk}))
    choices = [str(c.value) for c in response.context["form"].fields["other"].choices]
    assert choices == [str(twin.pk)]
    assert str(hidden.pk) not in response.content.decode()


def test_the_check_step_without_details_says_so(staff_client, officer):
    response = staff_client(officer).get(reverse("people:create-check"))
    assert response.status_code == 200
    assert b"There are no details to check" in response.content


def test_the_check_step_refuses_a_team_the_user_has_left(staff_client, officer, other_team):
    client = staff_client(officer)
    _start_draft(client, other_team)
    response = client.post(reverse("people:create-check"), {"choice": "new"})
    assert b"There are no details to check" in response.content
    assert not Person.objects.exists()
