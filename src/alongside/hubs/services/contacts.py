"""Writes for the front door: first contacts, the decision taken, and the assessment waiting
list (requests, then assessed or withdrawn).

A decision is made once and is final: it may lead to a record elsewhere (an introduction to
Local Area Coordination, a referral to social prescribing, an assessment request), and
changing it afterwards would leave that record behind. A decision that fails (say no Local
Area Coordination team covers the ward) changes nothing, and the contact stays undecided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import Membership, Programme, Team, User
from alongside.core.audit import audit_record
from alongside.people.models import Person
from alongside.people.services import involvement_open

from ..models import AssessmentRequest, Conversation, FirstContact
from ..selectors import ADD_CONTACT, CHANGE_ASSESSMENT

D = FirstContact.Decision
A = AssessmentRequest.Status

CHANGE_CONTACT = "hubs.change_firstcontact"
ADD_ASSESSMENT = "hubs.add_assessmentrequest"

# Who made contact, as casework's "who introduced them".
MADE_BY_TO_SOURCE = {
    FirstContact.MadeBy.PERSON: "self",
    FirstContact.MadeBy.FAMILY: "family_friend",
    FirstContact.MadeBy.PROFESSIONAL: "other",
}
# Casework's error fields that the decision form also has; others go against the decision.
LAC_FIELDS = {"reasons": "reasons", "reasons_other": "reasons_other"}
SP_FIELDS = {
    **LAC_FIELDS,
    "team": "referral_team",
    "referral_team": "referral_team",
    "pathway": "referral_team",
    "answers": "referral_team",
    "consent_to_referral": "consent_to_referral",
}
FRONT_DOOR_SOURCE_DETAIL = "The council's front door (customer access)"


def front_door_teams(*, user: Any) -> list[Team]:
    """The active front-door teams the user works in, in name order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Team.objects.filter(
            is_active=True,
            programmes=Programme.Code.FRONT_DOOR,
            memberships__user=user,
        )
        .distinct()
        .order_by("name")
    )


def _is_member(user: Any, team_id: Any) -> bool:
    return Membership.objects.filter(user=user, team_id=team_id, team__is_active=True).exists()


def _renamed(error: ValidationError, names: dict[str, str], default: str) -> ValidationError:
    """Another app's validation errors, against the names this app's forms use: those in
    `names` renamed, any other field's errors against `default`."""
    if not hasattr(error, "error_dict"):
        return ValidationError({default: error.messages})
    renamed: dict[str, list[str]] = {}
    for field, errors in error.message_dict.items():
        renamed.setdefault(names.get(field, default), []).extend(errors)
    return ValidationError(renamed)


def _contact_audit(
    *, actor: Any, contact: FirstContact, action: str, reason: str = "", changes: Any = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=contact,
        person_id=contact.person_id,
        reason=reason,
        changes=changes,
    )


# --- first contacts ---------------------------------------------------------------------------


@transaction.atomic
def contact_create(
    *,
    actor: User,
    person: Person,
    team: Team,
    made_by: str,
    contact_date: dt.date | None = None,
    channel: str = FirstContact.Channel.PHONE,
    contact_name: str = "",
    contact_organisation: str = "",
    contact_details: str = "",
    what_matters: str = "",
    worries: str = "",
    urgency: str = FirstContact.Urgency.ROUTINE,
    safeguarding: bool = False,
    safeguarding_details: str = "",
    decision: str = "",
    decision_notes: str = "",
    **decision_details: Any,
) -> FirstContact:
    """Record a first contact taken by the actor's front-door team, and give the team its
    reason to see the person. With a decision, it is made at once (see `contact_decide`,
    which takes `decision_details`); if the decision fails, nothing is recorded."""
    if not actor.has_perm(ADD_CONTACT):
        raise PermissionDenied("You do not have a role that records first contacts.")
    if team not in front_door_teams(user=actor):
        raise ValidationError({"team": "Choose a front-door team you work in"})
    contact_date = contact_date or timezone.localdate()
    errors: dict[str, str] = {}
    if contact_date > timezone.localdate():
        errors["contact_date"] = "The date of first contact must be today or in the past"
    if made_by not in FirstContact.MadeBy.values:
        errors["made_by"] = "Choose who made contact"
    elif made_by != FirstContact.MadeBy.PERSON:
        if not contact_name.strip():
            errors["contact_name"] = "Enter the name of the person who made contact"
        if not contact_details.strip():
            errors["contact_details"] = "Enter how to reach the person who made contact"
        if made_by == FirstContact.MadeBy.PROFESSIONAL and not contact_organisation.strip():
            errors["contact_organisation"] = "Enter the professional's organisation"
    if channel not in FirstContact.Channel.values:
        errors["channel"] = "Choose how they made contact"
    if urgency not in FirstContact.Urgency.values:
        errors["urgency"] = "Choose how urgent it is"
    if safeguarding and not safeguarding_details.strip():
        errors["safeguarding_details"] = "Enter what the safeguarding concern is"
    if person.is_archived:
        errors["person"] = "This person's record is archived. Bring it back into use first"
    if errors:
        raise ValidationError(errors)
    person_kept = made_by == FirstContact.MadeBy.PERSON
    contact = FirstContact(
        person=person,
        team=team,
        ward=person.ward,
        contact_date=contact_date,
        channel=channel,
        made_by=made_by,
        contact_name="" if person_kept else contact_name.strip(),
        contact_organisation="" if person_kept else contact_organisation.strip(),
        contact_details="" if person_kept else contact_details.strip(),
        what_matters=what_matters.strip(),
        worries=worries.strip(),
        urgency=urgency,
        safeguarding=safeguarding,
        safeguarding_details=safeguarding_details.strip() if safeguarding else "",
        created_by=actor,
        modified_by=actor,
    )
    contact.full_clean()
    contact.save()
    involvement_open(
        actor=actor, person=person, team=team, reason="First contact at the front door"
    )
    _contact_audit(
        actor=actor,
        contact=contact,
        action="create",
        reason="Recorded a first contact",
        changes={
            "team": [None, team.name],
            "contact_date": [None, contact_date.isoformat()],
            "made_by": [None, made_by],
            "urgency": [None, urgency],
            "safeguarding": [None, safeguarding],
        },
    )
    if decision:
        contact = contact_decide(
            actor=actor,
            contact=contact,
            decision=decision,
            notes=decision_notes,
            **decision_details,
        )
    return contact


def _lac_introduction(
    *,
    actor: User,
    contact: FirstContact,
    reasons: Sequence[str],
    reasons_other: str,
    notes: str,
) -> Any:
    from alongside.casework.services import IntroductionDetails, introduction_create

    details = IntroductionDetails(
        source=MADE_BY_TO_SOURCE[contact.made_by],
        source_other=FRONT_DOOR_SOURCE_DETAIL
        if contact.made_by == FirstContact.MadeBy.PROFESSIONAL
        else "",
        reasons=list(reasons),
        reasons_other=reasons_other,
        received_on=contact.contact_date,
        introducer_name=contact.contact_name,
        introducer_organisation=contact.contact_organisation,
        introducer_contact=contact.contact_details,
        notes="\n\n".join(p for p in (contact.what_matters, notes.strip()) if p),
    )
    episode = introduction_create(
        actor=actor,
        person=contact.person,
        programme_code=Programme.Code.LAC,
        details=details,
        ward=contact.ward or contact.person.ward,
    )
    return episode.introduction


def _sp_referral(
    *,
    actor: User,
    contact: FirstContact,
    referral_team: Team | None,
    pathway: Any,
    reasons: Sequence[str],
    reasons_other: str,
    consent_to_referral: bool,
) -> Any:
    from alongside.casework.models import Referral
    from alongside.casework.services import ReferralDetails, ReferredPerson, referral_create

    if referral_team is None:
        raise ValidationError({"referral_team": "Choose a social prescribing team"})
    person = contact.person
    address = ", ".join(p for p in (person.address_line_1, person.address_line_2, person.town) if p)
    referral = referral_create(
        actor=actor,
        team=referral_team,
        pathway=pathway,
        person=ReferredPerson(
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            nhs_number=person.nhs_number,
            phone=person.phone,
            email=person.email,
            address=address,
            postcode=person.postcode,
        ),
        details=ReferralDetails(
            source=Referral.Source.ADULT_SOCIAL_CARE,
            source_detail=FRONT_DOOR_SOURCE_DETAIL,
            reasons=list(reasons),
            reasons_other=reasons_other,
            consent_to_referral=consent_to_referral,
            what_matters=contact.what_matters,
            urgency=contact.urgency,
            referrer_name=actor.full_name,
            referrer_role="Front-door officer",
            referrer_email=actor.email,
        ),
    )
    return referral


@transaction.atomic
def contact_decide(
    *,
    actor: User,
    contact: FirstContact,
    decision: str,
    notes: str = "",
    reasons: Sequence[str] = (),
    reasons_other: str = "",
    referral_team: Team | None = None,
    pathway: Any = None,
    consent_to_referral: bool = False,
) -> FirstContact:
    """Decide what happens after a first contact. Once decided, the decision is final.

    - information: nothing more.
    - talking_point: the caller books next (the booking links back to the contact).
    - lac: an introduction to Local Area Coordination for the ward's team (`reasons`).
    - social_prescribing: a referral to `referral_team` (and `pathway`), with the person's
      agreement (`consent_to_referral`) and `reasons`.
    - assessment: the person joins the assessment waiting list, from the contact date.
    - urgent_response: `notes` must say what was done.
    Only a member of the team that took the contact may decide."""
    if not actor.has_perm(CHANGE_CONTACT) or not _is_member(actor, contact.team_id):
        raise PermissionDenied("Only the front-door team that took the contact can decide.")
    locked = (
        FirstContact.objects.select_for_update(of=("self",))
        .select_related("person", "team", "ward")
        .get(pk=contact.pk)
    )
    if locked.decision:
        raise ValidationError(
            {
                "decision": "A decision has already been made: "
                f"{locked.get_decision_display().lower()}. A decision cannot be changed"
            }
        )
    if decision not in D.values:
        raise ValidationError({"decision": "Choose what happens next"})
    notes = notes.strip()
    if decision == D.URGENT_RESPONSE and not notes:
        raise ValidationError({"decision_notes": "Enter what was done as an urgent response"})
    changes: dict[str, Any] = {"decision": [None, decision]}
    if decision == D.LAC:
        try:
            locked.introduction = _lac_introduction(
                actor=actor,
                contact=locked,
                reasons=reasons,
                reasons_other=reasons_other,
                notes=notes,
            )
        except PermissionDenied:
            raise ValidationError(
                {"decision": "Your role cannot introduce people to Local Area Coordination"}
            ) from None
        except ValidationError as error:
            raise _renamed(error, LAC_FIELDS, "decision") from error
        changes["introduction"] = [None, str(locked.introduction.pk)]
    elif decision == D.SOCIAL_PRESCRIBING:
        try:
            locked.referral = _sp_referral(
                actor=actor,
                contact=locked,
                referral_team=referral_team,
                pathway=pathway,
                reasons=reasons,
                reasons_other=reasons_other,
                consent_to_referral=consent_to_referral,
            )
        except PermissionDenied:
            raise ValidationError(
                {"decision": "Your role cannot refer people to social prescribing"}
            ) from None
        except ValidationError as error:
            raise _renamed(error, SP_FIELDS, "decision") from error
        changes["referral"] = [None, str(locked.referral.pk)]
    elif decision == D.ASSESSMENT:
        request = assessment_request_create(
            actor=actor,
            person=locked.person,
            team=locked.team,
            route=AssessmentRequest.Route.FRONT_DOOR,
            requested_on=locked.contact_date,
            first_contact=locked,
        )
        changes["assessment"] = [None, str(request.pk)]
    locked.decision = decision
    locked.decision_notes = notes
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.modified_by = actor
    locked.full_clean()
    locked.save()
    _contact_audit(actor=actor, contact=locked, action="change", reason="Decided", changes=changes)
    return locked


def contact_view_record(*, actor: User, contact: FirstContact) -> None:
    """Every opening of a first contact is recorded against the person."""
    audit_record(
        actor=actor,
        action="view",
        obj=contact,
        person_id=contact.person_id,
        reason="Opened a first contact",
    )


# --- the assessment waiting list ---------------------------------------------------------------


@transaction.atomic
def assessment_request_create(
    *,
    actor: User,
    person: Person,
    team: Team,
    route: str,
    requested_on: dt.date,
    first_contact: FirstContact | None = None,
    conversation: Conversation | None = None,
) -> AssessmentRequest:
    """Put the person on the assessment waiting list, held by `team` (the front-door team
    from the front door; the hub's team after a Talking Point), which gets its reason to see
    the person. One waiting request per person per team."""
    if not actor.has_perm(ADD_ASSESSMENT):
        raise PermissionDenied("You do not have a role that requests assessments.")
    errors: dict[str, str] = {}
    if route not in AssessmentRequest.Route.values:
        errors["route"] = "Choose how the assessment was requested"
    elif route == AssessmentRequest.Route.FRONT_DOOR and first_contact is None:
        errors["first_contact"] = "A request from the front door needs its first contact"
    elif route == AssessmentRequest.Route.TALKING_POINT and conversation is None:
        errors["conversation"] = "A request after a Talking Point needs its conversation"
    if requested_on > timezone.localdate():
        errors["requested_on"] = "The date of the request must be today or in the past"
    if first_contact is not None and first_contact.person_id != person.pk:
        errors["first_contact"] = "The first contact is about someone else"
    if conversation is not None and conversation.person_id != person.pk:
        errors["conversation"] = "The conversation is with someone else"
    if person.is_archived:
        errors["person"] = "This person's record is archived. Bring it back into use first"
    if errors:
        raise ValidationError(errors)
    if AssessmentRequest.objects.filter(person=person, team=team, status=A.WAITING).exists():
        raise ValidationError(
            {"person": f"{person.display_name} is already on the assessment waiting list"}
        )
    request = AssessmentRequest(
        person=person,
        team=team,
        route=route,
        first_contact=first_contact,
        conversation=conversation,
        requested_on=requested_on,
        created_by=actor,
        modified_by=actor,
    )
    request.full_clean()
    request.save()
    involvement_open(
        actor=actor, person=person, team=team, reason="Waiting for a Care Act assessment"
    )
    audit_record(
        actor=actor,
        action="create",
        obj=request,
        person_id=person.pk,
        reason="Joined the assessment waiting list",
        changes={
            "team": [None, team.name],
            "route": [None, route],
            "requested_on": [None, requested_on.isoformat()],
        },
    )
    return request


def _waiting_for_change(*, actor: User, request: AssessmentRequest) -> AssessmentRequest:
    if not actor.has_perm(CHANGE_ASSESSMENT) or not _is_member(actor, request.team_id):
        raise PermissionDenied("Only the team that holds the request can change it.")
    locked = AssessmentRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != A.WAITING:
        raise ValidationError(
            {"status": f"This request is already {locked.get_status_display().lower()}"}
        )
    return locked


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    request: AssessmentRequest,
    assessed_on: dt.date,
    paid_service_needed: bool,
    notes: str = "",
) -> AssessmentRequest:
    """The person was assessed: on which day (not before the request, not in the future)
    and whether a paid-for service is needed."""
    locked = _waiting_for_change(actor=actor, request=request)
    if assessed_on > timezone.localdate():
        raise ValidationError(
            {"assessed_on": "The date of the assessment must be today or in the past"}
        )
    if assessed_on < locked.requested_on:
        raise ValidationError(
            {"assessed_on": "The date of the assessment must be on or after the request"}
        )
    if paid_service_needed not in (True, False):
        raise ValidationError({"paid_service_needed": "Say whether a paid-for service is needed"})
    locked.status = A.ASSESSED
    locked.assessed_on = assessed_on
    locked.paid_service_needed = paid_service_needed
    locked.notes = notes.strip()
    locked.modified_by = actor
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="change",
        obj=locked,
        person_id=locked.person_id,
        reason="Assessed",
        changes={
            "status": [A.WAITING, A.ASSESSED],
            "assessed_on": [None, assessed_on.isoformat()],
            "paid_service_needed": [None, paid_service_needed],
        },
    )
    return locked


@transaction.atomic
def assessment_withdraw(
    *, actor: User, request: AssessmentRequest, reason: str
) -> AssessmentRequest:
    """Take the person off the waiting list without an assessment, saying why."""
    locked = _waiting_for_change(actor=actor, request=request)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the request is withdrawn"})
    if len(reason) > 200:
        raise ValidationError({"reason": "The reason must be 200 characters or fewer"})
    locked.status = A.WITHDRAWN
    locked.withdrawn_reason = reason
    locked.modified_by = actor
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        action="change",
        obj=locked,
        person_id=locked.person_id,
        reason=f"Withdrawn: {reason}",
        changes={"status": [A.WAITING, A.WITHDRAWN]},
    )
    return locked


def assessment_view_record(*, actor: User, request: AssessmentRequest) -> None:
    audit_record(
        actor=actor,
        action="view",
        obj=request,
        person_id=request.person_id,
        reason="Opened an assessment request",
    )
