"""Writes for the conversation itself: recording what happened at a Talking Point (from a
booking or at a drop-in), and the short satisfaction survey afterwards.

- `conversation_record` keeps the booking in step: attended or did not attend is written on
  the booking in the same transaction; "cancelled on the day" cancels the booking (freeing
  the seat) through the booking services.
- A full assessment asked for at the conversation joins the assessment waiting list.
- The survey link is signed (purpose "survey", the conversation and its
  `survey_token_version`), so it works once the conversation exists and stops working when the
  version is bumped; each conversation takes one answer only, by link or from paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Membership
from alongside.core.audit import audit_record
from alongside.directory.models import PUBLIC_STATES, Service
from alongside.people.models import Person

from ..models import (
    AssessmentRequest,
    Booking,
    BookingMessage,
    Conversation,
    FirstContact,
    Hub,
    Session,
    SurveyResponse,
)
from ..tokens import BadToken, make_token, read_token

SURVEY_PURPOSE = "survey"
SURVEY_KIND = "hubs.survey"

# The words for each point of the survey's scale, in the order they are shown.
SCORE_WORDS = {
    5: "Very helpful",
    4: "Helpful",
    3: "Neither helpful nor unhelpful",
    2: "Not very helpful",
    1: "Not helpful at all",
}
SCORE_CHOICES = list(SCORE_WORDS.items())
COMMENT_MAX = 2000

A = Conversation.Attendance
BOOKING_STATUS_FOR = {
    A.ATTENDED: Booking.Status.ATTENDED,
    A.DID_NOT_ATTEND: Booking.Status.DID_NOT_ATTEND,
}


class SurveyAlreadyAnswered(Exception):
    """The conversation's survey has an answer already: the first one stands."""


# --- helpers ------------------------------------------------------------------------------------


def outcome_labels() -> list[tuple[str, str]]:
    """(field, label) for each outcome, in the model's order, with a capital first letter."""
    labels = []
    for name in Conversation.OUTCOME_FIELDS:
        label = str(Conversation._meta.get_field(name).verbose_name)
        labels.append((name, label[:1].upper() + label[1:]))
    return labels


def _in_hub_team(actor: Any, hub: Hub) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return Membership.objects.filter(user=actor, team_id=hub.team_id, team__is_active=True).exists()


def _check_actor(actor: Any, hub: Hub) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("hubs.add_conversation"):
        raise PermissionDenied("You do not have a role that allows this.")
    if not _in_hub_team(actor, hub):
        raise PermissionDenied("Only the team that runs the hub records its conversations.")


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# --- recording a conversation -------------------------------------------------------------------


def conversation_record(
    *,
    actor: Any,
    hub: Hub,
    person: Person,
    held_on: dt.date,
    attendance: str,
    booking: Booking | None = None,
    session: Session | None = None,
    first_contact: FirstContact | None = None,
    what_matters: str = "",
    strengths: str = "",
    people_around: str = "",
    notes: str = "",
    outcomes: Iterable[str] = (),
    listings: Iterable[Service] = (),
    send_survey: bool = False,
) -> Conversation:
    """Record a conversation (one per booking) and keep the booking in step.

    `outcomes` names fields in Conversation.OUTCOME_FIELDS: at least one when the person
    attended, none otherwise; `listings` are published directory listings, required when
    "connected to a community activity" is among the outcomes. A booking's conversation is
    recorded on or after its day, never in the future. With `send_survey`, an attended
    conversation sends the survey link (by email, else text message) once the record is
    saved; the message sent, if any, is on `conversation.survey_message`.

    Raises ValidationError (keyed by argument name) for bad input and PermissionDenied when
    the actor is not in the team that runs the hub.
    """
    conversation = _record(
        actor=actor,
        hub=hub,
        person=person,
        held_on=held_on,
        attendance=attendance,
        booking=booking,
        session=session,
        first_contact=first_contact,
        what_matters=what_matters,
        strengths=strengths,
        people_around=people_around,
        notes=notes,
        outcomes=outcomes,
        listings=listings,
    )
    conversation.survey_message = None  # type: ignore[attr-defined]
    if send_survey and conversation.attendance == A.ATTENDED:
        # A message that cannot be sent (no usable address) leaves the record as it is.
        conversation.survey_message = survey_send(  # type: ignore[attr-defined]
            actor=actor, conversation=conversation
        )
    return conversation


@transaction.atomic
def _record(
    *,
    actor: Any,
    hub: Hub,
    person: Person,
    held_on: dt.date,
    attendance: str,
    booking: Booking | None,
    session: Session | None,
    first_contact: FirstContact | None,
    what_matters: str,
    strengths: str,
    people_around: str,
    notes: str,
    outcomes: Iterable[str],
    listings: Iterable[Service],
) -> Conversation:
    _check_actor(actor, hub)
    outcomes = list(dict.fromkeys(outcomes))
    listings = list(dict.fromkeys(listings))
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if attendance not in A.values:
        error("attendance", "Choose whether the person came")
    unknown = [name for name in outcomes if name not in Conversation.OUTCOME_FIELDS]
    if unknown:
        error("outcomes", "Choose outcomes from the list")
    today = timezone.localdate()
    if held_on is None:
        error("held_on", "Enter the date of the conversation")
    elif held_on > today:
        error("held_on", "The date of the conversation must be today or in the past")

    if booking is not None:
        # Lock the booking so two people recording the same conversation cannot both win.
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("slot", "slot__session", "first_contact")
            .get(pk=booking.pk)
        )
        if booking.slot.hub_id != hub.pk or booking.person_id != person.pk:
            raise ValidationError({"booking": "This booking is for another hub or person"})
        if Conversation.objects.filter(booking=booking).exists():
            raise ValidationError(
                {"booking": "A conversation has already been recorded for this booking"}
            )
        if booking.status == Booking.Status.CANCELLED:
            error("attendance", "This booking was cancelled, so there is no conversation to record")
        slot_day = _local_day(booking.slot.starts_at)
        if slot_day > today:
            error(
                "held_on",
                "This booking is on a later day. Record the conversation on or after the day",
            )
        elif held_on is not None and held_on < slot_day:
            error("held_on", "The date of the conversation must be on or after the booking")
        session = session or booking.slot.session
        first_contact = first_contact or booking.first_contact
    elif attendance == A.CANCELLED:
        error("attendance", "Only a booked conversation can be cancelled on the day")
    elif attendance == A.DID_NOT_ATTEND:
        error("attendance", "Only a booked conversation can be missed")
    if session is not None and session.hub_id != hub.pk:
        raise ValidationError({"session": "This session is at another hub"})

    if attendance == A.ATTENDED:
        if not outcomes:
            error("outcomes", "Choose at least one outcome of the conversation")
        if "connected_activity" in outcomes and not listings:
            error("listings", "Choose the community activities the person was connected to")
        if listings and "connected_activity" not in outcomes:
            error(
                "listings",
                "Tick ‘connected to a community activity’, or remove the listings you chose",
            )
    elif outcomes or listings:
        error("outcomes", "Leave the outcomes empty when the conversation did not happen")
    public_ids = set(
        Service.objects.filter(
            pk__in=[s.pk for s in listings], state__in=PUBLIC_STATES
        ).values_list("pk", flat=True)
    )
    if any(s.pk not in public_ids for s in listings):
        error("listings", "Choose listings that are published in the directory")
    if errors:
        raise ValidationError(errors)

    conversation = Conversation(
        booking=booking,
        session=session,
        hub=hub,
        person=person,
        first_contact=first_contact,
        practitioner=actor,
        held_on=held_on,
        attendance=attendance,
        what_matters=what_matters.strip(),
        strengths=strengths.strip(),
        people_around=people_around.strip(),
        notes=notes.strip(),
        created_by=actor,
        modified_by=actor,
        **{name: name in outcomes for name in Conversation.OUTCOME_FIELDS},
    )
    conversation.full_clean()
    conversation.save()
    if listings:
        conversation.listings.set(listings)

    if booking is not None:
        _update_booking(actor=actor, booking=booking, attendance=attendance)

    # The hub's team now works with the person, so its staff can open their record.
    from alongside.people.services import involvement_open

    involvement_open(actor=actor, person=person, team=hub.team, reason="Talking Point conversation")

    already_waiting = AssessmentRequest.objects.filter(
        person=person, team=hub.team, status=AssessmentRequest.Status.WAITING
    ).exists()
    if conversation.assessment_requested and not already_waiting:
        from .contacts import assessment_request_create

        assessment_request_create(
            actor=actor,
            person=person,
            team=hub.team,
            route="talking_point",
            requested_on=held_on,
            first_contact=first_contact,
            conversation=conversation,
        )

    audit_record(
        actor=actor,
        action="create",
        obj=conversation,
        object_label=f"Talking Point conversation on {held_on:%d %B %Y}",
        person_id=person.pk,
        reason=f"Recorded a Talking Point conversation ({conversation.get_attendance_display()})",
        changes={
            "attendance": [None, attendance],
            "outcomes": [None, [name for name in Conversation.OUTCOME_FIELDS if name in outcomes]],
            "listings": [None, [str(s.pk) for s in listings]],
            "booking": [None, str(booking.pk) if booking else None],
        },
    )
    return conversation


def _update_booking(*, actor: Any, booking: Booking, attendance: str) -> None:
    if attendance == A.CANCELLED:
        from .bookings import booking_cancel

        if booking.status == Booking.Status.BOOKED:
            # They told us on the day, so no message; the seat goes to the waiting list
            # only while the slot is still to come.
            booking_cancel(
                actor=actor,
                booking=booking,
                reason="Cancelled on the day",
                cancelled_by=Booking.CancelledBy.PERSON,
                notify=False,
                offer_waiting=booking.slot.starts_at > timezone.now(),
            )
        return
    status = BOOKING_STATUS_FOR[attendance]
    if booking.status == status:
        return
    Booking.objects.filter(pk=booking.pk).update(
        status=status,
        token_version=F("token_version") + 1,
        modified_by=actor,
        modified_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="change",
        obj=booking,
        person_id=booking.person_id,
        reason="Conversation recorded",
        changes={"status": [booking.status, status]},
    )
    booking.status = status


# --- the survey ---------------------------------------------------------------------------------


def survey_token(conversation: Conversation) -> str:
    return make_token(SURVEY_PURPOSE, conversation.pk, conversation.survey_token_version)


def survey_url(conversation: Conversation) -> str:
    path = reverse("hubs-public:survey", kwargs={"token": survey_token(conversation)})
    return settings.ALONGSIDE_SITE_URL.rstrip("/") + path


def survey_address(conversation: Conversation) -> tuple[str, str]:
    """("email", address), ("sms", number) or ("", ""): where the survey link can go. The
    booking's own details come first; a person who asked not to be emailed or phoned is not."""
    from alongside.notify.services import normalise_mobile

    person = conversation.person
    booking = conversation.booking
    if not person.do_not_email:
        email = (booking.email if booking else "") or person.email
        if email:
            return "email", email
    if not person.do_not_phone:
        for number in ((booking.mobile if booking else ""), person.phone):
            if not number:
                continue
            try:
                return "sms", normalise_mobile(number)
            except ValidationError:
                continue
    return "", ""


def _survey_text(conversation: Conversation, url: str) -> str:
    return (
        f"Thank you for coming to your Talking Point at {conversation.hub.name}.\n\n"
        "Please tell us how helpful it was. There are 2 short questions and it takes about "
        "1 minute.\n\n"
        f"{url}\n\n"
        f"This link works for {settings.HUBS_LINK_DAYS} days."
    )


def survey_send(*, actor: Any, conversation: Conversation) -> Any:
    """Send the survey link after an attended conversation, by email if we may, else by text
    message. Returns the outbox message, or None when there is nowhere to send it, the
    person did not attend or the survey is already answered."""
    from alongside.notify.services import send_email, send_sms

    if (
        conversation.attendance != A.ATTENDED
        or SurveyResponse.objects.filter(conversation=conversation).exists()
    ):
        return None
    channel, to = survey_address(conversation)
    if not channel:
        return None
    body = _survey_text(conversation, survey_url(conversation))
    try:
        with transaction.atomic():
            if channel == "email":
                message = send_email(
                    to=to,
                    subject="How helpful was your Talking Point?",
                    body=body,
                    kind=SURVEY_KIND,
                    actor=actor,
                    person_id=conversation.person_id,
                    audit_reason="Sent the Talking Point survey link",
                )
            else:
                message = send_sms(
                    to=to,
                    body=body,
                    kind=SURVEY_KIND,
                    actor=actor,
                    person_id=conversation.person_id,
                    audit_reason="Sent the Talking Point survey link",
                )
            if conversation.booking_id:
                BookingMessage.objects.create(
                    booking_id=conversation.booking_id,
                    kind=BookingMessage.Kind.SURVEY,
                    message=message,
                )
    except ValidationError:
        return None
    return message


def survey_conversation(token: str) -> Conversation:
    """The conversation a survey link is for. BadToken when the link is altered, for
    something else, too old, or replaced by a newer link."""
    data = read_token(SURVEY_PURPOSE, token)
    conversation = (
        Conversation.objects.select_related("hub").filter(pk=data.pk).first()
        if _is_uuid(data.pk)
        else None
    )
    if conversation is None or conversation.survey_token_version != data.version:
        raise BadToken("This link is not right.")
    return conversation


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _check_answer(score: Any, comment: str) -> tuple[int, str]:
    errors: dict[str, str] = {}
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in SCORE_WORDS:
        errors["score"] = "Choose how helpful your conversation was"
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Your comment must be {COMMENT_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    return score, comment


def _save_answer(
    *, actor: Any, conversation: Conversation, score: int, comment: str, source: str
) -> SurveyResponse:
    # Lock the conversation so two answers sent at once cannot both be kept.
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    if SurveyResponse.objects.filter(conversation=conversation).exists():
        raise SurveyAlreadyAnswered
    creator = actor if getattr(actor, "is_authenticated", False) else None
    response = SurveyResponse(
        conversation=conversation,
        score=score,
        comment=comment,
        source=source,
        created_by=creator,
        modified_by=creator,
    )
    response.full_clean()
    response.save()
    audit_record(
        actor=actor,
        action="create",
        obj=response,
        object_label="Talking Point survey answer",
        person_id=conversation.person_id,
        reason=f"Survey answered ({response.get_source_display().lower()})",
        changes={"score": [None, score]},
    )
    return response


@transaction.atomic
def survey_submit(*, token: str, score: Any, comment: str = "") -> SurveyResponse:
    """The person answers the survey from the link. BadToken for a bad or expired link,
    SurveyAlreadyAnswered after the first answer, ValidationError for a missing score."""
    conversation = survey_conversation(token)
    if SurveyResponse.objects.filter(conversation=conversation).exists():
        raise SurveyAlreadyAnswered
    score, comment = _check_answer(score, comment)
    return _save_answer(
        actor=None,
        conversation=conversation,
        score=score,
        comment=comment,
        source=SurveyResponse.Source.LINK,
    )


@transaction.atomic
def survey_enter(
    *, actor: Any, conversation: Conversation, score: Any, comment: str = ""
) -> SurveyResponse:
    """Staff type in the answer from a paper form. Only the hub's team, and only once."""
    if not actor.has_perm("hubs.add_surveyresponse") or not _in_hub_team(actor, conversation.hub):
        raise PermissionDenied("Only the team that runs the hub enters its survey answers.")
    if conversation.attendance != A.ATTENDED:
        raise ValidationError(
            {"score": "There is no survey for a conversation that did not happen"}
        )
    score, comment = _check_answer(score, comment)
    return _save_answer(
        actor=actor,
        conversation=conversation,
        score=score,
        comment=comment,
        source=SurveyResponse.Source.PAPER,
    )


def day_view_record(*, actor: Any, day: dt.date, bookings: Iterable[Booking]) -> int:
    """The practitioner's day showed these bookings (names, needs, notes): one audit view
    event per booking, against its person, written in one query."""
    from alongside.core.logging import request_id_var
    from alongside.core.models import AuditEvent

    request_id = request_id_var.get()
    events = [
        AuditEvent(
            actor=actor,
            actor_label=actor.email[:254],
            action=AuditEvent.Action.VIEW,
            object_type="hubs.booking",
            object_id=str(booking.pk),
            object_label=f"Talking Point booking on {day:%d %B %Y}",
            person_id=booking.person_id,
            reason="Practitioner's day",
            request_id=request_id if request_id != "-" else "",
        )
        for booking in bookings
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
