"""Hubs, sessions and closures: the staff pages.

Who may use these pages:
- the hub list, a hub's page, a session's page and the list of closures: hubs.view_hub
  (front-door officers, practitioners, managers). Hubs hold no personal data, so everyone
  with the permission sees every hub. On a hub's page the names of people booked show only to
  members of the team running the hub who may see bookings (selectors.visible_bookings);
  showing them is audited, once for each person.
- adding a hub: hubs.manage_hubs, for a team the user leads. Changing a hub, adding or
  changing its sessions and cancelling a session's day: hubs.manage_hubs and leading the
  hub's team (another team's hub is a 404, as selectors.hubs_managed_by gives).
- adding a closure: hubs.manage_hubs; for one hub, leading its team; for every hub (a bank
  holiday), the permission alone. Taking a closure back: the same, before it starts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.audit import acting_user
from alongside.core.forms import add_service_errors
from alongside.core.logging import request_id_var
from alongside.core.models import AuditEvent
from alongside.core.permissions import staff_required
from alongside.directory.models import Location

from .. import selectors
from ..forms.schedule import (
    EVERY_HUB,
    CancelDayForm,
    ClosureForm,
    HubForm,
    SessionForm,
    VenueSearchForm,
    format_time,
    hub_initial,
    session_initial,
)
from ..models import Booking, Closure, Hub, Session, Slot
from ..selectors import MANAGE_HUBS, VIEW_BOOKING, VIEW_HUB
from ..services import schedule as services

DAYS_SHOWN = 14
SESSION_DAYS_SHOWN = 28
VENUES_SHOWN = 20


def posted(request: HttpRequest) -> Any:
    """The submitted data, or None for a GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None


def long_date(day: dt.date) -> str:
    """'Tuesday 8 December' (with the year when it is not this year)."""
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == timezone.localdate().year else f"{text} {day.year}"


def when(moment: dt.datetime) -> str:
    """'Tuesday 8 December, 10:00am' in local time."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return (
        f"{long_date(local.date())}, {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    )


def time_range(start: dt.time, end: dt.time) -> str:
    return f"{format_time(start)} to {format_time(end)}"


def _led_teams(user: Any) -> list[Any]:
    from alongside.accounts.models import Team

    if user.is_superuser:
        return list(Team.objects.filter(is_active=True).order_by("name"))
    return list(Team.objects.filter(pk__in=selectors.led_team_ids_for_user(user)).order_by("name"))


def _managed_hub(request: HttpRequest, pk: Any) -> Hub:
    try:
        return selectors.hubs_managed_by(request.user).get(pk=pk)
    except (Hub.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such hub") from None


def _session(pk: Any) -> Session:
    try:
        return Session.objects.select_related("hub", "hub__team", "hub__ward").get(pk=pk)
    except (Session.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such session") from None


def _managed_session(request: HttpRequest, pk: Any) -> Session:
    session = _session(pk)
    if not selectors.hubs_managed_by(request.user).filter(pk=session.hub_id).exists():
        raise Http404("No such session")
    return session


def _describe_session(session: Session) -> None:
    session.repeats = services.rrule_describe(session.rrule)  # type: ignore[attr-defined]
    session.times = time_range(session.start_time, session.end_time)  # type: ignore[attr-defined]


def _audit_people_seen(request: HttpRequest, bookings: list[Booking], label: str) -> None:
    """One view event for each person whose name was shown (written in one insert)."""
    actor = acting_user(request.user)
    request_id = request_id_var.get()
    seen: dict[Any, Booking] = {}
    for booking in bookings:
        seen.setdefault(booking.person_id, booking)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_label=(actor.email if actor else "system")[:254],
            action=AuditEvent.Action.VIEW,
            object_type="hubs.booking",
            object_id=str(booking.pk),
            object_label=label[:200],
            person_id=person_id,
            reason="Saw who is booked",
            changes={},
            request_id=request_id if request_id != "-" else "",
        )
        for person_id, booking in seen.items()
    )


def _names_visible(request: HttpRequest, hub: Hub) -> bool:
    user = request.user
    return user.has_perm(VIEW_BOOKING) and (
        selectors.team_ids_for_user(user).filter(team_id=hub.team_id).exists()
    )


def _slot_days(
    request: HttpRequest, slots: list[Slot], *, hub: Hub, label: str
) -> tuple[list[dict[str, Any]], bool]:
    """The slots grouped by day, each with its live bookings when the user may see names."""
    show_names = _names_visible(request, hub)
    by_slot: dict[int, list[Booking]] = defaultdict(list)
    if show_names and slots:
        bookings = list(
            selectors.visible_bookings(user=request.user)
            .filter(slot_id__in=[s.pk for s in slots], status__in=Booking.LIVE)
            .order_by("slot__starts_at", "seat")
        )
        for booking in bookings:
            by_slot[booking.slot_id].append(booking)
        if bookings:
            _audit_people_seen(request, bookings, label)
    days: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        local = timezone.localtime(slot.starts_at)
        slot.time_text = format_time(local.time())  # type: ignore[attr-defined]
        slot.end_text = format_time(timezone.localtime(slot.ends_at).time())  # type: ignore[attr-defined]
        slot.people = by_slot.get(slot.pk, [])  # type: ignore[attr-defined]
        days.setdefault(local.date(), []).append(slot)
    return [
        {"day": day, "label": long_date(day), "slots": day_slots} for day, day_slots in days.items()
    ], show_names


def _closure_rows(closures: Any) -> list[Closure]:
    rows = list(closures)
    for closure in rows:
        if closure.session_id:
            session = closure.session
            closure.scope = (  # type: ignore[attr-defined]
                f"{session.get_kind_display()} at {session.hub.name}, "
                f"{time_range(session.start_time, session.end_time)}"
            )
        elif closure.hub_id:
            closure.scope = closure.hub.name  # type: ignore[attr-defined]
        else:
            closure.scope = "Every hub"  # type: ignore[attr-defined]
        closure.dates = (  # type: ignore[attr-defined]
            long_date(closure.starts_on)
            if closure.starts_on == closure.ends_on
            else f"{long_date(closure.starts_on)} to {long_date(closure.ends_on)}"
        )
    return rows


# --- hubs ---------------------------------------------------------------------------------------


@staff_required(VIEW_HUB)
@never_cache
def hub_list(request: HttpRequest) -> HttpResponse:
    """Every hub: where it is, who runs it, its access, and how many sessions it holds."""
    hubs = list(
        selectors.hub_list(include_inactive=True)
        .annotate(session_count=Count("sessions", filter=Q(sessions__is_active=True)))
        .order_by("-is_active", "name")
    )
    managed = set(selectors.hubs_managed_by(request.user).values_list("pk", flat=True))
    for hub in hubs:
        hub.can_manage = hub.pk in managed  # type: ignore[attr-defined]
    return render(
        request,
        "hubs/schedule/hubs.html",
        {
            "hubs": hubs,
            "can_add": request.user.has_perm(MANAGE_HUBS) and bool(_led_teams(request.user)),
            "can_close": request.user.has_perm(MANAGE_HUBS),
        },
    )


@staff_required(VIEW_HUB)
@never_cache
def hub_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A hub: its details, sessions, closures to come, and the next two weeks of slots by
    day with how many places are booked (names for the team running the hub)."""
    hub = selectors.hub_get(pk=pk)
    sessions = list(
        hub.sessions.prefetch_related("practitioners").order_by("-is_active", "start_time")
    )
    for session in sessions:
        _describe_session(session)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    slots = list(
        Slot.objects.filter(
            hub=hub, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=DAYS_SHOWN)
        )
        .select_related("session", "closure")
        .order_by("starts_at", "session__start_time")
    )
    days, show_names = _slot_days(request, slots, hub=hub, label=f"Bookings at {hub.name}")
    can_manage = services.may_manage_team(request.user, hub.team_id)
    return render(
        request,
        "hubs/schedule/hub.html",
        {
            "hub": hub,
            "sessions": sessions,
            "closures": _closure_rows(services.closures_upcoming(hub=hub)),
            "days": days,
            "show_names": show_names,
            "can_manage": can_manage,
            "days_shown": DAYS_SHOWN,
        },
    )


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def hub_new(request: HttpRequest) -> HttpResponse:
    """Add a hub: find the venue in the directory, then give the hub's details."""
    teams = _led_teams(request.user)
    search = VenueSearchForm(request.GET or None)
    location = None
    if request.GET.get("location"):
        try:
            location = services.venues_for_hubs(limit=None).get(pk=request.GET["location"])
        except (ValidationError, ValueError, Location.DoesNotExist):
            raise Http404("No such venue") from None
    venues: list[Any] = []
    searched = False
    if location is None and search.is_valid() and search.cleaned_data["q"]:
        searched = True
        venues = list(services.venues_for_hubs(search=search.cleaned_data["q"], limit=VENUES_SHOWN))
    form = None
    if location is not None and teams:
        features = services.venue_features(location)
        form = HubForm(
            posted(request),
            teams=teams,
            initial={
                "name": location.name,
                "team": str(teams[0].pk),
                "step_free": "step_free" in features,
                "hearing_loop": "hearing_loop" in features,
                "interpreters": True,
                "directions": location.transport,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                hub = services.hub_create(actor=request.user, location=location, **form.values())
            except ValidationError as error:
                add_service_errors(form, error, fallback="name")
            else:
                messages.success(request, f"{hub.name} is now a Talking Points hub.")
                return redirect("hubs:hub", pk=hub.pk)
    return render(
        request,
        "hubs/schedule/hub_new.html",
        {
            "teams": teams,
            "search": search,
            "venues": venues,
            "searched": searched,
            "location": location,
            "form": form,
        },
    )


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def hub_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Change a hub's details, or stop it holding Talking Points."""
    hub = _managed_hub(request, pk)
    teams = _led_teams(request.user)
    if hub.team not in teams:
        teams = [hub.team, *teams]
    form = HubForm(posted(request), teams=teams, editing=True, initial=hub_initial(hub))
    if request.method == "POST" and form.is_valid():
        try:
            change = services.hub_update(actor=request.user, hub=hub, **form.values())
        except ValidationError as error:
            add_service_errors(form, error, fallback="name")
        except PermissionDenied:
            form.add_error("team", "Choose a team you lead")
        else:
            text = f"{change.hub.name} has been saved."
            if change.slots_closed:
                text += f" {change.slots_closed} empty times ahead are closed."
            if change.bookings_standing:
                text += f" {change.bookings_standing} bookings still stand: cancel or move them."
            messages.success(request, text)
            return redirect("hubs:hub", pk=hub.pk)
    return render(request, "hubs/schedule/hub_form.html", {"hub": hub, "form": form})


# --- sessions -----------------------------------------------------------------------------------


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def session_new(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add a recurring session to a hub; its slots are made straight away."""
    hub = _managed_hub(request, pk)
    people = list(services.practitioners_for_team(hub.team_id))
    form = SessionForm(
        posted(request),
        practitioners=people,
        initial={
            "kind": Session.Kind.BOOKED,
            "frequency": services.WEEKLY,
            "starts_on": timezone.localdate(),
            "appointment_minutes": 45,
            "capacity": 1,
            "public_booking": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, hub=hub, **form.values())
        except ValidationError as error:
            add_service_errors(form, error, fallback="frequency")
        else:
            made = session.slots.count()
            messages.success(
                request,
                f"The session has been added with {made} appointment time"
                f"{'' if made == 1 else 's'} ahead.",
            )
            return redirect("hubs:session", pk=session.pk)
    return render(
        request,
        "hubs/schedule/session_form.html",
        {"hub": hub, "form": form, "adding": True},
    )


@staff_required(VIEW_HUB)
@never_cache
def session_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A session: how often and when, who holds it, closures, and its next four weeks."""
    session = _session(pk)
    hub = session.hub
    _describe_session(session)
    practitioners = list(session.practitioners.order_by("full_name"))
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    slots = list(
        session.slots.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=SESSION_DAYS_SHOWN)
        )
        .select_related("closure")
        .order_by("starts_at")
    )
    days, show_names = _slot_days(
        request, slots, hub=hub, label=f"Bookings in a session at {hub.name}"
    )
    closures = services.closures_upcoming(hub=hub).filter(
        Q(session=session) | Q(session__isnull=True)
    )
    return render(
        request,
        "hubs/schedule/session.html",
        {
            "session": session,
            "hub": hub,
            "practitioners": practitioners,
            "days": days,
            "show_names": show_names,
            "closures": _closure_rows(closures),
            "can_manage": services.may_manage_team(request.user, hub.team_id),
            "days_shown": SESSION_DAYS_SHOWN,
        },
    )


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def session_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Change a session. Future times nobody has booked follow the new pattern; booked
    times stay, and the page lists the bookings now outside the pattern."""
    session = _managed_session(request, pk)
    hub = session.hub
    people = list(services.practitioners_for_team(hub.team_id))
    chosen = list(session.practitioners.all())
    people += [user for user in chosen if user not in people]
    form = SessionForm(
        posted(request), practitioners=people, editing=True, initial=session_initial(session)
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            change = services.session_update(actor=request.user, session=session, **values)
        except ValidationError as error:
            add_service_errors(form, error, fallback="frequency")
        else:
            if not change.outside:
                messages.success(request, "The session has been saved.")
                return redirect("hubs:session", pk=session.pk)
            visible = set(
                selectors.visible_bookings(user=request.user)
                .filter(pk__in=[b.pk for b in change.outside])
                .values_list("pk", flat=True)
            )
            outside = [b for b in change.outside if b.pk in visible]
            for booking in outside:
                booking.when = when(booking.slot.starts_at)  # type: ignore[attr-defined]
            if outside:
                _audit_people_seen(request, outside, f"Bookings in a session at {hub.name}")
            return render(
                request,
                "hubs/schedule/session_changed.html",
                {
                    "session": session,
                    "hub": hub,
                    "outside": outside,
                    "hidden": len(change.outside) - len(outside),
                },
            )
    _describe_session(session)
    return render(
        request,
        "hubs/schedule/session_form.html",
        {"hub": hub, "session": session, "form": form, "adding": False},
    )


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def session_cancel_day(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Cancel one day of a session: its times close and anyone booked is told and offered
    other times."""
    session = _managed_session(request, pk)
    _describe_session(session)
    form = CancelDayForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.session_cancel_day(
                actor=request.user,
                session=session,
                day=form.cleaned_data["day"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="day")
        else:
            messages.success(request, _closed_message(closure))
            return redirect("hubs:session", pk=session.pk)
    return render(
        request,
        "hubs/schedule/cancel_day.html",
        {"session": session, "hub": session.hub, "form": form},
    )


# --- closures -----------------------------------------------------------------------------------


def _closed_message(closure: Closure) -> str:
    closed = getattr(closure, "slots_closed", 0)
    told = getattr(closure, "people_told", 0)
    text = f"Closed {closed} appointment time{'' if closed == 1 else 's'}."
    if told:
        text += (
            f" {told} {'person was' if told == 1 else 'people were'} told and offered other times."
        )
    else:
        text += " Nobody was booked."
    return text


@staff_required(VIEW_HUB)
@never_cache
def closure_list(request: HttpRequest) -> HttpResponse:
    """Closures that have not ended, soonest first."""
    closures = _closure_rows(services.closures_upcoming())
    for closure in closures:
        closure.can_delete = services.may_delete_closure(request.user, closure)  # type: ignore[attr-defined]
    return render(
        request,
        "hubs/schedule/closures.html",
        {"closures": closures, "can_add": request.user.has_perm(MANAGE_HUBS)},
    )


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def closure_new(request: HttpRequest) -> HttpResponse:
    """Add days with no Talking Points at every hub or at a hub the user manages."""
    hubs = list(selectors.hubs_managed_by(request.user).filter(is_active=True).order_by("name"))
    initial_hub = request.GET.get("hub", EVERY_HUB)
    if initial_hub != EVERY_HUB and initial_hub not in {str(h.pk) for h in hubs}:
        raise Http404("No such hub")
    form = ClosureForm(posted(request), hubs=hubs, initial={"hub": initial_hub})
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.closure_create(actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error, fallback="starts_on")
        else:
            messages.success(request, _closed_message(closure))
            return redirect("hubs:closures")
    return render(request, "hubs/schedule/closure_form.html", {"form": form})


@staff_required(VIEW_HUB, MANAGE_HUBS)
@never_cache
def closure_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Take back a closure that has not started: its times open again."""
    try:
        closure = services.closures_upcoming().get(pk=pk)
    except (Closure.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such closure") from None
    if not services.may_delete_closure(request.user, closure):
        raise Http404("No such closure")
    if request.method == "POST":
        reopened = services.closure_delete(actor=request.user, closure=closure)
        messages.success(
            request,
            f"The closure has been taken back. {reopened} appointment time"
            f"{' is' if reopened == 1 else 's are'} open again.",
        )
        return redirect("hubs:closures")
    return render(
        request, "hubs/schedule/closure_delete.html", {"closure": _closure_rows([closure])[0]}
    )


HUB = "hubs/<uuid:pk>/"
SESSION = "sessions/<uuid:pk>/"

urlpatterns = [
    path("hubs/", hub_list, name="hubs"),
    path("hubs/new/", hub_new, name="hub-new"),
    path(HUB, hub_detail, name="hub"),
    path(f"{HUB}edit/", hub_edit, name="hub-edit"),
    path(f"{HUB}sessions/new/", session_new, name="session-new"),
    path(SESSION, session_detail, name="session"),
    path(f"{SESSION}edit/", session_edit, name="session-edit"),
    path(f"{SESSION}cancel-day/", session_cancel_day, name="session-cancel-day"),
    path("closures/", closure_list, name="closures"),
    path("closures/new/", closure_new, name="closure-new"),
    path("closures/<uuid:pk>/delete/", closure_delete, name="closure-delete"),
]
