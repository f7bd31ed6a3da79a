"""The administration pages: who may open them, what they show, and what happens when
someone types something wrong (a clear message, nothing changed, nothing they typed lost)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Team, User
from alongside.core.audit import audit_record
from alongside.core.models import AuditEvent, Neighbourhood, Ward

from .factories import (
    PASSWORD,
    AdministratorFactory,
    AnalystFactory,
    FrontDoorOfficerFactory,
    OrganisationFactory,
    TeamFactory,
    TeamManagerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum orchard lantern 42"


def with_role(factory, **kwargs) -> User:
    return factory(**kwargs)


def administrator(**kwargs) -> User:
    return with_role(AdministratorFactory, **kwargs)


def front_door_officer(**kwargs) -> User:
    return with_role(FrontDoorOfficerFactory, **kwargs)


@pytest.fixture
def admin_client(staff_client):
    admin = administrator(email="admin@example.org", full_name="Ada Admin")
    client = staff_client(admin)
    client.admin = admin
    return client


def text(response) -> str:
    return response.content.decode()


def is_checked(page: str, value: str) -> bool:
    """Whether the checkbox (or radio) with this value is ticked."""
    return re.search(rf'value="{re.escape(value)}"\s*checked', page) is not None


# --- Who may open each page -------------------------------------------------------------------

MANAGE_USERS = "accounts.manage_users"
CHANGE_NEIGHBOURHOOD = "core.change_neighbourhood"
SEARCH_AUDIT = "core.search_auditevent"

# (url name, which object its pk comes from, permission it needs)
PAGES = [
    ("accounts:user-list", None, MANAGE_USERS),
    ("accounts:user-create", None, MANAGE_USERS),
    ("accounts:user-detail", "user", MANAGE_USERS),
    ("accounts:user-edit", "user", MANAGE_USERS),
    ("accounts:team-list", None, MANAGE_USERS),
    ("accounts:team-create", None, MANAGE_USERS),
    ("accounts:team-detail", "team", MANAGE_USERS),
    ("accounts:team-edit", "team", MANAGE_USERS),
    ("accounts:organisation-list", None, MANAGE_USERS),
    ("accounts:organisation-create", None, MANAGE_USERS),
    ("accounts:organisation-edit", "organisation", MANAGE_USERS),
    ("accounts:role-list", None, MANAGE_USERS),
    ("accounts:neighbourhood-list", None, CHANGE_NEIGHBOURHOOD),
    ("accounts:neighbourhood-edit", "neighbourhood", CHANGE_NEIGHBOURHOOD),
    ("accounts:audit-log", None, SEARCH_AUDIT),
]

# Which roles hold each permission (from the roles migration).
ALLOWED = {
    MANAGE_USERS: [AdministratorFactory],
    CHANGE_NEIGHBOURHOOD: [AdministratorFactory, TeamManagerFactory],
    SEARCH_AUDIT: [AdministratorFactory, TeamManagerFactory],
}
REFUSED = {
    MANAGE_USERS: [FrontDoorOfficerFactory, AnalystFactory, TeamManagerFactory],
    CHANGE_NEIGHBOURHOOD: [FrontDoorOfficerFactory, AnalystFactory],
    SEARCH_AUDIT: [FrontDoorOfficerFactory, AnalystFactory],
}


def page_url(name: str, kind: str | None) -> str:
    if kind is None:
        return reverse(name)
    obj = {
        "user": lambda: UserFactory(),
        "team": lambda: TeamFactory(),
        "organisation": lambda: OrganisationFactory(),
        "neighbourhood": lambda: Neighbourhood.objects.get(name="North"),
    }[kind]()
    return reverse(name, kwargs={"pk": obj.pk})


@pytest.mark.parametrize(("name", "kind", "perm"), PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, name, kind, perm):
    url = page_url(name, kind)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(
    ("name", "kind", "factory"),
    [(name, kind, f) for name, kind, perm in PAGES for f in REFUSED[perm]],
)
def test_roles_without_the_permission_are_refused(staff_client, name, kind, factory):
    response = staff_client(with_role(factory)).get(page_url(name, kind))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "kind", "factory"),
    [(name, kind, f) for name, kind, perm in PAGES for f in ALLOWED[perm]],
)
def test_roles_with_the_permission_see_the_page(staff_client, name, kind, factory):
    response = staff_client(with_role(factory)).get(page_url(name, kind))
    assert response.status_code == 200


def test_posting_without_the_permission_changes_nothing(staff_client):
    user = front_door_officer()
    target = UserFactory(full_name="Untouched")
    response = staff_client(with_role(TeamManagerFactory)).post(
        reverse("accounts:user-edit", kwargs={"pk": target.pk}),
        {"action": "deactivate", "deactivate-reason": "No"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active
    assert user.is_active


def test_every_page_declares_its_permission():
    """The role matrix reads the permissions off the views: each must name exactly one."""
    from django.urls import resolve

    for name, kind, perm in PAGES:
        if kind is None:
            url = reverse(name)
        else:
            url = reverse(name, kwargs={"pk": 1 if kind == "user" else uuid.uuid4()})
        assert resolve(url).func.staff_permissions == (perm,), name


# --- Users: list ------------------------------------------------------------------------------


def test_user_list_searches_names_and_email_addresses(admin_client):
    UserFactory(full_name="Priya Shah", email="priya@example.org")
    UserFactory(full_name="Tom Brown", email="tbrown@nhs.example")
    by_name = text(admin_client.get(reverse("accounts:user-list"), {"q": "priya"}))
    assert "Priya Shah" in by_name and "Tom Brown" not in by_name
    by_email = text(admin_client.get(reverse("accounts:user-list"), {"q": "NHS.example"}))
    assert "Tom Brown" in by_email and "Priya Shah" not in by_email
    nothing = text(admin_client.get(reverse("accounts:user-list"), {"q": "zzzz"}))
    assert "No users found" in nothing


def test_user_list_filters_by_role_team_and_status(admin_client):
    team = TeamFactory(name="Acomb hub")
    officer = front_door_officer(full_name="Olu Officer")
    member = UserFactory(full_name="Mo Member", team=team)
    gone = UserFactory(full_name="Gil Gone", is_active=False)
    url = reverse("accounts:user-list")

    page = text(admin_client.get(url, {"role": roles.FRONT_DOOR_OFFICER}))
    assert officer.full_name in page and member.full_name not in page

    page = text(admin_client.get(url, {"team": str(team.pk)}))
    assert member.full_name in page and officer.full_name not in page

    page = text(admin_client.get(url, {"status": "deactivated"}))
    assert gone.full_name in page and member.full_name not in page

    page = text(admin_client.get(url, {"status": "active"}))
    assert gone.full_name not in page and member.full_name in page


def test_user_list_explains_a_filter_it_cannot_use(admin_client):
    response = admin_client.get(reverse("accounts:user-list"), {"role": "Wizard"})
    page = text(response)
    assert "Select a role from the list" in page
    assert "<title>Error: Users" in page


def test_user_list_shows_fifty_a_page(admin_client):
    for n in range(55):
        UserFactory(full_name=f"Person {n:02d}")
    first = text(admin_client.get(reverse("accounts:user-list")))
    assert "Showing 1 to 50 of 56 users" in first
    assert 'rel="next"' in first
    second = text(admin_client.get(reverse("accounts:user-list"), {"page": 2}))
    assert "Showing 51 to 56 of 56 users" in second
    assert "Person 54" in second and "Person 00" not in second


def test_user_list_query_count_does_not_grow_with_users(
    admin_client, django_assert_max_num_queries
):
    teams = [TeamFactory() for _ in range(3)]
    for n in range(40):
        user = front_door_officer(full_name=f"Person {n}", team=teams[n % 3])
        user.groups.add(Group.objects.get(name=roles.LINK_WORKER))
        Membership.objects.create(user=user, team=teams[(n + 1) % 3])
        TOTPDevice.objects.create(user=user, name="phone", confirmed=n % 2 == 0)
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("accounts:user-list"))
    assert response.status_code == 200
    assert "Person 39" in text(response)


# --- Users: add -------------------------------------------------------------------------------


def _new_user_data(**overrides):
    org = OrganisationFactory(name="City of York Council")
    team = TeamFactory(name="Front door team", organisation=org)
    data = {
        "email": "Jo.Bloggs@Example.org",
        "full_name": "Jo Bloggs",
        "job_title": "Customer adviser",
        "organisation": str(org.pk),
        "roles": [roles.FRONT_DOOR_OFFICER],
        "teams": [str(team.pk)],
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def test_adding_a_user(admin_client):
    response = admin_client.post(reverse("accounts:user-create"), _new_user_data())
    user = User.objects.get(email="jo.bloggs@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-detail", kwargs={"pk": user.pk})
    assert list(user.groups.values_list("name", flat=True)) == [roles.FRONT_DOOR_OFFICER]
    assert list(user.memberships.values_list("team__name", flat=True)) == ["Front door team"]
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert event.actor == admin_client.admin
    assert event.changes["roles"] == [None, [roles.FRONT_DOOR_OFFICER]]
    page = text(admin_client.get(response["Location"]))
    assert "Account added for Jo Bloggs" in page
    assert GOOD_PASSWORD not in page


def test_adding_a_user_with_an_email_already_used_keeps_what_was_typed(admin_client):
    UserFactory(email="jo.bloggs@example.org", full_name="The first Jo")
    count = User.objects.count()
    response = admin_client.post(reverse("accounts:user-create"), _new_user_data())
    page = text(response)
    assert response.status_code == 200
    assert "There is already an account with the email address jo.bloggs@example.org" in page
    assert "<title>Error: Add a user" in page
    assert 'value="Jo.Bloggs@Example.org"' in page
    assert 'value="Customer adviser"' in page
    assert is_checked(page, roles.FRONT_DOOR_OFFICER)
    assert not is_checked(page, roles.ADMINISTRATOR)
    assert GOOD_PASSWORD not in page  # passwords are never sent back
    assert User.objects.count() == count
    assert not AuditEvent.objects.filter(action="create").exists()


def test_adding_a_user_names_each_missing_field(admin_client):
    response = admin_client.post(reverse("accounts:user-create"), {})
    page = text(response)
    for message in (
        "Enter their email address",
        "Enter their full name",
        "Select the organisation they work for",
        "Enter a password for them",
        "Enter the password again",
    ):
        assert message in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password_confirm": "something else entirely"}, "The passwords do not match"),
        (
            {"password": "password", "password_confirm": "password"},
            "This password is too short",
        ),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"roles": ["Wizard"]}, "Select roles from the list"),
    ],
)
def test_adding_a_user_with_bad_input_gives_the_reason(admin_client, overrides, message):
    count = User.objects.count()
    response = admin_client.post(reverse("accounts:user-create"), _new_user_data(**overrides))
    assert message in text(response)
    assert User.objects.count() == count


# --- Users: detail ----------------------------------------------------------------------------


def test_user_detail_shows_roles_teams_second_factor_sign_in_and_activity(admin_client):
    team = TeamFactory(name="Westfield LAC")
    user = front_door_officer(full_name="Lee Worker", email="lee@example.org", team=team)
    Membership.objects.filter(user=user).update(is_lead=True)
    Client().force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    audit_record(actor=user, action="view", object_type="people.person", object_id="abc")
    url = reverse("accounts:user-detail", kwargs={"pk": user.pk})
    page = text(admin_client.get(url))
    assert "Front-door officer" in page
    assert "Westfield LAC" in page and "lead" in page
    assert "Not set up" in page
    assert "Never" not in page  # they have signed in
    assert "people.person" in page
    assert "actor_email=lee%40example.org" in page

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert "Set up" in text(admin_client.get(url))


def test_user_detail_of_someone_who_does_not_exist_is_not_found(admin_client):
    assert (
        admin_client.get(reverse("accounts:user-detail", kwargs={"pk": 999999})).status_code == 404
    )


# --- Users: change ----------------------------------------------------------------------------


def _details(user: User, **overrides):
    data = {
        "action": "details",
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation": str(user.organisation_id),
        "roles": [g.name for g in user.groups.all()],
        "teams": [str(m.team_id) for m in user.memberships.all()],
    }
    data.update(overrides)
    return data


def test_changing_roles_and_teams_is_recorded_with_old_and_new(admin_client):
    old_team, new_team = TeamFactory(name="Old team"), TeamFactory(name="New team")
    user = front_door_officer(team=old_team)
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": user.pk}),
        _details(user, roles=[roles.LINK_WORKER, roles.ANALYST], teams=[str(new_team.pk)]),
    )
    assert response.status_code == 302
    assert sorted(user.groups.values_list("name", flat=True)) == [roles.ANALYST, roles.LINK_WORKER]
    event = AuditEvent.objects.get(object_id=str(user.pk), action="change")
    assert event.actor == admin_client.admin
    assert event.changes["roles"] == [
        [roles.FRONT_DOOR_OFFICER],
        [roles.ANALYST, roles.LINK_WORKER],
    ]
    assert event.changes["teams"] == [[str(old_team)], [str(new_team)]]


def test_an_administrator_cannot_remove_their_own_administrator_role(admin_client):
    admin = admin_client.admin
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": admin.pk}),
        _details(admin, roles=[roles.ANALYST], full_name="Renamed"),
    )
    page = text(response)
    assert response.status_code == 200
    assert "You cannot remove your own Administrator role" in page
    assert 'value="Renamed"' in page  # what they typed is kept
    admin.refresh_from_db()
    assert admin.full_name == "Ada Admin"
    assert list(admin.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_administrator_cannot_deactivate_themselves(admin_client):
    admin = admin_client.admin
    url = reverse("accounts:user-edit", kwargs={"pk": admin.pk})
    assert "You cannot deactivate it" in text(admin_client.get(url))
    response = admin_client.post(url, {"action": "deactivate", "deactivate-reason": "Leaving"})
    page = text(response)
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in page
    assert "<title>Error: " in page
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEvent.objects.filter(action="admin").exists()


def test_deactivating_someone_signs_them_out(admin_client):
    user = front_door_officer()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("accounts:home")).status_code == 200
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": user.pk}),
        {"action": "deactivate", "deactivate-reason": "Left the council"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_reason == "Left the council"
    assert client.get(reverse("accounts:home")).status_code == 302
    page = text(admin_client.get(response["Location"]))
    assert "This account is deactivated: Left the council" in page


def test_deactivating_needs_a_reason(admin_client):
    user = front_door_officer()
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": user.pk}),
        {"action": "deactivate", "deactivate-reason": ""},
    )
    assert "Enter why you are deactivating this account" in text(response)
    user.refresh_from_db()
    assert user.is_active


def test_reactivating_an_account(admin_client):
    user = UserFactory(is_active=False, deactivated_reason="On leave")
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": user.pk}), {"action": "reactivate"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and not user.deactivated_reason


def test_resetting_someones_second_factor(admin_client):
    user = front_door_officer()
    TOTPDevice.objects.create(user=user, name="lost phone", confirmed=True)
    url = reverse("accounts:user-edit", kwargs={"pk": user.pk})
    assert "Reset two-factor authentication" in text(admin_client.get(url))
    response = admin_client.post(url, {"action": "reset_second_factor"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(
        object_id=str(user.pk), action="admin", reason="Reset two-factor authentication"
    ).exists()
    again = admin_client.post(url, {"action": "reset_second_factor"})
    assert "This account has not set up two-factor authentication" in text(again)


def test_resetting_a_password_lets_them_sign_in_with_the_new_one(admin_client):
    user = front_door_officer()
    url = reverse("accounts:user-edit", kwargs={"pk": user.pk})
    bad = admin_client.post(
        url,
        {"action": "password", "password-password": "abc", "password-password_confirm": "abc"},
    )
    assert "This password is too short" in text(bad)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    good = admin_client.post(
        url,
        {
            "action": "password",
            "password-password": GOOD_PASSWORD,
            "password-password_confirm": GOOD_PASSWORD,
        },
    )
    assert good.status_code == 302
    response = Client().post(
        reverse("accounts:sign-in"), {"email": user.email, "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_resetting_your_own_password_keeps_you_signed_in(admin_client):
    admin = admin_client.admin
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": admin.pk}),
        {
            "action": "password",
            "password-password": GOOD_PASSWORD,
            "password-password_confirm": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert admin_client.get(reverse("accounts:user-list")).status_code == 200


def test_an_unknown_action_is_refused(admin_client):
    user = UserFactory()
    response = admin_client.post(
        reverse("accounts:user-edit", kwargs={"pk": user.pk}), {"action": "delete"}
    )
    assert response.status_code == 400


# --- Teams ------------------------------------------------------------------------------------


def test_team_list_query_count_does_not_grow_with_teams(
    admin_client, york, django_assert_max_num_queries
):
    wards = list(york.values())
    for n in range(30):
        team = TeamFactory(name=f"Team {n:02d}")
        team.wards.set(wards[n % 5 : n % 5 + 3])
        UserFactory(team=team)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("accounts:team-list"))
    assert "Team 29" in text(response)


def test_adding_a_team(admin_client, york):
    org = OrganisationFactory(name="York CVS")
    member = UserFactory(email="member@example.org")
    response = admin_client.post(
        reverse("accounts:team-create"),
        {
            "name": "Social prescribing North",
            "organisation": str(org.pk),
            "programmes": ["social_prescribing"],
            "wards": [str(york["Haxby & Wigginton"].pk), str(york["Strensall"].pk)],
            "add_members": "Member@example.org",
        },
    )
    team = Team.objects.get(name="Social prescribing North")
    assert response["Location"] == reverse("accounts:team-detail", kwargs={"pk": team.pk})
    assert list(team.programmes.values_list("code", flat=True)) == ["social_prescribing"]
    assert team.wards.count() == 2
    assert list(team.memberships.values_list("user", flat=True)) == [member.pk]
    page = text(admin_client.get(response["Location"]))
    assert "Haxby &amp; Wigginton" in page and "member@example.org" in page
    assert AuditEvent.objects.filter(object_id=str(team.pk), action="create").exists()


def test_adding_a_team_with_problems_keeps_what_was_typed(admin_client):
    org = OrganisationFactory(name="York CVS")
    TeamFactory(name="Hub team", organisation=org)
    count = Team.objects.count()
    response = admin_client.post(
        reverse("accounts:team-create"),
        {"name": "HUB TEAM", "organisation": str(org.pk), "phone": "01904 555123"},
    )
    page = text(response)
    assert "York CVS already has a team called Hub team" in page
    assert 'value="HUB TEAM"' in page and 'value="01904 555123"' in page
    assert Team.objects.count() == count

    response = admin_client.post(
        reverse("accounts:team-create"),
        {
            "name": "New team",
            "organisation": str(org.pk),
            "add_members": "nobody@example.org\nbad-address",
        },
    )
    page = text(response)
    assert "bad-address is not an email address in the correct format" in page
    assert "nobody@example.org\nbad-address" in page
    assert Team.objects.count() == count


def test_changing_a_teams_members_and_leads(admin_client):
    team = TeamFactory(name="Talking Points")
    stays = UserFactory(email="stays@example.org", team=team)
    goes = UserFactory(email="goes@example.org", team=team)
    UserFactory(email="joins@example.org")
    Membership.objects.filter(user=goes).update(is_lead=True)
    url = reverse("accounts:team-edit", kwargs={"pk": team.pk})
    form = text(admin_client.get(url))
    assert "stays@example.org" in form
    assert is_checked(form, str(goes.pk)) and not is_checked(form, str(stays.pk))
    response = admin_client.post(
        url,
        {
            "name": "Talking Points",
            "organisation": str(team.organisation_id),
            "is_active": "on",
            "leads": [str(stays.pk)],
            "remove": [str(goes.pk)],
            "add_members": "joins@example.org",
        },
    )
    assert response.status_code == 302
    assert set(team.memberships.values_list("user__email", "is_lead")) == {
        ("stays@example.org", True),
        ("joins@example.org", False),
    }
    event = AuditEvent.objects.get(object_id=str(team.pk), action="change")
    assert event.changes["leads"] == [["goes@example.org"], ["stays@example.org"]]
    assert event.changes["members"] == [
        ["goes@example.org", "stays@example.org"],
        ["joins@example.org", "stays@example.org"],
    ]


def test_a_member_cannot_be_made_lead_and_removed_at_once(admin_client):
    team = TeamFactory()
    member = UserFactory(full_name="Ria Both", team=team)
    response = admin_client.post(
        reverse("accounts:team-edit", kwargs={"pk": team.pk}),
        {
            "name": team.name,
            "organisation": str(team.organisation_id),
            "is_active": "on",
            "leads": [str(member.pk)],
            "remove": [str(member.pk)],
        },
    )
    assert "You cannot make someone a lead and take them out: Ria Both" in text(response)
    assert Membership.objects.filter(team=team, user=member, is_lead=False).exists()


def test_deactivated_accounts_cannot_be_added_to_a_team(admin_client):
    team = TeamFactory()
    UserFactory(email="gone@example.org", is_active=False)
    response = admin_client.post(
        reverse("accounts:team-edit", kwargs={"pk": team.pk}),
        {
            "name": team.name,
            "organisation": str(team.organisation_id),
            "is_active": "on",
            "add_members": "gone@example.org",
        },
    )
    assert "The account for gone@example.org is deactivated" in text(response)
    assert not team.memberships.exists()


# --- Organisations ----------------------------------------------------------------------------


def test_organisation_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    pcn = OrganisationFactory(name="A PCN", kind=Organisation.Kind.PCN)
    for n in range(30):
        org = OrganisationFactory(
            name=f"Practice {n:02d}", kind=Organisation.Kind.GP_PRACTICE, parent=pcn
        )
        TeamFactory(organisation=org)
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("accounts:organisation-list"))
    assert "Practice 29" in text(response)


def test_adding_and_changing_an_organisation(admin_client):
    pcn = OrganisationFactory(name="Priory PCN", kind=Organisation.Kind.PCN)
    response = admin_client.post(
        reverse("accounts:organisation-create"),
        {
            "name": "Priory Medical Group",
            "kind": Organisation.Kind.GP_PRACTICE,
            "parent": str(pcn.pk),
            "ods_code": "b82005",
        },
    )
    assert response.status_code == 302
    practice = Organisation.objects.get(name="Priory Medical Group")
    assert practice.parent == pcn and practice.ods_code == "B82005"

    url = reverse("accounts:organisation-edit", kwargs={"pk": practice.pk})
    page = text(admin_client.get(url))
    assert 'value="B82005"' in page
    response = admin_client.post(
        url,
        {
            "name": "Priory Medical Group",
            "kind": Organisation.Kind.GP_PRACTICE,
            "parent": str(pcn.pk),
            "ods_code": "B82005",
            "charity_number": "",
        },  # is_active unticked
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert not practice.is_active
    event = AuditEvent.objects.get(object_id=str(practice.pk), action="change")
    assert event.changes == {"is_active": [True, False]}


def test_adding_an_organisation_with_problems(admin_client):
    OrganisationFactory(name="York CVS")
    council = OrganisationFactory(name="The Council", kind=Organisation.Kind.COUNCIL)
    count = Organisation.objects.count()
    page = text(admin_client.post(reverse("accounts:organisation-create"), {"name": ""}))
    assert "Enter the organisation&#x27;s name" in page
    assert "Select what kind of organisation it is" in page
    page = text(
        admin_client.post(
            reverse("accounts:organisation-create"),
            {"name": "York cvs", "kind": Organisation.Kind.VCS, "charity_number": "abc"},
        )
    )
    assert "There is already an organisation called York CVS" in page
    assert "Charity number must be 5 to 8 numbers" in page
    assert 'value="York cvs"' in page
    page = text(
        admin_client.post(
            reverse("accounts:organisation-create"),
            {
                "name": "Surgery",
                "kind": Organisation.Kind.GP_PRACTICE,
                "parent": str(council.pk),
            },
        )
    )
    assert "A GP practice&#x27;s parent must be a primary care network" in page
    assert Organisation.objects.count() == count


# --- Roles ------------------------------------------------------------------------------------


def test_roles_page_describes_each_role_and_counts_its_active_users(
    admin_client, django_assert_max_num_queries
):
    front_door_officer()
    front_door_officer()
    with_role(FrontDoorOfficerFactory, is_active=False)
    with django_assert_max_num_queries(10):
        page = text(admin_client.get(reverse("accounts:role-list")))
    for name in roles.ALL_ROLES:
        assert name in page
    assert "Takes first contacts and finds or adds people to the shared record." in page
    assert "Add and change staff accounts, teams, organisations and roles" in page
    assert "Link records that may be the same person" in page
    assert "2 active users" in page  # front-door officers; the deactivated one is not counted
    assert "1 active user<" in page  # the administrator


# --- Neighbourhoods ---------------------------------------------------------------------------


def test_neighbourhood_list_shows_wards_and_total_population(
    staff_client, django_assert_max_num_queries
):
    client = staff_client(with_role(TeamManagerFactory))
    north = Neighbourhood.objects.get(name="North")
    total = sum(w.population for w in north.wards.all())
    with django_assert_max_num_queries(11):
        page = text(client.get(reverse("accounts:neighbourhood-list")))
    assert "Haxby &amp; Wigginton" in page
    assert f"{total:,}" in page


def test_moving_a_ward_to_another_neighbourhood(admin_client, york):
    north, west = Neighbourhood.objects.get(name="North"), Neighbourhood.objects.get(name="West")
    wards = [str(w.pk) for w in north.wards.all()] + [str(york["Acomb"].pk)]
    url = reverse("accounts:neighbourhood-edit", kwargs={"pk": north.pk})
    assert "Now in West" in text(admin_client.get(url))
    response = admin_client.post(
        url, {"name": "North", "description": "Villages north of the city", "wards": wards}
    )
    assert response.status_code == 302
    assert Ward.objects.get(name="Acomb").neighbourhood == north
    assert not west.wards.filter(name="Acomb").exists()
    event = AuditEvent.objects.get(object_id=str(north.pk), action="change")
    assert york["Acomb"].code in event.changes["wards"][1]
    assert york["Acomb"].code not in event.changes["wards"][0]


def test_a_neighbourhood_name_already_used_is_refused(admin_client):
    north = Neighbourhood.objects.get(name="North")
    wards_before = set(north.wards.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("accounts:neighbourhood-edit", kwargs={"pk": north.pk}),
        {"name": "west", "description": "Typed text", "wards": []},
    )
    page = text(response)
    assert "There is already a neighbourhood called West" in page
    assert "Typed text" in page
    north.refresh_from_db()
    assert north.name == "North"
    assert set(north.wards.values_list("pk", flat=True)) == wards_before


# --- Audit log --------------------------------------------------------------------------------


def _event(actor, *, action="view", object_type="people.person", object_id="1", at=None, **kw):
    event = audit_record(
        actor=actor, action=action, object_type=object_type, object_id=object_id, **kw
    )
    if at is not None:
        # Events are append-only through the application; tests back-date them directly.
        models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), at=at)
    return event


def _date(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_0": day, f"{name}_1": month, f"{name}_2": year}


def _results(response) -> str:
    page = text(response)
    return page[page.index("<main") :]


def test_audit_log_shows_newest_first_with_changes(admin_client):
    worker = front_door_officer(email="worker@example.org")
    _event(worker, object_id="older", at=timezone.now() - dt.timedelta(days=2))
    _event(
        worker,
        action="change",
        object_id="newer",
        changes={"phone": ["01904 000000", "01904 111111"]},
    )
    page = _results(admin_client.get(reverse("accounts:audit-log")))
    assert page.index("newer") < page.index("older")
    assert "01904 000000" in page and "01904 111111" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor_email": "FINDER@example.org"}, "match-actor"),
        ({"action": "export"}, "match-action"),
        ({"object_type": "People.Household"}, "match-type"),
        ({"object_id": "needle-42"}, "match-id"),
        ({"person_id": "0b5f8a52-3c1e-4d7a-9f2b-6e4d1c0a9b87"}, "match-person"),
    ],
)
def test_audit_log_filters(admin_client, params, expected):
    finder, other = front_door_officer(email="finder@example.org"), front_door_officer()
    _event(finder, object_id="match-actor")
    _event(other, action="export", object_id="match-action")
    _event(other, object_type="people.household", object_id="match-type")
    _event(other, object_id="needle-42", object_label="match-id")
    _event(
        other,
        object_id="match-person",
        person_id=uuid.UUID("0b5f8a52-3c1e-4d7a-9f2b-6e4d1c0a9b87"),
    )
    page = _results(admin_client.get(reverse("accounts:audit-log"), params))
    all_ids = {"match-actor", "match-action", "match-type", "match-id", "match-person"}
    assert expected in page
    for other_id in all_ids - {expected}:
        assert other_id not in page, other_id


def test_audit_log_date_range_covers_whole_days_in_local_time(admin_client):
    worker = front_door_officer()
    london = timezone.get_current_timezone()
    _event(worker, object_id="before", at=dt.datetime(2025, 3, 9, 23, 59, tzinfo=london))
    _event(worker, object_id="first-day", at=dt.datetime(2025, 3, 10, 0, 0, tzinfo=london))
    _event(worker, object_id="last-day", at=dt.datetime(2025, 3, 12, 23, 59, tzinfo=london))
    _event(worker, object_id="after", at=dt.datetime(2025, 3, 13, 0, 0, tzinfo=london))
    page = _results(
        admin_client.get(
            reverse("accounts:audit-log"),
            _date("date_from", "10", "3", "2025") | _date("date_to", "12", "3", "2025"),
        )
    )
    assert "first-day" in page and "last-day" in page
    assert "before" not in page.split("Audit events")[-1] and ">after<" not in page
    assert "2 events" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (_date("date_from", "31", "2", "2025"), "Date from must be a real date"),
        (_date("date_from", "1", "", "2025"), "Date from must include a month"),
        (_date("date_to", "1", "x", "2025"), "Date to must be a real date"),
        (_date("date_to", "1", "2", "25"), "Date to year must include 4 numbers"),
        (
            _date("date_from", "2", "3", "2025") | _date("date_to", "1", "3", "2025"),
            "Date to must be the same as or after date from",
        ),
        ({"person_id": "not-a-uuid"}, "Enter a person ID in the correct format"),
        ({"actor_email": "nobody"}, "Enter an email address in the correct format"),
        ({"object_type": "person"}, "Enter an object type like people.person"),
    ],
)
def test_audit_log_explains_bad_search_and_keeps_it(admin_client, params, message):
    response = admin_client.get(reverse("accounts:audit-log"), params)
    page = text(response)
    assert message in page
    assert "<title>Error: Audit log" in page
    for value in params.values():
        if value:
            assert f'value="{value}"' in page
    assert not AuditEvent.objects.filter(action="search").exists()


def test_searching_the_audit_log_is_recorded(admin_client):
    admin_client.get(reverse("accounts:audit-log"), {"action": "view", "object_id": "42"})
    event = AuditEvent.objects.get(action="search")
    assert event.actor == admin_client.admin
    assert "action view; object id 42" in event.reason


def test_audit_log_shows_fifty_a_page(admin_client):
    worker = front_door_officer()
    for n in range(60):
        _event(worker, object_id=f"event-{n:02d}")
    first = _results(
        admin_client.get(reverse("accounts:audit-log"), {"object_type": "people.person"})
    )
    assert "Showing 1 to 50 of 60 events" in first
    assert "event-59" in first and "event-09" not in first
    second = _results(
        admin_client.get(reverse("accounts:audit-log"), {"object_type": "people.person", "page": 2})
    )
    assert "event-09" in second and "event-10" not in second
    assert "object_type=people.person" in second  # paging keeps the search


def test_audit_log_query_count_does_not_grow_with_events(
    admin_client, django_assert_max_num_queries
):
    worker = front_door_officer()
    for n in range(80):
        _event(worker, object_id=f"event-{n}", changes={"name": ["a", "b"]})
    with django_assert_max_num_queries(11):
        response = admin_client.get(reverse("accounts:audit-log"))
    assert response.status_code == 200
