"""Public Talking Points pages (no sign-in), at /talking-points/: a resident books a
conversation, changes or cancels it from the link in a message, or takes up a place offered
from the waiting list.

Booking online works only when settings.HUBS_PUBLIC_BOOKING is on (and the session allows
it); otherwise each page says so and gives a phone number. Booking is rate limited per
visitor (HUBS_PUBLIC_BOOKINGS_PER_HOUR) and the form has a honeypot. A link that is altered,
too old or out of date gets a kind page with the phone number (400 or 410), never an error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from alongside.core import ratelimit
from alongside.core.forms import add_service_errors
from alongside.core.models import Neighbourhood

from .. import selectors
from ..forms.public import PUBLIC_NEEDS, DetailsForm, StartForm
from ..models import Booking, Session, Slot, WaitingListEntry
from ..services import bookings as services
from ..services.messages import WHAT_TO_BRING, hub_address, reference, time_label, when
from ..tokens import BadToken, make_token, read_token
from .bookings import grouped_by_day

SCOPE = "hubs-public-booking"
WEEKS = 8


def phone() -> str:
    return settings.HUBS_PHONE


def _limit() -> int:
    return settings.HUBS_PUBLIC_BOOKINGS_PER_HOUR


def _context(**extra: Any) -> dict[str, Any]:
    return {"phone": phone(), **extra}


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "hubs/public/unavailable.html", _context())


def _link_problem(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request, "hubs/public/link_problem.html", _context(message=message), status=status
    )


def _choices() -> tuple[list[Any], list[Any]]:
    hubs = list(selectors.hub_list())
    area_ids = {h.neighbourhood_id for h in hubs if h.neighbourhood_id}
    areas = list(Neighbourhood.objects.filter(pk__in=area_ids).order_by("name"))
    return areas, hubs


def _slot_summary(slot: Slot) -> dict[str, Any]:
    return {
        "when": when(slot.starts_at),
        "ends": time_label(slot.ends_at),
        "hub": slot.hub,
        "address": hub_address(slot.hub),
        "kind": slot.get_kind_display(),
    }


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """What a Talking Point is, and the choices that lead to free times."""
    if not settings.HUBS_PUBLIC_BOOKING:
        return _unavailable(request)
    areas, hubs = _choices()
    form = StartForm(initial={"carer": "no"}, areas=areas, hubs=hubs)
    return render(request, "hubs/public/start.html", _context(form=form))


@never_cache
def times(request: HttpRequest) -> HttpResponse:
    """The next free times for the choices made, one week at a time."""
    if not settings.HUBS_PUBLIC_BOOKING:
        return _unavailable(request)
    areas, hubs = _choices()
    form = StartForm(request.GET, areas=areas, hubs=hubs)
    if not form.is_valid():
        return render(request, "hubs/public/start.html", _context(form=form), status=400)
    try:
        week = min(max(int(request.GET.get("week", 0)), 0), WEEKS - 1)
    except ValueError:
        week = 0
    first = timezone.localdate() + dt.timedelta(weeks=week)
    kind_of_place, pk = form.place()
    kind = Session.Kind.CARERS if form.cleaned_data.get("carer") == "yes" else Session.Kind.BOOKED
    options = services.slot_search(
        start=first,
        end=first + dt.timedelta(days=6),
        kind=kind,
        hub=pk if kind_of_place == "hub" else None,
        neighbourhood=pk if kind_of_place == "area" else None,
        needs=form.cleaned_data["needs"],
        public_only=True,
        limit=100,
    )
    query = request.GET.copy()

    def week_link(number: int) -> str:
        query["week"] = str(number)
        return f"?{query.urlencode()}"

    labels = dict(PUBLIC_NEEDS)
    return render(
        request,
        "hubs/public/times.html",
        _context(
            days=grouped_by_day(options),
            first=first,
            last=first + dt.timedelta(days=6),
            previous=week_link(week - 1) if week > 0 else None,
            next=week_link(week + 1) if week < WEEKS - 1 else None,
            needs=[labels[n] for n in form.cleaned_data["needs"]],
            change=request.GET.urlencode(),
            carer=kind == Session.Kind.CARERS,
            selected_needs=form.cleaned_data["needs"],
        ),
    )


def _public_slot(slot_id: int) -> Slot:
    slot = (
        Slot.objects.select_related("hub", "hub__location", "session")
        .filter(pk=slot_id, hub__is_active=True, session__public_booking=True)
        .first()
    )
    if slot is None:
        raise Http404("No such time")
    return slot


def _still_free(slot: Slot) -> bool:
    return any(
        o.slot_id == slot.pk
        for o in services.slot_search(
            start=slot.starts_at,
            end=slot.starts_at + dt.timedelta(minutes=1),
            kind=slot.kind,
            hub=slot.hub_id,
            public_only=True,
        )
    )


@never_cache
def details(request: HttpRequest, slot: int) -> HttpResponse:
    """The resident's details for the chosen time, then the booking."""
    if not settings.HUBS_PUBLIC_BOOKING:
        if request.method == "POST":
            raise Http404("Online booking is not available")
        return _unavailable(request)
    chosen = _public_slot(slot)
    initial_needs = [n for n in request.GET.getlist("needs") if n in dict(PUBLIC_NEEDS)]
    form = DetailsForm(
        request.POST if request.method == "POST" else None,
        initial={"access_needs": initial_needs},
    )
    context = _context(form=form, slot=_slot_summary(chosen), back=request.GET.urlencode())
    if request.method == "POST":
        if ratelimit.rate_limited(request, scope=SCOPE, limit=_limit()):
            return ratelimit.too_many(
                request, template="hubs/public/too_many.html", limit=_limit(), context=_context()
            )
        if form.is_valid():
            if form.is_spam():  # a robot filled in the hidden field: thank it, keep nothing
                ratelimit.count_submission(request, scope=SCOPE)
                return redirect("hubs-public:received")
            data = form.cleaned_data
            try:
                booking = services.public_booking_create(
                    slot=chosen,
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    postcode=data["postcode"],
                    email=data["email"],
                    mobile=data["mobile"],
                    date_of_birth=data.get("date_of_birth"),
                    access_needs=data["access_needs"],
                    interpreter_language=data["interpreter_language"],
                    notes=data["notes"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                context["taken"] = "slot" in getattr(error, "error_dict", {})
            else:
                ratelimit.count_submission(request, scope=SCOPE)
                token = make_token("manage", booking.pk, booking.token_version)
                return redirect("hubs-public:confirmed", token=token)
        return render(request, "hubs/public/details.html", context, status=400)
    if not _still_free(chosen):
        context["taken"] = True
    return render(request, "hubs/public/details.html", context)


def received(request: HttpRequest) -> HttpResponse:
    return render(request, "hubs/public/received.html", _context())


def _booking_for(token: str) -> Booking | BadToken:
    """The booking a manage link is for, or the reason the link does not work."""
    try:
        data = read_token("manage", token)
    except BadToken as problem:
        return problem
    found = (
        Booking.objects.select_related("slot", "slot__hub", "slot__hub__location", "person")
        .filter(pk=data.pk)
        .first()
        if _is_uuid(data.pk)
        else None
    )
    if found is None:
        return BadToken("This link is not right.")
    if found.token_version != data.version:
        return BadToken("This link no longer works because the booking has changed.")
    return found


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def _answer(request: HttpRequest, found: Any) -> HttpResponse | None:
    if isinstance(found, BadToken):
        return _link_problem(request, str(found), status=_status(found))
    return None


def _status(problem: BadToken) -> int:
    """400 for a link that was altered or is for something else; 410 for one that has
    expired or was replaced by a newer one."""
    return 400 if "not right" in str(problem) else 410


def _booking_context(booking: Booking, token: str) -> dict[str, Any]:
    return _context(
        booking=booking,
        slot=_slot_summary(booking.slot),
        reference=reference(booking),
        token=token,
        what_to_bring=WHAT_TO_BRING,
        to_come=booking.status == Booking.Status.BOOKED and booking.slot.starts_at > timezone.now(),
    )


@never_cache
def confirmed(request: HttpRequest, token: str) -> HttpResponse:
    found = _booking_for(token)
    if (problem := _answer(request, found)) is not None:
        return problem
    return render(request, "hubs/public/confirmed.html", _booking_context(found, token))


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """See a booking from the link in a message, and cancel it or choose another time."""
    found = _booking_for(token)
    if (problem := _answer(request, found)) is not None:
        return problem
    return render(request, "hubs/public/manage.html", _booking_context(found, token))


@never_cache
def manage_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Check, then cancel. The place goes to someone on the waiting list."""
    found = _booking_for(token)
    if (problem := _answer(request, found)) is not None:
        return problem
    context = _booking_context(found, token)
    if not context["to_come"]:
        return render(request, "hubs/public/manage.html", context)
    if request.method == "POST":
        try:
            services.booking_cancel(
                actor=None,
                booking=found,
                reason="Cancelled online by the person",
                cancelled_by=Booking.CancelledBy.PERSON,
            )
        except ValidationError:
            return render(request, "hubs/public/manage.html", context)
        return render(request, "hubs/public/cancelled.html", context)
    return render(request, "hubs/public/cancel.html", context)


@never_cache
def manage_rebook(request: HttpRequest, token: str) -> HttpResponse:
    """Choose another time at the same place (or confirm one from a message's link)."""
    found = _booking_for(token)
    if (problem := _answer(request, found)) is not None:
        return problem
    context = _booking_context(found, token)
    if not context["to_come"]:
        return render(request, "hubs/public/manage.html", context)
    error = ""
    chosen_id = request.POST.get("slot") or request.GET.get("slot") or ""
    if request.method == "POST" and chosen_id.isdigit():
        slot = Slot.objects.filter(pk=chosen_id).first()
        try:
            if slot is None:
                raise ValidationError({"slot": services.TAKEN})
            new = services.booking_rebook(actor=None, booking=found, slot=slot)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            new_token = make_token("manage", new.pk, new.token_version)
            return redirect("hubs-public:confirmed", token=new_token)
    options = services.slot_search(
        start=timezone.localdate(),
        kind=found.slot.kind,
        hub=found.slot.hub_id,
        for_person=found.person,
        limit=40,
    )
    chosen = next((o for o in options if str(o.slot_id) == chosen_id), None)
    context.update(
        days=grouped_by_day([o for o in options if o.slot_id != found.slot_id]),
        chosen=chosen,
        chosen_when=when(chosen.starts_at) if chosen else "",
        error=error,
    )
    return render(request, "hubs/public/rebook.html", context, status=400 if error else 200)


@never_cache
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """Take up a place offered from the waiting list."""
    try:
        data = read_token("offer", token)
    except BadToken as problem:
        return _link_problem(request, str(problem), status=_status(problem))
    entry = (
        WaitingListEntry.objects.select_related("hub", "offered_slot", "offered_slot__hub")
        .filter(pk=data.pk)
        .first()
        if _is_uuid(data.pk)
        else None
    )
    if entry is None:
        return _link_problem(request, "This link is not right.", status=400)
    if (
        entry.token_version != data.version
        or entry.status != WaitingListEntry.Status.OFFERED
        or entry.offered_slot is None
        or (entry.offer_expires_at and entry.offer_expires_at <= timezone.now())
    ):
        return _link_problem(
            request,
            "This offer has ended. The place may have been given to someone else.",
            status=410,
        )
    context = _context(
        entry=entry, slot=_slot_summary(entry.offered_slot), until=when(entry.offer_expires_at)
    )
    if request.method == "POST":
        try:
            booking = services.waiting_accept(entry=entry)
        except ValidationError as problem:
            context["error"] = " ".join(problem.messages)
            return render(request, "hubs/public/offer.html", context, status=400)
        new_token = make_token("manage", booking.pk, booking.token_version)
        return redirect("hubs-public:confirmed", token=new_token)
    return render(request, "hubs/public/offer.html", context)


urlpatterns = [
    path("", start, name="start"),
    path("times/", times, name="times"),
    path("book/<int:slot>/", details, name="details"),
    path("thank-you/", received, name="received"),
    path("booked/<str:token>/", confirmed, name="confirmed"),
    path("booking/<str:token>/", manage, name="manage"),
    path("booking/<str:token>/cancel/", manage_cancel, name="manage-cancel"),
    path("booking/<str:token>/change/", manage_rebook, name="manage-rebook"),
    path("offer/<str:token>/", offer, name="offer"),
]
