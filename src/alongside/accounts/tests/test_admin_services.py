"""Services behind the administration pages: users, teams and organisations.

Each change is validated, made in one transaction and recorded in the audit trail with the
fields that changed; bad input raises ValidationError keyed by the argument at fault and
changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts import roles, services
from alongside.accounts.models import Membership, Organisation, Programme, Team, User
from alongside.core.models import AuditEvent

from .factories import (
    PASSWORD,
    AdministratorFactory,
    FrontDoorOfficerFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum orchard lantern 42"


def administrator(**kwargs) -> User:
    # Passing the role explicitly: the role factories do not add it on their own yet
    # (factories.py looks for `_role` on the model class rather than the factory).
    return AdministratorFactory(**kwargs)


def front_door_officer(**kwargs) -> User:
    return FrontDoorOfficerFactory(**kwargs)


def role(name: str) -> Group:
    return Group.objects.get(name=name)


def events_for(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def error_messages(excinfo, field: str) -> list[str]:
    return excinfo.value.message_dict[field]


# --- user_create ------------------------------------------------------------------------------


def test_user_create_stores_account_roles_teams_and_records_it():
    admin = administrator()
    org = OrganisationFactory(name="York CVS")
    team_b, team_a = TeamFactory(name="Beta"), TeamFactory(name="Alpha")
    user = services.user_create(
        actor=admin,
        email="  Kim.Lee@Example.ORG ",
        full_name=" Kim Lee ",
        job_title="Link worker",
        organisation=org,
        roles=[role(roles.LINK_WORKER), role(roles.FRONT_DOOR_OFFICER)],
        teams=[team_b, team_a],
        password=GOOD_PASSWORD,
    )
    user.refresh_from_db()
    assert user.email == "kim.lee@example.org"
    assert user.full_name == "Kim Lee"
    assert user.check_password(GOOD_PASSWORD)
    assert sorted(g.name for g in user.groups.all()) == [
        roles.FRONT_DOOR_OFFICER,
        roles.LINK_WORKER,
    ]
    assert set(Membership.objects.filter(user=user).values_list("team__name", flat=True)) == {
        "Alpha",
        "Beta",
    }
    [event] = events_for(user)
    assert event.action == "create"
    assert event.actor == admin
    assert event.changes["email"] == [None, "kim.lee@example.org"]
    assert event.changes["organisation"] == [None, "York CVS"]
    assert event.changes["roles"] == [None, [roles.FRONT_DOOR_OFFICER, roles.LINK_WORKER]]
    assert event.changes["teams"] == [None, [str(team_a), str(team_b)]]
    assert GOOD_PASSWORD not in str(event.changes)


def test_user_create_refuses_an_email_already_used_in_any_case_and_changes_nothing():
    admin = administrator()
    UserFactory(email="sam@example.org")
    users_before, events_before = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(
            actor=admin, email="SAM@Example.org", full_name="Sam Two", password=GOOD_PASSWORD
        )
    assert error_messages(excinfo, "email") == [
        "There is already an account with the email address sam@example.org"
    ]
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before


def test_user_create_applies_the_password_rules():
    admin = administrator()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(
            actor=admin, email="new@example.org", full_name="New Person", password="short"
        )
    assert any("too short" in m for m in error_messages(excinfo, "password"))
    assert not User.objects.filter(email="new@example.org").exists()


def test_user_create_refuses_a_password_like_their_email():
    admin = administrator()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(
            actor=admin,
            email="margaretthatcher@example.org",
            full_name="Margaret",
            password="margaretthatcher",
        )
    assert any("too similar" in m for m in error_messages(excinfo, "password"))


# --- user_update ------------------------------------------------------------------------------


def test_user_update_records_old_and_new_roles_and_teams_as_sorted_names():
    admin = administrator()
    keep, drop, add = TeamFactory(name="Keep"), TeamFactory(name="Drop"), TeamFactory(name="Add")
    user = front_door_officer(team=keep, full_name="Ali Khan")
    Membership.objects.filter(user=user, team=keep).update(is_lead=True)
    Membership.objects.create(user=user, team=drop)
    services.user_update(
        actor=admin,
        user=user,
        email=user.email,
        full_name="Ali Khan",
        job_title="Coordinator",
        organisation=user.organisation,
        roles=[role(roles.LOCAL_AREA_COORDINATOR), role(roles.FRONT_DOOR_OFFICER)],
        teams=[keep, add],
    )
    assert set(Membership.objects.filter(user=user).values_list("team__name", "is_lead")) == {
        ("Keep", True),  # a membership that stays keeps its lead flag
        ("Add", False),
    }
    [event] = events_for(user)
    assert event.action == "change"
    assert event.changes == {
        "job_title": ["", "Coordinator"],
        "roles": [
            [roles.FRONT_DOOR_OFFICER],
            [roles.FRONT_DOOR_OFFICER, roles.LOCAL_AREA_COORDINATOR],
        ],
        "teams": [sorted([str(keep), str(drop)]), sorted([str(add), str(keep)])],
    }


def test_user_update_with_nothing_changed_records_nothing():
    admin = administrator()
    user = front_door_officer()
    services.user_update(
        actor=admin,
        user=user,
        email=user.email,
        full_name=user.full_name,
        job_title=user.job_title,
        organisation=user.organisation,
        roles=list(user.groups.all()),
        teams=[],
    )
    assert events_for(user) == []


def test_user_update_refuses_a_taken_email_address():
    admin = administrator()
    UserFactory(email="taken@example.org")
    user = front_door_officer(email="mine@example.org")
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(
            actor=admin,
            user=user,
            email="Taken@example.org",
            full_name=user.full_name,
            job_title="",
            organisation=None,
            roles=[],
            teams=[],
        )
    assert "already an account" in error_messages(excinfo, "email")[0]
    user.refresh_from_db()
    assert user.email == "mine@example.org"
    assert user.groups.filter(name=roles.FRONT_DOOR_OFFICER).exists()


def test_an_administrator_cannot_remove_their_own_administrator_role():
    admin = administrator()
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(
            actor=admin,
            user=admin,
            email=admin.email,
            full_name=admin.full_name,
            job_title="",
            organisation=admin.organisation,
            roles=[role(roles.ANALYST)],
            teams=[],
        )
    assert error_messages(excinfo, "roles") == [
        "You cannot remove your own Administrator role. Ask another administrator to do it"
    ]
    assert admin.groups.filter(name=roles.ADMINISTRATOR).exists()
    assert not admin.groups.filter(name=roles.ANALYST).exists()
    assert events_for(admin) == []


def test_an_administrator_can_remove_another_administrators_role():
    admin, other = administrator(), administrator()
    services.user_update(
        actor=admin,
        user=other,
        email=other.email,
        full_name=other.full_name,
        job_title="",
        organisation=other.organisation,
        roles=[],
        teams=[],
    )
    assert not other.groups.exists()
    assert events_for(other)[0].changes["roles"] == [[roles.ADMINISTRATOR], []]


# --- deactivate, reactivate, second factor, password -----------------------------------------


def test_user_deactivate_closes_the_account_with_its_reason():
    admin, user = administrator(), front_door_officer()
    services.user_deactivate(actor=admin, user=user, reason="  Left the council  ")
    user.refresh_from_db()
    assert not user.is_active
    assert user.deactivated_reason == "Left the council"
    [event] = events_for(user)
    assert event.action == "admin"
    assert event.changes == {
        "is_active": [True, False],
        "deactivated_reason": ["", "Left the council"],
    }


def test_nobody_can_deactivate_their_own_account():
    admin = administrator()
    with pytest.raises(ValidationError) as excinfo:
        services.user_deactivate(actor=admin, user=admin, reason="Testing")
    assert excinfo.value.messages == [
        "You cannot deactivate your own account. Ask another administrator to do it"
    ]
    admin.refresh_from_db()
    assert admin.is_active
    assert events_for(admin) == []


def test_user_deactivate_needs_a_reason():
    admin, user = administrator(), front_door_officer()
    with pytest.raises(ValidationError) as excinfo:
        services.user_deactivate(actor=admin, user=user, reason="   ")
    assert error_messages(excinfo, "reason") == ["Enter why you are deactivating this account"]
    user.refresh_from_db()
    assert user.is_active


def test_user_reactivate_opens_the_account_and_clears_the_reason():
    admin = administrator()
    user = front_door_officer(is_active=False, deactivated_reason="On leave")
    services.user_reactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert user.is_active and user.deactivated_reason == ""
    assert events_for(user)[0].changes["is_active"] == [False, True]


def test_user_reset_second_factor_removes_every_device():
    admin, user = administrator(), front_door_officer()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=user, name="half set up", confirmed=False)
    assert services.user_reset_second_factor(actor=admin, user=user) == 2
    assert not TOTPDevice.objects.filter(user=user).exists()
    [event] = events_for(user)
    assert event.action == "admin"
    assert event.changes == {"second_factor": ["set up", "not set up"]}


def test_user_reset_second_factor_refuses_own_account_and_accounts_without_one():
    admin, user = administrator(), front_door_officer()
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    with pytest.raises(ValidationError, match="own two-factor"):
        services.user_reset_second_factor(actor=admin, user=admin)
    assert TOTPDevice.objects.filter(user=admin).exists()
    with pytest.raises(ValidationError, match="has not set up"):
        services.user_reset_second_factor(actor=admin, user=user)


def test_user_set_password_applies_the_rules_and_never_records_the_password():
    admin, user = administrator(), front_door_officer()
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_password(actor=admin, user=user, password="12345678901234")
    assert any("entirely numeric" in m for m in error_messages(excinfo, "password"))
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    services.user_set_password(actor=admin, user=user, password=GOOD_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    [event] = events_for(user)
    assert GOOD_PASSWORD not in str(event.changes) + event.reason
    assert user.password not in str(event.changes)


# --- teams ------------------------------------------------------------------------------------


def test_team_create_with_programmes_wards_and_members(york):
    admin = administrator()
    org = OrganisationFactory(name="City of York Council")
    lead, member = (
        front_door_officer(email="lead@example.org"),
        front_door_officer(email="member@example.org"),
    )
    team = services.team_create(
        actor=admin,
        name=" Acomb LAC ",
        organisation=org,
        programmes=[Programme.objects.get(code="lac")],
        wards=[york["Westfield"], york["Acomb"]],
        members={lead: True, member: False},
    )
    assert team.name == "Acomb LAC"
    assert team.created_by == admin
    assert set(team.memberships.values_list("user__email", "is_lead")) == {
        ("lead@example.org", True),
        ("member@example.org", False),
    }
    [event] = events_for(team)
    assert event.action == "create"
    assert event.changes["wards"] == [None, ["Acomb", "Westfield"]]
    assert event.changes["leads"] == [None, ["lead@example.org"]]


def test_team_names_are_unique_within_an_organisation_whatever_their_case():
    admin = administrator()
    org, other_org = OrganisationFactory(), OrganisationFactory()
    TeamFactory(name="Front Door", organisation=org)
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=admin, name="front door", organisation=org)
    assert error_messages(excinfo, "name") == [f"{org.name} already has a team called Front Door"]
    assert Team.objects.filter(organisation=org).count() == 1
    # The same name in another organisation is fine.
    services.team_create(actor=admin, name="Front Door", organisation=other_org)


def test_team_update_sets_members_and_leads_and_records_the_changes(york):
    admin = administrator()
    team = TeamFactory(name="Hubs")
    stays = front_door_officer(email="stays@example.org", team=team)
    goes = front_door_officer(email="goes@example.org", team=team)
    joins = front_door_officer(email="joins@example.org")
    services.team_update(
        actor=admin,
        team=team,
        name="Hubs",
        organisation=team.organisation,
        programmes=[Programme.objects.get(code="talking_points")],
        wards=[york["Acomb"]],
        email="",
        phone="",
        is_active=False,
        members={stays: True, joins: False},
    )
    assert set(team.memberships.values_list("user__email", "is_lead")) == {
        ("stays@example.org", True),
        ("joins@example.org", False),
    }
    assert not Membership.objects.filter(user=goes).exists()
    [event] = events_for(team)
    assert event.changes == {
        "is_active": [True, False],
        "leads": [[], ["stays@example.org"]],
        "members": [
            ["goes@example.org", "stays@example.org"],
            ["joins@example.org", "stays@example.org"],
        ],
        "programmes": [[], ["Talking Points"]],
        "wards": [[], ["Acomb"]],
    }


# --- organisations ----------------------------------------------------------------------------


def test_organisation_create_and_update_are_recorded():
    admin = administrator()
    pcn = services.organisation_create(
        actor=admin, name="York  Medical PCN", kind=Organisation.Kind.PCN
    )
    assert pcn.name == "York Medical PCN"
    practice = services.organisation_create(
        actor=admin,
        name="Priory Medical Group",
        kind=Organisation.Kind.GP_PRACTICE,
        parent=pcn,
        ods_code=" b82 005 ",
    )
    assert practice.ods_code == "B82005"
    assert events_for(practice)[0].changes["parent"] == [None, "York Medical PCN"]
    services.organisation_update(
        actor=admin,
        organisation=practice,
        name="Priory Medical Group",
        kind=Organisation.Kind.GP_PRACTICE,
        parent=pcn,
        ods_code="B82005",
        charity_number="",
        is_active=False,
    )
    change = AuditEvent.objects.filter(object_id=str(practice.pk), action="change").get()
    assert change.changes == {"is_active": [True, False]}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "york cvs"}, "name", "There is already an organisation called York CVS"),
        ({"ods_code": "B8!"}, "ods_code", "ODS code must be 3 to 10 letters and numbers"),
        ({"charity_number": "12"}, "charity_number", "Charity number must be 5 to 8 numbers"),
        (
            {"kind": Organisation.Kind.GP_PRACTICE, "parent": "council"},
            "parent",
            "A GP practice's parent must be a primary care network",
        ),
    ],
)
def test_organisation_create_refuses_bad_input(kwargs, field, message):
    admin = administrator()
    OrganisationFactory(name="York CVS")
    council = OrganisationFactory(name="A council", kind=Organisation.Kind.COUNCIL)
    values = {"name": "New organisation", "kind": Organisation.Kind.VCS, **kwargs}
    if values.get("parent") == "council":
        values["parent"] = council
    count = Organisation.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(actor=admin, **values)
    assert error_messages(excinfo, field)[0].startswith(message)
    assert Organisation.objects.count() == count


def test_an_organisation_cannot_be_inside_itself():
    admin = administrator()
    top = OrganisationFactory(name="Top", kind=Organisation.Kind.NHS_TRUST)
    middle = OrganisationFactory(name="Middle", kind=Organisation.Kind.OTHER, parent=top)

    def move_top_under(parent):
        services.organisation_update(
            actor=admin,
            organisation=top,
            name="Top",
            kind=top.kind,
            parent=parent,
            ods_code="",
            charity_number="",
            is_active=True,
        )

    with pytest.raises(ValidationError) as excinfo:
        move_top_under(middle)
    assert error_messages(excinfo, "parent") == [
        "Middle is already part of Top, so it cannot be its parent"
    ]
    with pytest.raises(ValidationError) as excinfo:
        move_top_under(top)
    assert error_messages(excinfo, "parent") == ["An organisation cannot be part of itself"]
    top.refresh_from_db()
    assert top.parent is None


def test_audit_log_search_is_recorded():
    admin = administrator()
    services.audit_log_search_record(actor=admin, description="action view", page=2, results=120)
    event = AuditEvent.objects.get(action="search")
    assert event.actor == admin
    assert event.reason == "Searched the audit log: action view (page 2, 120 results)"
