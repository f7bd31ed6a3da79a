"""Caseloads, introductions, the team view, and an episode's overview, status, level,
handover, closing and history.

Who may use them: every page needs casework.view_episode; pages that change an episode also
need casework.change_episode and membership of the team that holds it (staff who see the
episode under a consent to share get a 403); recording an introduction needs
casework.add_introduction; setting a worker's capacity needs casework.manage_caseloads and
leading their team. An episode the user may not see is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.people import selectors as people_selectors

from .. import caseloads, selectors
from ..forms.episodes import (
    CapacityForm,
    CloseForm,
    HandoverForm,
    IntroductionForm,
    LevelForm,
    StatusForm,
)
from ..models import DiversionKind, Episode
from ..programmes import casework_programme
from ..selectors import (
    ADD_INTRODUCTION,
    MANAGE_CASELOADS,
    VIEW_EPISODE,
    WORK_ON_EPISODE,
)
from ..services import caseloads as caseload_services
from ..services import episodes as services
from ..services.common import check_can_work
from .common import add_service_errors, episode_for, posted, render_episode

CASELOAD_PAGE_SIZE = 50
FIND_PAGE_SIZE = 20
HISTORY_PAGE_SIZE = 50
S = Episode.Status


# --- my caseload, the team and capacity ---------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def caseload(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's open episodes, with counts by level and status and their Level 2
    count against capacity; filtered by status and paged."""
    status = request.GET.get("status", "")
    if status not in caseloads.OPEN_STATUSES:
        status = ""
    episodes = caseloads.caseload_for_user(user=request.user, status=status)
    page, pagination = paginate(request, episodes, CASELOAD_PAGE_SIZE)
    today = timezone.localdate()
    rows = [
        {"episode": e, "days_since_contact": caseloads.days_since(e.last_contact_on, today=today)}
        for e in page.object_list
    ]
    return render(
        request,
        "casework/caseload.html",
        {
            "page": page,
            "pagination": pagination,
            "rows": rows,
            "status": status,
            "status_label": dict(S.choices).get(status, ""),
            "summary": caseloads.caseload_summary(user=request.user),
            "has_team": caseloads.casework_teams_for_user(user=request.user).exists(),
        },
    )


@staff_required(VIEW_EPISODE)
@never_cache
def team(request: HttpRequest) -> HttpResponse:
    """A casework team's caseloads by worker and by ward, for the team's workers and leads.
    Someone in several casework teams chooses one with ?team=."""
    teams = list(caseloads.casework_teams_for_user(user=request.user))
    if not teams:
        return render(request, "casework/team.html", {"teams": []})
    chosen = request.GET.get("team")
    current = caseloads.team_get_for_user(user=request.user, pk=chosen) if chosen else teams[0]
    return render(
        request,
        "casework/team.html",
        {
            "teams": teams,
            "team": current,
            "view": caseloads.team_view(user=request.user, team=current),
            "can_set_capacity": current.is_lead and request.user.has_perm(MANAGE_CASELOADS),
        },
    )


@staff_required(VIEW_EPISODE, MANAGE_CASELOADS)
@never_cache
def capacity(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A manager sets how many Level 2 episodes a worker in a team they lead can hold."""
    worker, worker_team = caseloads.capacity_worker_get_for_user(user=request.user, pk=user_pk)
    load = caseloads.loads_of([worker.pk])[worker.pk]
    own = caseloads.capacity_record_of(worker)
    form = CapacityForm(
        posted(request),
        initial={"level2_capacity": load.capacity, "note": own.note if own else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            caseload_services.capacity_set(
                actor=request.user,
                worker=worker,
                level2_capacity=form.cleaned_data["level2_capacity"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{worker.full_name} can now hold {form.cleaned_data['level2_capacity']} "
                "Level 2 episodes.",
            )
            return redirect(f"{reverse('casework:team')}?team={worker_team.pk}")
    return render(
        request,
        "casework/capacity.html",
        {
            "form": form,
            "worker": worker,
            "worker_team": worker_team,
            "load": load,
            "own": own,
            "default_capacity": caseloads.default_capacity(),
        },
    )


# --- introductions ------------------------------------------------------------------------------


@staff_required(ADD_INTRODUCTION)
@never_cache
def introduction_create(request: HttpRequest) -> HttpResponse:
    """Record an introduction. Step 1 finds the person among the records the user may see;
    step 2 (?person=<id>) asks about the introduction and opens the episode."""
    programmes = caseloads.casework_programmes_for_user(user=request.user)
    if not programmes:
        return render(request, "casework/introduction_no_team.html")
    person_pk = request.GET.get("person")
    if not person_pk:
        return _introduction_find(request)
    person = people_selectors.person_get_for_user(user=request.user, pk=person_pk)
    form = IntroductionForm(
        posted(request),
        programmes=programmes,
        workers=caseloads.casework_workers_for_user(user=request.user),
        initial={"ward": person.ward_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.introduction_create(
                actor=request.user,
                person=person,
                programme_code=form.cleaned_data["programme"],
                details=form.details(),
                ward=form.cleaned_data["ward"],
                worker=form.cleaned_data["worker"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            programme = casework_programme(episode.programme_id)
            who = episode.worker.full_name if episode.worker else episode.team.name
            messages.success(
                request,
                f"The {programme.introduction} has been recorded. {who} will walk alongside "
                f"{person.display_name}.",
            )
            return redirect("casework:episode", pk=episode.pk)
    return render(
        request,
        "casework/introduction_form.html",
        {"form": form, "person": person, "programmes": programmes},
    )


def _introduction_find(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    page = pagination = None
    if query:
        people = people_selectors.person_list_for_user(user=request.user, query=query)
        page, pagination = paginate(request, people, FIND_PAGE_SIZE)
    return render(
        request,
        "casework/introduction_find.html",
        {"query": query, "page": page, "pagination": pagination},
    )


# --- one episode --------------------------------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def episode_overview(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The episode at a glance: the introduction, status and what may come next, level,
    worker, dates, open safeguarding concerns, and how much is recorded in each section."""
    episode = episode_for(request, pk, section="overview")
    user = request.user
    can_work = selectors.can_work_on(user=user, episode=episode)
    context: dict[str, Any] = {
        "introduction": episode.introduction,
        "reasons": list(episode.introduction.reasons.all()),
        "figures": caseloads.episode_figures(user=user, episode=episode),
        "concerns": caseloads.open_safeguarding_concerns(user=user, episode=episode),
        "next_statuses": [],
        "can_hand_over": False,
        "diversions": [],
    }
    if can_work and episode.is_open:
        labels = dict(S.choices)
        context["next_statuses"] = [(s, labels[s]) for s in services.allowed_transitions(episode)]
        context["can_hand_over"] = user.has_perm(MANAGE_CASELOADS) or user.pk == episode.worker_id
    if not episode.is_open:
        context["diversions"] = caseloads.episode_diversions(user=user, episode=episode)
    return render_episode(
        request, episode, "casework/episode_overview.html", section="overview", context=context
    )


def _episode_to_change(request: HttpRequest, pk: UUID) -> Episode:
    """The episode, when the user may change it: 404 when they may not see it, 403 when they
    see it only under a consent to share."""
    episode = episode_for(request, pk, section="overview")
    check_can_work(actor=request.user, episode=episode)
    return episode


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def episode_status(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Move the episode to one of the statuses the workflow allows next (?to= pre-selects)."""
    episode = _episode_to_change(request, pk)
    statuses = services.allowed_transitions(episode)
    if not statuses:
        messages.info(request, "Support has ended. A new introduction opens new support.")
        return redirect("casework:episode", pk=episode.pk)
    wanted = request.GET.get("to")
    form = StatusForm(
        posted(request), statuses=statuses, initial={"to_status": wanted} if wanted else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_transition(
                actor=request.user,
                episode=episode,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="to_status")
        else:
            label = episode.get_status_display().lower()
            if episode.status == S.CLOSING:
                messages.success(request, f"The status is now {label}. Record how support ended.")
                return redirect("casework:close", pk=episode.pk)
            messages.success(request, f"The status is now {label}.")
            return redirect("casework:episode", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/episode_status.html",
        section="overview",
        context={"form": form},
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def episode_level(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Move between Level 1 and Level 2, saying why."""
    episode = _episode_to_change(request, pk)
    if not casework_programme(episode.programme_id).has_levels:
        raise Http404("This programme does not use levels")
    if not episode.is_open:
        messages.info(request, "Support has ended, so the level cannot change.")
        return redirect("casework:episode", pk=episode.pk)
    form = LevelForm(posted(request), current=episode.level)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_level_change(
                actor=request.user,
                episode=episode,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="level")
        else:
            messages.success(request, f"The support is now at Level {episode.level}.")
            return redirect("casework:episode", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/episode_level.html",
        section="overview",
        context={"form": form},
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def episode_handover(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Hand the episode to another worker in its team with a note. Managers and the current
    worker may. Handing Level 2 support to someone at or over capacity asks once more."""
    episode = _episode_to_change(request, pk)
    if not (request.user.has_perm(MANAGE_CASELOADS) or request.user.pk == episode.worker_id):
        raise PermissionDenied("Only a manager or the person's current worker can hand over.")
    if not episode.is_open:
        messages.info(request, "Support has ended, so it cannot be handed over.")
        return redirect("casework:episode", pk=episode.pk)
    workers = [w for w in caseloads.team_workers(episode.team) if w.pk != episode.worker_id]
    loads = caseloads.loads_of(w.pk for w in workers)
    form = HandoverForm(posted(request), workers=workers, loads=loads)
    over_capacity = None
    if request.method == "POST" and form.is_valid():
        worker = form.cleaned_data["worker"]
        load = loads[worker.pk]
        if episode.level == Episode.Level.ONGOING and load.at_capacity and not form.confirmed():
            # Not silently: say so, and hand over only when asked again for the same worker.
            data = request.POST.copy()
            data["confirmed_worker"] = str(worker.pk)
            form = HandoverForm(data, workers=workers, loads=loads)
            form.is_valid()
            over_capacity = {"worker": worker, "load": load}
        else:
            try:
                services.episode_assign(
                    actor=request.user,
                    episode=episode,
                    worker=worker,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error, fallback="worker")
            else:
                messages.success(
                    request,
                    f"{worker.full_name} now walks alongside {episode.person.display_name}.",
                )
                return redirect("casework:episode", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/episode_handover.html",
        section="overview",
        context={"form": form, "over_capacity": over_capacity, "has_workers": bool(workers)},
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def episode_close(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Close an episode that is closing: why, what changed in the person's words, when, and
    which service needs were avoided or delayed."""
    episode = _episode_to_change(request, pk)
    if episode.status != S.CLOSING:
        if episode.is_open:
            messages.info(request, "Change the status to closing before closing support.")
        else:
            messages.info(request, "Support has already ended.")
        return redirect("casework:episode", pk=episode.pk)
    form = CloseForm(posted(request), kinds=list(DiversionKind.objects.filter(is_active=True)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_close(
                actor=request.user,
                episode=episode,
                reason=data["reason"],
                reason_other=data["reason_other"],
                outcome_in_own_words=data["outcome_in_own_words"],
                closed_on=data["closed_on"],
                diversions=form.diversions(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Support has been closed.")
            return redirect("casework:episode", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/episode_close.html",
        section="overview",
        context={"form": form},
    )


@staff_required(VIEW_EPISODE)
@never_cache
def episode_history(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Every change of status, level, worker and connection, newest first."""
    episode = episode_for(request, pk, section="history")
    changes = caseloads.episode_history(user=request.user, episode=episode)
    page, pagination = paginate(request, changes, HISTORY_PAGE_SIZE)
    return render_episode(
        request,
        episode,
        "casework/episode_history.html",
        section="history",
        context={
            "page": page,
            "pagination": pagination,
            "rows": caseloads.history_rows(page.object_list),
        },
    )


urlpatterns = [
    path("", caseload, name="caseload"),
    path("introductions/new/", introduction_create, name="introduction-create"),
    path("team/", team, name="team"),
    path("team/capacity/<int:user_pk>/", capacity, name="capacity"),
    path("episodes/<uuid:pk>/", episode_overview, name="episode"),
    path("episodes/<uuid:pk>/status/", episode_status, name="status"),
    path("episodes/<uuid:pk>/level/", episode_level, name="level"),
    path("episodes/<uuid:pk>/handover/", episode_handover, name="handover"),
    path("episodes/<uuid:pk>/close/", episode_close, name="close"),
    path("episodes/<uuid:pk>/history/", episode_history, name="history"),
]
