"""An episode's connections to the community, the gaps where nothing suitable exists, and
the timeline of contacts; with the team's gaps (and their CSV for the gapping exercise) and
the list of open safeguarding concerns.

Who may use these pages: staff with casework.view_episode read them (the episode must be
visible to them, else 404); changes also need casework.change_episode and a place in the
team holding the episode (else 403). Sensitive notes are shown only to the person's worker,
the note's author and the team's leads. The gaps pages show the gaps of the user's own
teams; the concerns page, concerns in teams they lead or with people they work with."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as render_page
from django.urls import path
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.core.audit import audit_record
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.directory.models import PUBLIC_STATES, Service
from alongside.directory.search.engine import SearchError, SearchQuery, search

from .. import selectors
from ..forms.connections import (
    ConnectionUpdateForm,
    DirectorySearchForm,
    GapFilterForm,
    GapForm,
    ListingChoiceForm,
    NotListedForm,
)
from ..forms.timeline import ContactForm, contact_initial
from ..models import Connection, Contact, Episode, Gap
from ..selectors import open_concerns, team_gaps
from ..services import connections as connection_services
from ..services import timeline as timeline_services
from .common import add_service_errors, episode_for, posted, render_episode

VIEW = selectors.VIEW_EPISODE
WORK = selectors.WORK_ON_EPISODE
RESULTS_PER_PAGE = 10
PAGE_SIZE = 25


def _check_can_work(request: HttpRequest, episode: Episode) -> None:
    if not selectors.can_work_on(user=request.user, episode=episode):
        raise PermissionDenied("Only the team working with this person can change this.")


def time_spent(minutes: int | None) -> str:
    """90 -> "1 hour 30 minutes"."""
    minutes = minutes or 0
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


# --- connections --------------------------------------------------------------------------------


@staff_required(VIEW)
@never_cache
def connection_list(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The person's connections, how each is going, and the gaps recorded for them."""
    episode = episode_for(request, pk, section="connections")
    connections = list(episode.connections.select_related("listing"))
    for connection in connections:
        connection.public_listing = bool(
            connection.listing_id and connection.listing.state in PUBLIC_STATES
        )
    gaps = episode.gaps.select_related("need", "ward")
    return render_episode(
        request,
        episode,
        "casework/connections.html",
        section="connections",
        context={"connections": connections, "gaps": gaps},
    )


def _directory_results(
    request: HttpRequest, episode: Episode, search_form: DirectorySearchForm
) -> dict[str, Any]:
    """Run the directory search the form asks for: a page of listings with their provider
    and a one-line summary (one query for the listings, one for those already connected)."""
    values = search_form.values()
    if values is None:
        return {}
    words, near = values
    wards = (episode.ward.code,) if near and episode.ward else ()

    def run(page: int) -> Any:
        return search(SearchQuery(text=words, wards=wards, per_page=RESULTS_PER_PAGE, page=page))

    try:
        requested = int(request.GET.get("page", "1"))
    except ValueError:
        requested = 1
    try:
        result = run(max(requested, 1))
        page, pagination = paginate(request, range(result.total), RESULTS_PER_PAGE)
        if result.total and page.number != requested:
            result = run(page.number)
    except SearchError as error:
        search_form.add_error("q", str(error))
        return {}
    ids = [hit.service_id for hit in result.hits]
    services_by_id = Service.objects.select_related("provider").in_bulk(ids)
    connected = set(
        episode.connections.filter(listing_id__in=ids)
        .exclude(status=Connection.Status.STOPPED)
        .values_list("listing_id", flat=True)
    )
    listings = []
    for hit in result.hits:
        service = services_by_id.get(hit.service_id)
        if service is None:
            continue
        listings.append(
            {
                "service": service,
                "summary": service.summary
                or Truncator(" ".join(service.description.split())).chars(160),
                "connected": service.pk in connected,
            }
        )
    return {
        "searched": True,
        "words": words,
        "near": bool(wards),
        "total": result.total,
        "corrected_text": result.corrected_text,
        "listings": listings,
        "pagination": pagination,
    }


@staff_required(VIEW, WORK)
@never_cache
def connection_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Search the directory from the episode and suggest a listing, or name something that
    is not in the directory. The search's words stay in the address, so a refused suggestion
    shows the same results again."""
    episode = episode_for(request, pk, section="connections")
    _check_can_work(request, episode)
    search_form = DirectorySearchForm(request.GET, ward=episode.ward)
    other_form = NotListedForm()
    listing_error = ""
    refused_pk = None
    if request.method == "POST" and "listing" in request.POST:
        choice = ListingChoiceForm(request.POST)
        listing = None
        if choice.is_valid():
            listing = Service.objects.filter(pk=choice.cleaned_data["listing"]).first()
        if listing is None:
            listing_error = "Choose a listing from the search results"
        else:
            try:
                connection = connection_services.connection_add(
                    actor=request.user, episode=episode, listing=listing
                )
            except ValidationError as error:
                listing_error = " ".join(error.messages)
                refused_pk = listing.pk
            else:
                return _suggested(request, episode, connection)
    elif request.method == "POST":
        other_form = NotListedForm(request.POST)
        if other_form.is_valid():
            try:
                connection = connection_services.connection_add(
                    actor=request.user,
                    episode=episode,
                    name=other_form.cleaned_data["name"],
                    notes=other_form.cleaned_data["notes"],
                )
            except ValidationError as error:
                add_service_errors(other_form, error, fallback="name")
            else:
                return _suggested(request, episode, connection)
    context: dict[str, Any] = {
        "search_form": search_form,
        "other_form": other_form,
        "listing_error": listing_error,
        "refused_pk": refused_pk,
        **_directory_results(request, episode, search_form),
    }
    if other_form.errors:
        context["form"] = other_form
    return render_episode(
        request, episode, "casework/connection_add.html", section="connections", context=context
    )


def _suggested(request: HttpRequest, episode: Episode, connection: Connection) -> HttpResponse:
    messages.success(request, f"{connection.name} has been suggested.")
    return redirect("casework:connections", pk=episode.pk)


@staff_required(VIEW, WORK)
@never_cache
def connection_update(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Say how a connection is going: suggested, introduced, went, still going, or stopped
    (with why)."""
    episode = episode_for(request, pk, section="connections")
    _check_can_work(request, episode)
    connection = get_object_or_404(Connection, pk=item_pk, episode=episode)
    connection.episode = episode
    form = ConnectionUpdateForm(
        posted(request),
        initial={"status": connection.status, "stopped_reason": connection.stopped_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            connection_services.connection_update(
                actor=request.user,
                connection=connection,
                status=form.cleaned_data["status"],
                stopped_reason=form.cleaned_data["stopped_reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback="status")
        else:
            messages.success(request, f"{connection.name}: the change has been saved.")
            return redirect("casework:connections", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/connection_update.html",
        section="connections",
        context={"form": form, "connection": connection},
    )


# --- gaps ---------------------------------------------------------------------------------------


@staff_required(VIEW, WORK)
@never_cache
def gap_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Record a gap: nothing suitable exists for what the person needs."""
    episode = episode_for(request, pk, section="connections")
    _check_can_work(request, episode)
    form = GapForm(posted(request), needs=connection_services.need_terms(), ward=episode.ward)
    if request.method == "POST" and form.is_valid():
        try:
            connection_services.gap_record(
                actor=request.user,
                episode=episode,
                need=form.cleaned_data["need"],
                ward=form.cleaned_data["ward"],
                what_would_help=form.cleaned_data["what_would_help"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The gap has been recorded.")
            return redirect("casework:connections", pk=episode.pk)
    return render_episode(
        request, episode, "casework/gap_form.html", section="connections", context={"form": form}
    )


def _filtered_gaps(request: HttpRequest) -> tuple[GapFilterForm, QuerySet[Gap]]:
    form = GapFilterForm(request.GET, needs=connection_services.need_terms())
    return form, team_gaps(user=request.user, **form.filters())


@staff_required(VIEW)
@never_cache
def gap_list(request: HttpRequest) -> HttpResponse:
    """Your teams' gaps, by need and ward, for the gapping exercise. No personal data."""
    form, gaps = _filtered_gaps(request)
    page, pagination = paginate(request, gaps, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "casework/gap_list.html",
        {
            "filter_form": form,
            "page": page,
            "pagination": pagination,
            "query": query.urlencode(),
        },
    )


def _csv_cell(value: Any) -> str:
    """Text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_required(VIEW)
@never_cache
def gap_csv(request: HttpRequest) -> HttpResponse:
    """The same gaps as a CSV (need, ward, what would help, date, team); the export is
    recorded in the audit trail."""
    _, gaps = _filtered_gaps(request)
    rows = list(gaps)
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gaps-{today.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Need", "Ward", "What would help", "Date recorded", "Team"])
    for gap in rows:
        writer.writerow(
            [
                _csv_cell(gap.need.name if gap.need else ""),
                _csv_cell(gap.ward.name if gap.ward else ""),
                _csv_cell(gap.what_would_help),
                gap.recorded_on.isoformat(),
                _csv_cell(gap.team.name),
            ]
        )
    audit_record(
        actor=request.user,
        action="export",
        object_type="casework.gap",
        object_label=f"{len(rows)} gaps",
        reason="Gaps downloaded as CSV",
        changes={"filters": [None, request.GET.urlencode()]} if request.GET else None,
    )
    return response


# --- timeline -----------------------------------------------------------------------------------


@staff_required(VIEW)
@never_cache
def timeline(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Contacts, newest first, with the total time spent. Sensitive notes are shown only to
    the person's worker, the note's author and the team's leads; safeguarding concerns are
    highlighted with their escalation."""
    episode = episode_for(request, pk, section="timeline")
    contacts = episode.contacts.select_related("worker")
    totals = contacts.aggregate(count=Count("id"), minutes=Sum("minutes"))
    page, pagination = paginate(request, contacts, PAGE_SIZE)
    user = request.user
    can_work = selectors.can_work_on(user=user, episode=episode)
    # Asked once for the page: the worker and the team's leads see every sensitive note;
    # anyone else, the notes they wrote.
    is_lead = selectors.is_team_lead(user=user, team_id=episode.team_id)
    sees_all = is_lead or selectors.can_see_sensitive(user=user, episode=episode)
    entries = []
    for contact in page.object_list:
        contact.episode = episode
        entries.append(
            {
                "contact": contact,
                "time_spent": time_spent(contact.minutes),
                "show_text": not contact.is_sensitive or sees_all or contact.worker_id == user.pk,
                "can_mark_done": can_work
                and timeline_services.can_mark_done(user=user, contact=contact, is_lead=is_lead),
                "can_correct": can_work
                and timeline_services.can_correct(user=user, contact=contact),
            }
        )
    return render_episode(
        request,
        episode,
        "casework/timeline.html",
        section="timeline",
        context={
            "entries": entries,
            "page": page,
            "pagination": pagination,
            "total_count": totals["count"],
            "total_time": time_spent(totals["minutes"]),
        },
    )


@staff_required(VIEW, WORK)
@never_cache
def contact_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Add a contact to the timeline."""
    episode = episode_for(request, pk, section="timeline")
    _check_can_work(request, episode)
    form = ContactForm(
        posted(request), episode=episode, initial={"happened_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            timeline_services.contact_add(
                actor=request.user, episode=episode, **form.contact_values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The contact has been added to the timeline.")
            return redirect("casework:timeline", pk=episode.pk)
    return render_episode(
        request, episode, "casework/contact_form.html", section="timeline", context={"form": form}
    )


def _episode_contact(episode: Episode, item_pk: UUID) -> Contact:
    contact = get_object_or_404(Contact, pk=item_pk, episode=episode)
    contact.episode = episode
    return contact


@staff_required(VIEW, WORK)
@never_cache
def contact_update(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Correct a contact: its author, on the day they added it."""
    episode = episode_for(request, pk, section="timeline")
    _check_can_work(request, episode)
    contact = _episode_contact(episode, item_pk)
    if not timeline_services.can_correct(user=request.user, contact=contact):
        raise PermissionDenied("Only its author can correct a contact, on the day they added it.")
    form = ContactForm(posted(request), episode=episode, initial=contact_initial(contact))
    if request.method == "POST" and form.is_valid():
        try:
            timeline_services.contact_update(
                actor=request.user, contact=contact, **form.contact_values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The contact has been corrected.")
            return redirect("casework:timeline", pk=episode.pk)
    return render_episode(
        request,
        episode,
        "casework/contact_form.html",
        section="timeline",
        context={"form": form, "contact": contact},
    )


@staff_required(VIEW, WORK)
@require_POST
def escalation_done(request: HttpRequest, pk: UUID, item_pk: UUID) -> HttpResponse:
    """Mark a safeguarding concern's escalation as done: its author or a team lead."""
    episode = episode_for(request, pk, section="timeline")
    contact = _episode_contact(episode, item_pk)
    try:
        timeline_services.escalation_done(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "The concern's escalation is marked as done.")
    return redirect("casework:timeline", pk=episode.pk)


@staff_required(VIEW)
@never_cache
def concerns(request: HttpRequest) -> HttpResponse:
    """Open safeguarding concerns to follow up, each linking to the person's timeline. The
    opening is recorded in the audit trail (it names people)."""
    page, pagination = paginate(request, open_concerns(user=request.user), PAGE_SIZE)
    audit_record(
        actor=request.user,
        action="view",
        object_type="casework.contact",
        object_label="Open safeguarding concerns",
        reason=f"Opened the list of open safeguarding concerns (page {page.number})",
    )
    return render_page(request, "casework/concerns.html", {"page": page, "pagination": pagination})


urlpatterns = [
    path("episodes/<uuid:pk>/connections/", connection_list, name="connections"),
    path("episodes/<uuid:pk>/connections/add/", connection_add, name="connection-add"),
    path(
        "episodes/<uuid:pk>/connections/<uuid:item_pk>/",
        connection_update,
        name="connection-update",
    ),
    path("episodes/<uuid:pk>/gaps/add/", gap_add, name="gap-add"),
    path("gaps/", gap_list, name="gaps"),
    path("gaps.csv", gap_csv, name="gaps-csv"),
    path("episodes/<uuid:pk>/timeline/", timeline, name="timeline"),
    path("episodes/<uuid:pk>/timeline/add/", contact_add, name="contact-add"),
    path("episodes/<uuid:pk>/contacts/<uuid:item_pk>/", contact_update, name="contact-update"),
    path(
        "episodes/<uuid:pk>/contacts/<uuid:item_pk>/done/",
        escalation_done,
        name="contact-escalation-done",
    ),
    path("concerns/", concerns, name="concerns"),
]
