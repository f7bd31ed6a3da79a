"""Referrals to social prescribing: sending one (health and care staff, or a resident for
themselves), triaging it (accept, redirect to Local Area Coordination, or decline) and the
messages back to the referrer at acceptance, first contact and closing.

A referral waits in its team's intake queue until a link worker triages it. Accepting finds
or makes the person's record and opens their episode through `introduction_create`, so the
episode is exactly what an introduction makes. The national codes (SNOMED CT) are recorded as
`CodedEvent`s. Messages to the referrer say only the status, the link worker and how to reach
the team; what the person said changed is added at closing only when the person agreed to
share something back (`share_back`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import Programme, Team, User
from alongside.core.audit import audit_record
from alongside.core.models import Ward
from alongside.core.postcodes import normalise_postcode
from alongside.notify.services import send_email
from alongside.people.models import Person
from alongside.people.nhs_number import normalise_nhs_number
from alongside.people.services import person_create, person_use_existing

from ..models import (
    ClinicalCode,
    CodedEvent,
    Episode,
    Introduction,
    IntroductionReason,
    Pathway,
    Referral,
)
from ..referrals_selectors import REFER, TRIAGE, long_date, reference
from ..selectors import is_team_member
from .episodes import IntroductionDetails, introduction_create
from .plan import conversation_save

logger = logging.getLogger(__name__)

SP = Programme.Code.SOCIAL_PRESCRIBING
LAC = Programme.Code.LAC
R = Referral.Status
REFERRAL_CODE = "871731000000106"  # Referral to social prescribing service
DECLINED_CODE = "871711000000103"  # Social prescribing declined

# How a referral's source becomes the introduction's "who introduced them".
SOURCE_TO_INTRODUCTION = {
    Referral.Source.GP_PRACTICE: Introduction.Source.GP,
    Referral.Source.HOSPITAL: Introduction.Source.HOSPITAL,
    Referral.Source.ADULT_SOCIAL_CARE: Introduction.Source.ADULT_SOCIAL_CARE,
    Referral.Source.COMMUNITY_THERAPY: Introduction.Source.COMMUNITY_THERAPY,
    Referral.Source.SELF: Introduction.Source.SELF,
    Referral.Source.OTHER: Introduction.Source.OTHER,
}

# Why a link worker may decline a referral; the label is what the referral keeps.
DECLINE_REASONS: dict[str, str] = {
    "person_declined": "The person declined",
    "not_suitable": "Social prescribing is not the right support",
    "already_supported": "Already getting this support",
    "no_contact": "We could not contact the person",
    "other": "Other",
}
PERSON_DECLINED = "person_declined"


# --- sending a referral ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferredPerson:
    """Who is referred, as the referrer gives it."""

    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class ReferralDetails:
    """What the referral says besides who it is about."""

    source: str
    reasons: Sequence[str]  # IntroductionReason codes
    consent_to_referral: bool
    source_detail: str = ""
    reasons_other: str = ""
    what_matters: str = ""
    urgency: str = Referral.Urgency.ROUTINE
    share_back: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # PathwayQuestion id -> answer
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""


def _person_errors(person: ReferredPerson, errors: dict[str, Any]) -> dict[str, str]:
    """Check who is referred; returns the cleaned NHS number and postcode."""
    cleaned = {"nhs_number": "", "postcode": ""}
    if not person.given_name.strip():
        errors["given_name"] = "Enter their first name"
    if not person.family_name.strip():
        errors["family_name"] = "Enter their last name"
    if person.date_of_birth and person.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be in the past"
    if person.nhs_number.strip():
        try:
            cleaned["nhs_number"] = normalise_nhs_number(person.nhs_number)
        except ValidationError as error:
            errors["nhs_number"] = error.messages[0]
    if person.postcode.strip():
        try:
            cleaned["postcode"] = normalise_postcode(person.postcode)
        except ValidationError as error:
            errors["postcode"] = error.messages[0]
    if not (person.phone.strip() or person.email.strip() or person.address.strip()):
        errors["phone"] = "Enter a phone number, email address or address, so we can contact them"
    return cleaned


def _answers(
    pathway: Pathway | None, answers: dict[str, str], errors: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """The answers to the pathway's active questions, keyed by question id and keeping the
    question's words as they were asked."""
    if pathway is None:
        return {}
    kept: dict[str, dict[str, str]] = {}
    for question in pathway.questions.filter(is_active=True):
        answer = (answers.get(str(question.pk)) or "").strip()
        if question.required and not answer:
            errors.setdefault("answers", f"Answer the question: {question.text}")
        if answer:
            kept[str(question.pk)] = {"question": question.text, "answer": answer}
    return kept


def _check_reasons(
    codes: Sequence[str], other: str, errors: dict[str, Any]
) -> list[IntroductionReason]:
    reasons = list(IntroductionReason.objects.filter(code__in=codes, is_active=True))
    if not reasons:
        errors["reasons"] = "Choose at least one reason"
    elif len(reasons) != len(set(codes)):
        errors["reasons"] = "Choose reasons from the list"
    elif "other" in codes and not other.strip():
        errors["reasons_other"] = "Say what the other reason is"
    return reasons


def _create(
    *,
    actor: Any,
    team: Team,
    pathway: Pathway | None,
    person: ReferredPerson,
    details: ReferralDetails,
) -> Referral:
    errors: dict[str, Any] = {}
    if not team.is_active or not team.programmes.filter(code=SP).exists():
        errors["team"] = "Choose a social prescribing team"
    has_pathways = Pathway.objects.filter(team=team, is_active=True).exists()
    if pathway is not None and (pathway.team_id != team.pk or not pathway.is_active):
        errors["pathway"] = "Choose one of the team's pathways"
    elif pathway is None and has_pathways and details.source != Referral.Source.SELF:
        errors["pathway"] = "Choose a pathway"
    cleaned = _person_errors(person, errors)
    if details.source not in Referral.Source.values:
        errors["source"] = "Choose where the referral comes from"
    if details.urgency not in Referral.Urgency.values:
        errors["urgency"] = "Choose how urgent it is"
    if not details.consent_to_referral:
        errors["consent_to_referral"] = "Confirm the person agreed to be referred"
    reasons = _check_reasons(details.reasons, details.reasons_other, errors)
    answers = _answers(pathway if "pathway" not in errors else None, details.answers, errors)
    if errors:
        raise ValidationError(errors)
    creator = actor if getattr(actor, "is_authenticated", False) else None
    referral = Referral(
        programme_id=SP,
        team=team,
        pathway=pathway,
        source=details.source,
        source_detail=details.source_detail.strip(),
        referring_organisation=creator.organisation if creator else None,
        referred_by=creator,
        referrer_name=details.referrer_name.strip(),
        referrer_role=details.referrer_role.strip(),
        referrer_email=details.referrer_email.strip(),
        referrer_phone=details.referrer_phone.strip(),
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        date_of_birth=person.date_of_birth,
        nhs_number=cleaned["nhs_number"],
        phone=person.phone.strip(),
        email=person.email.strip(),
        address=person.address.strip(),
        postcode=cleaned["postcode"],
        reasons_other=details.reasons_other.strip() if "other" in details.reasons else "",
        what_matters=details.what_matters.strip(),
        urgency=details.urgency,
        consent_to_referral=True,
        share_back=details.share_back.strip(),
        answers=answers,
        received_at=timezone.now(),
        created_by=creator,
        modified_by=creator,
    )
    referral.full_clean()
    referral.save()
    referral.reasons.set(reasons)
    # No person_id yet: the referral is matched to a record at triage.
    audit_record(
        actor=actor,
        action="create",
        obj=referral,
        reason="Self-referral" if details.source == Referral.Source.SELF else "Sent a referral",
        changes={
            "team": [None, team.name],
            "pathway": [None, pathway.name if pathway else None],
            "source": [None, details.source],
            "urgency": [None, details.urgency],
            "reasons": [None, sorted(r.code for r in reasons)],
        },
    )
    return referral


@transaction.atomic
def referral_create(
    *,
    actor: User,
    team: Team,
    pathway: Pathway | None,
    person: ReferredPerson,
    details: ReferralDetails,
) -> Referral:
    """A member of health or care staff (casework.refer_person) refers a person, with their
    agreement, to a social prescribing team's pathway. The referral waits in the team's
    intake queue; the referrer's organisation is their own."""
    if not actor.has_perm(REFER):
        raise PermissionDenied("You do not have a role that refers people.")
    if details.source == Referral.Source.SELF:
        raise ValidationError({"source": "Choose where the referral comes from"})
    return _create(actor=actor, team=team, pathway=pathway, person=person, details=details)


@transaction.atomic
def referral_self_create(
    *,
    team: Team,
    person: ReferredPerson,
    reasons: Sequence[str],
    consent: bool,
    reasons_other: str = "",
    what_matters: str = "",
) -> Referral:
    """A resident refers themselves (no sign-in). It goes to `team` with no pathway; nothing
    about any existing record is looked at or shown back."""
    details = ReferralDetails(
        source=Referral.Source.SELF,
        reasons=reasons,
        reasons_other=reasons_other,
        consent_to_referral=consent,
        what_matters=what_matters,
    )
    return _create(actor=None, team=team, pathway=None, person=person, details=details)


# --- triage -----------------------------------------------------------------------------------


def _locked_for_triage(*, actor: User, referral: Referral) -> Referral:
    """The referral, locked, when the actor triages for its team and it is still waiting."""
    if not actor.has_perm(TRIAGE) or not is_team_member(user=actor, team_id=referral.team_id):
        raise PermissionDenied("Only the team the referral was sent to can triage it.")
    locked = (
        # Lock the referral only: its pathway and organisation may be missing (an outer
        # join, which PostgreSQL will not lock).
        Referral.objects.select_for_update(of=("self",))
        .select_related("team", "pathway", "referring_organisation")
        .get(pk=referral.pk)
    )
    if locked.status != R.RECEIVED:
        when = long_date(timezone.localdate(locked.triaged_at)) if locked.triaged_at else ""
        raise ValidationError(
            {
                "status": f"This referral was already {locked.get_status_display().lower()}"
                + (f" on {when}" if when else "")
            }
        )
    return locked


def _person_for(*, actor: User, referral: Referral, person: Person | None, reason: str) -> Person:
    """The record the link worker chose as the same person, or a new one from the referral."""
    if person is not None:
        person_use_existing(actor=actor, person=person, team=referral.team, reason=reason)
        return person
    return person_create(
        actor=actor,
        team=referral.team,
        given_name=referral.given_name,
        family_name=referral.family_name,
        date_of_birth=referral.date_of_birth,
        nhs_number=referral.nhs_number,
        reason=reason,
        phone=referral.phone,
        email=referral.email,
        address_line_1=referral.address[:200],
        address_line_2=referral.address[200:],
        postcode=referral.postcode,
    )


def _introduction_details(referral: Referral) -> IntroductionDetails:
    source = SOURCE_TO_INTRODUCTION[referral.source]
    contact = " or ".join(v for v in (referral.referrer_email, referral.referrer_phone) if v)
    notes = []
    if referral.pathway_id:
        notes.append(f"Pathway: {referral.pathway.name}")
    if referral.source_detail:
        notes.append(f"Ward, clinic or service: {referral.source_detail}")
    for item in referral.answers.values():
        notes.append(f"{item['question']} {item['answer']}")
    return IntroductionDetails(
        source=source,
        source_other=(referral.source_detail or "Other")[:150]
        if source == Introduction.Source.OTHER
        else "",
        reasons=[r.code for r in referral.reasons.all()],
        reasons_other=referral.reasons_other,
        received_on=timezone.localdate(referral.received_at),
        introducer_name=referral.referrer_name[:150],
        introducer_organisation=(
            referral.referring_organisation.name[:150] if referral.referring_organisation else ""
        ),
        introducer_contact=contact[:200],
        notes="\n".join(notes),
    )


def _code(*, actor: Any, referral: Referral, code: str) -> CodedEvent:
    event = CodedEvent.objects.create(
        referral=referral,
        code=ClinicalCode.objects.get(code=code),
        recorded_at=timezone.now(),
        created_by=actor,
        modified_by=actor,
    )
    return event


def _triaged(*, actor: User, referral: Referral, status: str, **fields: Any) -> Referral:
    old = referral.status
    referral.status = status
    referral.triaged_by = actor
    referral.triaged_at = timezone.now()
    referral.modified_by = actor
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.full_clean()
    referral.save()
    audit_record(
        actor=actor,
        action="change",
        obj=referral,
        person_id=referral.person_id,
        reason=f"Triaged a referral: {referral.get_status_display().lower()}",
        changes={"status": [old, status]},
    )
    return referral


@transaction.atomic
def referral_accept(
    *,
    actor: User,
    referral: Referral,
    person: Person | None = None,
    worker: User | None = None,
) -> Referral:
    """Accept a waiting referral: use the record the link worker chose as the same person
    (else add one from the referral), open their social prescribing episode with the team
    (the worker chosen, else the actor), record SNOMED CT 871731000000106 on this first
    referral of the episode, start the conversation with what matters to them, and tell the
    referrer."""
    referral = _locked_for_triage(actor=actor, referral=referral)
    person = _person_for(
        actor=actor, referral=referral, person=person, reason="Referred to social prescribing"
    )
    episode = introduction_create(
        actor=actor,
        person=person,
        programme_code=SP,
        details=_introduction_details(referral),
        team=referral.team,
        worker=worker,
    )
    referral = _triaged(
        actor=actor, referral=referral, status=R.ACCEPTED, person=person, episode=episode
    )
    # An episode is opened by one referral, so this is always the episode's first.
    _code(actor=actor, referral=referral, code=REFERRAL_CODE)
    if referral.what_matters:
        conversation_save(actor=actor, episode=episode, what_matters=referral.what_matters)
    worker_name = episode.worker.full_name if episode.worker else ""
    _tell_referrer(
        referral=referral,
        actor=actor,
        kind="casework.referral_accepted",
        subject="accepted",
        lines=[
            f"{referral.team.name} accepted your referral for {referral.given_name} on "
            f"{long_date(timezone.localdate())}.",
            f"Their link worker is {worker_name}." if worker_name else "",
        ],
    )
    return referral


@transaction.atomic
def referral_redirect(
    *,
    actor: User,
    referral: Referral,
    agreed: bool,
    person: Person | None = None,
    ward: Ward | None = None,
) -> Referral:
    """With the person's agreement, introduce them to Local Area Coordination instead: use
    or add their record, and open a Local Area Coordination episode with the team covering
    their ward (`ward`, else where they live). Without such a team, nothing changes."""
    if not agreed:
        raise ValidationError(
            {"agreed": "Confirm the person agreed to be introduced to Local Area Coordination"}
        )
    referral = _locked_for_triage(actor=actor, referral=referral)
    person = _person_for(
        actor=actor,
        referral=referral,
        person=person,
        reason="Referred to social prescribing and introduced to Local Area Coordination",
    )
    episode = introduction_create(
        actor=actor,
        person=person,
        programme_code=LAC,
        details=_introduction_details(referral),
        ward=ward,
    )
    referral = _triaged(
        actor=actor,
        referral=referral,
        status=R.REDIRECTED,
        person=person,
        redirected_to=Programme.objects.get(code=LAC),
        decision_reason=f"Introduced to Local Area Coordination ({episode.team.name})"[:300],
    )
    _tell_referrer(
        referral=referral,
        actor=actor,
        kind="casework.referral_redirected",
        subject="passed to Local Area Coordination",
        lines=[
            f"With {referral.given_name}'s agreement, we have introduced them to Local Area "
            f"Coordination instead of social prescribing. {episode.team.name} will contact "
            "them.",
        ],
        team=episode.team,
    )
    return referral


@transaction.atomic
def referral_decline(
    *, actor: User, referral: Referral, reason: str, reason_other: str = ""
) -> Referral:
    """Decline a waiting referral for one of DECLINE_REASONS (a key), saying why when it is
    "other"; record SNOMED CT 871711000000103 when the person declined; tell the referrer."""
    if reason not in DECLINE_REASONS:
        raise ValidationError({"reason": "Choose why you are declining the referral"})
    if reason == "other" and not reason_other.strip():
        raise ValidationError({"reason_other": "Say why you are declining the referral"})
    referral = _locked_for_triage(actor=actor, referral=referral)
    words = reason_other.strip() if reason == "other" else DECLINE_REASONS[reason]
    referral = _triaged(
        actor=actor, referral=referral, status=R.DECLINED, decision_reason=words[:300]
    )
    if reason == PERSON_DECLINED:
        _code(actor=actor, referral=referral, code=DECLINED_CODE)
    _tell_referrer(
        referral=referral,
        actor=actor,
        kind="casework.referral_declined",
        subject="declined",
        lines=[
            f"{referral.team.name} declined your referral for {referral.given_name} on "
            f"{long_date(timezone.localdate())}.",
            f"Reason: {words}",
        ],
    )
    return referral


def referral_view_record(*, actor: User, referral: Referral) -> None:
    """Every opening of a referral is recorded (against the person once they are known)."""
    audit_record(
        actor=actor,
        action="view",
        obj=referral,
        person_id=referral.person_id,
        reason="Opened a referral",
    )


# --- messages back to the referrer ------------------------------------------------------------


def _deliver(**message: Any) -> None:
    try:
        send_email(**message)
    except ValidationError:
        # The referrer's address was checked when the referral was sent; if the outbox
        # still refuses it, the triage has happened and must not fail now.
        logger.warning("Could not send a referral message (%s)", message.get("kind"))


def _tell_referrer(
    *,
    referral: Referral,
    actor: Any,
    kind: str,
    subject: str,
    lines: Sequence[str],
    team: Team | None = None,
) -> None:
    """Email the referrer, once the transaction commits, when they gave an address. Only the
    reference, the person's first name, the status, the worker and how to reach the team."""
    if not referral.referrer_email:
        return
    team = team or referral.team
    ref = reference(referral)
    contact = " or ".join(
        part
        for part in (
            f"email {team.email}" if team.email else "",
            f"phone {team.phone}" if team.phone else "",
        )
        if part
    )
    body = [
        f"Hello {referral.referrer_name}," if referral.referrer_name else "Hello,",
        f"This is about your referral {ref}.",
        *[line for line in lines if line],
        f"To contact {team.name}, {contact}." if contact else "",
        f"We only tell you what {referral.given_name} agreed we could share.",
    ]
    transaction.on_commit(
        partial(
            _deliver,
            to=referral.referrer_email,
            subject=f"Referral {ref}: {subject}",
            body="\n\n".join(line for line in body if line),
            kind=kind,
            actor=actor,
            audit_reason=f"Told the referrer about referral {ref}",
            person_id=referral.person_id,
        )
    )


def _referral_of(episode: Episode) -> Referral | None:
    if episode.programme_id != SP:
        return None
    return (
        Referral.objects.filter(episode=episode, status=R.ACCEPTED)
        .select_related("team")
        .exclude(referrer_email="")
        .first()
    )


def referral_first_contact(*, episode: Episode, actor: Any = None) -> None:
    """The link worker has first reached the person: tell the referrer (if any) the date.
    Called where an episode's first contact is first set."""
    referral = _referral_of(episode)
    if referral is None or episode.first_contact_on is None:
        return
    worker = episode.worker.full_name if episode.worker_id else referral.team.name
    _tell_referrer(
        referral=referral,
        actor=actor,
        kind="casework.referral_first_contact",
        subject="first contact made",
        lines=[
            f"{worker} first spoke with {referral.given_name} on "
            f"{long_date(episode.first_contact_on)}."
        ],
    )


def referral_closed(*, episode: Episode, actor: Any = None) -> None:
    """Support has ended: tell the referrer (if any). What changed, in the person's words,
    is added only when they agreed to share something back."""
    referral = _referral_of(episode)
    if referral is None or episode.closed_on is None:
        return
    lines = [
        f"Social prescribing support for {referral.given_name} ended on "
        f"{long_date(episode.closed_on)}."
    ]
    if referral.share_back and episode.outcome_in_own_words:
        lines.append(f"What changed, in their words: {episode.outcome_in_own_words}")
    _tell_referrer(
        referral=referral,
        actor=actor,
        kind="casework.referral_closed",
        subject="support ended",
        lines=lines,
    )
