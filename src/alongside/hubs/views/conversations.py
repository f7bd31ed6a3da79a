"""The practitioner's day and the conversation: what is on at the team's hubs on a day,
recording a booked or drop-in conversation and its outcomes, a conversation's page, and
typing in a paper survey.

Who may use them: Talking Point practitioners and team managers (hubs.view_conversation and
hubs.add_conversation), for hubs run by a team they belong to. A booking, session or
conversation at another team's hub is a 404. Every page showing a person writes an audit
view event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.audit import audit_record
from alongside.core.forms import add_service_errors
from alongside.core.http import posted
from alongside.core.permissions import staff_required
from alongside.directory.models import Service
from alongside.people import selectors as people_selectors
from alongside.people.models import Person
from alongside.people.services import person_record_view

from .. import selectors
from ..forms.conversations import ConversationForm, DayForm, SurveyForm
from ..models import AccessNeed, Booking, Conversation, Hub, Session, Slot, SurveyResponse
from ..selectors import ADD_CONVERSATION, VIEW_CONVERSATION
from ..services import conversations as services

FIND_LIMIT = 25
NEED_LABELS = dict(AccessNeed.choices)
A = Conversation.Attendance


def clock(moment: dt.datetime) -> str:
    """10:00am, 2:30pm."""
    local = timezone.localtime(moment)
    return f"{local:%-I:%M}{local.strftime('%p').lower()}"


def day_words(day: dt.date) -> str:
    """Tuesday 8 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _my_hubs(user: Any):
    return Hub.objects.filter(team_id__in=selectors.team_ids_for_user(user))


def _in_my_teams(user: Any, hub: Hub) -> bool:
    return _my_hubs(user).filter(pk=hub.pk).exists()


# --- the practitioner's day ---------------------------------------------------------------------


def _day_from(request: HttpRequest) -> tuple[dt.date, DayForm]:
    today = timezone.localdate()
    if "on_0" in request.GET:
        form = DayForm(request.GET)
        if form.is_valid():
            return form.cleaned_data["on"], form
        return today, form
    try:
        day = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        day = today
    return day, DayForm(initial={"on": day})


def day_plan(*, user: Any, day: dt.date) -> list[dict[str, Any]]:
    """The sessions at the user's teams' hubs on the day, the user's own first, each with its
    slots and their bookings (visible ones only), and the drop-in conversations recorded.
    Four queries however many sessions, slots and bookings there are."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    mine = Session.practitioners.through.objects.filter(
        session_id=OuterRef("session_id"), user_id=user.pk
    )
    slots = list(
        Slot.objects.filter(
            hub__team_id__in=selectors.team_ids_for_user(user),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("session", "hub", "closure")
        .annotate(mine=Exists(mine))
        .order_by("starts_at")
    )
    bookings_by_slot: dict[int, list[Booking]] = defaultdict(list)
    if slots:
        bookings = (
            selectors.visible_bookings(user=user)
            .filter(slot_id__in=[s.pk for s in slots])
            .select_related("conversation")
            .order_by("seat", "created_at")
        )
        for booking in bookings:
            booking.needs_labels = [NEED_LABELS.get(n, n) for n in booking.access_needs]
            booking.conversation_recorded = hasattr_safe(booking, "conversation")
            booking.can_record = (
                booking.status != Booking.Status.CANCELLED and not booking.conversation_recorded
            )
            bookings_by_slot[booking.slot_id].append(booking)
    session_ids = {s.session_id for s in slots}
    drop_ins: dict[Any, list[Conversation]] = defaultdict(list)
    if session_ids:
        for conversation in selectors.visible_conversations(user=user).filter(
            session_id__in=session_ids, held_on=day, booking__isnull=True
        ):
            drop_ins[conversation.session_id].append(conversation)

    sessions: dict[Any, dict[str, Any]] = {}
    for slot in slots:
        entry = sessions.setdefault(
            slot.session_id,
            {
                "session": slot.session,
                "hub": slot.hub,
                "mine": slot.mine,
                "starts": clock(slot.starts_at),
                "slots": [],
                "drop_ins": drop_ins.get(slot.session_id, []),
                "is_drop_in": slot.session.kind == Session.Kind.DROP_IN,
            },
        )
        entry["ends"] = clock(slot.ends_at)
        entry["slots"].append(
            {
                "slot": slot,
                "time": clock(slot.starts_at),
                "bookings": bookings_by_slot.get(slot.pk, []),
                "closed": slot.status == Slot.Status.CLOSED,
            }
        )
    return sorted(
        sessions.values(),
        key=lambda e: (not e["mine"], e["slots"][0]["slot"].starts_at, e["hub"].name),
    )


def hasattr_safe(booking: Booking, name: str) -> bool:
    """Whether a reverse one-to-one (loaded by select_related) has a row."""
    try:
        getattr(booking, name)
    except Conversation.DoesNotExist:
        return False
    return True


@staff_required(VIEW_CONVERSATION, ADD_CONVERSATION)
@never_cache
def today(request: HttpRequest) -> HttpResponse:
    """The practitioner's day: sessions at their teams' hubs on the chosen day (today unless
    another is chosen), their own sessions first, with who is booked and a link to record each
    conversation."""
    day, form = _day_from(request)
    plan = day_plan(user=request.user, day=day)
    services.day_view_record(
        actor=request.user,
        day=day,
        bookings=[b for e in plan for s in e["slots"] for b in s["bookings"]],
    )
    return render(
        request,
        "hubs/conversations/today.html",
        {
            "day": day,
            "day_words": day_words(day),
            "is_today": day == timezone.localdate(),
            "can_record": day <= timezone.localdate(),
            "previous": (day - dt.timedelta(days=1)).isoformat(),
            "next": (day + dt.timedelta(days=1)).isoformat(),
            "form": form,
            "plan": plan,
        },
    )


# --- recording a conversation -------------------------------------------------------------------


def _survey_to(person: Person, booking: Booking | None) -> str:
    probe = Conversation(person=person, booking=booking, attendance=A.ATTENDED)
    channel, to = services.survey_address(probe)
    if channel == "email":
        return f"{to} by email"
    if channel == "sms":
        return f"{to} by text message"
    return ""


def _record(
    request: HttpRequest,
    *,
    hub: Hub,
    person: Person,
    held_on: dt.date,
    form: ConversationForm,
    booking: Booking | None = None,
    session: Session | None = None,
) -> Conversation | None:
    """Run the form through the service: the conversation, or None (errors on the form). The
    directory search button re-shows the form with results and no errors."""
    if request.method != "POST":
        return None
    if form.is_search:
        form.is_valid()
        form.errors.clear()
        return None
    if not form.is_valid():
        return None
    try:
        return services.conversation_record(
            actor=request.user,
            hub=hub,
            person=person,
            held_on=held_on,
            booking=booking,
            session=session,
            **form.service_fields(),
        )
    except ValidationError as error:
        add_service_errors(form, error, fallback="outcomes")
        return None


def _done(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    person = conversation.person.display_name
    text = f"The conversation with {person} has been recorded."
    if conversation.attendance == A.DID_NOT_ATTEND:
        text = f"{person} did not come. This has been recorded."
    elif conversation.attendance == A.CANCELLED:
        text = f"The booking for {person} has been cancelled and the place given back."
    if getattr(conversation, "survey_message", None) is not None:
        text += " We have sent them the survey link."
    messages.success(request, text)
    return redirect("hubs:conversation", pk=conversation.pk)


@staff_required(VIEW_CONVERSATION, ADD_CONVERSATION)
@never_cache
def conversation_new(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Record the conversation for a booking at a hub of the user's teams."""
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    hub = booking.slot.hub
    if not _in_my_teams(request.user, hub):
        raise Http404("Not found")
    existing = Conversation.objects.filter(booking=booking).only("pk").first()
    if existing is not None:
        messages.info(request, "The conversation for this booking has already been recorded.")
        return redirect("hubs:conversation", pk=existing.pk)
    person = booking.person
    held_on = timezone.localtime(booking.slot.starts_at).date()
    context: dict[str, Any] = {
        "booking": booking,
        "person": person,
        "hub": hub,
        "when": f"{day_words(held_on)}, {clock(booking.slot.starts_at)}",
        "back_url": f"{reverse('hubs:today')}?on={held_on.isoformat()}",
    }
    if request.method == "GET":
        person_record_view(
            actor=request.user, person=person, reason="Recording a Talking Point conversation"
        )
    if booking.status == Booking.Status.CANCELLED or held_on > timezone.localdate():
        context["cannot"] = (
            "This booking was cancelled, so there is no conversation to record."
            if booking.status == Booking.Status.CANCELLED
            else "This booking is on a later day. You can record the conversation on the day."
        )
        return render(request, "hubs/conversations/conversation_form.html", context)
    first_contact = booking.first_contact
    form = ConversationForm(
        posted(request),
        booked=True,
        survey_to=_survey_to(person, booking),
        initial={
            "what_matters": first_contact.what_matters if first_contact else "",
            "send_survey": True,
        },
    )
    conversation = _record(
        request, hub=hub, person=person, held_on=held_on, form=form, booking=booking
    )
    if conversation is not None:
        return _done(request, conversation)
    context["form"] = form
    return render(request, "hubs/conversations/conversation_form.html", context)


@staff_required(VIEW_CONVERSATION, ADD_CONVERSATION, "people.view_person")
@never_cache
def drop_in_new(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Record a conversation at a session without a booking (a drop-in). Step 1 finds the
    person among the records the user may see; step 2 (?person=) records the conversation.
    The day is ?on= (default today), and cannot be in the future."""
    session = _session_for(request, pk)
    today_date = timezone.localdate()
    try:
        held_on = dt.date.fromisoformat(request.GET.get("on", "")) or today_date
    except ValueError:
        held_on = today_date
    if held_on > today_date:
        held_on = today_date
    base = {
        "session": session,
        "hub": session.hub,
        "held_on": held_on,
        "day_words": day_words(held_on),
        "on": held_on.isoformat(),
        "back_url": f"{reverse('hubs:today')}?on={held_on.isoformat()}",
    }
    person_pk = request.GET.get("person")
    if not person_pk:
        return _find_person(request, base)
    person = people_selectors.person_get_for_user(user=request.user, pk=person_pk)
    if request.method == "GET":
        person_record_view(
            actor=request.user, person=person, reason="Recording a Talking Point drop-in"
        )
    form = ConversationForm(
        posted(request),
        booked=False,
        survey_to=_survey_to(person, None),
        initial={"send_survey": True},
    )
    conversation = _record(
        request, hub=session.hub, person=person, held_on=held_on, form=form, session=session
    )
    if conversation is not None:
        return _done(request, conversation)
    return render(
        request,
        "hubs/conversations/conversation_form.html",
        {
            **base,
            "form": form,
            "person": person,
            "when": base["day_words"],
            "drop_in": True,
        },
    )


def _session_for(request: HttpRequest, pk: UUID) -> Session:
    try:
        return (
            Session.objects.select_related("hub").filter(hub__in=_my_hubs(request.user)).get(pk=pk)
        )
    except (Session.DoesNotExist, ValidationError, ValueError):
        raise Http404("Not found") from None


def _find_person(request: HttpRequest, base: dict[str, Any]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found: list[Person] = []
    total = 0
    if query:
        people = people_selectors.person_list_for_user(user=request.user, query=query)
        found = list(people[: FIND_LIMIT + 1])
        total = len(found)
        found = found[:FIND_LIMIT]
        if found:
            audit_record(
                actor=request.user,
                action="search",
                object_type="people.person",
                object_id="",
                object_label="Find a person for a drop-in",
                reason=f"{len(found)} records shown",
            )
    return render(
        request,
        "hubs/conversations/drop_in_find.html",
        {**base, "query": query, "people": found, "more": total > FIND_LIMIT},
    )


# --- one conversation ---------------------------------------------------------------------------


def _conversation_for(request: HttpRequest, pk: UUID, *, reason: str) -> Conversation:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action="view",
            obj=conversation,
            object_label=f"Talking Point conversation on {conversation.held_on:%d %B %Y}",
            person_id=conversation.person_id,
            reason=reason,
        )
    return conversation


@staff_required(VIEW_CONVERSATION)
@never_cache
def conversation_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A conversation: attendance, what was said, outcomes, the listings the person was
    connected to, and the survey answer (or how to enter one from paper)."""
    conversation = _conversation_for(request, pk, reason="Opened a Talking Point conversation")
    conversation = (
        Conversation.objects.select_related(
            "hub", "person", "booking__slot", "practitioner", "session", "first_contact"
        )
        .prefetch_related(Prefetch("listings", queryset=Service.objects.select_related("provider")))
        .get(pk=conversation.pk)
    )
    survey = SurveyResponse.objects.filter(conversation=conversation).first()
    outcomes = [label for name, label in services.outcome_labels() if getattr(conversation, name)]
    return render(
        request,
        "hubs/conversations/conversation.html",
        {
            "conversation": conversation,
            "person": conversation.person,
            "held_on_words": day_words(conversation.held_on),
            "booked_at": clock(conversation.booking.slot.starts_at) if conversation.booking else "",
            "outcomes": outcomes,
            "listings": list(conversation.listings.all()),
            "survey": survey,
            "score_words": services.SCORE_WORDS.get(survey.score, "") if survey else "",
            "can_enter_survey": survey is None
            and conversation.attendance == A.ATTENDED
            and request.user.has_perm("hubs.add_surveyresponse")
            and _in_my_teams(request.user, conversation.hub),
            "back_url": f"{reverse('hubs:today')}?on={conversation.held_on.isoformat()}",
        },
    )


@staff_required(VIEW_CONVERSATION, "hubs.add_surveyresponse")
@never_cache
def survey_paper(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Type in the answer from a paper survey form, once, for an attended conversation at a
    hub of the user's teams."""
    conversation = _conversation_for(request, pk, reason="Entering a paper survey answer")
    if not _in_my_teams(request.user, conversation.hub):
        raise Http404("Not found")
    if SurveyResponse.objects.filter(conversation=conversation).exists():
        messages.info(request, "The survey for this conversation has already been answered.")
        return redirect("hubs:conversation", pk=conversation.pk)
    if conversation.attendance != A.ATTENDED:
        messages.info(request, "There is no survey for a conversation that did not happen.")
        return redirect("hubs:conversation", pk=conversation.pk)
    form = SurveyForm(posted(request), paper=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_enter(
                actor=request.user,
                conversation=conversation,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.SurveyAlreadyAnswered:
            messages.info(request, "The survey for this conversation has already been answered.")
            return redirect("hubs:conversation", pk=conversation.pk)
        except ValidationError as error:
            add_service_errors(form, error, fallback="score")
        else:
            messages.success(request, "The survey answer has been saved.")
            return redirect("hubs:conversation", pk=conversation.pk)
    return render(
        request,
        "hubs/conversations/survey_paper.html",
        {"form": form, "conversation": conversation, "person": conversation.person},
    )


urlpatterns = [
    path("today/", today, name="today"),
    path("bookings/<uuid:pk>/conversation/", conversation_new, name="conversation-new"),
    path("sessions/<uuid:pk>/drop-in/", drop_in_new, name="drop-in-new"),
    path("conversations/<uuid:pk>/", conversation_detail, name="conversation"),
    path("conversations/<uuid:pk>/survey/", survey_paper, name="survey-paper"),
]
