"""The shared agreement as a PDF for the person to keep: a tagged PDF with a title and
language, no text under 14 point, the person's goals and who will do what, how to reach
their worker, and nothing internal (team notes, worries, progress notes, other people's
goals). Only people who may see the episode can download it, and each download is audited."""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alongside.casework import agreement_pdf
from alongside.casework.models import Action
from alongside.casework.services import plan as services
from alongside.core.models import AuditEvent

from .factories import active_episode


@pytest.fixture
def episode(york, west, lena, omar):
    """A Level 2 episode with a full agreement, and another person's agreement beside it."""
    west.phone = "01904 555123"
    west.email = "lac.west@example.org"
    west.save()
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    services.conversation_save(
        actor=lena,
        episode=episode,
        what_matters="My cat Pickle and my allotment",
        vision="Having friends round for tea",
        worries="Private worry about the rent",
    )
    services.relationship_add(actor=lena, episode=episode, kind="family", name="Cousin Bea")
    agreed = timezone.localdate() - dt.timedelta(days=10)
    services.agreement_save(
        actor=lena,
        episode=episode,
        agreed_on=agreed,
        review_on=agreed + dt.timedelta(days=90),
        notes="Team note: not for the person's copy",
    )
    goal = services.goal_add(actor=lena, episode=episode, in_own_words="Meet new people nearby")
    services.action_add(
        actor=lena,
        episode=episode,
        goal=goal,
        what="Go to the Tuesday knit group",
        who="group",
        who_name="Acomb Knitters",
        due_on=agreed + dt.timedelta(days=30),
        progress_note="Progress note: shy the first time",
    )
    services.action_add(
        actor=lena, episode=episode, goal=goal, what="Ring the group leader", who="person"
    )
    services.goal_add(actor=lena, episode=episode, in_own_words="Grow my own vegetables")

    other = active_episode(actor=omar, ward=york["Westfield"], level=2)
    services.goal_add(actor=omar, episode=other, in_own_words="Somebody else's goal")
    return episode


def url(episode) -> str:
    return reverse("casework:agreement-pdf", kwargs={"pk": episode.pk})


def pdf_words(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def font_sizes(content: bytes) -> set[float]:
    """The size, in points, of every piece of text drawn on every page."""
    sizes: set[float] = set()

    def seen(text, cm, tm, font, size):
        if text.strip():
            scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
            sizes.add(round(size * scale, 1))

    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=seen)
    return sizes


def test_the_pdf_holds_the_agreement_and_nothing_internal(staff_client, lena, episode):
    response = staff_client(lena).get(url(episode))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="shared-agreement.pdf"'
    assert "no-store" in response["Cache-Control"]
    words = pdf_words(response.content)
    name = episode.person.display_name
    agreed = episode.agreement.agreed_on
    for expected in (
        "My shared agreement",
        name,
        "Lena Coordinator",
        "LAC West",
        "01904 555123",
        "lac.west@example.org",
        "What matters to me",
        "My cat Pickle and my allotment",
        "Having friends round for tea",
        "My goals",
        "Meet new people nearby",
        "Grow my own vegetables",
        "Who will do what",
        "Go to the Tuesday knit group",
        "Acomb Knitters",
        "Ring the group leader",
        f"{agreed.day} {agreed:%B %Y}",
    ):
        assert expected in words, expected
    for private in (
        "Team note",
        "Private worry",
        "Progress note",
        "Cousin Bea",
        "Somebody else's goal",
    ):
        assert private not in words, private


def test_the_pdf_is_tagged_with_a_title_and_language(staff_client, lena, episode):
    reader = PdfReader(io.BytesIO(staff_client(lena).get(url(episode)).content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == f"Shared agreement for {episode.person.display_name}"


def test_no_text_in_the_pdf_is_smaller_than_14_point(episode):
    content = agreement_pdf.agreement_pdf(episode=episode, agreement=episode.agreement)
    sizes = font_sizes(content)
    assert min(sizes) >= 14
    assert max(sizes) >= 28  # the heading stands out


def test_each_download_is_recorded_as_an_export(staff_client, lena, morgan, episode):
    staff_client(lena).get(url(episode))
    staff_client(morgan).get(url(episode))
    exports = AuditEvent.objects.filter(person_id=episode.person_id, action="export")
    assert [e.actor for e in exports.order_by("id")] == [lena, morgan]
    assert exports.first().reason == "Downloaded the shared agreement (PDF)"


def test_only_people_who_may_see_the_episode_can_download_it(
    client, staff_client, analyst, erin, episode
):
    anonymous = client.get(url(episode))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:sign-in"))
    assert staff_client(analyst).get(url(episode)).status_code == 403
    assert staff_client(erin).get(url(episode)).status_code == 404
    assert not AuditEvent.objects.filter(person_id=episode.person_id, action="export").exists()


def test_with_no_agreement_yet_there_is_nothing_to_download(staff_client, york, west, lena):
    episode = active_episode(actor=lena, ward=york["Acomb"], level=2)
    response = staff_client(lena).get(url(episode), follow=True)
    assert response.redirect_chain[0][0] == reverse("casework:agreement", kwargs={"pk": episode.pk})
    assert "There is no shared agreement to download yet." in response.content.decode()


def test_what_people_typed_is_escaped_in_the_pdf(episode, lena):
    goal = episode.agreement.goals.first()
    services.goal_update(
        actor=lena,
        episode=episode,
        goal=goal,
        in_own_words='<img src="https://tracker.example/p.png"> Meet people',
        status="working",
    )
    document = agreement_pdf.agreement_document(episode=episode, agreement=episode.agreement)
    html = agreement_pdf.agreement_html(document)
    assert "&lt;img src=" in html
    assert '<img src="https://tracker.example' not in html


@pytest.mark.parametrize(
    ("who", "who_name", "expected"),
    [
        ("person", "", "Me"),
        ("worker", "", "Lena Coordinator (my coordinator)"),
        ("worker", "Lena", "Lena (my coordinator)"),
        ("family", "", "My family or friends"),
        ("family", "My son Tom", "My son Tom"),
        ("group", "Acomb Knitters", "Acomb Knitters"),
        ("other", "", "Someone else"),
    ],
)
def test_who_does_each_step_is_said_from_the_persons_side(who, who_name, expected):
    action = Action(what="x", who=who, who_name=who_name)
    words = agreement_pdf.who_words(
        action, worker_name="Lena Coordinator", worker_label="coordinator"
    )
    assert words == expected
