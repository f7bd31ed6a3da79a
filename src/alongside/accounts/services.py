"""Writes for accounts: second factor set-up, and administration of users and teams."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.core.audit import audit_record, field_changes
from alongside.core.models import Ward

from .models import Membership, Organisation, Programme, Team, User
from .roles import ADMINISTRATOR


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user, replacing any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm the device when the code matches; earlier confirmed devices are removed."""
    if device.user_id != user.pk or not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="admin", obj=user, reason="Set up two-factor authentication")
    return True


def sign_in_record(*, user: User, second_factor: bool, **_: Any) -> None:
    audit_record(
        actor=user,
        action="sign_in",
        obj=user,
        reason="Signed in with a second factor" if second_factor else "Signed in",
    )


# --- Administration of users, teams and organisations -------------------------------------
# Each service validates (raising ValidationError keyed by its own argument names, so a form
# with fields of the same names can show each message by its field), writes, and records one
# audit event with the fields that changed. Roles, teams and other many-to-many values are
# recorded as sorted lists of names so the audit log reads without looking anything up.


def _created(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes recorded for something new: each value given, from nothing."""
    return field_changes({}, {k: v for k, v in values.items() if v not in ("", [], None)})


def _role_names(groups: Iterable[Group]) -> list[str]:
    return sorted(g.name for g in groups)


def _team_names(teams: Iterable[Team]) -> list[str]:
    return sorted(str(t) for t in teams)


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation": user.organisation.name if user.organisation_id else None,
        "roles": _role_names(user.groups.all()),
        "teams": _team_names(
            Team.objects.filter(memberships__user=user).select_related("organisation")
        ),
    }


def _check_email_free(email: str, *, exclude_pk: int | None = None) -> None:
    taken = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"email": f"There is already an account with the email address {email}"}
        )


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


def _save_new_user(user: User) -> None:
    # The case-insensitive check above can race another request; the database's unique
    # index on the (lower-cased) email settles it.
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(
            {"email": f"There is already an account with the email address {user.email}"}
        ) from error


def _set_teams(user: User, teams: Iterable[Team]) -> None:
    wanted = {t.pk: t for t in teams}
    Membership.objects.filter(user=user).exclude(team_id__in=wanted).delete()
    have = set(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    for pk, team in wanted.items():
        if pk not in have:
            membership = Membership(team=team, user=user)
            membership.full_clean()
            membership.save()


@transaction.atomic
def user_create(
    *,
    actor: User,
    email: str,
    full_name: str,
    password: str,
    job_title: str = "",
    organisation: Organisation | None = None,
    roles: Iterable[Group] = (),
    teams: Iterable[Team] = (),
) -> User:
    """Add a staff account with an initial password the administrator gives them.

    The email address is the sign-in name: stored lower-case, unique whatever its case."""
    roles, teams = list(roles), list(teams)
    email = User.objects.normalize_email(email.strip()).lower()
    user = User(
        email=email,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        organisation=organisation,
    )
    _check_email_free(email)
    _check_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    _save_new_user(user)
    user.groups.set(roles)
    _set_teams(user, teams)
    after = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation": organisation.name if organisation else None,
        "roles": _role_names(roles),
        "teams": _team_names(teams),
    }
    audit_record(
        actor=actor,
        action="create",
        obj=user,
        reason="Added a staff account",
        changes=_created(after),
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    email: str,
    full_name: str,
    job_title: str,
    organisation: Organisation | None,
    roles: Iterable[Group],
    teams: Iterable[Team],
) -> User:
    """Change a staff account's details, roles and teams.

    Administrators cannot take the Administrator role from themselves, so there is always
    someone left who can give it back. Team memberships that stay keep their lead flag."""
    roles, teams = list(roles), list(teams)
    before = _user_snapshot(user)
    new_roles = _role_names(roles)
    if actor.pk == user.pk and ADMINISTRATOR in before["roles"] and ADMINISTRATOR not in new_roles:
        raise ValidationError(
            {
                "roles": "You cannot remove your own Administrator role. "
                "Ask another administrator to do it"
            }
        )
    email = User.objects.normalize_email(email.strip()).lower()
    _check_email_free(email, exclude_pk=user.pk)
    user.email = email
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    user.organisation = organisation
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(roles)
    _set_teams(user, teams)
    after = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "organisation": organisation.name if organisation else None,
        "roles": new_roles,
        "teams": _team_names(teams),
    }
    changes = field_changes(before, after)
    if changes:
        audit_record(
            actor=actor,
            action="change",
            obj=user,
            reason="Changed a staff account",
            changes=changes,
        )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Close an account: it can no longer sign in, and any session it has ends at its next
    request. Nothing it did is removed. Nobody can deactivate their own account."""
    reason = reason.strip()
    if actor.pk == user.pk:
        raise ValidationError(
            "You cannot deactivate your own account. Ask another administrator to do it"
        )
    if not user.is_active:
        raise ValidationError("This account is already deactivated")
    if not reason:
        raise ValidationError({"reason": "Enter why you are deactivating this account"})
    user.is_active = False
    user.deactivated_reason = reason
    user.full_clean(exclude=["password"])
    user.save(update_fields=["is_active", "deactivated_reason"])
    audit_record(
        actor=actor,
        action="admin",
        obj=user,
        reason=f"Deactivated the account: {reason}",
        changes={"is_active": [True, False], "deactivated_reason": ["", reason]},
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Open a deactivated account again, clearing the reason it was closed."""
    if user.is_active:
        raise ValidationError("This account is already active")
    old_reason = user.deactivated_reason
    user.is_active = True
    user.deactivated_reason = ""
    user.save(update_fields=["is_active", "deactivated_reason"])
    audit_record(
        actor=actor,
        action="admin",
        obj=user,
        reason="Reactivated the account",
        changes={"is_active": [False, True], "deactivated_reason": [old_reason, ""]},
    )
    return user


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User) -> int:
    """Remove the account's authenticator apps, so it must set one up at its next sign-in.

    For someone who has lost their phone. Returns how many devices were removed."""
    if actor.pk == user.pk:
        raise ValidationError(
            "You cannot reset your own two-factor authentication here. "
            "Change your authenticator app from Your account"
        )
    devices = list(devices_for_user(user, confirmed=None))
    if not devices:
        raise ValidationError("This account has not set up two-factor authentication")
    had_confirmed = any(d.confirmed for d in devices)
    for device in devices:
        device.delete()
    audit_record(
        actor=actor,
        action="admin",
        obj=user,
        reason="Reset two-factor authentication",
        changes={"second_factor": ["set up" if had_confirmed else "not confirmed", "not set up"]},
    )
    return len(devices)


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Give the account a new password (which must meet the password rules). Its other
    sessions end, because Django ties sessions to the password."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="admin",
        obj=user,
        reason="Reset the password",
        # Never the password or its hash: only that it changed.
        changes={"password": ["(not shown)", "(changed)"]},
    )
    return user


def _team_snapshot(team: Team) -> dict[str, Any]:
    memberships = list(team.memberships.select_related("user"))
    return {
        "name": team.name,
        "organisation": team.organisation.name,
        "programmes": sorted(p.name for p in team.programmes.all()),
        "wards": sorted(w.name for w in team.wards.all()),
        "email": team.email,
        "phone": team.phone,
        "is_active": team.is_active,
        "members": sorted(m.user.email for m in memberships),
        "leads": sorted(m.user.email for m in memberships if m.is_lead),
    }


def _check_team_name_free(
    *, name: str, organisation: Organisation, exclude_pk: uuid.UUID | None = None
) -> None:
    taken = Team.objects.filter(organisation=organisation, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {"name": f"{organisation.name} already has a team called {taken.first().name}"}
        )


def _set_members(team: Team, members: Mapping[User, bool]) -> None:
    wanted = {u.pk: bool(lead) for u, lead in members.items()}
    Membership.objects.filter(team=team).exclude(user_id__in=wanted).delete()
    existing = {m.user_id: m for m in Membership.objects.filter(team=team)}
    for user_pk, lead in wanted.items():
        membership = existing.get(user_pk)
        if membership is None:
            Membership.objects.create(team=team, user_id=user_pk, is_lead=lead)
        elif membership.is_lead != lead:
            membership.is_lead = lead
            membership.save(update_fields=["is_lead", "modified_at"])


def _save_team(
    *,
    actor: User,
    team: Team,
    name: str,
    organisation: Organisation,
    programmes: Iterable[Programme],
    wards: Iterable[Ward],
    email: str,
    phone: str,
    is_active: bool,
    members: Mapping[User, bool],
) -> dict[str, Any]:
    name = name.strip()
    _check_team_name_free(
        name=name,
        organisation=organisation,
        exclude_pk=None if team._state.adding else team.pk,
    )
    team.name = name
    team.organisation = organisation
    team.email = email.strip()
    team.phone = phone.strip()
    team.is_active = is_active
    team.modified_by = actor
    team.full_clean()
    team.save()
    programmes, wards = list(programmes), list(wards)
    team.programmes.set(programmes)
    team.wards.set(wards)
    _set_members(team, members)
    return {
        "name": team.name,
        "organisation": organisation.name,
        "programmes": sorted(p.name for p in programmes),
        "wards": sorted(w.name for w in wards),
        "email": team.email,
        "phone": team.phone,
        "is_active": team.is_active,
        "members": sorted(u.email for u in members),
        "leads": sorted(u.email for u, lead in members.items() if lead),
    }


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    organisation: Organisation,
    programmes: Iterable[Programme] = (),
    wards: Iterable[Ward] = (),
    email: str = "",
    phone: str = "",
    members: Mapping[User, bool] | None = None,
) -> Team:
    """Add a team to an organisation. `members` maps each member to whether they lead it.

    Team names are unique within an organisation, whatever their case."""
    team = Team(created_by=actor)
    after = _save_team(
        actor=actor,
        team=team,
        name=name,
        organisation=organisation,
        programmes=programmes,
        wards=wards,
        email=email,
        phone=phone,
        is_active=True,
        members=members or {},
    )
    audit_record(
        actor=actor,
        action="create",
        obj=team,
        reason="Added a team",
        changes=_created(after),
    )
    return team


@transaction.atomic
def team_update(
    *,
    actor: User,
    team: Team,
    name: str,
    organisation: Organisation,
    programmes: Iterable[Programme],
    wards: Iterable[Ward],
    email: str,
    phone: str,
    is_active: bool,
    members: Mapping[User, bool],
) -> Team:
    """Change a team. `members` is the whole membership wanted afterwards, mapping each
    member to whether they lead the team; others are taken out of it."""
    before = _team_snapshot(team)
    after = _save_team(
        actor=actor,
        team=team,
        name=name,
        organisation=organisation,
        programmes=programmes,
        wards=wards,
        email=email,
        phone=phone,
        is_active=is_active,
        members=members,
    )
    changes = field_changes(before, after)
    if changes:
        audit_record(
            actor=actor, action="change", obj=team, reason="Changed a team", changes=changes
        )
    return team


ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")
CHARITY_NUMBER = re.compile(r"(SC|NIC?)?[0-9]{5,8}(-[0-9]{1,3})?")


def _organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "parent": organisation.parent.name if organisation.parent_id else None,
        "ods_code": organisation.ods_code,
        "charity_number": organisation.charity_number,
        "is_active": organisation.is_active,
    }


def _save_organisation(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kind: str,
    parent: Organisation | None,
    ods_code: str,
    charity_number: str,
    is_active: bool,
) -> None:
    name = " ".join(name.split())
    ods_code = "".join(ods_code.split()).upper()
    charity_number = "".join(charity_number.split()).upper()
    errors: dict[str, str] = {}
    adding = organisation._state.adding
    taken = Organisation.objects.filter(name__iexact=name)
    if not adding:
        taken = taken.exclude(pk=organisation.pk)
    if name and taken.exists():
        errors["name"] = f"There is already an organisation called {taken.first().name}"
    if ods_code and not ODS_CODE.fullmatch(ods_code):
        errors["ods_code"] = "ODS code must be 3 to 10 letters and numbers, like B82005"
    if charity_number and not CHARITY_NUMBER.fullmatch(charity_number):
        errors["charity_number"] = (
            "Charity number must be 5 to 8 numbers, with SC or NIC in front for Scottish or "
            "Northern Irish charities, like 1012345 or SC012345"
        )
    if parent is not None:
        if not adding and parent.pk == organisation.pk:
            errors["parent"] = "An organisation cannot be part of itself"
        elif not adding and organisation_is_within(parent, organisation):
            errors["parent"] = (
                f"{parent.name} is already part of {organisation.name}, so it cannot be its parent"
            )
        elif kind == Organisation.Kind.GP_PRACTICE and parent.kind != Organisation.Kind.PCN:
            errors["parent"] = "A GP practice's parent must be a primary care network"
    if errors:
        raise ValidationError(errors)
    organisation.name = name
    organisation.kind = kind
    organisation.parent = parent
    organisation.ods_code = ods_code
    organisation.charity_number = charity_number
    organisation.is_active = is_active
    organisation.modified_by = actor
    organisation.full_clean()
    organisation.save()


def organisation_is_within(organisation: Organisation, ancestor: Organisation) -> bool:
    """Whether `organisation` sits somewhere beneath `ancestor` (guards against loops)."""
    seen: set[uuid.UUID] = set()
    current = organisation.parent
    while current is not None and current.pk not in seen:
        if current.pk == ancestor.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    ods_code: str = "",
    charity_number: str = "",
) -> Organisation:
    """Add an organisation (a council, NHS body, GP practice, group...). Names are unique
    whatever their case; a GP practice's parent, when given, is its primary care network."""
    organisation = Organisation(created_by=actor)
    _save_organisation(
        actor=actor,
        organisation=organisation,
        name=name,
        kind=kind,
        parent=parent,
        ods_code=ods_code,
        charity_number=charity_number,
        is_active=True,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=organisation,
        reason="Added an organisation",
        changes=_created(_organisation_snapshot(organisation)),
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kind: str,
    parent: Organisation | None,
    ods_code: str,
    charity_number: str,
    is_active: bool,
) -> Organisation:
    """Change an organisation. An organisation cannot become part of itself or of one of
    the organisations beneath it."""
    before = _organisation_snapshot(organisation)
    _save_organisation(
        actor=actor,
        organisation=organisation,
        name=name,
        kind=kind,
        parent=parent,
        ods_code=ods_code,
        charity_number=charity_number,
        is_active=is_active,
    )
    changes = field_changes(before, _organisation_snapshot(organisation))
    if changes:
        audit_record(
            actor=actor,
            action="change",
            obj=organisation,
            reason="Changed an organisation",
            changes=changes,
        )
    return organisation


def audit_log_search_record(*, actor: User, description: str, page: int, results: int) -> None:
    """Record that someone searched the audit log: looking at the trail is itself traced."""
    audit_record(
        actor=actor,
        action="search",
        object_type="core.auditevent",
        object_id="",
        object_label="Audit log",
        reason=f"Searched the audit log: {description} (page {page}, {results} results)",
    )
