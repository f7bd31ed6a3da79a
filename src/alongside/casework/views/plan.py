"""The good-life conversation and the shared agreement (with its PDF).

Who: pages need casework.view_episode and an episode the user may see (else 404); forms
also need casework.change_episode and a place in the team that holds the episode (else
403). A closed episode shows its conversation and agreement but takes no changes. Goals,
actions and people belong to the episode in the URL: another episode's item is a 404.
The PDF needs only casework.view_episode; each download is audited as an export.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.cache import never_cache

from alongside.core.permissions import staff_required

from .. import agreement_pdf as pdf
from .. import selectors
from ..forms.plan import (
    ActionForm,
    AgreementForm,
    ConversationForm,
    GoalForm,
    RelationshipForm,
)
from ..models import Action, Agreement, Conversation, Episode, Goal, Relationship
from ..programmes import casework_programme
from ..selectors import VIEW_EPISODE, WORK_ON_EPISODE
from ..services import plan as plan_services
from ..services.common import episode_audit
from .common import add_service_errors, episode_for, posted, render_episode

# GOV.UK tag colours for how goals and actions are going.
GOAL_TAGS = {
    Goal.Status.WORKING: "blue",
    Goal.Status.ACHIEVED: "green",
    Goal.Status.PARTLY: "yellow",
    Goal.Status.NOT_ACHIEVED: "grey",
    Goal.Status.STOPPED: "grey",
}
ACTION_TAGS = {
    Action.Progress.NOT_STARTED: "grey",
    Action.Progress.IN_PROGRESS: "blue",
    Action.Progress.DONE: "green",
    Action.Progress.STOPPED: "grey",
}


def _can_change(request: HttpRequest, episode: Episode) -> bool:
    return episode.is_open and selectors.can_work_on(user=request.user, episode=episode)


def _needs_level_2(episode: Episode) -> bool:
    return casework_programme(episode.programme_id).has_levels and episode.level != 2


def _refuse_change(
    request: HttpRequest, episode: Episode, *, back_to: str, needs_level_2: bool = False
) -> HttpResponse | None:
    """A 403 for someone outside the team; otherwise a redirect (with the reason) when the
    episode cannot take this change; None when it can."""
    if not selectors.can_work_on(user=request.user, episode=episode):
        raise PermissionDenied("Only the team working with this person can change this.")
    if not episode.is_open:
        messages.info(request, f"{plan_services.EPISODE_CLOSED}. It can be read but not changed.")
        return redirect(back_to, pk=episode.pk)
    if needs_level_2 and _needs_level_2(episode):
        messages.info(request, f"{plan_services.AGREEMENT_NEEDS_LEVEL_2}.")
        return redirect(back_to, pk=episode.pk)
    return None


def _form_page(
    request: HttpRequest,
    episode: Episode,
    template: str,
    form: Any,
    *,
    section: str,
    **context: Any,
) -> HttpResponse:
    return render_episode(
        request, episode, template, section=section, context={"form": form, **context}
    )


# --- the good-life conversation -------------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def conversation(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The good-life conversation in the person's own words, and the people around them
    grouped by kind (family, friends, neighbours, groups...)."""
    episode = episode_for(request, pk, section="conversation")
    held = Conversation.objects.filter(episode=episode).first()
    people = list(episode.relationships.all())
    groups = []
    for kind, label in Relationship.Kind.choices:
        members = [p for p in people if p.kind == kind]
        if members:
            groups.append({"label": label, "people": members})
    return render_episode(
        request,
        episode,
        "casework/conversation.html",
        section="conversation",
        context={
            "conversation": held,
            "groups": groups,
            "can_change": _can_change(request, episode),
        },
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def conversation_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Write down or change the good-life conversation."""
    episode = episode_for(request, pk, section="conversation")
    if refused := _refuse_change(request, episode, back_to="casework:conversation"):
        return refused
    held = Conversation.objects.filter(episode=episode).first()
    initial = (
        {name: getattr(held, name) for name in plan_services.CONVERSATION_FIELDS} if held else {}
    )
    form = ConversationForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.conversation_save(
                actor=request.user, episode=episode, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The conversation has been saved.")
            return redirect("casework:conversation", pk=episode.pk)
    return _form_page(
        request, episode, "casework/conversation_form.html", form, section="conversation"
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def relationship_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add someone to the people around the person."""
    episode = episode_for(request, pk, section="conversation")
    if refused := _refuse_change(request, episode, back_to="casework:conversation"):
        return refused
    form = RelationshipForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = plan_services.relationship_add(
                actor=request.user, episode=episode, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added.name} has been added to the people around them.")
            return redirect("casework:conversation", pk=episode.pk)
    return _form_page(
        request, episode, "casework/relationship_form.html", form, section="conversation"
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def relationship_remove(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Check, then take someone off the people around the person."""
    episode = episode_for(request, pk, section="conversation")
    relationship = get_object_or_404(Relationship, pk=item_pk, episode=episode)
    if refused := _refuse_change(request, episode, back_to="casework:conversation"):
        return refused
    if request.method == "POST":
        plan_services.relationship_remove(
            actor=request.user, episode=episode, relationship=relationship
        )
        messages.success(
            request, f"{relationship.name} has been removed from the people around them."
        )
        return redirect("casework:conversation", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/relationship_remove.html",
        section="conversation",
        context={"relationship": relationship},
    )


# --- the shared agreement -------------------------------------------------------------------


@staff_required(VIEW_EPISODE)
@never_cache
def agreement(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The shared agreement: dates, and each goal in the person's words with its actions.
    At Level 1 it says the agreement is for Level 2 support (what there is still shows)."""
    episode = episode_for(request, pk, section="agreement")
    held = pdf.agreement_with_goals(episode)
    goals = list(held.goals.all()) if held else []
    for goal in goals:
        goal.tag_colour = GOAL_TAGS.get(goal.status, "grey")
        for step in goal.actions.all():
            step.tag_colour = ACTION_TAGS.get(step.progress, "grey")
    return render_episode(
        request,
        episode,
        "casework/agreement.html",
        section="agreement",
        context={
            "agreement": held,
            "goals": goals,
            "needs_level_2": _needs_level_2(episode),
            "can_change": _can_change(request, episode),
        },
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def agreement_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """When the agreement was made, when to look at it again, and the team's notes."""
    episode = episode_for(request, pk, section="agreement")
    if refused := _refuse_change(
        request, episode, back_to="casework:agreement", needs_level_2=True
    ):
        return refused
    held = Agreement.objects.filter(episode=episode).first()
    initial = {name: getattr(held, name) for name in plan_services.AGREEMENT_FIELDS} if held else {}
    form = AgreementForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.agreement_save(actor=request.user, episode=episode, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The agreement has been saved.")
            return redirect("casework:agreement", pk=episode.pk)
    return _form_page(request, episode, "casework/agreement_form.html", form, section="agreement")


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def goal_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add a goal in the person's own words."""
    episode = episode_for(request, pk, section="agreement")
    if refused := _refuse_change(
        request, episode, back_to="casework:agreement", needs_level_2=True
    ):
        return refused
    form = GoalForm(posted(request), with_status=False)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.goal_add(actor=request.user, episode=episode, **form.goal_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The goal has been added.")
            return redirect("casework:agreement", pk=episode.pk)
    return _form_page(
        request, episode, "casework/goal_form.html", form, section="agreement", goal=None
    )


def _goal_of(episode: Episode, item_pk: UUID) -> Goal:
    return get_object_or_404(
        Goal.objects.select_related("agreement"), pk=item_pk, agreement__episode=episode
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def goal_edit(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Change a goal's words or say how it is going."""
    episode = episode_for(request, pk, section="agreement")
    goal = _goal_of(episode, item_pk)
    if refused := _refuse_change(request, episode, back_to="casework:agreement"):
        return refused
    form = GoalForm(
        posted(request), initial={"in_own_words": goal.in_own_words, "status": goal.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.goal_update(
                actor=request.user, episode=episode, goal=goal, **form.goal_values()
            )
        except ValidationError as error:
            goal.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "The goal has been saved.")
            return redirect("casework:agreement", pk=episode.pk)
    return _form_page(
        request, episode, "casework/goal_form.html", form, section="agreement", goal=goal
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def action_add(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Add an action towards a goal: what, who and by when."""
    episode = episode_for(request, pk, section="agreement")
    goal = _goal_of(episode, item_pk)
    if refused := _refuse_change(
        request, episode, back_to="casework:agreement", needs_level_2=True
    ):
        return refused
    form = ActionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.action_add(
                actor=request.user, episode=episode, goal=goal, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The action has been added.")
            return redirect("casework:agreement", pk=episode.pk)
    return _form_page(
        request,
        episode,
        "casework/action_form.html",
        form,
        section="agreement",
        goal=goal,
        action=None,
    )


@staff_required(VIEW_EPISODE, WORK_ON_EPISODE)
@never_cache
def action_edit(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Change an action or record how it is going."""
    episode = episode_for(request, pk, section="agreement")
    action = get_object_or_404(
        Action.objects.select_related("goal__agreement"),
        pk=item_pk,
        goal__agreement__episode=episode,
    )
    if refused := _refuse_change(request, episode, back_to="casework:agreement"):
        return refused
    initial = {name: getattr(action, name) for name in plan_services.ACTION_FIELDS}
    form = ActionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.action_update(
                actor=request.user, episode=episode, action=action, **form.cleaned_data
            )
        except ValidationError as error:
            action.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "The action has been saved.")
            return redirect("casework:agreement", pk=episode.pk)
    return _form_page(
        request,
        episode,
        "casework/action_form.html",
        form,
        section="agreement",
        goal=action.goal,
        action=action,
    )


@staff_required(VIEW_EPISODE)
@never_cache
def agreement_download(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The shared agreement as an accessible PDF for the person to keep. The download is
    recorded against the person as an export (not as a page view)."""
    episode = selectors.episode_get_for_user(user=request.user, pk=pk)
    held = pdf.agreement_with_goals(episode)
    if held is None:
        messages.info(request, "There is no shared agreement to download yet.")
        return redirect("casework:agreement", pk=episode.pk)
    content = pdf.agreement_pdf(episode=episode, agreement=held)
    episode_audit(
        actor=request.user,
        episode=episode,
        action="export",
        obj=held,
        reason="Downloaded the shared agreement (PDF)",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.FILENAME}"'
    response["Cache-Control"] = "no-store"
    return response


EPISODE = "episodes/<uuid:pk>/"

urlpatterns = [
    path(f"{EPISODE}conversation/", conversation, name="conversation"),
    path(f"{EPISODE}conversation/edit/", conversation_edit, name="conversation-edit"),
    path(f"{EPISODE}conversation/people/add/", relationship_add, name="relationship-add"),
    path(
        f"{EPISODE}conversation/people/<uuid:item_pk>/remove/",
        relationship_remove,
        name="relationship-remove",
    ),
    path(f"{EPISODE}agreement/", agreement, name="agreement"),
    path(f"{EPISODE}agreement/edit/", agreement_edit, name="agreement-edit"),
    path(f"{EPISODE}agreement/goals/add/", goal_add, name="goal-add"),
    path(f"{EPISODE}agreement/goals/<uuid:item_pk>/", goal_edit, name="goal-edit"),
    path(f"{EPISODE}agreement/goals/<uuid:item_pk>/actions/add/", action_add, name="action-add"),
    path(f"{EPISODE}agreement/actions/<uuid:item_pk>/", action_edit, name="action-edit"),
    path(f"{EPISODE}agreement.pdf", agreement_download, name="agreement-pdf"),
]
