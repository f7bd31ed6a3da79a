"""What every episode page shares: finding the episode the user may see (404 otherwise),
recording that they opened it, and the header and section navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from alongside.core.forms import add_service_errors  # noqa: F401  (re-exported for views)
from alongside.core.http import posted  # noqa: F401  (re-exported for views)

from .. import selectors, services
from ..models import Episode
from ..programmes import casework_programme


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    only_for: tuple[str, ...] = ()  # programme codes; empty means every programme


# The episode's sections, in the order of the navigation under its heading.
SECTIONS = (
    Section("overview", "Overview", "casework:episode"),
    Section("conversation", "Good-life conversation", "casework:conversation"),
    Section("agreement", "Shared agreement", "casework:agreement"),
    Section("connections", "Connections", "casework:connections"),
    Section("timeline", "Timeline", "casework:timeline"),
    Section("appointments", "Appointments", "casework:appointments"),
    Section("calls", "Welfare calls", "casework:call-plans"),
    Section("stories", "Stories", "casework:stories"),
    Section("grants", "Grants", "casework:episode-grants"),
    Section("outcome", "Outcome", "casework:outcome", only_for=("social_prescribing",)),
    Section("history", "History", "casework:history"),
)
SECTION_LABELS = {s.key: s.label for s in SECTIONS}


def episode_for(request: HttpRequest, pk: Any, *, section: str) -> Episode:
    """The episode if the user may see it (else 404), with the opening recorded against the
    person: every view of casework is audited."""
    episode = selectors.episode_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        services.episode_view_record(
            actor=request.user, episode=episode, what=f"episode: {SECTION_LABELS[section]}"
        )
    return episode


def episode_context(request: HttpRequest, episode: Episode, *, section: str) -> dict[str, Any]:
    """Context for templates extending casework/episode_base.html."""
    return {
        "episode": episode,
        "person": episode.person,
        "programme": casework_programme(episode.programme_id),
        "can_work": selectors.can_work_on(user=request.user, episode=episode),
        "section": section,
        "sections": _navigation(episode, section),
    }


def _navigation(episode: Episode, section: str) -> list[dict[str, Any]]:
    items = []
    for s in SECTIONS:
        if s.only_for and episode.programme_id not in s.only_for:
            continue
        try:
            url = reverse(s.url_name, kwargs={"pk": episode.pk})
        except NoReverseMatch:  # a section not built yet; test_sections_all_resolve guards
            continue
        items.append({"label": s.label, "url": url, "current": s.key == section})
    return items


def render_episode(
    request: HttpRequest,
    episode: Episode,
    template: str,
    *,
    section: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        template,
        {**episode_context(request, episode, section=section), **(context or {})},
        status=status,
    )
