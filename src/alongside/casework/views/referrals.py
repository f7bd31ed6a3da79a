"""Referrals to social prescribing: the referrer's form and what they see afterwards, the
team's intake queue, one referral and its triage (accept, redirect, decline), and pathways.

Who may use them:
- refer, referral-confirmation and referrals-sent: casework.refer_person (health and care
  staff). A referrer sees only the referrals they sent, and of those only the status;
  anyone else's is a 404.
- intake, referral and its triage: casework.triage_referral, for referrals sent to a team
  the user works in; any other referral is a 404. Opening a referral is audited.
- pathways: casework.view_pathway, for the user's teams; adding a pathway needs
  casework.add_pathway and changing one (or its questions) casework.change_pathway, both only
  in teams the user leads (a pathway of another team is a 404).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.people.duplicates import PossibleDuplicate, find_possible_duplicates
from alongside.people.services import person_matches_shown_record

from .. import referrals_selectors as rs
from ..forms.referrals import (
    AcceptForm,
    DeclineForm,
    IntakeFilterForm,
    PathwayForm,
    PathwayQuestionForm,
    RedirectForm,
    ReferralForm,
)
from ..models import Pathway, Referral
from ..referrals_selectors import ADD_PATHWAY, CHANGE_PATHWAY, REFER, TRIAGE, VIEW_PATHWAY
from ..services import pathways as pathway_services
from ..services import referrals as services
from ..services.episodes import workers_of
from .common import add_service_errors, posted

QUEUE_PAGE_SIZE = 50
SENT_PAGE_SIZE = 50
R = Referral.Status


# --- referrers ----------------------------------------------------------------------------------


@staff_required(REFER)
@never_cache
def refer(request: HttpRequest) -> HttpResponse:
    """Refer a person to social prescribing, on one page. The team is the referrer's usual one
    (?team= changes it); the team's pathways are radios, each with its questions under it."""
    teams = list(rs.social_prescribing_teams())
    if not teams:
        return render(request, "casework/referral_unavailable.html")
    chosen = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == chosen), None)
    team = team or rs.default_team_for_referrer(user=request.user, teams=teams)
    pathways = rs.active_pathways(team=team)
    form = ReferralForm(posted(request), pathways=pathways, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                actor=request.user,
                team=team,
                pathway=form.chosen_pathway(),
                person=form.referred_person(),
                details=form.details(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("casework:referral-confirmation", pk=referral.pk)
    return render(
        request,
        "casework/referral_form.html",
        {"form": form, "team": team, "teams": teams, "pathways": pathways},
    )


@staff_required(REFER)
@never_cache
def referral_confirmation(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The referral has been sent: its reference and what happens next."""
    referral = rs.referral_sent_get(user=request.user, pk=pk)
    return render(
        request,
        "casework/referral_confirmation.html",
        {"referral": referral, "reference": rs.reference(referral)},
    )


@staff_required(REFER)
@never_cache
def referrals_sent(request: HttpRequest) -> HttpResponse:
    """The referrals the user sent, newest first, with their status only."""
    page, pagination = paginate(
        request, rs.referrals_sent_for_user(user=request.user), SENT_PAGE_SIZE
    )
    rows = [
        {"referral": r, "reference": rs.reference(r), "status": rs.status_for_referrer(r)}
        for r in page.object_list
    ]
    return render(
        request,
        "casework/referrals_sent.html",
        {"page": page, "pagination": pagination, "rows": rows},
    )


# --- the intake queue and triage ----------------------------------------------------------------


@staff_required(TRIAGE)
@never_cache
def intake(request: HttpRequest) -> HttpResponse:
    """Referrals waiting in the user's teams: urgent first, then oldest; filtered by pathway
    and urgency; 50 to a page."""
    pathways = list(rs.intake_pathways(user=request.user))
    filters = IntakeFilterForm(request.GET, pathways=pathways)
    pathway_id, urgency = filters.values()
    queue = rs.intake_queue(user=request.user, pathway_id=pathway_id or None, urgency=urgency)
    page, pagination = paginate(request, queue, QUEUE_PAGE_SIZE)
    today = timezone.localdate()
    rows = []
    for referral in page.object_list:
        days = rs.days_waiting(referral, today=today)
        target = referral.pathway.target_days if referral.pathway_id else None
        rows.append(
            {
                "referral": referral,
                "days": days,
                "target": target,
                "past_target": target is not None and days > target,
                "reasons": [r.label for r in referral.reasons.all()],
            }
        )
    return render(
        request,
        "casework/intake.html",
        {
            "filters": filters,
            "filtered": bool(pathway_id or urgency),
            "page": page,
            "pagination": pagination,
            "rows": rows,
        },
    )


def _referral_context(referral: Referral) -> dict[str, Any]:
    return {
        "referral": referral,
        "reference": rs.reference(referral),
        "days": rs.days_waiting(referral),
        "reasons": [r.label for r in referral.reasons.all()],
        "answers": list(referral.answers.values()),
    }


@staff_required(TRIAGE)
@never_cache
def referral_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """One referral, as the referrer sent it, with how it was triaged or the ways to triage
    it. Every opening is audited."""
    referral = rs.referral_get_for_triage(user=request.user, pk=pk)
    services.referral_view_record(actor=request.user, referral=referral)
    context = _referral_context(referral)
    context["codes"] = list(referral.codes.all())
    return render(request, "casework/referral.html", context)


def _waiting(request: HttpRequest, pk: UUID) -> Referral | HttpResponse:
    """The referral if it is still waiting; else back to it, saying so."""
    referral = rs.referral_get_for_triage(user=request.user, pk=pk)
    if referral.status != R.RECEIVED:
        when = rs.long_date(timezone.localdate(referral.triaged_at)) if referral.triaged_at else ""
        messages.info(
            request,
            f"This referral was already {referral.get_status_display().lower()}"
            + (f" on {when}." if when else "."),
        )
        return redirect("casework:referral", pk=referral.pk)
    return referral


def _matches(request: HttpRequest, referral: Referral) -> list[PossibleDuplicate]:
    """Records that may be the referred person. Showing them is an access to each, so it is
    audited."""
    matches = find_possible_duplicates(
        given_name=referral.given_name,
        family_name=referral.family_name,
        date_of_birth=referral.date_of_birth,
        nhs_number=referral.nhs_number,
        limit=5,
    )
    if request.method == "GET" and matches:
        person_matches_shown_record(actor=request.user, people=[m.person for m in matches])
    return matches


def _triage_page(
    request: HttpRequest, referral: Referral, template: str, form: Any, **extra: Any
) -> HttpResponse:
    if request.method == "GET":
        services.referral_view_record(actor=request.user, referral=referral)
    return render(request, template, {**_referral_context(referral), "form": form, **extra})


@staff_required(TRIAGE)
@never_cache
def referral_accept(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Accept: choose whether the person is already on record (records that may be them are
    shown) and their link worker; this opens their social prescribing support."""
    referral = _waiting(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    matches = _matches(request, referral)
    form = AcceptForm(
        posted(request), matches=matches, workers=workers_of(referral.team), actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_accept(
                actor=request.user,
                referral=referral,
                person=form.chosen_person(),
                worker=form.cleaned_data["worker"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            episode = referral.episode
            who = episode.worker.full_name if episode.worker else episode.team.name
            messages.success(
                request,
                f"Referral accepted. {who} will be {referral.given_name}'s link worker.",
            )
            return redirect("casework:episode", pk=episode.pk)
    return _triage_page(request, referral, "casework/referral_accept.html", form, matches=matches)


@staff_required(TRIAGE)
@never_cache
def referral_redirect(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Introduce the person to Local Area Coordination instead, with their agreement."""
    referral = _waiting(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    matches = _matches(request, referral)
    form = RedirectForm(posted(request), matches=matches)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_redirect(
                actor=request.user,
                referral=referral,
                agreed=form.cleaned_data["agreed"],
                person=form.chosen_person(),
                ward=form.cleaned_data["ward"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{referral.given_name} {referral.family_name} has been introduced to Local "
                "Area Coordination.",
            )
            return redirect("casework:intake")
    return _triage_page(request, referral, "casework/referral_redirect.html", form, matches=matches)


@staff_required(TRIAGE)
@never_cache
def referral_decline(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Decline the referral with a reason; the referrer is told."""
    referral = _waiting(request, pk)
    if isinstance(referral, HttpResponse):
        return referral
    form = DeclineForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_decline(
                actor=request.user,
                referral=referral,
                reason=form.cleaned_data["reason"],
                reason_other=form.cleaned_data["reason_other"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="reason")
        else:
            messages.success(
                request, f"Referral for {referral.given_name} {referral.family_name} declined."
            )
            return redirect("casework:intake")
    return _triage_page(request, referral, "casework/referral_decline.html", form)


# --- pathways -----------------------------------------------------------------------------------


@staff_required(VIEW_PATHWAY)
@never_cache
def pathways(request: HttpRequest) -> HttpResponse:
    """The pathways of the user's teams and, for each, the last 12 months: referrals, median
    days to first contact, the share contacted within the target and how many still wait
    past it."""
    user = request.user
    items = list(
        rs.pathways_for_user(user=user).annotate(
            question_count=Count("questions", filter=Q(questions__is_active=True))
        )
    )
    figures = rs.pathway_figures(pathways=items)
    led = set(rs.pathway_teams_led(user=user).values_list("pk", flat=True))
    can_change = user.has_perm(CHANGE_PATHWAY)
    rows = [
        {
            "pathway": p,
            "figures": figures[p.pk],
            "can_change": can_change and p.team_id in led,
        }
        for p in items
    ]
    return render(
        request,
        "casework/pathways.html",
        {"rows": rows, "can_add": bool(led) and user.has_perm(ADD_PATHWAY)},
    )


@staff_required(VIEW_PATHWAY, ADD_PATHWAY)
@never_cache
def pathway_add(request: HttpRequest) -> HttpResponse:
    """A team manager adds a pathway to a social prescribing team they lead."""
    teams = list(rs.pathway_teams_led(user=request.user))
    if not teams:
        raise PermissionDenied("You do not lead a social prescribing team.")
    form = PathwayForm(posted(request), teams=teams, initial={"target_days": 10})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pathway = pathway_services.pathway_create(
                actor=request.user,
                team=data["team"],
                name=data["name"],
                description=data["description"],
                target_days=data["target_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Pathway {pathway.name} added. Now add its questions.")
            return redirect("casework:pathway-edit", pk=pathway.pk)
    return render(request, "casework/pathway_form.html", {"form": form, "pathway": None})


@staff_required(VIEW_PATHWAY, CHANGE_PATHWAY)
@never_cache
def pathway_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Change a pathway of a team the user leads; its questions are listed to add or change."""
    pathway = rs.pathway_get_for_manager(user=request.user, pk=pk)
    form = PathwayForm(
        posted(request),
        initial={
            "name": pathway.name,
            "description": pathway.description,
            "target_days": pathway.target_days,
            "is_active": pathway.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pathway = pathway_services.pathway_update(
                actor=request.user,
                pathway=pathway,
                name=data["name"],
                description=data["description"],
                target_days=data["target_days"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Pathway {pathway.name} saved.")
            return redirect("casework:pathways")
    return render(
        request,
        "casework/pathway_form.html",
        {"form": form, "pathway": pathway, "questions": list(pathway.questions.all())},
    )


def _question_page(
    request: HttpRequest, pathway: Pathway, form: PathwayQuestionForm, question: Any = None
) -> HttpResponse:
    return render(
        request,
        "casework/pathway_question_form.html",
        {"form": form, "pathway": pathway, "question": question},
    )


@staff_required(VIEW_PATHWAY, CHANGE_PATHWAY)
@never_cache
def pathway_question_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add an intake question to a pathway of a team the user leads."""
    pathway = rs.pathway_get_for_manager(user=request.user, pk=pk)
    next_order = max((q.order for q in pathway.questions.all()), default=0) + 10
    form = PathwayQuestionForm(posted(request), initial={"order": next_order})
    if request.method == "POST" and form.is_valid():
        try:
            pathway_services.pathway_question_add(
                actor=request.user, pathway=pathway, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Question added.")
            return redirect("casework:pathway-edit", pk=pathway.pk)
    return _question_page(request, pathway, form)


@staff_required(VIEW_PATHWAY, CHANGE_PATHWAY)
@never_cache
def pathway_question_edit(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Change one of a pathway's questions, or stop asking it."""
    pathway = rs.pathway_get_for_manager(user=request.user, pk=pk)
    question = rs.question_get_for_manager(user=request.user, pathway=pathway, pk=item_pk)
    question.pathway = pathway  # with its team, already loaded
    form = PathwayQuestionForm(
        posted(request),
        initial={
            "text": question.text,
            "hint": question.hint,
            "required": question.required,
            "order": question.order,
            "is_active": question.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            pathway_services.pathway_question_update(
                actor=request.user, question=question, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Question saved.")
            return redirect("casework:pathway-edit", pk=pathway.pk)
    return _question_page(request, pathway, form, question)


urlpatterns = [
    path("referrals/new/", refer, name="refer"),
    path("referrals/sent/", referrals_sent, name="referrals-sent"),
    path("referrals/<uuid:pk>/sent/", referral_confirmation, name="referral-confirmation"),
    path("intake/", intake, name="intake"),
    path("referrals/<uuid:pk>/", referral_detail, name="referral"),
    path("referrals/<uuid:pk>/accept/", referral_accept, name="referral-accept"),
    path("referrals/<uuid:pk>/redirect/", referral_redirect, name="referral-redirect"),
    path("referrals/<uuid:pk>/decline/", referral_decline, name="referral-decline"),
    path("pathways/", pathways, name="pathways"),
    path("pathways/add/", pathway_add, name="pathway-add"),
    path("pathways/<uuid:pk>/", pathway_edit, name="pathway-edit"),
    path(
        "pathways/<uuid:pk>/questions/add/",
        pathway_question_add,
        name="pathway-question-add",
    ),
    path(
        "pathways/<uuid:pk>/questions/<uuid:item_pk>/",
        pathway_question_edit,
        name="pathway-question-edit",
    ),
]
