"""Stories as evidence, work beside casework (community groups and system intelligence) and
the quarterly casework figures.

Who may use these pages:
- an episode's stories: staff with casework.view_episode who may see the episode (else
  404); writing, sending and withdrawing also need casework.change_episode and a place in
  the team holding it (else 403);
- the stories waiting for approval, and reviewing one: managers (casework.approve_story)
  of the team holding the story; another team's story is a 404;
- approved stories: members and managers of the teams whose stories they are, showing only
  the title and the text for publication; a story whose consent was withdrawn disappears;
- community work and system intelligence: their view and add permissions, for the user's
  own teams;
- the figures and their CSV: casework.view_casework_figures (team managers and analysts).
  Counts only, never people; small numbers hidden for analysts and in every CSV.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.accounts.models import Team
from alongside.core.models import Ward
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.directory.selectors import provider_choices

from .. import figures as casework_figures
from .. import redaction, selectors
from ..forms.community import CommunityWorkForm, SystemIntelligenceForm
from ..forms.stories import StoryDecisionForm, StoryForm, story_initial
from ..models import Episode, Story
from ..programmes import PROGRAMMES
from ..selectors import (
    community_work_for_user,
    stories_awaiting_for_user,
    stories_published_for_user,
    story_for_manager,
    system_intelligence_for_user,
)
from ..services import community as community_services
from ..services import episode_view_record
from ..services import stories as story_services
from .common import add_service_errors, episode_for, posted, render_episode

VIEW = selectors.VIEW_EPISODE
WORK = selectors.WORK_ON_EPISODE
APPROVE = selectors.APPROVE_STORY
FIGURES = selectors.VIEW_FIGURES
VIEW_COMMUNITY = "casework.view_communitywork"
ADD_COMMUNITY = "casework.add_communitywork"
VIEW_INTELLIGENCE = "casework.view_systemintelligence"
ADD_INTELLIGENCE = "casework.add_systemintelligence"
PAGE_SIZE = 25
S = Story.Status
PUBLISHED_LEVELS = (Story.ConsentLevel.ANONYMISED, Story.ConsentLevel.NAMED)


def _teams_of(user: Any) -> list[Team]:
    return list(
        Team.objects.filter(pk__in=selectors.team_ids_for_user(user))
        .prefetch_related("wards")
        .order_by("name")
    )


# --- an episode's stories -----------------------------------------------------------------------


def _episode_story(episode: Episode, item_pk: UUID) -> Story:
    story = episode.stories.select_related("consent").filter(pk=item_pk).first()
    if story is None:
        raise Http404("No such story")
    story.episode = episode
    return story


def _check_can_work(request: HttpRequest, episode: Episode) -> None:
    if not selectors.can_work_on(user=request.user, episode=episode):
        raise PermissionDenied("Only the team working with this person can change this.")


def _render_stories(
    request: HttpRequest, episode: Episode, *, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    person = episode.person
    items = list(episode.stories.select_related("consent", "created_by", "decided_by"))
    other_names = redaction.relationship_names(person)
    for story in items:
        story.episode = episode
        story.still_contains = ""
        if (
            story.status in story_services.EDITABLE
            and story.consent_level != Story.ConsentLevel.INTERNAL
            and story.publishable_text
        ):
            story.still_contains = redaction.describe(
                redaction.find_personal_details(
                    story.publishable_text,
                    person=person,
                    other_names=other_names,
                    names_allowed=story.consent_level == Story.ConsentLevel.NAMED,
                )
            )
    return render_episode(
        request,
        episode,
        "casework/stories.html",
        section="stories",
        context={
            "stories": items,
            "has_story_consent": story_services.active_story_consents(person).exists(),
            "story_errors": errors or [],
        },
    )


@staff_required(VIEW)
@never_cache
def story_list(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The person's stories with where each one is, and what may be done with it."""
    episode = episode_for(request, pk, section="stories")
    return _render_stories(request, episode)


def _suggested(request: HttpRequest, episode: Episode) -> tuple[dict[str, Any], str]:
    """What was typed, with the text for publication replaced by a suggested redaction (of
    the text for publication, or of the story when that is empty). Nothing is saved."""
    data = request.POST
    level = data.get("consent_level", "")
    source = data.get("publishable_text", "").strip() or data.get("body", "").strip()
    person = episode.person
    findings = redaction.find_personal_details(
        source,
        person=person,
        other_names=redaction.relationship_names(person),
        names_allowed=level == Story.ConsentLevel.NAMED,
    )
    initial = {
        "title": data.get("title", ""),
        "body": data.get("body", ""),
        "consent_level": level,
        "consent": data.get("consent", ""),
        "named_confirmed": bool(data.get("named_confirmed")),
        "publishable_text": redaction.suggest_redaction(source, findings),
    }
    if findings:
        note = (
            f"We replaced {redaction.describe(findings)}. Check the text for publication "
            "before you save: it may still say something that identifies the person."
        )
    else:
        note = (
            "We found nothing to replace. Check the text for publication yourself before you "
            "save: it may still say something that identifies the person."
        )
    return initial, note


def _story_form(request: HttpRequest, pk: UUID, item_pk: UUID | None) -> HttpResponse:
    episode = episode_for(request, pk, section="stories")
    _check_can_work(request, episode)
    story = _episode_story(episode, item_pk) if item_pk else None
    if story is not None and story.status not in story_services.EDITABLE:
        messages.info(
            request, f"A story that is {story.get_status_display().lower()} cannot be changed."
        )
        return redirect("casework:stories", pk=episode.pk)
    consents = list(story_services.active_story_consents(episode.person))
    initial = story_initial(story) if story else None
    suggestion_note = ""
    if request.method == "POST" and "suggest" in request.POST:
        initial, suggestion_note = _suggested(request, episode)
        form = StoryForm(initial=initial, consents=consents)
    else:
        form = StoryForm(posted(request), initial=initial, consents=consents)
        if request.method == "POST" and form.is_valid():
            try:
                saved = story_services.story_save(
                    actor=request.user, episode=episode, story=story, **form.story_values()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"‘{saved.title}’ has been saved as a draft.")
                return redirect("casework:stories", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/story_form.html",
        section="stories",
        context={
            "form": form,
            "story": story,
            "has_story_consent": bool(consents),
            "suggestion_note": suggestion_note,
        },
    )


@staff_required(VIEW, WORK)
@never_cache
def story_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Write a story: saved as a draft until it is sent to a manager."""
    return _story_form(request, pk, None)


@staff_required(VIEW, WORK)
@never_cache
def story_edit(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Change a draft, or a story a manager declined."""
    return _story_form(request, pk, item_pk)


@staff_required(VIEW, WORK)
@require_POST
def story_submit(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Send a story to a manager. When it cannot go (no consent, or the text for
    publication still identifies the person) the stories page says why."""
    episode = episode_for(request, pk, section="stories")
    story = _episode_story(episode, item_pk)
    try:
        story_services.story_submit(actor=request.user, story=story)
    except ValidationError as error:
        return _render_stories(
            request,
            episode,
            errors=[{"text": m, "href": f"#story-{story.pk}"} for m in error.messages],
        )
    messages.success(request, f"‘{story.title}’ has been sent to a manager for approval.")
    return redirect("casework:stories", pk=episode.pk)


@staff_required(VIEW, WORK)
@require_POST
def story_withdraw(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """The person changed their mind: withdraw the story, even after approval."""
    episode = episode_for(request, pk, section="stories")
    story = _episode_story(episode, item_pk)
    try:
        story_services.story_withdraw(actor=request.user, story=story)
    except ValidationError as error:
        return _render_stories(
            request,
            episode,
            errors=[{"text": m, "href": f"#story-{story.pk}"} for m in error.messages],
        )
    messages.success(request, f"‘{story.title}’ has been withdrawn. It will not be used.")
    return redirect("casework:stories", pk=episode.pk)


# --- approval and the published stories ---------------------------------------------------------


@staff_required(VIEW, APPROVE)
@never_cache
def stories_queue(request: HttpRequest) -> HttpResponse:
    """Stories waiting for approval in the teams the manager leads."""
    page, pagination = paginate(request, stories_awaiting_for_user(user=request.user), PAGE_SIZE)
    return render(request, "casework/stories_queue.html", {"page": page, "pagination": pagination})


@staff_required(VIEW, APPROVE)
@never_cache
def story_review(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Read a story and approve or decline it. Nobody approves a story they wrote. Each
    opening is recorded against the person."""
    story = story_for_manager(user=request.user, pk=pk)
    episode = story.episode
    if request.method == "GET":
        episode_view_record(actor=request.user, episode=episode, what="story for approval")
    waiting = story.status == S.AWAITING_APPROVAL
    form = StoryDecisionForm(posted(request)) if waiting else None
    if form is not None and request.method == "POST" and form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == StoryDecisionForm.APPROVE:
                story_services.story_approve(actor=request.user, story=story, note=note)
                message = f"‘{story.title}’ has been approved."
            else:
                story_services.story_decline(actor=request.user, story=story, note=note)
                message = f"‘{story.title}’ has been declined and gone back to the worker."
        except ValidationError as error:
            add_service_errors(form, error, fallback="decision")
        else:
            messages.success(request, message)
            return redirect("casework:stories-queue")
    findings = story_services.publication_findings(story) if waiting else []
    return render_episode(
        request,
        episode,
        "casework/story_review.html",
        section="stories",
        context={
            "story": story,
            "form": form,
            "still_contains": redaction.describe(findings),
            "wrote_it": story.created_by_id == request.user.pk,
        },
    )


@staff_required(VIEW)
@never_cache
def stories_published(request: HttpRequest) -> HttpResponse:
    """Approved stories that may be shared: the title and the text for publication only."""
    page, pagination = paginate(request, stories_published_for_user(user=request.user), PAGE_SIZE)
    return render(
        request, "casework/stories_published.html", {"page": page, "pagination": pagination}
    )


# --- community work and system intelligence -----------------------------------------------------


def _filters(request: HttpRequest, teams: list[Team]) -> dict[str, Any]:
    """The quarter and ward chosen in the query string. A quarter or ward that is not real
    is ignored, with a message."""
    wards = list(Ward.objects.order_by("name"))
    team_wards = sorted({w for t in teams for w in t.wards.all()}, key=lambda w: w.name)
    quarter_text = request.GET.get("quarter", "").strip()
    quarter = casework_figures.Quarter.parse(quarter_text) if quarter_text else None
    if quarter_text and quarter is None:
        messages.error(request, "Choose a quarter from the list, like 2026-Q4.")
    ward_code = request.GET.get("ward", "").strip()
    ward = next((w for w in wards if w.code == ward_code), None) if ward_code else None
    if ward_code and ward is None:
        messages.error(request, "Choose a ward from the list.")
    quarters = casework_figures.recent_quarters(timezone.localdate())
    if quarter is not None and quarter not in quarters:
        quarters.append(quarter)
    team_ward_codes = {w.code for w in team_wards}
    return {
        "quarter": quarter,
        "ward": ward,
        "quarters": quarters,
        "team_wards": team_wards,
        "other_wards": [w for w in wards if w.code not in team_ward_codes],
        "all_wards": wards,
    }


def _team_work_list(
    request: HttpRequest, *, template: str, read: Any, add_perm: str
) -> HttpResponse:
    teams = _teams_of(request.user)
    filters = _filters(request, teams)
    items = read(user=request.user, quarter=filters["quarter"], ward=filters["ward"])
    page, pagination = paginate(request, items, PAGE_SIZE)
    return render(
        request,
        template,
        {
            **filters,
            "teams": teams,
            "page": page,
            "pagination": pagination,
            "can_add": bool(teams) and request.user.has_perm(add_perm),
        },
    )


def _team_work_form(request: HttpRequest, *, form_class: Any, extra: dict[str, Any]) -> Any:
    teams = _teams_of(request.user)
    team_wards = sorted({w for t in teams for w in t.wards.all()}, key=lambda w: w.name)
    return teams, form_class(
        posted(request),
        teams=teams,
        team_wards=team_wards,
        wards=Ward.objects.order_by("name"),
        initial={"happened_on": timezone.localdate(), "noted_on": timezone.localdate()},
        **extra,
    )


@staff_required(VIEW_COMMUNITY)
@never_cache
def community_work(request: HttpRequest) -> HttpResponse:
    """The community groups the user's teams helped, by quarter and ward."""
    return _team_work_list(
        request,
        template="casework/community_work.html",
        read=community_work_for_user,
        add_perm=ADD_COMMUNITY,
    )


@staff_required(VIEW_COMMUNITY, ADD_COMMUNITY)
@never_cache
def community_work_add(request: HttpRequest) -> HttpResponse:
    """Record help given to a community group."""
    teams, form = _team_work_form(
        request, form_class=CommunityWorkForm, extra={"providers": provider_choices()}
    )
    if request.method == "POST" and teams and form.is_valid():
        data = form.cleaned_data
        try:
            community_services.community_work_record(
                actor=request.user,
                team=data["team"],
                group_name=data["group_name"],
                provider=data["provider"],
                ward=data["ward"],
                kind=data["kind"],
                what=data["what"],
                happened_on=data["happened_on"],
                minutes=data["minutes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The community work has been recorded.")
            return redirect("casework:community-work")
    return render(
        request, "casework/community_work_form.html", {"form": form, "has_team": bool(teams)}
    )


@staff_required(VIEW_INTELLIGENCE)
@never_cache
def intelligence(request: HttpRequest) -> HttpResponse:
    """What the user's teams saw of the system, by quarter and ward."""
    return _team_work_list(
        request,
        template="casework/intelligence.html",
        read=system_intelligence_for_user,
        add_perm=ADD_INTELLIGENCE,
    )


@staff_required(VIEW_INTELLIGENCE, ADD_INTELLIGENCE)
@never_cache
def intelligence_add(request: HttpRequest) -> HttpResponse:
    """Record a barrier, duplication, gap or good practice seen in services."""
    teams, form = _team_work_form(request, form_class=SystemIntelligenceForm, extra={})
    if request.method == "POST" and teams and form.is_valid():
        data = form.cleaned_data
        try:
            community_services.system_intelligence_record(
                actor=request.user,
                team=data["team"],
                kind=data["kind"],
                service=data["service"],
                description=data["description"],
                noted_on=data["noted_on"],
                ward=data["ward"],
                raised_with=data["raised_with"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The system intelligence has been recorded.")
            return redirect("casework:intelligence")
    return render(
        request, "casework/intelligence_form.html", {"form": form, "has_team": bool(teams)}
    )


# --- figures ------------------------------------------------------------------------------------


def _figures_choice(
    request: HttpRequest, *, say: bool
) -> tuple[casework_figures.Quarter, str, list[casework_figures.Quarter]]:
    """The quarter and programme asked for; this quarter and Local Area Coordination when
    none is asked for, or (with a message when `say`) when what was asked is not real."""
    today = timezone.localdate()
    current = casework_figures.Quarter.containing(today)
    quarter_text = request.GET.get("quarter", "").strip()
    quarter = casework_figures.Quarter.parse(quarter_text) if quarter_text else current
    if quarter is None:
        quarter = current
        if say:
            messages.error(
                request,
                f"There is no quarter called ‘{quarter_text[:20]}’. "
                f"Showing {current.label} ({current.code}).",
            )
    programme = request.GET.get("programme", "").strip() or next(iter(PROGRAMMES))
    if programme not in PROGRAMMES:
        programme = next(iter(PROGRAMMES))
        if say:
            messages.error(request, "Choose a programme from the list.")
    quarters = casework_figures.recent_quarters(today)
    if quarter not in quarters:
        quarters.append(quarter)
    return quarter, programme, quarters


@staff_required(FIGURES)
@never_cache
def figures(request: HttpRequest) -> HttpResponse:
    """The quarter's figures for a programme: counts only. Managers see exact numbers;
    anyone else sees counts of 1 to 4 as "fewer than 5"."""
    quarter, programme, quarters = _figures_choice(request, say=True)
    exact = request.user.has_perm(selectors.MANAGE_CASELOADS)
    tables = casework_figures.quarterly_figures(
        start=quarter.start, end=quarter.end, programme=programme
    )
    return render(
        request,
        "casework/figures.html",
        {
            "quarter": quarter,
            "quarters": quarters,
            "programme": PROGRAMMES[programme],
            "programmes": PROGRAMMES.values(),
            "exact": exact,
            "tables": [{"table": t, "rows": t.cells(exact=exact)} for t in tables],
        },
    )


@staff_required(FIGURES)
@never_cache
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as a CSV, one line per figure, small numbers always hidden. Every
    export is recorded in the audit trail."""
    quarter, programme, _ = _figures_choice(request, say=False)
    content = casework_figures.figures_export(
        actor=request.user, quarter=quarter, programme=programme
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"casework-figures-{programme}-{quarter.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EPISODE = "episodes/<uuid:pk>/"
urlpatterns = [
    path(f"{EPISODE}stories/", story_list, name="stories"),
    path(f"{EPISODE}stories/add/", story_add, name="story-add"),
    path(f"{EPISODE}stories/<uuid:item_pk>/edit/", story_edit, name="story-edit"),
    path(f"{EPISODE}stories/<uuid:item_pk>/submit/", story_submit, name="story-submit"),
    path(f"{EPISODE}stories/<uuid:item_pk>/withdraw/", story_withdraw, name="story-withdraw"),
    path("stories/", stories_queue, name="stories-queue"),
    path("stories/approved/", stories_published, name="stories-published"),
    path("stories/<uuid:pk>/review/", story_review, name="story-review"),
    path("community-work/", community_work, name="community-work"),
    path("community-work/add/", community_work_add, name="community-work-add"),
    path("system-intelligence/", intelligence, name="intelligence"),
    path("system-intelligence/add/", intelligence_add, name="intelligence-add"),
    path("figures/", figures, name="figures"),
    path("figures.csv", figures_csv, name="figures-csv"),
]
