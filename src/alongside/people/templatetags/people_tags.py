"""Template filters for person records."""

from __future__ import annotations

from datetime import date

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from alongside.people.models import Person
from alongside.people.nhs_number import format_nhs_number

register = template.Library()

_ITEMS = {
    "people.person": "Record",
    "people.consent": "Consent",
    "people.involvement": "Team working with them",
    "people.personlink": "Linked record",
}


@register.filter
def nhs(value: str) -> str:
    """'4857773456' as '943 476 5919'."""
    return format_nhs_number(value) if value else ""


@register.filter
def age(born: date | None) -> int | None:
    """Age in whole years today."""
    if not born:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@register.filter
def audit_item(object_type: str) -> str:
    """A plain name for the kind of thing an audit event is about."""
    return _ITEMS.get(object_type, object_type)


@register.filter
def changed_fields(changes: dict) -> str:
    """'first name, phone' for an audit event's changes."""
    labels = []
    for name in changes:
        try:
            labels.append(str(Person._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name.replace("_", " "))
    return ", ".join(labels)
