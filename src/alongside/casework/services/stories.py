"""Stories as evidence: written by the team, published only with the person's consent at that
level and a manager's approval.

A story moves draft -> waiting for a manager -> approved or declined. A declined story can be
changed and sent again. The person may change their mind at any time, even after approval:
the story is then withdrawn. Withdrawing the consent itself also takes an approved story out
of the published list (see the published stories page).

- Internal only: used inside the team; no consent or text for publication needed.
- Anonymised publication: cites the person's active consent to use their story, and the text
  for publication must not identify them (see `redaction`).
- Named publication: as anonymised, and the worker confirms the person agreed to be named;
  the text may name them but must not give their address, date of birth, NHS number, phone
  number or email address.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alongside.accounts.models import User
from alongside.people.models import Consent, Person

from .. import redaction
from ..models import Episode, Story
from ..selectors import APPROVE_STORY, is_team_lead
from .common import check_can_work, episode_audit

LEVEL = Story.ConsentLevel
STATUS = Story.Status
EDITABLE = (STATUS.DRAFT, STATUS.DECLINED)


def active_story_consents(person: Person) -> QuerySet[Consent]:
    """The person's consents to use their story that have not been withdrawn."""
    return Consent.objects.filter(
        person=person, purpose=Consent.Purpose.STORY, withdrawn_at__isnull=True
    ).order_by("-given_at")


def publication_findings(story: Story) -> list[redaction.Finding]:
    """What in the story's text for publication would identify the person (nothing for an
    internal story)."""
    if story.consent_level == LEVEL.INTERNAL:
        return []
    person = story.episode.person
    return redaction.find_personal_details(
        story.publishable_text,
        person=person,
        other_names=redaction.relationship_names(person),
        names_allowed=story.consent_level == LEVEL.NAMED,
    )


def _check_consent(*, person: Person, consent_level: str, consent: Consent | None) -> None:
    if consent_level == LEVEL.INTERNAL:
        return
    if consent is None:
        raise ValidationError({"consent": "Choose the consent the person gave to use their story"})
    if (
        consent.person_id != person.pk
        or consent.purpose != Consent.Purpose.STORY
        or not consent.is_active
    ):
        raise ValidationError(
            {"consent": "Choose one of the person's active consents to use their story"}
        )


def _check_publishable(story: Story) -> None:
    """The checks before a story goes to a manager, and again before it is approved."""
    if story.consent_level == LEVEL.INTERNAL:
        return
    consent = story.consent
    if consent is not None:
        consent.refresh_from_db()
    _check_consent(person=story.episode.person, consent_level=story.consent_level, consent=consent)
    if not story.publishable_text.strip():
        raise ValidationError({"publishable_text": "Enter the text for publication"})
    findings = publication_findings(story)
    if findings:
        raise ValidationError(
            {
                "publishable_text": "The text for publication still contains: "
                f"{redaction.describe(findings)}"
            }
        )


def _story_in(episode: Episode, story: Story | None) -> Story | None:
    if story is None:
        return None
    story = Story.objects.select_for_update(of=("self",)).select_related("consent").get(pk=story.pk)
    if story.episode_id != episode.pk:
        raise PermissionDenied("That story belongs to someone else's support.")
    return story


@transaction.atomic
def story_save(
    *,
    actor: User,
    episode: Episode,
    title: str,
    body: str,
    consent_level: str,
    consent: Consent | None = None,
    publishable_text: str = "",
    named_confirmed: bool = False,
    story: Story | None = None,
) -> Story:
    """Write a new draft story, or change a draft (or declined) one. A declined story that
    is changed becomes a draft again, keeping the manager's note until it is sent again.

    Publication needs the person's active consent to use their story; named publication
    needs the worker to confirm the person agreed to be named. The text for publication is
    checked when the story is sent to a manager, not while it is being written."""
    check_can_work(actor=actor, episode=episode)
    story = _story_in(episode, story)
    errors: dict[str, str] = {}
    if story is not None and story.status not in EDITABLE:
        errors["story"] = f"A story that is {story.get_status_display().lower()} cannot be changed"
    if not title.strip():
        errors["title"] = "Enter a title for the story"
    if not body.strip():
        errors["body"] = "Enter the story"
    if consent_level not in LEVEL.values:
        errors["consent_level"] = "Choose how the story may be used"
    elif consent_level == LEVEL.NAMED and not named_confirmed:
        errors["named_confirmed"] = "Confirm the person agreed to be named"
    if errors:
        raise ValidationError(errors)
    _check_consent(person=episode.person, consent_level=consent_level, consent=consent)

    creating = story is None
    if creating:
        story = Story(episode=episode, created_by=actor)
    before = {
        "title": story.title,
        "consent_level": story.consent_level,
        "consent": str(story.consent_id) if story.consent_id else None,
        "status": story.status,
    }
    story.title = title.strip()
    story.body = body.strip()
    story.consent_level = consent_level
    story.consent = consent if consent_level != LEVEL.INTERNAL else None
    story.publishable_text = publishable_text.strip()
    story.status = STATUS.DRAFT
    story.modified_by = actor
    story.full_clean()
    story.save()
    after = {
        "title": story.title,
        "consent_level": story.consent_level,
        "consent": str(story.consent_id) if story.consent_id else None,
        "status": story.status,
    }
    changes = {k: [None if creating else before[k], v] for k, v in after.items()}
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if consent_level == LEVEL.NAMED:
        changes["named_confirmed"] = [None, True]
    episode_audit(
        actor=actor,
        episode=episode,
        action="create" if creating else "change",
        obj=story,
        changes=changes,
    )
    return story


@transaction.atomic
def story_submit(*, actor: User, story: Story) -> Story:
    """Send a draft (or a changed declined) story to a manager for approval. A story for
    publication must cite an active consent and its text for publication must not identify
    the person (a named story may name them)."""
    check_can_work(actor=actor, episode=story.episode)
    story = _story_in(story.episode, story)
    if story.status not in EDITABLE:
        raise ValidationError(
            {
                "story": f"A story that is {story.get_status_display().lower()} "
                "cannot be sent for approval"
            }
        )
    _check_publishable(story)
    old = story.status
    story.status = STATUS.AWAITING_APPROVAL
    story.decided_by = None
    story.decided_at = None
    story.decision_note = ""
    story.modified_by = actor
    story.save()
    episode_audit(
        actor=actor,
        episode=story.episode,
        action="change",
        obj=story,
        changes={"status": [old, story.status]},
    )
    return story


def _check_can_decide(*, actor: User, story: Story) -> Story:
    if not actor.has_perm(APPROVE_STORY) or not is_team_lead(
        user=actor, team_id=story.episode.team_id
    ):
        raise PermissionDenied("Only a manager of the team can decide on a story.")
    story = (
        Story.objects.select_for_update(of=("self",))
        .select_related("episode__person", "consent")
        .get(pk=story.pk)
    )
    if story.status != STATUS.AWAITING_APPROVAL:
        raise ValidationError(
            {"decision": f"This story is {story.get_status_display().lower()}, not waiting"}
        )
    return story


def _decide(*, actor: User, story: Story, status: str, note: str) -> Story:
    story.status = status
    story.decided_by = actor
    story.decided_at = timezone.now()
    story.decision_note = note.strip()
    story.modified_by = actor
    story.full_clean()
    story.save()
    episode_audit(
        actor=actor,
        episode=story.episode,
        action="change",
        obj=story,
        reason=story.decision_note,
        changes={"status": [STATUS.AWAITING_APPROVAL, status]},
    )
    return story


@transaction.atomic
def story_approve(*, actor: User, story: Story, note: str = "") -> Story:
    """A manager of the story's team approves it. Nobody approves a story they wrote. The
    consent and the text for publication are checked again: either may have changed since
    it was sent."""
    story = _check_can_decide(actor=actor, story=story)
    if story.created_by_id == actor.pk:
        raise ValidationError({"decision": "Another manager must approve a story you wrote"})
    if len(note.strip()) > 300:
        raise ValidationError({"note": "The note must be 300 characters or fewer"})
    _check_publishable(story)
    return _decide(actor=actor, story=story, status=STATUS.APPROVED, note=note)


@transaction.atomic
def story_decline(*, actor: User, story: Story, note: str) -> Story:
    """A manager of the story's team declines it, saying why, so the worker can change it."""
    story = _check_can_decide(actor=actor, story=story)
    if not note.strip():
        raise ValidationError({"note": "Enter why you are declining the story"})
    if len(note.strip()) > 300:
        raise ValidationError({"note": "The note must be 300 characters or fewer"})
    return _decide(actor=actor, story=story, status=STATUS.DECLINED, note=note)


@transaction.atomic
def story_withdraw(*, actor: User, story: Story, reason: str = "") -> Story:
    """The person changed their mind: the story is withdrawn whatever its status, even after
    approval, and is no longer used anywhere."""
    check_can_work(actor=actor, episode=story.episode)
    story = _story_in(story.episode, story)
    if story.status == STATUS.WITHDRAWN:
        raise ValidationError({"story": "This story has already been withdrawn"})
    old = story.status
    story.status = STATUS.WITHDRAWN
    story.modified_by = actor
    story.save(update_fields=["status", "modified_by", "modified_at"])
    episode_audit(
        actor=actor,
        episode=story.episode,
        action="change",
        obj=story,
        reason=reason.strip() or "The person changed their mind",
        changes={"status": [old, STATUS.WITHDRAWN]},
    )
    return story
