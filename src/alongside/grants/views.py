"""Staff pages for small funds and the awards made from them, at /staff/grants/.

Funds and their totals are for everyone with grants.view_fund (analysts included); an award
is shown only to those who may see the person's support (404 otherwise) and each opening is
audited; deciding is for a manager who leads the person's team and did not make the request.
Every URL answers GET: the decision pages show the award and a form that posts back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from alongside.core.forms import add_service_errors
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required

from . import selectors, services
from .forms import ApproveForm, CancelForm, DeclineForm, FundForm, PaidForm
from .models import Award

PAGE_SIZE = 50
A = Award.Status


def _posted(request: HttpRequest) -> Any:
    """The submitted data, or None for a GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None


# --- funds --------------------------------------------------------------------------------------


@staff_required(selectors.VIEW_FUND)
@never_cache
def fund_list(request: HttpRequest) -> HttpResponse:
    """Every fund with its budget, committed, spent and remaining amounts. No people."""
    user = request.user
    waiting = None
    if user.has_perm(selectors.DECIDE_AWARD):
        waiting = selectors.decision_queue_for_user(user=user).count()
    return render(
        request,
        "grants/fund_list.html",
        {"funds": selectors.funds_for_user(user=user), "waiting": waiting},
    )


@staff_required(selectors.VIEW_FUND)
@never_cache
def fund_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A fund's totals, and its awards: named only where the user may see the person's
    support, counted otherwise."""
    fund = selectors.fund_get_for_user(user=request.user, pk=pk)
    awards = selectors.fund_awards_for_user(user=request.user, fund=fund)
    page, pagination = paginate(request, awards.visible, PAGE_SIZE)
    return render(
        request,
        "grants/fund_detail.html",
        {
            "fund": fund,
            "awards": awards,
            "page": page,
            "pagination": pagination,
            "show_awards": request.user.has_perm(selectors.VIEW_AWARD),
        },
    )


@staff_required(selectors.VIEW_FUND, selectors.ADD_FUND)
@never_cache
def fund_create(request: HttpRequest) -> HttpResponse:
    form = FundForm(_posted(request), submit_label="Set up the fund")
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(actor=request.user, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{fund.name} has been set up.")
            return redirect("grants:fund-detail", pk=fund.pk)
    return render(request, "grants/fund_form.html", {"form": form, "fund": None})


@staff_required(selectors.VIEW_FUND, selectors.CHANGE_FUND)
@never_cache
def fund_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    fund = selectors.fund_get_for_user(user=request.user, pk=pk)
    form = FundForm(_posted(request), initial=FundForm.initial_for(fund))
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_update(actor=request.user, fund=fund, **form.service_values())
        except ValidationError as error:
            fund.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "The changes have been saved.")
            return redirect("grants:fund-detail", pk=fund.pk)
    return render(
        request,
        "grants/fund_form.html",
        {"form": form, "fund": fund, "used": fund.committed + fund.spent},
    )


# --- awards -------------------------------------------------------------------------------------


@staff_required(selectors.VIEW_AWARD, selectors.DECIDE_AWARD)
@never_cache
def decision_queue(request: HttpRequest) -> HttpResponse:
    """Requests waiting for a decision in the teams the manager leads, oldest first."""
    awards = selectors.decision_queue_for_user(user=request.user)
    page, pagination = paginate(request, awards, PAGE_SIZE)
    return render(request, "grants/queue.html", {"page": page, "pagination": pagination})


def _award_for(request: HttpRequest, pk: UUID, *, what: str) -> Award:
    """The award if the user may see the person's support (else 404), with each opening
    recorded against the person."""
    award = selectors.award_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        services.award_view_record(actor=request.user, award=award, what=what)
    return award


def _permissions(user: Any, award: Award) -> dict[str, bool]:
    leads = selectors.leads_award_team(user=user, award=award)
    return {
        "can_decide": award.status == A.REQUESTED and selectors.can_decide(user=user, award=award),
        "own_request": award.status == A.REQUESTED and leads and award.requested_by_id == user.pk,
        "can_mark_paid": award.status == A.APPROVED and leads,
        "can_cancel": selectors.can_cancel(user=user, award=award),
    }


@staff_required(selectors.VIEW_AWARD)
@never_cache
def award_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """One award: who it is for, from which fund, how much, why, and what became of it."""
    award = _award_for(request, pk, what="grant")
    return render(
        request,
        "grants/award_detail.html",
        {"award": award, **_permissions(request.user, award)},
    )


def _award_action(
    request: HttpRequest,
    pk: UUID,
    *,
    from_status: tuple[str, ...],
    moved_on: str,
    allowed: Callable[[Any, Award], bool],
    form_class: type[forms.Form],
    act: Callable[[Award, dict[str, Any]], Award],
    done: Callable[[Award], str],
    page: dict[str, str],
) -> HttpResponse:
    """A page that changes an award: shows it with a form (GET) and calls one service
    (POST). An award that has already moved on goes back to its page with `moved_on`."""
    award = _award_for(request, pk, what=f"grant: {page['title']}")
    if award.status not in from_status:
        messages.info(request, moved_on)
        return redirect("grants:award", pk=award.pk)
    if not allowed(request.user, award):
        raise PermissionDenied("You cannot do this to this grant.")
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            award = act(award, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done(award))
            return redirect("grants:award", pk=award.pk)
    return render(request, "grants/award_form.html", {"award": award, "form": form, **page})


def _amount_for(award: Award) -> str:
    return f"{services.pounds(award.amount)} for {award.person.display_name}"


@staff_required(selectors.VIEW_AWARD, selectors.DECIDE_AWARD)
@never_cache
def award_approve(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Approve a request: its amount is committed from the fund if the fund still has it."""
    return _award_action(
        request,
        pk,
        moved_on="This request has already been decided.",
        from_status=(A.REQUESTED,),
        allowed=lambda user, award: selectors.can_decide(user=user, award=award),
        form_class=ApproveForm,
        act=lambda award, data: services.award_approve(
            actor=request.user, award=award, note=data["note"]
        ),
        done=lambda award: f"You approved {_amount_for(award)}.",
        page={"title": "Approve this request"},
    )


@staff_required(selectors.VIEW_AWARD, selectors.DECIDE_AWARD)
@never_cache
def award_decline(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Decline a request, saying why."""
    return _award_action(
        request,
        pk,
        moved_on="This request has already been decided.",
        from_status=(A.REQUESTED,),
        allowed=lambda user, award: selectors.can_decide(user=user, award=award),
        form_class=DeclineForm,
        act=lambda award, data: services.award_decline(
            actor=request.user, award=award, note=data["note"]
        ),
        done=lambda award: f"You declined the request for {_amount_for(award)}.",
        page={"title": "Decline this request"},
    )


@staff_required(selectors.VIEW_AWARD, selectors.DECIDE_AWARD)
@never_cache
def award_paid(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Record that an approved award was paid: committed becomes spent."""
    return _award_action(
        request,
        pk,
        moved_on="Only an approved grant can be marked as paid.",
        from_status=(A.APPROVED,),
        allowed=lambda user, award: selectors.can_mark_paid(user=user, award=award),
        form_class=PaidForm,
        act=lambda award, data: services.award_mark_paid(
            actor=request.user, award=award, paid_on=data["paid_on"]
        ),
        done=lambda award: f"The grant of {_amount_for(award)} is marked as paid.",
        page={"title": "Mark this grant as paid"},
    )


@staff_required(selectors.VIEW_AWARD)
@never_cache
def award_cancel(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Cancel a request, or an approved award (which gives its money back to the fund)."""
    return _award_action(
        request,
        pk,
        moved_on="This grant can no longer be cancelled.",
        from_status=(A.REQUESTED, A.APPROVED),
        allowed=lambda user, award: selectors.can_cancel(user=user, award=award),
        form_class=CancelForm,
        act=lambda award, data: services.award_cancel(
            actor=request.user, award=award, reason=data["reason"]
        ),
        done=lambda award: f"The grant of {_amount_for(award)} is cancelled.",
        page={"title": "Cancel this grant"},
    )
