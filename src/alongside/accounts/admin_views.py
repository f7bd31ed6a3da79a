"""Administration pages: staff accounts, teams, organisations and roles (administrators),
neighbourhoods (administrators and team managers) and the audit log.

Each view reads through accounts.selectors, parses input with accounts.admin_forms, makes
changes through one service, and renders. Who may open each page is stated by its decorator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from alongside.core import services as core_services
from alongside.core.models import AuditEvent
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required

from . import selectors, services
from .admin_forms import (
    AuditSearchForm,
    DeactivateForm,
    NeighbourhoodForm,
    OrganisationForm,
    PasswordResetForm,
    TeamForm,
    UserForm,
    UserSearchForm,
    show_service_errors,
)

USERS_PER_PAGE = 50
TEAMS_PER_PAGE = 50
ORGANISATIONS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 50

MANAGE_USERS = "accounts.manage_users"
CHANGE_NEIGHBOURHOOD = "core.change_neighbourhood"
SEARCH_AUDIT = "core.search_auditevent"


# --- Shared helpers --------------------------------------------------------------------------


def _words(value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    if value == "":
        return "(blank)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[tuple[str, str, str]]
    object_url: str | None


def _event_rows(events: Any, *, can_manage_users: bool) -> list[EventRow]:
    """Audit events ready to show: each change as (field, old, new) in words, and a link to
    the account or team it concerns when the viewer may open that page."""
    rows = []
    for event in events:
        changes = []
        if isinstance(event.changes, dict):
            for name, value in event.changes.items():
                if isinstance(value, list | tuple) and len(value) == 2:
                    old, new = value
                    changes.append((name.replace("_", " "), _words(old), _words(new)))
                else:
                    changes.append((name.replace("_", " "), "", _words(value)))
        url = None
        if can_manage_users and event.object_id:
            if event.object_type == "accounts.user" and event.object_id.isdigit():
                url = reverse("accounts:user-detail", kwargs={"pk": int(event.object_id)})
            elif event.object_type == "accounts.team" and _is_uuid(event.object_id):
                url = reverse("accounts:team-detail", kwargs={"pk": event.object_id})
        rows.append(EventRow(event=event, changes=changes, object_url=url))
    return rows


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- Users -----------------------------------------------------------------------------------


@staff_required(MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    """Staff accounts, 50 a page, searchable by name or email and filtered by role, team and
    status."""
    form = UserSearchForm(request.GET)
    page = pagination = None
    if form.is_valid():
        users = selectors.user_list_for_admin(
            user=request.user,
            search=form.cleaned_data["q"],
            role=form.cleaned_data["role"],
            team=form.cleaned_data["team"],
            status=form.cleaned_data["status"],
        )
        page, pagination = paginate(request, users, USERS_PER_PAGE)
    filtered = any(request.GET.get(k) for k in ("q", "role", "team", "status"))
    return render(
        request,
        "accounts/admin/user_list.html",
        {"form": form, "page": page, "pagination": pagination, "filtered": filtered},
    )


def _user_form_values(form: UserForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "email": data["email"],
        "full_name": data["full_name"],
        "job_title": data["job_title"],
        "organisation": data["organisation"],
        "roles": data["roles"],
        "teams": list(data["teams"]),
    }


@staff_required(MANAGE_USERS)
@sensitive_post_parameters("password", "password_confirm")
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    """Add a staff account with its roles, teams and a first password."""
    form = UserForm(request.POST if request.method == "POST" else None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user,
                password=form.cleaned_data["password"],
                **_user_form_values(form),
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Account added for {user.full_name}. Give them their password in person or "
                "by phone: it is not shown again.",
            )
            return redirect("accounts:user-detail", pk=user.pk)
    return render(request, "accounts/admin/user_create.html", {"form": form})


@staff_required(MANAGE_USERS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A staff account: details, roles, teams, second factor, last sign-in, and recent
    audit events by it and about it."""
    subject = selectors.user_get_for_admin(user=request.user, pk=pk)
    can_search = request.user.has_perm(SEARCH_AUDIT)
    return render(
        request,
        "accounts/admin/user_detail.html",
        {
            "subject": subject,
            "has_second_factor": selectors.user_has_second_factor(
                user=request.user, subject=subject
            ),
            "events_by": _event_rows(
                selectors.audit_events_by_user(user=request.user, subject=subject),
                can_manage_users=True,
            ),
            "events_about": _event_rows(
                selectors.audit_events_about_user(user=request.user, subject=subject),
                can_manage_users=True,
            ),
            "audit_url": (
                f"{reverse('accounts:audit-log')}?{urlencode({'actor_email': subject.email})}"
                if can_search
                else None
            ),
        },
    )


# The forms on the edit page; a hidden "action" field says which one was sent.
USER_EDIT_ACTIONS = {"details", "deactivate", "reactivate", "reset_second_factor", "password"}


@staff_required(MANAGE_USERS)
@sensitive_post_parameters("password-password", "password-password_confirm")
@never_cache
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an account's details, roles and teams; deactivate or reactivate it; reset its
    second factor or its password. Each is a separate form posting here."""
    subject = selectors.user_get_for_admin(user=request.user, pk=pk)
    action = request.POST.get("action", "details") if request.method == "POST" else None
    if action is not None and action not in USER_EDIT_ACTIONS:
        return HttpResponseBadRequest("Unknown action")

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    details = UserForm(
        bound("details"),
        creating=False,
        subject=subject,
        initial={
            "email": subject.email,
            "full_name": subject.full_name,
            "job_title": subject.job_title,
            "organisation": subject.organisation_id,
            "roles": [g.name for g in subject.groups.all()],
            "teams": [m.team_id for m in subject.memberships.all()],
        },
    )
    deactivate = DeactivateForm(bound("deactivate"))
    password = PasswordResetForm(bound("password"))
    action_errors: list[str] = []
    is_self = subject.pk == request.user.pk
    name = subject.full_name or subject.email

    try:
        if action == "details" and details.is_valid():
            services.user_update(actor=request.user, user=subject, **_user_form_values(details))
            messages.success(request, f"Changes to {name}'s account are saved.")
            return redirect("accounts:user-detail", pk=subject.pk)
        if action == "deactivate" and deactivate.is_valid():
            services.user_deactivate(
                actor=request.user, user=subject, reason=deactivate.cleaned_data["reason"]
            )
            messages.success(request, f"{name}'s account is deactivated.")
            return redirect("accounts:user-detail", pk=subject.pk)
        if action == "reactivate":
            services.user_reactivate(actor=request.user, user=subject)
            messages.success(request, f"{name}'s account is active again.")
            return redirect("accounts:user-detail", pk=subject.pk)
        if action == "reset_second_factor":
            services.user_reset_second_factor(actor=request.user, user=subject)
            messages.success(
                request,
                f"{name}'s two-factor authentication is reset. They must set up an "
                "authenticator app when they next sign in.",
            )
            return redirect("accounts:user-detail", pk=subject.pk)
        if action == "password" and password.is_valid():
            services.user_set_password(
                actor=request.user, user=subject, password=password.cleaned_data["password"]
            )
            if is_self:
                # Keep the administrator signed in; their other sessions still end.
                update_session_auth_hash(request, subject)
            messages.success(
                request,
                f"{name}'s password is reset. Give it to them in person or by phone.",
            )
            return redirect("accounts:user-detail", pk=subject.pk)
    except ValidationError as error:
        form = {"details": details, "deactivate": deactivate, "password": password}.get(action)
        if form is not None:
            show_service_errors(form, error)
        else:
            action_errors.extend(error.messages)
        # Show the page as it is in the database, not as the failed change left the object.
        subject = selectors.user_get_for_admin(user=request.user, pk=pk)

    has_errors = bool(details.errors or deactivate.errors or password.errors or action_errors)
    return render(
        request,
        "accounts/admin/user_edit.html",
        {
            "subject": subject,
            "details": details,
            "deactivate": deactivate,
            "password": password,
            "action_errors": action_errors,
            "has_errors": has_errors,
            "is_self": is_self,
            "has_second_factor": selectors.user_has_second_factor(
                user=request.user, subject=subject
            ),
        },
    )


# --- Teams -----------------------------------------------------------------------------------


@staff_required(MANAGE_USERS)
def team_list(request: HttpRequest) -> HttpResponse:
    page, pagination = paginate(
        request, selectors.team_list_for_admin(user=request.user), TEAMS_PER_PAGE
    )
    return render(
        request, "accounts/admin/team_list.html", {"page": page, "pagination": pagination}
    )


def _team_values(form: TeamForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "organisation": data["organisation"],
        "programmes": data["programmes"],
        "wards": list(data["wards"]),
        "email": data["email"],
        "phone": data["phone"],
        "members": form.members(),
    }


@staff_required(MANAGE_USERS)
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **_team_values(form))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{team.name} is added.")
            return redirect("accounts:team-detail", pk=team.pk)
    return render(request, "accounts/admin/team_form.html", {"form": form, "team": None})


@staff_required(MANAGE_USERS)
def team_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    team = selectors.team_get_for_admin(user=request.user, pk=pk)
    return render(request, "accounts/admin/team_detail.html", {"team": team})


@staff_required(MANAGE_USERS)
def team_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    team = selectors.team_get_for_admin(user=request.user, pk=pk)
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        team=team,
        initial={
            "name": team.name,
            "organisation": team.organisation_id,
            "programmes": [p.code for p in team.programmes.all()],
            "wards": [w.pk for w in team.wards.all()],
            "email": team.email,
            "phone": team.phone,
            "is_active": team.is_active,
            "leads": [str(m.user_id) for m in team.memberships.all() if m.is_lead],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                actor=request.user,
                team=team,
                is_active=form.cleaned_data["is_active"],
                **_team_values(form),
            )
        except ValidationError as error:
            show_service_errors(form, error)
            team = selectors.team_get_for_admin(user=request.user, pk=pk)
        else:
            messages.success(request, f"Changes to {team.name} are saved.")
            return redirect("accounts:team-detail", pk=team.pk)
    return render(request, "accounts/admin/team_form.html", {"form": form, "team": team})


# --- Organisations ---------------------------------------------------------------------------


@staff_required(MANAGE_USERS)
def organisation_list(request: HttpRequest) -> HttpResponse:
    page, pagination = paginate(
        request,
        selectors.organisation_list_for_admin(user=request.user),
        ORGANISATIONS_PER_PAGE,
    )
    return render(
        request,
        "accounts/admin/organisation_list.html",
        {"page": page, "pagination": pagination},
    )


def _organisation_values(form: OrganisationForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "parent": data["parent"],
        "ods_code": data["ods_code"],
        "charity_number": data["charity_number"],
    }


@staff_required(MANAGE_USERS)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, **_organisation_values(form)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} is added.")
            return redirect("accounts:organisation-list")
    return render(
        request, "accounts/admin/organisation_form.html", {"form": form, "organisation": None}
    )


@staff_required(MANAGE_USERS)
def organisation_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, pk=pk)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={
            "name": organisation.name,
            "kind": organisation.kind,
            "parent": organisation.parent_id,
            "ods_code": organisation.ods_code,
            "charity_number": organisation.charity_number,
            "is_active": organisation.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                is_active=form.cleaned_data["is_active"],
                **_organisation_values(form),
            )
        except ValidationError as error:
            show_service_errors(form, error)
            organisation = selectors.organisation_get_for_admin(user=request.user, pk=pk)
        else:
            messages.success(request, f"Changes to {organisation.name} are saved.")
            return redirect("accounts:organisation-list")
    return render(
        request,
        "accounts/admin/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


# --- Roles -----------------------------------------------------------------------------------


@staff_required(MANAGE_USERS)
def role_list(request: HttpRequest) -> HttpResponse:
    """Each role, what it is for, what it allows and how many active accounts hold it.
    Roles are set by data migrations, so this page only describes them."""
    return render(
        request,
        "accounts/admin/role_list.html",
        {"roles": selectors.role_list_for_admin(user=request.user)},
    )


# --- Neighbourhoods --------------------------------------------------------------------------


@staff_required(CHANGE_NEIGHBOURHOOD)
def neighbourhood_list(request: HttpRequest) -> HttpResponse:
    """The neighbourhoods, their wards and population, and any wards in none."""
    neighbourhoods = list(selectors.neighbourhood_list_for_user(user=request.user))
    unassigned = selectors.wards_without_neighbourhood(user=request.user)
    return render(
        request,
        "accounts/admin/neighbourhood_list.html",
        {
            "neighbourhoods": neighbourhoods,
            "unassigned": unassigned,
            "total_population": sum(n.population or 0 for n in neighbourhoods)
            + sum(w.population or 0 for w in unassigned),
        },
    )


@staff_required(CHANGE_NEIGHBOURHOOD)
def neighbourhood_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Rename a neighbourhood and choose its wards; a ward ticked here leaves any other."""
    neighbourhood = selectors.neighbourhood_get_for_user(user=request.user, pk=pk)
    form = NeighbourhoodForm(
        request.POST if request.method == "POST" else None,
        neighbourhood=neighbourhood,
        initial={
            "name": neighbourhood.name,
            "description": neighbourhood.description,
            "wards": [str(w.pk) for w in neighbourhood.wards.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            core_services.neighbourhood_update(
                actor=request.user,
                neighbourhood=neighbourhood,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                wards=form.cleaned_data["wards"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
            neighbourhood = selectors.neighbourhood_get_for_user(user=request.user, pk=pk)
        else:
            messages.success(request, f"Changes to {neighbourhood.name} are saved.")
            return redirect("accounts:neighbourhood-list")
    return render(
        request,
        "accounts/admin/neighbourhood_form.html",
        {"form": form, "neighbourhood": neighbourhood},
    )


# --- Audit log -------------------------------------------------------------------------------


@staff_required(SEARCH_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit trail, newest first, 50 a page. Every search (each page of results)
    is itself recorded."""
    form = AuditSearchForm(request.GET)
    page = pagination = None
    rows: list[EventRow] = []
    if form.is_valid():
        criteria = form.criteria()
        events = selectors.audit_event_list_for_user(user=request.user, criteria=criteria)
        page, pagination = paginate(request, events, AUDIT_EVENTS_PER_PAGE)
        rows = _event_rows(page.object_list, can_manage_users=request.user.has_perm(MANAGE_USERS))
        services.audit_log_search_record(
            actor=request.user,
            description=criteria.describe(),
            page=page.number,
            results=page.paginator.count,
        )
    return render(
        request,
        "accounts/admin/audit_log.html",
        {"form": form, "page": page, "pagination": pagination, "rows": rows},
    )
