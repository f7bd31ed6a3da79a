"""The directory's editorial pages (staff), partner pages and residents' suggestion forms.

Staff pages need a role permission (staff_required). Partner pages also need the Partner role
and only show the partner's own organisation's listings (selectors answer 404 otherwise).
Residents' pages need no sign-in; they are rate limited and have a honeypot field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from alongside.core import ratelimit
from alongside.core.audit import audit_record
from alongside.core.forms import add_service_errors as _add_errors
from alongside.core.models import AuditEvent
from alongside.core.pagination import paginate
from alongside.core.permissions import staff_required
from alongside.portal import facts
from alongside.portal.feedback import listing_rating_summary

from . import selectors, services
from .forms import (
    AddYourGroupForm,
    ListingForm,
    NoteForm,
    PartnerListingForm,
    RejectForm,
    SuggestChangeForm,
    listing_initial,
)
from .models import Service, Suggestion
from .plain_english import check

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 50
# Residents may send this many suggestions an hour from one browser or one network address.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 60 * 60

State = Service.State


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _listing_form(request: HttpRequest, **kwargs: Any) -> ListingForm:
    return ListingForm(
        _posted(request),
        providers=selectors.provider_choices(),
        editors=selectors.editor_choices(),
        teams=selectors.editor_team_choices(),
        taxonomies=selectors.taxonomies_with_terms(),
        **kwargs,
    )


# --- editors: lists and queues ------------------------------------------------------------------


@staff_required("directory.view_service")
@never_cache
def listing_list(request: HttpRequest) -> HttpResponse:
    """Every listing, filtered by state, editor and words in the name, with the queues."""
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    editor = request.GET.get("editor", "")
    editor = editor if editor in {"me", "none"} else ""
    query = request.GET.get("q", "").strip()[:200]
    try:
        team = UUID(request.GET.get("team", ""))
    except ValueError:
        team = None
    listings = selectors.listing_list_for_editor(
        user=request.user, state=state, editor=editor, team=team, query=query
    )
    page, pagination = paginate(request, listings, PAGE_SIZE)
    counts = selectors.state_counts()
    return render(
        request,
        "directory/listing_list.html",
        {
            "page": page,
            "pagination": pagination,
            "state": state,
            "editor": editor,
            "query": query,
            "states": [(value, label, counts[value]) for value, label in State.choices],
            "total": sum(counts.values()),
            "queues": selectors.queue_counts(user=request.user),
        },
    )


def _queue(request: HttpRequest, queue: str) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    if queue == "review-due":
        items = selectors.review_due_queue(user=request.user, mine=mine)
    elif queue == "suggested-changes":
        items = selectors.suggestion_queue(user=request.user, kind=Suggestion.Kind.CHANGE)
    else:
        items = selectors.suggestion_queue(user=request.user, kind=Suggestion.Kind.NEW)
    page, pagination = paginate(request, items, PAGE_SIZE)
    return render(
        request,
        "directory/queue.html",
        {
            "queue": queue,
            "title": selectors.QUEUES[queue],
            "page": page,
            "pagination": pagination,
            "mine": mine,
            "queues": selectors.queue_counts(user=request.user),
        },
    )


@staff_required("directory.view_service")
@never_cache
def queue_review_due(request: HttpRequest) -> HttpResponse:
    """Public listings not checked for DIRECTORY_REVIEW_MONTHS."""
    return _queue(request, "review-due")


@staff_required("directory.view_service", "directory.view_suggestion")
@never_cache
def queue_suggested_changes(request: HttpRequest) -> HttpResponse:
    """Changes residents and partners have suggested, waiting for an editor."""
    return _queue(request, "suggested-changes")


@staff_required("directory.view_service", "directory.view_suggestion")
@never_cache
def queue_new_listings(request: HttpRequest) -> HttpResponse:
    """New listings from partners and residents, waiting for an editor."""
    return _queue(request, "new-listings")


# --- editors: one listing -----------------------------------------------------------------------


@staff_required("directory.view_service", "directory.add_service")
@never_cache
def listing_create(request: HttpRequest) -> HttpResponse:
    form = _listing_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.listing_create(actor=request.user, **form.listing_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{service.name} has been added as a draft.")
            return redirect("directory:listing-detail", pk=service.pk)
    return render(request, "directory/listing_form.html", {"form": form, "service": None})


@staff_required("directory.view_service")
@never_cache
def listing_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.listing_get(user=request.user, pk=pk)
    return render(
        request,
        "directory/listing_detail.html",
        {
            "service": service,
            "terms": selectors.listing_terms(service=service),
            "report": check(service.description),
            "suggestions": selectors.listing_open_suggestions(service=service),
            "rating_summary": listing_rating_summary(service=service),
            "can": {
                "submit": services.can_transition(service, State.IN_REVIEW)
                and service.state == State.DRAFT,
                "publish": service.state in (State.DRAFT, State.IN_REVIEW),
                "check": service.state in (State.PUBLISHED, State.REVIEW_DUE),
                "archive": services.can_transition(service, State.ARCHIVED),
                "restore": service.state == State.ARCHIVED,
            },
        },
    )


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.listing_get(user=request.user, pk=pk)
    form = _listing_form(request, initial=listing_initial(service))
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.listing_update(
                actor=request.user, service=service, **form.listing_values()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if changes:
                messages.success(request, "The changes have been saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("directory:listing-detail", pk=service.pk)
    if request.method == "POST":
        report = check(request.POST.get("description", ""))
    else:
        report = check(service.description)
    return render(
        request, "directory/listing_form.html", {"form": form, "service": service, "report": report}
    )


@staff_required("directory.view_service")
@never_cache
def listing_preview(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The listing as residents will see it, clearly marked as a preview."""
    # The public page's own facts and include, so the preview cannot differ from it.
    service = selectors.listing_get(user=request.user, pk=pk)
    (listing,) = facts.listings_facts([service.pk], today=facts.today(), public_only=False)
    return render(
        request,
        "directory/listing_preview.html",
        {
            "service": service,
            "facts": listing,
            "venue_maps": list(
                zip(listing.venues, facts.locator_maps(listing.venues), strict=True)
            ),
        },
    )


# Each state change: (service, allowed when, page heading, button, success message, warning?)
ACTIONS: dict[str, dict[str, Any]] = {
    "submit": {
        "service": services.listing_submit_for_review,
        "allowed": lambda s: s.state == State.DRAFT,
        "title": "Send for review",
        "intro": "An editor will check the listing before it is published.",
        "button": "Send for review",
        "done": "The listing has been sent for review.",
    },
    "publish": {
        "service": services.listing_publish,
        "allowed": lambda s: s.state in (State.DRAFT, State.IN_REVIEW),
        "title": "Publish this listing",
        "intro": "Residents and partner systems will see it straight away. Publishing also "
        "records that it was checked today.",
        "button": "Publish",
        "done": "The listing has been published.",
    },
    "check": {
        "service": services.listing_mark_checked,
        "allowed": lambda s: s.state in (State.PUBLISHED, State.REVIEW_DUE),
        "title": "Mark as checked",
        "intro": "Confirm you have checked that everything in the listing is still right.",
        "button": "Mark as checked",
        "done": "The listing has been marked as checked today.",
    },
    "archive": {
        "service": services.listing_archive,
        "allowed": lambda s: services.can_transition(s, State.ARCHIVED),
        "title": "Archive this listing",
        "intro": "It will no longer be shown to the public. It is kept, and can be restored.",
        "button": "Archive",
        "done": "The listing has been archived.",
        "warning": True,
    },
    "restore": {
        "service": services.listing_restore,
        "allowed": lambda s: s.state == State.ARCHIVED,
        "title": "Restore this listing",
        "intro": "It will come back as a draft. Check it, then publish it again.",
        "button": "Restore as a draft",
        "done": "The listing has been restored as a draft.",
    },
}


def _state_change(request: HttpRequest, pk: UUID, action: str) -> HttpResponse:
    spec = ACTIONS[action]
    service = selectors.listing_get(user=request.user, pk=pk)
    if not spec["allowed"](service):
        messages.info(
            request, f"You cannot do this: the listing is {service.get_state_display().lower()}."
        )
        return redirect("directory:listing-detail", pk=service.pk)
    form = NoteForm(_posted(request), submit_label=spec["button"], warning=spec.get("warning"))
    if request.method == "POST" and form.is_valid():
        try:
            spec["service"](actor=request.user, service=service, note=form.cleaned_data["note"])
        except ValidationError as error:
            _add_errors(form, error, fallback="note")
        else:
            messages.success(request, spec["done"])
            return redirect("directory:listing-detail", pk=service.pk)
    return render(
        request,
        "directory/listing_confirm.html",
        {
            "form": form,
            "service": service,
            "spec": spec,
            "report": check(service.description) if action == "publish" else None,
        },
    )


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_submit(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _state_change(request, pk, "submit")


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_publish(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _state_change(request, pk, "publish")


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_mark_checked(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _state_change(request, pk, "check")


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_archive(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _state_change(request, pk, "archive")


@staff_required("directory.view_service", "directory.change_service")
@never_cache
def listing_restore(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _state_change(request, pk, "restore")


@staff_required("directory.view_service", "directory.view_listingchange")
@never_cache
def listing_history(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Who changed which field of the listing, and when."""
    service = selectors.listing_get(user=request.user, pk=pk)
    changes = selectors.listing_history(user=request.user, service=service)
    page, pagination = paginate(request, changes, HISTORY_PAGE_SIZE)
    entries = [
        {
            "change": change,
            "rows": [
                {"label": field_label(name), "old": _shown(old, name), "new": _shown(new, name)}
                for name, (old, new) in change.changes.items()
            ],
        }
        for change in page.object_list
    ]
    return render(
        request,
        "directory/listing_history.html",
        {"service": service, "page": page, "pagination": pagination, "entries": entries},
    )


FIELD_LABELS = {
    "url": "Website",
    "is_free": "Free",
    "how_to_join": "How to join",
    "minimum_age": "Youngest age",
    "maximum_age": "Oldest age",
    "editor": "Named editor",
    "editor_team": "Editing team",
    "provider": "Run by",
    "fees": "Costs",
    "last_checked_at": "Last checked",
    "last_checked_by": "Checked by",
    "published_at": "Published",
}


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return name.replace("_", " ").capitalize()


def _shown(value: Any, name: str = "") -> str:
    """A value from the history as people would read it."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name == "state" and value in State.values:
        return State(value).label
    return str(value)


# --- editors: suggestions -----------------------------------------------------------------------


def _comparison(suggestion: Suggestion) -> list[dict[str, Any]]:
    """Each proposed value beside the listing's current one."""
    service = suggestion.service
    rows = []
    for name, value in suggestion.proposed.items():
        current = getattr(service, name, "") if service and suggestion.kind == "change" else None
        rows.append(
            {
                "label": field_label(name),
                "current": _shown(current),
                "proposed": _shown(value),
                "changed": suggestion.kind != "change" or current != value,
            }
        )
    return rows


@staff_required("directory.view_service", "directory.view_suggestion")
@never_cache
def suggestion_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    if suggestion.name or suggestion.email:
        # A resident's name and email are personal data: record who saw them.
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            obj=suggestion,
            reason="Moderating a suggestion from a member of the public",
        )
    proposed_description = suggestion.proposed.get("description")
    return render(
        request,
        "directory/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "rows": _comparison(suggestion),
            "report": check(proposed_description) if proposed_description else None,
        },
    )


def _open_suggestion(request: HttpRequest, pk: UUID) -> Suggestion | HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    if suggestion.status != Suggestion.Status.OPEN:
        messages.info(request, "This suggestion has already been decided.")
        return redirect("directory:suggestion-detail", pk=suggestion.pk)
    return suggestion


@staff_required("directory.view_service", "directory.change_service", "directory.change_suggestion")
@never_cache
def suggestion_accept(request: HttpRequest, pk: UUID) -> HttpResponse:
    suggestion = _open_suggestion(request, pk)
    if isinstance(suggestion, HttpResponse):
        return suggestion
    form = NoteForm(_posted(request), submit_label="Accept")
    if request.method == "POST" and form.is_valid():
        try:
            service = services.suggestion_accept(
                actor=request.user, suggestion=suggestion, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="note")
        else:
            if service.state == State.DRAFT:
                messages.success(
                    request, "The suggestion has been accepted. Check the draft, then publish it."
                )
            else:
                messages.success(request, "The suggestion has been accepted.")
            return redirect("directory:listing-detail", pk=service.pk)
    return render(
        request,
        "directory/suggestion_decide.html",
        {
            "form": form,
            "suggestion": suggestion,
            "accepting": True,
            "rows": _comparison(suggestion),
        },
    )


@staff_required("directory.view_service", "directory.change_service", "directory.change_suggestion")
@never_cache
def suggestion_reject(request: HttpRequest, pk: UUID) -> HttpResponse:
    suggestion = _open_suggestion(request, pk)
    if isinstance(suggestion, HttpResponse):
        return suggestion
    form = RejectForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_reject(
                actor=request.user, suggestion=suggestion, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="note")
        else:
            messages.success(request, "The suggestion has not been accepted.")
            return redirect("directory:queue-suggested-changes")
    return render(
        request,
        "directory/suggestion_decide.html",
        {"form": form, "suggestion": suggestion, "accepting": False},
    )


# --- partners -----------------------------------------------------------------------------------


def partner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Partner pages: staff_required("directory.add_suggestion") and the Partner role."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_partner(user=request.user):
            raise PermissionDenied("Only partner organisations can use these pages.")
        return view(request, *args, **kwargs)

    wrapped.__doc__ = view.__doc__
    wrapped.__name__ = view.__name__
    return staff_required("directory.add_suggestion")(never_cache(wrapped))


@partner_required
def partner_listings(request: HttpRequest) -> HttpResponse:
    """A partner's own listings and what it has sent to the editors."""
    listings = selectors.partner_listings_for_user(user=request.user)
    page, pagination = paginate(request, listings, PAGE_SIZE)
    return render(
        request,
        "directory/partner/listings.html",
        {
            "page": page,
            "pagination": pagination,
            "has_providers": selectors.partner_providers_for_user(user=request.user).exists(),
            "suggestions": selectors.partner_suggestions_for_user(user=request.user)[:50],
        },
    )


@partner_required
def partner_create(request: HttpRequest) -> HttpResponse:
    providers = selectors.partner_providers_for_user(user=request.user)
    if not providers.exists():
        return render(request, "directory/partner/no_organisation.html")
    form = PartnerListingForm(_posted(request), providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_partner_new(
                actor=request.user,
                provider=form.cleaned_data["provider"],
                message=form.cleaned_data["message"],
                **form.detail_values(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, "Your listing has been sent to an editor. It is not public yet."
            )
            return redirect("directory:partner-listings")
    return render(request, "directory/partner/listing_form.html", {"form": form, "service": None})


@partner_required
def partner_update(request: HttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.partner_listing_get_for_user(user=request.user, pk=pk)
    initial = {name: getattr(service, name) for name in PartnerListingForm.DETAIL_FIELDS}
    form = PartnerListingForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_partner_change(
                actor=request.user,
                service=service,
                message=form.cleaned_data["message"],
                **form.detail_values(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                "Your changes have been sent to an editor. The listing stays as it is until "
                "they accept them.",
            )
            return redirect("directory:partner-listings")
    return render(
        request, "directory/partner/listing_form.html", {"form": form, "service": service}
    )


# --- residents ----------------------------------------------------------------------------------


SUGGESTION_SCOPE = "directory-suggest"


def rate_limited(request: HttpRequest) -> bool:
    return ratelimit.rate_limited(request, scope=SUGGESTION_SCOPE, limit=RATE_LIMIT)


def _count_submission(request: HttpRequest) -> None:
    ratelimit.count_submission(request, scope=SUGGESTION_SCOPE, window=RATE_WINDOW_SECONDS)


def _too_many(request: HttpRequest) -> HttpResponse:
    return ratelimit.too_many(
        request,
        template="directory/public/too_many.html",
        limit=RATE_LIMIT,
        window=RATE_WINDOW_SECONDS,
    )


@never_cache
def suggest_change(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Tell us something is wrong with a listing. No sign-in needed."""
    service = selectors.public_listing_get(pk=pk)
    if rate_limited(request):
        return _too_many(request)
    form = SuggestChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            return redirect("directory-public:suggest-sent", pk=service.pk)
        try:
            services.suggestion_resident_change(
                service=service,
                message=form.cleaned_data["message"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="message")
        else:
            _count_submission(request)
            return redirect("directory-public:suggest-sent", pk=service.pk)
    return render(
        request, "directory/public/suggest_change.html", {"form": form, "service": service}
    )


def suggest_sent(request: HttpRequest, pk: UUID) -> HttpResponse:
    service = selectors.public_listing_get(pk=pk)
    return render(
        request,
        "directory/public/sent.html",
        {"title": "Thank you for telling us", "service": service},
    )


@never_cache
def add_your_group(request: HttpRequest) -> HttpResponse:
    """Tell us about a group that should be in the directory. No sign-in needed."""
    if rate_limited(request):
        return _too_many(request)
    form = AddYourGroupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            return redirect("directory-public:add-your-group-sent")
        data = form.cleaned_data
        try:
            services.suggestion_resident_new(
                group_name=data["group_name"],
                description=data["description"],
                how_to_join=data["how_to_join"],
                url=data["url"],
                group_email=data["group_email"],
                name=data["name"],
                email=data["email"],
            )
        except ValidationError as error:
            _add_errors(form, error, fallback="description")
        else:
            _count_submission(request)
            return redirect("directory-public:add-your-group-sent")
    return render(request, "directory/public/add_your_group.html", {"form": form})


def add_your_group_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/public/sent.html",
        {"title": "Thank you for telling us about the group", "service": None},
    )


def public_suggest_url(service: Service) -> str:
    return reverse("directory-public:suggest-change", kwargs={"pk": service.pk})
