"""The shared agreement as a PDF for the person to keep.

An accessible document (tagged PDF/UA-1 with a title and lang="en-GB", no text under 14
point, plain headings) holding what the person agreed: what matters to them, their goals,
who will do what and by when, and how to reach their worker and team.

What it leaves out, because the person may show it to anyone: the team's notes on the
agreement, progress notes, what worries them, the people around them and anything from the
timeline. Everything comes from the one episode it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from alongside.core.pdf import render_pdf

from .models import Action, Agreement, Conversation, Episode, Goal
from .programmes import casework_programme

BODY_PT = 14  # the smallest text anywhere in the document
FILENAME = "shared-agreement.pdf"


@dataclass(frozen=True)
class StepLine:
    """One action as the person reads it."""

    what: str
    who: str
    due_on: dt.date | None
    progress: str


@dataclass(frozen=True)
class GoalLine:
    words: str
    status: str
    steps: list[StepLine]


@dataclass(frozen=True)
class AgreementDocument:
    """What the PDF prints, gathered in one place so the template only lays it out."""

    title: str
    name: str
    worker_name: str
    worker_label: str
    programme_name: str
    team_name: str
    team_phone: str
    team_email: str
    agreed_on: dt.date | None
    review_on: dt.date | None
    what_matters: str
    vision: str
    strengths: str
    gifts_skills_interests: str
    goals: list[GoalLine]
    made_on: dt.date


def agreement_with_goals(episode: Episode) -> Agreement | None:
    """The episode's agreement with its goals and their actions, in order (three queries)."""
    goals = Goal.objects.order_by("order", "created_at").prefetch_related(
        Prefetch("actions", queryset=Action.objects.order_by("due_on", "created_at"))
    )
    return (
        Agreement.objects.filter(episode=episode)
        .prefetch_related(Prefetch("goals", queryset=goals))
        .first()
    )


def who_words(action: Action, *, worker_name: str, worker_label: str) -> str:
    """Who does it, from the person's side: "Me", "Lena Coordinator (my coordinator)"."""
    who = Action.Who
    if action.who == who.PERSON:
        return "Me"
    if action.who == who.WORKER:
        mine = f"my {worker_label}"
        named = action.who_name or worker_name
        return f"{named} ({mine})" if named else mine.capitalize()
    if action.who_name:
        return action.who_name
    return {who.FAMILY: "My family or friends", who.GROUP: "A group"}.get(
        action.who, "Someone else"
    )


def agreement_document(
    *, episode: Episode, agreement: Agreement, today: dt.date | None = None
) -> AgreementDocument:
    """The words of the PDF. `episode` must come with its person, worker and team (as
    episode_get_for_user gives it)."""
    programme = casework_programme(episode.programme_id)
    conversation = Conversation.objects.filter(episode=episode).first()
    name = episode.person.display_name
    worker = episode.worker
    worker_name = worker.full_name if worker else ""
    goals = [
        GoalLine(
            words=goal.in_own_words,
            status=goal.get_status_display(),
            steps=[
                StepLine(
                    what=action.what,
                    who=who_words(action, worker_name=worker_name, worker_label=programme.worker),
                    due_on=action.due_on,
                    progress=action.get_progress_display(),
                )
                for action in goal.actions.all()
            ],
        )
        for goal in agreement.goals.all()
    ]
    return AgreementDocument(
        title=f"Shared agreement for {name}",
        name=name,
        worker_name=worker_name,
        worker_label=programme.worker,
        programme_name=programme.name,
        team_name=episode.team.name,
        team_phone=episode.team.phone,
        team_email=episode.team.email or settings.COUNCIL["contact_email"],
        agreed_on=agreement.agreed_on,
        review_on=agreement.review_on,
        what_matters=conversation.what_matters if conversation else "",
        vision=conversation.vision if conversation else "",
        strengths=conversation.strengths if conversation else "",
        gifts_skills_interests=conversation.gifts_skills_interests if conversation else "",
        goals=goals,
        made_on=today or timezone.localdate(),
    )


def agreement_html(document: AgreementDocument) -> str:
    """The PDF's HTML (the tests read it too)."""
    context: dict[str, Any] = {
        "doc": document,
        "council": settings.COUNCIL,
        "body_pt": BODY_PT,
    }
    return render_to_string("casework/pdf/agreement.html", context)


def agreement_pdf(*, episode: Episode, agreement: Agreement, today: dt.date | None = None) -> bytes:
    """The shared agreement as PDF bytes."""
    document = agreement_document(episode=episode, agreement=agreement, today=today)
    return render_pdf(agreement_html(document))
