"""Staff pages for the shared person record.

Every page needs a role permission (staff_required) and the record to be visible to the
member of staff (the selectors answer 404 when it is not).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from alongside.core.forms import add_service_errors as _add_errors
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required

from . import selectors, services
from .duplicates import find_possible_duplicates
from .forms import (
    NEW_RECORD,
    PERSON_FORM_FIELDS,
    ArchiveForm,
    ConsentForm,
    ConsentWithdrawForm,
    DuplicateChoiceForm,
    EraseForm,
    ExportForm,
    LinkForm,
    PersonCreateForm,
    PersonForm,
    draft_from_form,
    initial_from_draft,
    person_values_from_draft,
)
from .models import Person
from .nhs_number import format_nhs_number

PAGE_SIZE = 25
ACCESS_LOG_PAGE_SIZE = 50
DRAFT_KEY = "people_add_draft"


def _posted(request: HttpRequest) -> Any:
    """The submitted data, or None for a GET. (An empty POST must still bind the form.)"""
    return request.POST if request.method == "POST" else None


def _person_initial(person: Person) -> dict[str, Any]:
    initial = {name: getattr(person, name) for name in PERSON_FORM_FIELDS}
    initial["nhs_number"] = format_nhs_number(person.nhs_number) if person.nhs_number else ""
    return initial


@staff_required("people.view_person")
@never_cache
def person_list(request: HttpRequest) -> HttpResponse:
    """Find people: the records the member of staff may see, searched and paged."""
    query = request.GET.get("q", "").strip()[:200]
    include_archived = request.GET.get("archived") == "1"
    people = selectors.person_list_for_user(
        user=request.user, query=query, include_archived=include_archived
    )
    page, pagination = paginate(request, people, PAGE_SIZE)
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "pagination": pagination,
            "query": query,
            "include_archived": include_archived,
        },
    )


@staff_required("people.view_person", "people.add_person")
@never_cache
def person_create(request: HttpRequest) -> HttpResponse:
    """Add a person, step 1: their details. Possible duplicates go to step 2."""
    teams = selectors.team_choices_for_user(user=request.user)
    if not teams.exists():
        return render(request, "people/no_team.html")
    if request.method == "POST":
        form = PersonCreateForm(request.POST, teams=teams)
        if form.is_valid():
            values = form.person_fields()
            matches = find_possible_duplicates(
                given_name=values["given_name"],
                family_name=values["family_name"],
                date_of_birth=values["date_of_birth"],
                nhs_number=values["nhs_number"],
            )
            if matches:
                request.session[DRAFT_KEY] = draft_from_form(form)
                return redirect("people:create-check")
            try:
                person = services.person_create(
                    actor=request.user,
                    team=form.cleaned_data["team"],
                    reason=form.cleaned_data["reason"],
                    **values,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                request.session.pop(DRAFT_KEY, None)
                messages.success(request, f"{person.full_name} has been added.")
                return redirect("people:detail", pk=person.pk)
    else:
        draft = request.session.get(DRAFT_KEY)
        if request.GET.get("change") and draft:
            form = PersonCreateForm(initial=initial_from_draft(draft), teams=teams)
        else:
            request.session.pop(DRAFT_KEY, None)
            form = PersonCreateForm(teams=teams)
    return render(request, "people/person_create.html", {"form": form})


@staff_required("people.view_person", "people.add_person")
@never_cache
def person_create_check(request: HttpRequest) -> HttpResponse:
    """Add a person, step 2: records that may be the same person. Use one, or add a new
    record. What was typed in step 1 is kept in the session until then."""
    draft = request.session.get(DRAFT_KEY)
    team = None
    if draft:
        team = selectors.team_choices_for_user(user=request.user).filter(pk=draft["team"]).first()
    if not draft or team is None:
        # The session ended, or the steps were taken out of order: say so, rather than
        # silently losing what was typed.
        request.session.pop(DRAFT_KEY, None)
        return render(request, "people/person_create_nothing.html")
    values = person_values_from_draft(draft)
    # Found again rather than trusted from step 1, so only a record that matches what
    # was typed can be chosen.
    matches = find_possible_duplicates(
        given_name=values["given_name"],
        family_name=values["family_name"],
        date_of_birth=values["date_of_birth"],
        nhs_number=values["nhs_number"],
    )
    form = DuplicateChoiceForm(_posted(request), matches=matches)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        try:
            if choice == NEW_RECORD:
                person = services.person_create(
                    actor=request.user, team=team, reason=draft["reason"], **values
                )
                message = f"{person.full_name} has been added."
            else:
                person = next(m.person for m in matches if str(m.person.pk) == choice)
                services.person_use_existing(
                    actor=request.user, person=person, team=team, reason=draft["reason"]
                )
                message = f"Your team is now working with {person.full_name}'s record."
        except ValidationError as error:
            form.add_error("choice", error.messages)
        else:
            request.session.pop(DRAFT_KEY, None)
            messages.success(request, message)
            return redirect("people:detail", pk=person.pk)
    elif request.method != "POST":
        services.person_matches_shown_record(actor=request.user, people=[m.person for m in matches])
    return render(
        request,
        "people/person_create_check.html",
        {"form": form, "matches": matches, "draft": values, "team": team},
    )


@staff_required("people.view_person")
@never_cache
def person_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The record. Each opening is written to the audit trail."""
    person = selectors.person_detail_for_user(user=request.user, pk=pk)
    services.person_record_view(actor=request.user, person=person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "consents": person.consents.all(),
            "involvements": person.open_involvements,
            "links": selectors.person_links_for_user(user=request.user, person=person),
        },
    )


@staff_required("people.view_person", "people.change_person")
@never_cache
def person_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    form = PersonForm(_posted(request), initial=_person_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.person_fields())
        except ValidationError as error:
            person.refresh_from_db()
            _add_errors(form, error)
        else:
            messages.success(request, "The changes have been saved.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_edit.html", {"form": form, "person": person})


@staff_required("people.view_person", "people.archive_person")
@never_cache
def person_archive(request: HttpRequest, pk: UUID) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    if person.is_archived:
        messages.info(request, "This record is already archived.")
        return redirect("people:detail", pk=person.pk)
    form = ArchiveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_archive(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="reason")
        else:
            messages.success(request, "The record has been archived.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_archive.html", {"form": form, "person": person})


def _link_candidates(*, user: Any, person: Person, query: str) -> tuple[list[Person], set[str]]:
    """Records the user may see that may be this person: likely duplicates first, then
    search results. Records already linked are left out."""
    linked = {str(r.other.pk) for r in selectors.person_links_for_user(user=user, person=person)}
    duplicates = [
        m.person
        for m in find_possible_duplicates(
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            nhs_number=person.nhs_number,
            exclude=[person.pk],
        )
    ]
    visible = {
        str(pk)
        for pk in selectors.visible_people(user=user)
        .filter(pk__in=[p.pk for p in duplicates])
        .values_list("pk", flat=True)
    }
    suggested = [p for p in duplicates if str(p.pk) in visible and str(p.pk) not in linked]
    found = selectors.person_link_candidates_for_user(user=user, person=person, query=query)
    seen = {str(p.pk) for p in suggested}
    candidates = suggested + [p for p in found if str(p.pk) not in seen | linked]
    return candidates, {str(p.pk) for p in suggested}


@staff_required("people.view_person", "people.link_person")
@never_cache
def person_link(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Link this record to another that may be the same person (records are never merged)."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "").strip()[:200]
    candidates, suggested = _link_candidates(user=request.user, person=person, query=query)
    form = LinkForm(
        _posted(request),
        initial={"q": query},
        candidates=candidates,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_link(
                actor=request.user,
                person=person,
                other=form.cleaned_data["other"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="other")
        else:
            messages.success(request, "The records have been linked.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_link.html",
        {
            "form": form,
            "person": person,
            "query": query,
            "has_candidates": bool(candidates),
            "suggested_count": len(suggested),
        },
    )


@staff_required("people.view_person", "people.change_person")
@never_cache
def consent_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    form = ConsentForm(_posted(request), organisations=selectors.organisation_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The consent has been recorded.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/consent_form.html", {"form": form, "person": person})


@staff_required("people.view_person", "people.change_person")
@never_cache
def consent_withdraw(request: HttpRequest, pk: UUID, consent_pk: UUID) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    consent = selectors.consent_get_for_user(user=request.user, person=person, pk=consent_pk)
    if not consent.is_active:
        messages.info(request, "This consent has already been withdrawn.")
        return redirect("people:detail", pk=person.pk)
    form = ConsentWithdrawForm(_posted(request), consent=consent)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_at=form.cleaned_data["withdrawn_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="withdrawn_at")
        else:
            messages.success(request, "The consent has been withdrawn.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/consent_withdraw.html",
        {"form": form, "person": person, "consent": consent},
    )


@staff_required("people.view_person", "people.view_person_access_log")
@never_cache
def person_access_log(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Who has looked at or changed this record, and when."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    events = selectors.person_access_log_for_user(user=request.user, person=person)
    page, pagination = paginate(request, events, ACCESS_LOG_PAGE_SIZE)
    return render(
        request,
        "people/access_log.html",
        {"person": person, "page": page, "pagination": pagination},
    )


def _export(request: HttpRequest, pk: UUID, *, kind: str) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    label = "Download as JSON" if kind == "json" else "Download as PDF"
    form = ExportForm(_posted(request), submit_label=label)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if kind == "json":
                data = services.person_export(actor=request.user, person=person, reason=reason)
                content = json.dumps(data, indent=2, ensure_ascii=False).encode()
                content_type = "application/json; charset=utf-8"
            else:
                content = services.person_export_pdf(
                    actor=request.user, person=person, reason=reason
                )
                content_type = "application/pdf"
        except ValidationError as error:
            _add_errors(form, error, fallback="reason")
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.{kind}"'
            return response
    return render(
        request,
        "people/export_form.html",
        {"form": form, "person": person, "kind": "JSON" if kind == "json" else "PDF"},
    )


@staff_required("people.view_person", "people.export_person")
@never_cache
def person_export_json(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Subject access: everything held on the person, as a JSON file."""
    return _export(request, pk, kind="json")


@staff_required("people.view_person", "people.export_person")
@never_cache
def person_export_pdf(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Subject access: everything held on the person, as a PDF to give them."""
    return _export(request, pk, kind="pdf")


@staff_required("people.view_person", "people.erase_person")
@never_cache
def person_erase(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Erase the record where the law requires it. This cannot be undone."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    form = EraseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(
                actor=request.user, person=person, lawful_basis=form.cleaned_data["lawful_basis"]
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="lawful_basis")
        else:
            messages.success(request, "The record has been erased.")
            return redirect("people:list")
    return render(request, "people/person_erase.html", {"form": form, "person": person})
