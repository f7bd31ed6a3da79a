"""Writes to person records. Each validates, changes the data and writes its audit event.

Every event about a person carries `person_id`, so "who has looked at this record", the
subject access export and erasure all find them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.template.loader import render_to_string
from django.utils import timezone

from alongside.accounts.models import Membership, Organisation, Team, User
from alongside.core.audit import audit_record, audit_redact_person, field_changes
from alongside.core.models import AuditEvent
from alongside.core.postcodes import PostcodeNotFound, locate_postcode, normalise_postcode

from .models import Consent, Erasure, Involvement, Person, PersonLink
from .nhs_number import format_nhs_number, normalise_nhs_number

# The fields staff type in. Ward and small area follow from the postcode.
PERSON_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "preferred_contact",
    "do_not_phone",
    "do_not_email",
    "do_not_write",
    "contact_notes",
    "interpreter_needed",
    "language",
    "uses_bsl",
    "needs_large_print",
    "needs_easy_read",
    "other_communication_needs",
    "is_carer",
    "has_carer",
)
DERIVED_FIELDS: tuple[str, ...] = ("ward", "small_area")


def _required(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Not a person field: {', '.join(sorted(unknown))}")


def _check_member(*, actor: User, team: Team) -> None:
    if not Membership.objects.filter(user=actor, team=team, team__is_active=True).exists():
        raise PermissionDenied("You can only do this for a team you work in.")


def _snapshot(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(person, name) for name in PERSON_FIELDS}
    values["ward"] = person.ward.name if person.ward_id else None
    values["small_area"] = person.small_area.code if person.small_area_id else None
    return values


def _apply_postcode(person: Person) -> None:
    """Normalise the postcode and set the ward and small area it is in. A real postcode
    missing from the imported directory is kept, with no ward."""
    if not person.postcode.strip():
        person.postcode, person.ward, person.small_area = "", None, None
        return
    try:
        location = locate_postcode(person.postcode)
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from error
    except PostcodeNotFound:
        person.postcode, person.ward, person.small_area = (
            normalise_postcode(person.postcode),
            None,
            None,
        )
        return
    person.postcode = location.postcode
    person.ward, person.small_area = location.ward, location.small_area


def _validate_identity(person: Person) -> None:
    """Checks the model cannot make: a real NHS number held by no other record, and a date
    of birth in the past."""
    errors: dict[str, list[str]] = {}
    for name in ("given_name", "family_name", "preferred_name"):
        setattr(person, name, (getattr(person, name) or "").strip())
    if person.nhs_number:
        try:
            person.nhs_number = normalise_nhs_number(person.nhs_number)
        except ValidationError as error:
            errors["nhs_number"] = error.messages
        else:
            taken = Person.objects.filter(nhs_number=person.nhs_number).exclude(pk=person.pk)
            if taken.exists():
                errors["nhs_number"] = [
                    "Another record already has this NHS number. Use that record, or check "
                    "the number"
                ]
    if person.date_of_birth and person.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = ["Date of birth must be in the past"]
    if errors:
        raise ValidationError(errors)


def _person_audit(
    *, actor: User, action: str, person: Person, reason: str = "", changes: dict | None = None
) -> AuditEvent:
    return audit_record(
        actor=actor, action=action, obj=person, person_id=person.pk, reason=reason, changes=changes
    )


def _involve(*, actor: User, person: Person, team: Team, reason: str) -> Involvement:
    involvement = Involvement(
        person=person, team=team, reason=reason, created_by=actor, modified_by=actor
    )
    # The person, team and users are rows already (passed in as instances), and every caller
    # has just checked the team has no open involvement (the database refuses a second), so
    # only the plain fields need checking: no existence queries on a hot path (booking).
    involvement.full_clean(
        exclude=["person", "team", "created_by", "modified_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    involvement.save()
    audit_record(
        actor=actor,
        action="create",
        obj=involvement,
        object_label=f"{team.name} works with the person",
        person_id=person.pk,
        reason=reason,
        changes={"team": [None, team.name]},
    )
    return involvement


@transaction.atomic
def person_create(
    *,
    actor: User,
    team: Team,
    given_name: str,
    family_name: str,
    reason: str,
    date_of_birth: date | None = None,
    nhs_number: str = "",
    **details: Any,
) -> Person:
    """Add a person, give the actor's team an involvement with them, and audit both.

    `reason` is why the team is working with the person. `details` are any other fields
    in PERSON_FIELDS. The postcode, when given, sets the ward and small area.
    """
    _check_fields(details)
    reason = _required(
        reason, field="reason", message="Enter why your team is working with this person"
    )
    _check_member(actor=actor, team=team)
    person = Person(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number or "",
        created_by=actor,
        modified_by=actor,
        **details,
    )
    _validate_identity(person)
    _apply_postcode(person)
    person.full_clean()
    person.save()
    created = {k: v for k, v in _snapshot(person).items() if v not in ("", None, False)}
    _person_audit(
        actor=actor,
        action="create",
        person=person,
        reason=reason,
        changes=field_changes({}, created),
    )
    _involve(actor=actor, person=person, team=team, reason=reason)
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, reason: str = "", **fields: Any) -> Person:
    """Change any of PERSON_FIELDS. The audit event holds each changed field's old and new
    value; a new postcode sets the ward again. Nothing is written when nothing changed."""
    _check_fields(fields)
    before = _snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    _validate_identity(person)
    if "postcode" in fields:
        _apply_postcode(person)
    person.modified_by = actor
    person.full_clean()
    changes = field_changes(before, _snapshot(person))
    if not changes:
        return person
    person.save()
    _person_audit(actor=actor, action="change", person=person, reason=reason, changes=changes)
    return person


@transaction.atomic
def person_use_existing(*, actor: User, person: Person, team: Team, reason: str) -> Involvement:
    """The actor found the person already on record (from the duplicate check): their team
    starts working with that record instead of adding another. An archived record is
    brought back into use."""
    reason = _required(
        reason, field="reason", message="Enter why your team is working with this person"
    )
    _check_member(actor=actor, team=team)
    if person.is_archived:
        before = {"archived_at": person.archived_at, "archived_reason": person.archived_reason}
        person.archived_at, person.archived_reason = None, ""
        person.modified_by = actor
        person.save(update_fields=["archived_at", "archived_reason", "modified_by", "modified_at"])
        _person_audit(
            actor=actor,
            action="change",
            person=person,
            reason=f"Record in use again: {reason}",
            changes=field_changes(before, {"archived_at": None, "archived_reason": ""}),
        )
    existing = Involvement.objects.filter(person=person, team=team, ended_at__isnull=True).first()
    if existing is not None:
        return existing
    return _involve(actor=actor, person=person, team=team, reason=reason)


@transaction.atomic
def involvement_open(*, actor: User, person: Person, team: Team, reason: str) -> Involvement:
    """Another app starts a team's work with a person (an introduction to Local Area
    Coordination, a referral): the team gets its reason to see the record. The actor need not
    be in that team; an open involvement is kept as it is."""
    existing = Involvement.objects.filter(person=person, team=team, ended_at__isnull=True).first()
    if existing is not None:
        return existing
    return _involve(actor=actor, person=person, team=team, reason=reason)


@transaction.atomic
def person_link(*, actor: User, person: Person, other: Person, reason: str) -> PersonLink:
    """Record that two records may be the same person. They are linked, never merged."""
    reason = _required(reason, field="reason", message="Enter why these records may be linked")
    if person.pk == other.pk:
        raise ValidationError({"other": "Choose a different record to link to"})
    if PersonLink.objects.filter(
        Q(from_person=person, to_person=other) | Q(from_person=other, to_person=person)
    ).exists():
        raise ValidationError({"other": "These records are already linked"})
    link = PersonLink(
        from_person=person, to_person=other, reason=reason, created_by=actor, modified_by=actor
    )
    link.full_clean()
    link.save()
    for about in (person, other):
        audit_record(actor=actor, action="link", obj=link, person_id=about.pk, reason=reason)
    return link


@transaction.atomic
def person_archive(*, actor: User, person: Person, reason: str) -> Person:
    """Archive a record that is no longer in use. It is kept, with the reason."""
    reason = _required(reason, field="reason", message="Enter why you are archiving this record")
    if person.is_archived:
        raise ValidationError("This record is already archived")
    person.archived_at = timezone.now()
    person.archived_reason = reason[:300]
    person.modified_by = actor
    person.full_clean()
    person.save(update_fields=["archived_at", "archived_reason", "modified_by", "modified_at"])
    _person_audit(
        actor=actor,
        action="archive",
        person=person,
        reason=reason,
        changes={"archived_at": [None, person.archived_at.isoformat()]},
    )
    return person


@transaction.atomic
def consent_record(
    *,
    actor: User,
    person: Person,
    purpose: str,
    agreed: str,
    given_at: date,
    how_recorded: str = "verbal",
    shared_with: Iterable[Organisation] = (),
) -> Consent:
    """Record what the person agreed to and who it may be shared with."""
    if given_at and given_at > timezone.localdate():
        raise ValidationError({"given_at": "The date agreed must be today or in the past"})
    consent = Consent(
        person=person,
        purpose=purpose,
        agreed=(agreed or "").strip(),
        given_at=given_at,
        how_recorded=how_recorded,
        created_by=actor,
        modified_by=actor,
    )
    consent.full_clean()
    consent.save()
    organisations = list(shared_with)
    consent.shared_with.set(organisations)
    audit_record(
        actor=actor,
        action="create",
        obj=consent,
        person_id=person.pk,
        changes=field_changes(
            {},
            {
                "purpose": consent.purpose,
                "agreed": consent.agreed,
                "given_at": consent.given_at,
                "how_recorded": consent.how_recorded,
                "shared_with": sorted(o.name for o in organisations),
            },
        ),
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, consent: Consent, withdrawn_at: date | None = None, reason: str = ""
) -> Consent:
    """The person withdrew their consent. They need not give a reason."""
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent has already been withdrawn")
    withdrawn_at = withdrawn_at or timezone.localdate()
    if withdrawn_at > timezone.localdate():
        raise ValidationError({"withdrawn_at": "The date withdrawn must be today or in the past"})
    if withdrawn_at < consent.given_at:
        raise ValidationError(
            {"withdrawn_at": "The date withdrawn must be on or after the date it was agreed"}
        )
    consent.withdrawn_at = withdrawn_at
    consent.withdrawn_reason = (reason or "").strip()
    consent.modified_by = actor
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action="change",
        obj=consent,
        person_id=consent.person_id,
        reason=consent.withdrawn_reason,
        changes=field_changes(
            {"withdrawn_at": None, "withdrawn_reason": ""},
            {"withdrawn_at": consent.withdrawn_at, "withdrawn_reason": consent.withdrawn_reason},
        ),
    )
    return consent


def person_record_view(*, actor: User, person: Person, reason: str = "") -> AuditEvent:
    """Every time someone opens a person's record, say so in the audit trail."""
    return _person_audit(actor=actor, action="view", person=person, reason=reason)


@transaction.atomic
def person_matches_shown_record(*, actor: User, people: Iterable[Person]) -> None:
    """The duplicate check showed these records (name and date of birth) to the actor,
    who may not otherwise see them: that is an access, so it is audited."""
    for person in people:
        _person_audit(
            actor=actor,
            action="search",
            person=person,
            reason="Shown as a possible match while adding a person",
        )


# Subject access ---------------------------------------------------------------------------


def _display(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _person_values(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in Person._meta.concrete_fields:
        value = getattr(person, field.name)
        if field.choices and value:
            value = dict(field.flatchoices).get(value, value)
        values[field.name] = _display(value)
    return values


def person_export_rows(person: Person) -> list[tuple[str, Any]]:
    """(label, value) for each field on the record, for people to read."""
    rows = []
    for field in Person._meta.concrete_fields:
        value = getattr(person, field.name)
        if field.choices and value:
            value = dict(field.flatchoices).get(value, value)
        if field.name == "nhs_number" and value:
            value = format_nhs_number(value)
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        label = "Record ID" if field.name == "id" else str(field.verbose_name)
        rows.append((label[:1].upper() + label[1:], "" if value is None else value))
    return rows


def _export_data(*, actor: User, person: Person) -> dict[str, Any]:
    consents = Consent.objects.filter(person=person).prefetch_related("shared_with")
    involvements = Involvement.objects.filter(person=person).select_related("team__organisation")
    links = PersonLink.objects.filter(Q(from_person=person) | Q(to_person=person))
    events = (
        AuditEvent.objects.filter(person_id=person.pk)
        .select_related("actor__organisation")
        .order_by("at", "id")
    )
    return {
        "exported_at": timezone.now(),
        "exported_by": actor.full_name or actor.email,
        "person": _person_values(person),
        "consents": [
            {
                "id": str(c.pk),
                "purpose": c.get_purpose_display(),
                "agreed": c.agreed,
                "date_agreed": c.given_at,
                "how_recorded": c.get_how_recorded_display(),
                "shared_with": sorted(o.name for o in c.shared_with.all()),
                "withdrawn_on": c.withdrawn_at,
                "withdrawn_reason": c.withdrawn_reason,
            }
            for c in consents
        ],
        "teams_involved": [
            {
                "team": i.team.name,
                "organisation": i.team.organisation.name,
                "reason": i.reason,
                "started": i.started_at,
                "ended": i.ended_at,
            }
            for i in involvements
        ],
        "linked_records": [
            {
                "record_id": str(
                    link.to_person_id if link.from_person_id == person.pk else link.from_person_id
                ),
                "reason": link.reason,
                "linked_on": link.created_at,
            }
            for link in links
        ],
        "access_and_changes": [
            {
                "when": e.at,
                "what": e.get_action_display(),
                "by": e.actor.full_name if e.actor else e.actor_label,
                "organisation": (
                    e.actor.organisation.name if e.actor and e.actor.organisation else ""
                ),
                "item": e.object_type,
                "reason": e.reason,
                "changes": e.changes,
            }
            for e in events
        ],
    }


def _check_can_export(actor: User) -> None:
    if not actor.has_perm("people.export_person"):
        raise PermissionDenied("You do not have a role that allows exporting records.")


@transaction.atomic
def person_export(*, actor: User, person: Person, reason: str) -> dict[str, Any]:
    """Everything held about the person (a subject access request): the record, consents,
    teams involved, linked records, and every access and change, including this export.
    The values are JSON-ready."""
    _check_can_export(actor)
    reason = _required(reason, field="reason", message="Enter why you are exporting this record")
    _person_audit(actor=actor, action="export", person=person, reason=f"{reason} (JSON)")
    data = _export_data(actor=actor, person=person)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def person_export_pdf(*, actor: User, person: Person, reason: str) -> bytes:
    """The same export as person_export, as a PDF to give to the person."""
    from weasyprint import HTML  # imported here: it is slow to load and only used here

    _check_can_export(actor)
    reason = _required(reason, field="reason", message="Enter why you are exporting this record")
    _person_audit(actor=actor, action="export", person=person, reason=f"{reason} (PDF)")
    data = _export_data(actor=actor, person=person)
    html = render_to_string(
        "people/export_pdf.html",
        {
            "data": data,
            "rows": person_export_rows(person),
            "person": person,
            "council": settings.COUNCIL,
        },
    )
    return HTML(string=html).write_pdf()


# Erasure ------------------------------------------------------------------------------------


@transaction.atomic
def person_erase(*, actor: User, person: Person, lawful_basis: str) -> Erasure:
    """Delete the person's record and everything hanging from it, where erasure is lawful.

    The audit events stay (who did what, when) with their personal values redacted, and an
    Erasure record notes when, by whom and on what lawful basis.
    """
    if not actor.has_perm("people.erase_person"):
        raise PermissionDenied("You do not have a role that allows erasing records.")
    lawful_basis = _required(
        lawful_basis,
        field="lawful_basis",
        message="Enter the lawful basis for erasing this record",
    )
    person_id = person.pk
    try:
        person.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            "This record is still used by other work, such as a support episode. Close or "
            "remove that work first"
        ) from error
    audit_redact_person(person_id=person_id)
    erasure = Erasure.objects.create(
        person_id=person_id, erased_by=actor, lawful_basis=lawful_basis[:300]
    )
    audit_record(
        actor=actor,
        action="erase",
        object_type="people.person",
        object_id=str(person_id),
        object_label="Erased record",
        person_id=person_id,
        reason=lawful_basis,
    )
    return erasure
