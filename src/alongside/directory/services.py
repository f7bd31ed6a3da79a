"""Writes to the directory. Every write to a listing, or to anything shown with it, ends by
calling `services_changed` (or `locations_changed` / `providers_changed`) in the same
transaction, so the listing's `modified_at` (the API's `last_modified` and ETag) and its
search entry are always current."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from alongside.accounts.models import Membership, Team
from alongside.core.audit import acting_user, field_changes
from alongside.directory.models import PUBLIC_STATES

from .models import ListingChange, Provider, Service, Suggestion
from .search import index


def services_changed(*, service_ids: Iterable[uuid.UUID]) -> None:
    """Mark these listings as changed now and refresh their search entries."""
    ids = list({*service_ids})
    if not ids:
        return
    Service.objects.filter(pk__in=ids).update(modified_at=timezone.now())
    index.index_services(service_ids=ids)


def locations_changed(*, location_ids: Iterable[uuid.UUID]) -> None:
    """A place (or its address, accessibility or phones) changed: so did every listing there."""
    ids = list(
        Service.objects.filter(at_locations__location_id__in=list(location_ids))
        .values_list("pk", flat=True)
        .distinct()
    )
    services_changed(service_ids=ids)


def providers_changed(*, provider_ids: Iterable[uuid.UUID]) -> None:
    """An organisation changed: so did every listing it runs."""
    ids = list(
        Service.objects.filter(provider_id__in=list(provider_ids)).values_list("pk", flat=True)
    )
    services_changed(service_ids=ids)


# --- the editorial workflow ---------------------------------------------------------------------
# Every write below validates first (raising ValidationError and changing nothing), records a
# ListingChange with the fields it changed, and calls `services_changed` in its transaction.

# What staff may set on a listing, and what partners and residents may propose.
LISTING_FIELDS: tuple[str, ...] = (
    "name",
    "summary",
    "description",
    "kind",
    "provider",
    "url",
    "email",
    "is_free",
    "fees",
    "minimum_age",
    "maximum_age",
    "how_to_join",
    "terms",
    "editor",
    "editor_team",
)
PROPOSABLE_FIELDS: tuple[str, ...] = (
    "name",
    "summary",
    "description",
    "kind",
    "url",
    "email",
    "is_free",
    "fees",
    "minimum_age",
    "maximum_age",
    "how_to_join",
)
_TEXT_FIELDS = {"name", "summary", "description", "url", "email", "fees", "how_to_join"}

State = Service.State

# The one table of allowed state changes. Only the services below use it.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.IN_REVIEW, State.PUBLISHED, State.ARCHIVED}),
    State.IN_REVIEW: frozenset({State.DRAFT, State.PUBLISHED, State.ARCHIVED}),
    # Published to published is "mark as checked".
    State.PUBLISHED: frozenset({State.PUBLISHED, State.REVIEW_DUE, State.ARCHIVED}),
    State.REVIEW_DUE: frozenset({State.PUBLISHED, State.ARCHIVED}),
    State.ARCHIVED: frozenset({State.DRAFT}),
}


def can_transition(service: Service, to: str) -> bool:
    return to in TRANSITIONS.get(service.state, frozenset())


def _actor_label(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.email[:254]
    return "system"


def _label(value: Any) -> Any:
    """How a value is kept in the history: names rather than ids, so it reads well later."""
    if isinstance(value, models.Model):
        return str(value)
    return value


def _snapshot(service: Service) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in LISTING_FIELDS:
        if name == "terms":
            values[name] = sorted(str(t) for t in service.terms.all()) if service.pk else []
        else:
            values[name] = _label(getattr(service, name))
    values["state"] = service.state
    return values


def _record(
    *,
    service: Service,
    actor: Any,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    actor_label: str = "",
) -> ListingChange:
    return ListingChange.objects.create(
        service=service,
        actor=acting_user(actor),
        actor_label=(actor_label or _actor_label(actor))[:254],
        action=action,
        changes=changes or {},
        note=note,
    )


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not a listing field: {', '.join(sorted(unknown))}")


def _clean_values(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for name in _TEXT_FIELDS & set(cleaned):
        cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def _validate(service: Service) -> None:
    """The model's own checks, with plain messages for the ones people meet."""
    errors: dict[str, list[str]] = {}
    if not service.name:
        errors["name"] = ["Enter a name for the listing"]
    if not service.description:
        errors["description"] = ["Enter a description"]
    if (
        service.minimum_age is not None
        and service.maximum_age is not None
        and service.minimum_age > service.maximum_age
    ):
        errors["maximum_age"] = ["Maximum age must be the same as or more than the minimum age"]
    if errors:
        raise ValidationError(errors)
    service.full_clean(exclude=["terms"])


def listing_create(
    *,
    actor: Any,
    state: str = State.DRAFT,
    note: str = "",
    **fields: Any,
) -> Service:
    """Add a listing (a draft unless `state` says in review). Publishing is a separate step."""
    _check_fields(fields, LISTING_FIELDS)
    if state not in (State.DRAFT, State.IN_REVIEW):
        raise ValidationError("A new listing starts as a draft or in review.")
    fields = _clean_values(fields)
    terms = list(fields.pop("terms", []) or [])
    with transaction.atomic():
        service = Service(state=state, **fields)
        if acting_user(actor):
            service.created_by = service.modified_by = actor
        _validate(service)
        service.save()
        service.terms.set(terms)
        _record(
            service=service,
            actor=actor,
            action="created",
            changes=field_changes({}, _snapshot(service)),
            note=note,
        )
        services_changed(service_ids=[service.pk])
    return service


def listing_update(
    *,
    actor: Any,
    service: Service,
    note: str = "",
    action: str = "updated",
    actor_label: str = "",
    **fields: Any,
) -> dict[str, list[Any]]:
    """Change a listing's fields; returns {field: [old, new]} (empty when nothing changed,
    in which case nothing is written)."""
    _check_fields(fields, LISTING_FIELDS)
    fields = _clean_values(fields)
    terms = fields.pop("terms", None)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        before = _snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate(locked)
        after = {**before, **{name: _label(getattr(locked, name)) for name in fields}}
        if terms is not None:
            after["terms"] = sorted(str(t) for t in terms)
        changes = field_changes(before, after)
        if not changes:
            return {}
        if acting_user(actor):
            locked.modified_by = actor
        locked.save()
        if terms is not None:
            locked.terms.set(list(terms))
        _record(
            service=locked,
            actor=actor,
            action=action,
            changes=changes,
            note=note,
            actor_label=actor_label,
        )
        services_changed(service_ids=[locked.pk])
    service.refresh_from_db()
    return changes


def _team_of(actor: Any) -> Team | None:
    """The team an editor checks listings for: their directory team if they have one."""
    if not acting_user(actor):
        return None
    memberships = Membership.objects.filter(user=actor, team__is_active=True).select_related("team")
    teams = [m.team for m in memberships]
    for team in teams:
        if team.programmes.filter(code="directory").exists():
            return team
    return teams[0] if teams else None


def _transition(
    *,
    actor: Any,
    service: Service,
    to: str,
    action: str,
    note: str = "",
    message: str,
    extra: dict[str, Any] | None = None,
) -> Service:
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        if not can_transition(locked, to):
            raise ValidationError(message.format(state=locked.get_state_display().lower()))
        before = _snapshot(locked)
        before.update({name: _label(getattr(locked, name)) for name in extra or {}})
        locked.state = to
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
        _validate(locked)
        if acting_user(actor):
            locked.modified_by = actor
        locked.save()
        after = {**before, "state": to, **{k: _label(v) for k, v in (extra or {}).items()}}
        _record(
            service=locked,
            actor=actor,
            action=action,
            changes=field_changes(before, after),
            note=note,
        )
        services_changed(service_ids=[locked.pk])
    service.refresh_from_db()
    return service


def listing_submit_for_review(*, actor: Any, service: Service, note: str = "") -> Service:
    """A draft is ready for an editor to check."""
    return _transition(
        actor=actor,
        service=service,
        to=State.IN_REVIEW,
        action="submitted for review",
        note=note,
        message="Only a draft can be sent for review. This listing is {state}.",
    )


def listing_publish(*, actor: Any, service: Service, note: str = "") -> Service:
    """Show a draft or in-review listing to the public. Publishing counts as checking it
    today. (A public listing is marked as checked instead, keeping its first published date.)"""
    if service.state not in (State.DRAFT, State.IN_REVIEW):
        raise ValidationError(
            f"This listing cannot be published because it is {service.get_state_display().lower()}."
        )
    now = timezone.now()
    return _transition(
        actor=actor,
        service=service,
        to=State.PUBLISHED,
        action="published",
        note=note,
        message="This listing cannot be published because it is {state}.",
        extra={
            "published_at": now,
            "last_checked_at": timezone.localdate(now),
            "last_checked_by": _team_of(actor),
        },
    )


def listing_mark_checked(*, actor: Any, service: Service, note: str = "") -> Service:
    """An editor has checked a public listing is still right; it is no longer due for review."""
    if service.state not in (State.PUBLISHED, State.REVIEW_DUE):
        raise ValidationError("Only a published listing can be marked as checked.")
    return _transition(
        actor=actor,
        service=service,
        to=State.PUBLISHED,
        action="checked",
        note=note,
        message="Only a published listing can be marked as checked. This listing is {state}.",
        extra={"last_checked_at": timezone.localdate(), "last_checked_by": _team_of(actor)},
    )


def listing_archive(*, actor: Any, service: Service, note: str = "") -> Service:
    """Take the listing off the directory. It is kept and can be restored."""
    return _transition(
        actor=actor,
        service=service,
        to=State.ARCHIVED,
        action="archived",
        note=note,
        message="This listing is already {state}.",
    )


def listing_restore(*, actor: Any, service: Service, note: str = "") -> Service:
    """Bring an archived listing back as a draft, to be checked and published again."""
    return _transition(
        actor=actor,
        service=service,
        to=State.DRAFT,
        action="restored",
        note=note,
        message="Only an archived listing can be restored. This listing is {state}.",
    )


def review_cutoff(*, today: dt.date) -> dt.date:
    """Listings last checked before this date are due for review."""
    return today - relativedelta(months=settings.DIRECTORY_REVIEW_MONTHS)


def listings_mark_review_due(*, today: dt.date) -> int:
    """Move published listings not checked for DIRECTORY_REVIEW_MONTHS to review due; returns
    how many moved. They stay public; editors see them in their review-due queue."""
    cutoff = review_cutoff(today=today)
    checked_on = Coalesce("last_checked_at", TruncDate("published_at"))
    with transaction.atomic():
        due = list(
            Service.objects.select_for_update()
            .filter(state=State.PUBLISHED)
            .annotate(checked_on=checked_on)
            .filter(Q(checked_on__lt=cutoff) | Q(checked_on__isnull=True))
            .values_list("pk", "checked_on")
        )
        if not due:
            return 0
        ids = [pk for pk, _ in due]
        Service.objects.filter(pk__in=ids).update(state=State.REVIEW_DUE)
        ListingChange.objects.bulk_create(
            ListingChange(
                service_id=pk,
                actor_label="system",
                action="review due",
                changes={"state": [State.PUBLISHED.value, State.REVIEW_DUE.value]},
                note=(
                    f"Last checked {checked_on.day} {checked_on:%B %Y}."
                    if checked_on
                    else "Never checked."
                ),
            )
            for pk, checked_on in due
        )
        services_changed(service_ids=ids)
    return len(ids)


# --- suggestions --------------------------------------------------------------------------------


def _clean_proposed(values: dict[str, Any]) -> dict[str, Any]:
    _check_fields(values, PROPOSABLE_FIELDS)
    return _clean_values(values)


def _contact(*, name: str, email: str, message: str) -> dict[str, str]:
    contact = {"name": (name or "").strip(), "email": (email or "").strip()}
    contact["message"] = (message or "").strip()
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError as error:
            raise ValidationError(
                {"email": "Enter an email address in the correct format, like name@example.org"}
            ) from error
    return contact


def suggestion_resident_change(
    *, service: Service, message: str, name: str = "", email: str = ""
) -> Suggestion:
    """A member of the public says something about a public listing is wrong. It waits for
    an editor; the listing does not change."""
    if service.state not in PUBLIC_STATES:
        raise ValidationError("You can only suggest a change to a listing that is on the site.")
    contact = _contact(name=name, email=email, message=message)
    if not contact["message"]:
        raise ValidationError({"message": "Tell us what needs to change"})
    with transaction.atomic():
        suggestion = Suggestion(
            kind=Suggestion.Kind.CHANGE,
            source=Suggestion.Source.RESIDENT,
            service=service,
            provider=service.provider,
            **contact,
        )
        suggestion.full_clean()
        suggestion.save()
    return suggestion


def suggestion_resident_new(
    *,
    group_name: str,
    description: str,
    how_to_join: str = "",
    url: str = "",
    group_email: str = "",
    name: str = "",
    email: str = "",
    message: str = "",
) -> Suggestion:
    """A member of the public tells us about a group. Nothing is listed until an editor
    accepts it, checks the draft and publishes it."""
    errors: dict[str, str] = {}
    proposed = _clean_values(
        {
            "name": group_name,
            "description": description,
            "how_to_join": how_to_join,
            "url": url,
            "email": group_email,
        }
    )
    if not proposed["name"]:
        errors["group_name"] = "Enter the name of the group"
    if not proposed["description"]:
        errors["description"] = "Tell us what the group does"
    if errors:
        raise ValidationError(errors)
    contact = _contact(name=name, email=email, message=message)
    suggestion = Suggestion(
        kind=Suggestion.Kind.NEW,
        source=Suggestion.Source.RESIDENT,
        proposed={k: v for k, v in proposed.items() if v},
        **contact,
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def suggestion_partner_new(
    *, actor: Any, provider: Provider, message: str = "", **fields: Any
) -> Suggestion:
    """A partner adds a listing for its own organisation: a listing in review (not public)
    and an open suggestion for an editor to accept."""
    from .selectors import partner_providers_for_user

    if not partner_providers_for_user(user=actor).filter(pk=provider.pk).exists():
        raise PermissionDenied("You can only add listings for your own organisation.")
    proposed = _clean_proposed(fields)
    with transaction.atomic():
        service = listing_create(
            actor=actor,
            state=State.IN_REVIEW,
            provider=provider,
            note="Added by a partner; waiting for an editor.",
            **proposed,
        )
        suggestion = Suggestion.objects.create(
            kind=Suggestion.Kind.NEW,
            source=Suggestion.Source.PARTNER,
            service=service,
            provider=provider,
            submitted_by=actor,
            name=actor.full_name[:150],
            email=actor.email,
            message=(message or "").strip(),
            proposed=_jsonable(proposed),
        )
    return suggestion


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _label(v) for k, v in values.items()}


def suggestion_partner_change(
    *, actor: Any, service: Service, message: str = "", **fields: Any
) -> Suggestion:
    """A partner proposes new values for one of its own listings. The listing is unchanged
    until an editor accepts them."""
    from .selectors import partner_listings_for_user

    if not partner_listings_for_user(user=actor).filter(pk=service.pk).exists():
        raise PermissionDenied("You can only update your own organisation's listings.")
    proposed = _clean_proposed(fields)
    # Checked as the listing would be, without saving it.
    trial = Service.objects.get(pk=service.pk)
    for name, value in proposed.items():
        setattr(trial, name, value)
    _validate(trial)
    current = {name: getattr(service, name) for name in proposed}
    changed = {name: value for name, value in proposed.items() if value != current[name]}
    if not changed:
        raise ValidationError("You have not changed anything. Change a detail, then send it.")
    suggestion = Suggestion.objects.create(
        kind=Suggestion.Kind.CHANGE,
        source=Suggestion.Source.PARTNER,
        service=service,
        provider=service.provider,
        submitted_by=actor,
        name=actor.full_name[:150],
        email=actor.email,
        message=(message or "").strip(),
        proposed=_jsonable(changed),
    )
    return suggestion


def _decide(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != Suggestion.Status.OPEN:
        raise ValidationError(
            f"This suggestion has already been decided ({locked.get_status_display().lower()})."
        )
    return locked


def _from_label(suggestion: Suggestion) -> str:
    who = suggestion.name or suggestion.email or suggestion.get_source_display().lower()
    return f"{suggestion.get_source_display()}: {who}"


def suggestion_accept(*, actor: Any, suggestion: Suggestion, note: str = "") -> Service:
    """Apply a suggestion. A change is applied to the live listing; a partner's new listing
    is published; a resident's new group becomes a draft for the editor to check."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _decide(suggestion)
        proposed = {k: v for k, v in locked.proposed.items() if k in PROPOSABLE_FIELDS}
        history_note = f"Accepted a suggestion ({_from_label(locked)})." + (
            f" {note}" if note else ""
        )
        if locked.kind == Suggestion.Kind.CHANGE:
            service = locked.service
            if service is None:
                raise ValidationError("The listing this suggestion is about no longer exists.")
            changes = listing_update(
                actor=actor,
                service=service,
                action="suggestion accepted",
                note=history_note,
                **proposed,
            )
            if not changes:
                # Nothing to apply (a resident described the change in words): the history
                # still says it was seen and accepted.
                _record(
                    service=service, actor=actor, action="suggestion accepted", note=history_note
                )
        elif locked.service is not None:
            service = locked.service
            if proposed:
                listing_update(actor=actor, service=service, note=history_note, **proposed)
            if service.state in (State.DRAFT, State.IN_REVIEW):
                listing_publish(actor=actor, service=service, note=history_note)
        else:
            provider = locked.provider or _provider_for_new_group(
                actor=actor, name=proposed["name"]
            )
            proposed.setdefault("summary", "")
            service = listing_create(actor=actor, provider=provider, note=history_note, **proposed)
            locked.service = service
            locked.provider = provider
        locked.status = Suggestion.Status.ACCEPTED
        locked.decided_by = acting_user(actor)
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
    suggestion.refresh_from_db()
    return service


def _provider_for_new_group(*, actor: Any, name: str) -> Provider:
    existing = Provider.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    provider = Provider(name=name[:200], description=f"{name[:200]}, added from a suggestion.")
    if acting_user(actor):
        provider.created_by = provider.modified_by = actor
    provider.full_clean()
    provider.save()
    return provider


def suggestion_reject(*, actor: Any, suggestion: Suggestion, note: str) -> Suggestion:
    """Decline a suggestion, saying why. A partner's new listing is archived unpublished."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Enter why the suggestion is not being accepted"})
    with transaction.atomic():
        locked = _decide(suggestion)
        locked.status = Suggestion.Status.REJECTED
        locked.decided_by = acting_user(actor)
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
        service = locked.service
        if service is not None:
            history_note = f"Did not accept a suggestion ({_from_label(locked)}). {note}"
            if locked.kind == Suggestion.Kind.NEW and can_transition(service, State.ARCHIVED):
                listing_archive(actor=actor, service=service, note=history_note)
            else:
                _record(
                    service=service, actor=actor, action="suggestion rejected", note=history_note
                )
    suggestion.refresh_from_db()
    return suggestion
