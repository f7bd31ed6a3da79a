"""Staff pages for booking Talking Points, at /staff/talking-points/.

Who may use them:
- book, booking-cancel, booking-rebook: hubs.add_booking / hubs.change_booking (front-door
  officers, practitioners, managers). The person must be one the user may see (through a
  first contact, their record or the waiting list), else 404.
- bookings, booking, waiting-list: hubs.view_booking, showing only bookings and entries the
  user may see (hubs.selectors); another team's booking is a 404. Opening a booking is
  audited, as it shows a person's details.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core.audit import audit_record
from alongside.core.forms import add_service_errors
from alongside.core.http import posted
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.people.selectors import person_get_for_user, person_list_for_user

from .. import selectors
from ..forms.bookings import (
    ANY_HUB,
    NEAREST,
    BookForm,
    BookingFilterForm,
    CancelForm,
    SearchForm,
    WaitingAddForm,
    WaitingRemoveForm,
)
from ..models import AccessNeed, Booking, Hub, Session, Slot, WaitingListEntry
from ..selectors import ADD_BOOKING, CHANGE_BOOKING, VIEW_BOOKING
from ..services import bookings as services
from ..services.messages import day_label, reference, time_label, when

PAGE_SIZE = 50
PEOPLE_SHOWN = 20


def _get_or_404(queryset: Any, pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("Not found") from None


def grouped_by_day(options: list[services.SlotOption]) -> list[dict[str, Any]]:
    """Slot options under a heading for each day, in the order given."""
    days: list[dict[str, Any]] = []
    for day, items in groupby(options, key=lambda o: o.day):
        rows = [{"option": o, "time": time_label(o.starts_at)} for o in items]
        if days and days[-1]["day"] == day:
            days[-1]["slots"] += rows
        else:
            days.append({"day": day, "label": day_label(day), "slots": rows})
    return days


def _who(request: HttpRequest) -> tuple[Any, Any, WaitingListEntry | None]:
    """The person being booked for, the first contact (if any) and the waiting-list entry
    (if booking from the list), each only if the user may see it."""
    user = request.user
    contact = entry = None
    if request.GET.get("waiting"):
        entry = _get_or_404(selectors.visible_waiting(user=user), request.GET["waiting"])
        return entry.person, entry.first_contact, entry
    if request.GET.get("contact"):
        contact = selectors.contact_get_for_user(user=user, pk=request.GET["contact"])
        return contact.person, contact, None
    if request.GET.get("person"):
        return person_get_for_user(user=user, pk=request.GET["person"]), None, None
    return None, None, None


def _keep(request: HttpRequest) -> list[tuple[str, str]]:
    """The query parameters naming who is booked for, kept through a new search."""
    return [(k, request.GET[k]) for k in ("person", "contact", "waiting") if request.GET.get(k)]


def _initial_needs(person: Any) -> list[str]:
    return [AccessNeed.INTERPRETER] if getattr(person, "interpreter_needed", False) else []


def _search(
    request: HttpRequest, *, person: Any, hubs: list[Hub], default_hub: str = ""
) -> tuple[SearchForm, list[services.SlotOption], dict[str, Any]]:
    """The search form (bound to the query string once searched) and its results."""
    ward = getattr(person, "ward", None)
    if "kind" in request.GET:
        form = SearchForm(request.GET, hubs=hubs, near_ward=ward)
    else:
        hub = default_hub or (NEAREST if ward else ANY_HUB)
        form = SearchForm(
            {"kind": Session.Kind.BOOKED, "hub": hub, "needs": _initial_needs(person)},
            hubs=hubs,
            near_ward=ward,
        )
    if not form.is_valid():
        return form, [], {}
    data = form.cleaned_data
    where = data["hub"]
    options = services.slot_search(
        start=data["start"],
        kind=data["kind"] or Session.Kind.BOOKED,
        hub=where if where not in (ANY_HUB, NEAREST) else None,
        near_ward=ward if where == NEAREST else None,
        needs=data["needs"],
        for_person=person,
        limit=60,
    )
    return form, options, data


@staff_required(ADD_BOOKING)
@never_cache
def book(request: HttpRequest) -> HttpResponse:
    """Book a Talking Point for a person: free times soonest (or nearest) first, grouped by
    day, each with a Book button. If a time goes while choosing, the search is shown again
    with what was typed and a clear message. With nothing free, add them to a waiting list."""
    person, contact, entry = _who(request)
    if person is None:
        query = request.GET.get("q", "").strip()
        people = list(person_list_for_user(user=request.user, query=query)[:PEOPLE_SHOWN])
        return render(
            request,
            "hubs/bookings/book_find.html",
            {"query": query, "people": people if query else []},
        )
    hubs = list(selectors.hub_list())
    search, options, searched = _search(request, person=person, hubs=hubs)
    form = BookForm(
        posted(request) if request.POST.get("action") != "waiting" else None,
        initial={
            "access_needs": searched.get("needs") or _initial_needs(person),
            "interpreter_language": getattr(person, "language", "") or "",
        },
    )
    waiting_form = WaitingAddForm(
        request.POST if request.POST.get("action") == "waiting" else None,
        hubs=hubs,
        prefix="waiting",
        initial={"kind": searched.get("kind") or Session.Kind.BOOKED, "hub": searched.get("hub")},
    )
    if request.method == "POST" and request.POST.get("action") == "waiting":
        if waiting_form.is_valid():
            data = waiting_form.cleaned_data
            try:
                added = services.waiting_add(
                    actor=request.user,
                    hub=selectors.hub_get(pk=data["hub"]),
                    person=person,
                    kind=data["kind"] or Session.Kind.BOOKED,
                    first_contact=contact,
                    access_needs=data["access_needs"],
                )
            except ValidationError as error:
                add_service_errors(waiting_form, error)
            else:
                messages.success(request, f"Added to the waiting list at {added.hub.name}")
                return redirect("hubs:waiting-list", pk=added.hub_id)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = Slot.objects.select_related("hub", "hub__team").filter(pk=data["slot"]).first()
        try:
            if slot is None:
                raise ValidationError({"slot": services.TAKEN})
            if entry is not None:
                booking = services.waiting_book(actor=request.user, entry=entry, slot=slot)
            else:
                booking = services.booking_create(
                    actor=request.user,
                    slot=slot,
                    person=person,
                    first_contact=contact,
                    access_needs=data["access_needs"],
                    interpreter_language=data["interpreter_language"],
                    notes=data["notes"],
                )
        except ValidationError as error:
            add_service_errors(form, error, fallback="slot")
            search, options, searched = _search(request, person=person, hubs=hubs)
        else:
            messages.success(request, "Booked")
            return redirect("hubs:booking", pk=booking.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "hubs/bookings/book.html",
        {
            "person": person,
            "contact": contact,
            "entry": entry,
            "search": search,
            "form": form,
            "waiting_form": waiting_form,
            "days": grouped_by_day(options),
            "count": len(options),
            "query": request.GET.urlencode(),
            "keep": _keep(request),
        },
        status=status,
    )


@staff_required(VIEW_BOOKING)
@never_cache
def bookings(request: HttpRequest) -> HttpResponse:
    """Bookings still to come that the user may see, soonest first; by hub and from a date."""
    hubs = list(selectors.hub_list())
    filters = BookingFilterForm(request.GET or None, hubs=hubs)
    hub, start = filters.values()
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    rows = (
        selectors.visible_bookings(user=request.user)
        .filter(status=Booking.Status.BOOKED, slot__starts_at__gte=begin)
        .order_by("slot__starts_at", "seat")
    )
    if hub:
        rows = rows.filter(slot__hub_id=hub)
    page, pagination = paginate(request, rows, PAGE_SIZE)
    items = [{"booking": b, "when": when(b.slot.starts_at)} for b in page.object_list]
    return render(
        request,
        "hubs/bookings/bookings.html",
        {
            "filters": filters,
            "page": page,
            "pagination": pagination,
            "items": items,
            "filtered": bool(request.GET.get("hub") or request.GET.get("start")),
        },
    )


@staff_required(VIEW_BOOKING)
@never_cache
def booking(request: HttpRequest, pk: UUID) -> HttpResponse:
    """One booking, the messages sent about it and what can be done next. Audited."""
    item = selectors.booking_get_for_user(user=request.user, pk=pk)
    audit_record(
        actor=request.user,
        action="view",
        obj=item,
        object_label=f"Talking Point at {item.slot.hub.name}",
        person_id=item.person_id,
        reason="Opened a Talking Point booking",
    )
    sent = item.messages.select_related("message").order_by("created_at")
    return render(
        request,
        "hubs/bookings/booking.html",
        {
            "booking": item,
            "when": when(item.slot.starts_at),
            "ends": time_label(item.slot.ends_at),
            "reference": reference(item),
            "sent": sent,
            "needs": [AccessNeed(n).label for n in item.access_needs if n in AccessNeed.values],
            "can_change": request.user.has_perm(CHANGE_BOOKING)
            and item.status == Booking.Status.BOOKED,
        },
    )


@staff_required(CHANGE_BOOKING)
@never_cache
def booking_cancel(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Cancel a booking after saying who asked and why. The person is told, and the place is
    offered to the hub's waiting list."""
    item = selectors.booking_get_for_user(user=request.user, pk=pk)
    form = CancelForm(posted(request))
    if item.status != Booking.Status.BOOKED:
        messages.info(request, "This booking is not one still to come, so it cannot be cancelled")
        return redirect("hubs:booking", pk=item.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                actor=request.user,
                booking=item,
                reason=form.cleaned_data["reason"],
                cancelled_by=form.cleaned_data["cancelled_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Booking cancelled")
            return redirect("hubs:booking", pk=item.pk)
    return render(
        request,
        "hubs/bookings/cancel.html",
        {"booking": item, "when": when(item.slot.starts_at), "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(CHANGE_BOOKING)
@never_cache
def booking_rebook(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Move a booking to another time: the same search, then a Move button on each time."""
    item = selectors.booking_get_for_user(user=request.user, pk=pk)
    if item.status != Booking.Status.BOOKED:
        messages.info(request, "This booking is not one still to come, so it cannot be moved")
        return redirect("hubs:booking", pk=item.pk)
    hubs = list(selectors.hub_list())
    search, options, _ = _search(
        request, person=item.person, hubs=hubs, default_hub=str(item.slot.hub_id)
    )
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("slot", "")
        slot = Slot.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        try:
            if slot is None:
                raise ValidationError({"slot": "Choose a time"})
            new = services.booking_rebook(actor=request.user, booking=item, slot=slot)
        except ValidationError as problem:
            error = " ".join(problem.messages)
            search, options, _ = _search(
                request, person=item.person, hubs=hubs, default_hub=str(item.slot.hub_id)
            )
        else:
            messages.success(request, "Booking moved to the new time")
            return redirect("hubs:booking", pk=new.pk)
    return render(
        request,
        "hubs/bookings/rebook.html",
        {
            "booking": item,
            "when": when(item.slot.starts_at),
            "search": search,
            "days": grouped_by_day([o for o in options if o.slot_id != item.slot_id]),
            "error": error,
        },
        status=400 if error else 200,
    )


@staff_required(VIEW_BOOKING)
@never_cache
def waiting_list(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The hub's waiting list, longest waiting first, with whoever has been offered a place.
    Staff can book someone from it or take them off it."""
    hub = selectors.hub_get(pk=pk)
    live = [WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
    entries = (
        selectors.visible_waiting(user=request.user)
        .filter(hub=hub, status__in=live)
        .select_related("offered_slot")
        .order_by("created_at", "id")
    )
    form = WaitingRemoveForm(posted(request))
    if request.method == "POST":
        if not request.user.has_perm(CHANGE_BOOKING):
            raise Http404("Not found")
        if form.is_valid():
            entry = _get_or_404(entries, form.cleaned_data["entry"])
            try:
                services.waiting_remove(
                    actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error, fallback="reason")
            else:
                messages.success(request, "Taken off the waiting list")
                return redirect("hubs:waiting-list", pk=hub.pk)
    page, pagination = paginate(request, entries, PAGE_SIZE)
    rows = [
        {
            "entry": e,
            "needs": [AccessNeed(n).label for n in e.access_needs if n in AccessNeed.values],
            "offer": when(e.offered_slot.starts_at) if e.offered_slot_id else "",
            "expires": when(e.offer_expires_at) if e.offer_expires_at else "",
        }
        for e in page.object_list
    ]
    return render(
        request,
        "hubs/bookings/waiting_list.html",
        {
            "hub": hub,
            "rows": rows,
            "page": page,
            "pagination": pagination,
            "form": form,
            "failed_entry": str(request.POST.get("entry", "")),
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("book/", book, name="book"),
    path("bookings/", bookings, name="bookings"),
    path("bookings/<uuid:pk>/", booking, name="booking"),
    path("bookings/<uuid:pk>/cancel/", booking_cancel, name="booking-cancel"),
    path("bookings/<uuid:pk>/rebook/", booking_rebook, name="booking-rebook"),
    path("hubs/<uuid:pk>/waiting-list/", waiting_list, name="waiting-list"),
]
