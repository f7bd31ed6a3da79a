"""Directory objects as ORUK 3.0 (HSDS 3.0) JSON, written by hand so every byte is ours.

Rules, from the published schemas (which never allow null):
- ids are strings; field names are HSDS's;
- a required field is always present; an optional field with no value is left out, never
  null and never "" (an empty string would also fail the `uri`, `email` and `uuid` formats);
- lists are always present (possibly empty) and in a fixed order, so unchanged data gives the
  same bytes and the same ETag.
A few HSDS 3.0 fields that the ORUK schemas leave out are added where the directory holds them
(phones on services, locations and contacts; a contact's email; a language's name and code;
schedule `until`/`count`; address_2; a location's transportation; how to apply): ORUK allows
extra fields, and the validator notes them only as information.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from alongside.directory.models import (
    AccessibilityFeature,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

# Ids for objects the directory keeps as fields or links rather than rows (organization
# identifiers, attributes) are derived from this namespace, so they never change.
DERIVED_ID_NAMESPACE = uuid.UUID("e2c7a16f-ab48-416e-9df4-9b64c2fc5763")

ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"

Json = dict[str, Any]


@dataclass
class Context:
    """What serializing a page needs to know beyond the rows: which parent organizations are
    public (a parent_organization_id is only given when following it works)."""

    public_provider_ids: set[uuid.UUID] = field(default_factory=set)


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(DERIVED_ID_NAMESPACE, ":".join(str(p) for p in parts)))


def _clean(data: Json, *, required: Iterable[str] = ("id",)) -> Json:
    keep = set(required)
    return {k: v for k, v in data.items() if k in keep or (v is not None and v != "")}


def _id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with milliseconds, as the schema's example: 2023-03-15T10:30:45.123Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: time | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _number(value: Decimal | float | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- organizations ------------------------------------------------------------------------------


def organization(provider: Provider, ctx: Context, *, identifiers: bool = False) -> Json:
    parent_id = provider.parent_id if provider.parent_id in ctx.public_provider_ids else None
    data = _clean(
        {
            "id": str(provider.pk),
            "name": provider.name,
            "description": provider.description,
            "email": provider.email,
            "website": provider.website,
            "logo": provider.logo,
            "uri": provider.uri,
            "parent_organization_id": _id(parent_id),
        },
        required=("id", "name", "description"),
    )
    if identifiers:
        data["organization_identifiers"] = organization_identifiers(provider)
    return data


def organization_identifiers(provider: Provider) -> list[Json]:
    """Charity and company numbers as HSDS identifiers (org-id.guide schemes)."""
    found = []
    for scheme, kind, value in (
        ("GB-CHC", "Charity number", provider.charity_number),
        ("GB-COH", "Company number", provider.company_number),
    ):
        if value:
            found.append(
                {
                    "id": derived_id(provider.pk, scheme),
                    "organization_id": str(provider.pk),
                    "identifier_scheme": scheme,
                    "identifier_type": kind,
                    "identifier": value,
                }
            )
    return found


# --- services -----------------------------------------------------------------------------------


def service_minimal(service: Service) -> Json:
    """`minimal=true`: enough to tell what changed (the list schema needs name and status)."""
    return {
        "id": str(service.pk),
        "name": service.name,
        "status": service.status,
        "last_modified": timestamp(service.last_modified),
    }


def service_summary(service: Service, ctx: Context, *, with_organization: bool = True) -> Json:
    """The one-to-one fields: the shape of a service in lists."""
    team = service.last_checked_by
    data = _clean(
        {
            "id": str(service.pk),
            "organization_id": str(service.provider_id),
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees or ("Free" if service.is_free else ""),
            "accreditations": service.accreditations,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": _date(service.last_checked_at),
            "assurer_email": team.email if team is not None else None,
            "alert": service.alert,
            "application_process": service.how_to_join,
            "last_modified": timestamp(service.last_modified),
        },
        required=("id", "name", "description", "status"),
    )
    if with_organization:
        data["organization"] = organization(service.provider, ctx)
    return data


def service_full(
    service: Service,
    ctx: Context,
    *,
    with_organization: bool = True,
    with_locations: bool = True,
) -> Json:
    """Fully nested, as `/services/{id}` returns it."""
    data = service_summary(service, ctx, with_organization=False)
    data["schedules"] = [schedule(s) for s in service.schedules.all()]
    data["service_areas"] = [service_area(a) for a in service.service_areas.all()]
    if with_locations:
        data["service_at_locations"] = [
            service_at_location_in_service(sal) for sal in service.at_locations.all()
        ]
    data["languages"] = [language(x) for x in service.languages.all()]
    if with_organization:
        data["organization"] = organization(service.provider, ctx, identifiers=True)
    data["funding"] = [funding(f) for f in service.funding.all()]
    data["cost_options"] = [cost_option(c) for c in service.cost_options.all()]
    data["contacts"] = [contact(c) for c in service.contacts.all()]
    data["phones"] = [phone(p) for p in service.phones.all()]
    data["attributes"] = [attribute(service, t) for t in service.terms.all()]
    return data


def attribute(service: Service, term: TaxonomyTerm) -> Json:
    """A service's taxonomy term as an HSDS attribute."""
    return {
        "id": derived_id(service.pk, term.pk),
        "link_id": str(service.pk),
        "link_entity": "service",
        "taxonomy_term_id": str(term.pk),
        "taxonomy_term": taxonomy_term(term),
    }


def schedule(item: Schedule) -> Json:
    """An RFC 5545 rule in HSDS terms. HSDS only allows WEEKLY and MONTHLY, so a daily rule is
    given as the equivalent weekly (or, with month days, monthly) one; a rule every n days
    cannot be, so it is described in words instead."""
    freq, interval, byday, bymonthday = item.freq, item.interval, item.byday, item.bymonthday
    description = item.description
    until, count = item.until, item.count
    if freq == Schedule.Freq.DAILY:
        if interval == 1 and bymonthday:
            freq = "MONTHLY"
        elif interval == 1:
            freq, byday = "WEEKLY", byday or ALL_DAYS
        else:
            description = description or (
                f"Every {interval} days from {item.dtstart.day} {item.dtstart:%B %Y}"
            )
            freq, byday, bymonthday, until, count = "", "", "", None, None
    notes = [item.notes] if item.notes else []
    if item.exdates:
        notes.append("Not running on " + ", ".join(str(d) for d in item.exdates) + ".")
    if item.skip_bank_holidays:
        notes.append("Not running on bank holidays.")
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "service_at_location_id": _id(item.service_at_location_id),
            "valid_from": _date(item.valid_from),
            "valid_to": _date(item.valid_to),
            "dtstart": _date(item.dtstart),
            "freq": freq,
            "interval": interval if freq else None,
            "byday": byday if freq else None,
            "bymonthday": bymonthday if freq else None,
            "until": _date(until),
            "count": count,
            "description": description,
            "opens_at": _time(item.opens_at),
            "closes_at": _time(item.closes_at),
            "attending_type": item.attending_type,
            "notes": " ".join(notes),
        }
    )


def service_area(area: ServiceArea) -> Json:
    return _clean(
        {
            "id": str(area.pk),
            "service_id": str(area.service_id),
            "name": area.name,
            "service_area": area.name,
            "extent": area.extent,
            "extent_type": area.extent_type,
            "uri": area.uri,
        }
    )


def language(item: Language) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "name": item.name,
            "code": item.code,
            "note": item.note,
        }
    )


def funding(item: Funding) -> Json:
    return _clean({"id": str(item.pk), "service_id": str(item.service_id), "source": item.source})


def cost_option(item: CostOption) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "valid_from": _date(item.valid_from),
            "valid_to": _date(item.valid_to),
            "option": item.option,
            "amount": _number(item.amount),
            "currency": "GBP" if item.amount is not None else None,
            "amount_description": item.amount_description,
        }
    )


def contact(item: Contact) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "name": item.name,
            "title": item.title,
            "email": item.email,
        }
    ) | {"phones": [phone(p) for p in item.phones.all()]}


def phone(item: Phone) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "service_id": _id(item.service_id),
            "contact_id": _id(item.contact_id),
            "location_id": _id(item.location_id),
            "number": item.number,
            "description": item.description,
        },
        required=("id", "number"),
    )


# --- locations ----------------------------------------------------------------------------------


def location_summary(item: Location) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "location_type": item.location_type,
            "name": item.name,
            "description": item.description,
            "latitude": item.latitude,
            "longitude": item.longitude,
            "external_identifier": item.external_identifier,
            "external_identifier_type": item.external_identifier_type,
            "transportation": item.transport,
        },
        required=("id", "location_type"),
    )


def location_full(item: Location) -> Json:
    data = location_summary(item)
    data["addresses"] = [address(a) for a in item.addresses.all()]
    data["accessibility"] = [accessibility(a) for a in item.accessibility.all()]
    data["phones"] = [phone(p) for p in item.phones.all()]
    return data


def address(item: Address) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "location_id": str(item.location_id),
            "attention": item.attention,
            "address_1": item.address_1,
            "address_2": item.address_2,
            "city": item.city,
            "region": item.region,
            "state_province": item.state_province,
            "postal_code": item.postal_code,
            "country": item.country,
            "address_type": item.address_type,
        },
        required=(
            "id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    )


def accessibility(item: AccessibilityFeature) -> Json:
    label = item.get_feature_display()
    return _clean(
        {
            "id": str(item.pk),
            "location_id": str(item.location_id),
            "description": label,
            "details": item.details,
            "url": item.url,
            # ORUK 1's single field, kept for consumers that still read it.
            "accessibility": label,
        }
    )


def service_at_location_in_service(item: ServiceAtLocation) -> Json:
    """A service's place, inside the fully nested service."""
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "location_id": str(item.location_id),
            "description": item.description,
        }
    ) | {"location": location_full(item.location)}


def service_at_location_summary(item: ServiceAtLocation, ctx: Context) -> Json:
    """The shape of `/service_at_locations` list entries."""
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "location_id": str(item.location_id),
            "description": item.description,
        }
    ) | {
        "location": location_summary(item.location),
        "service": service_summary(item.service, ctx),
    }


def service_at_location_full(item: ServiceAtLocation, ctx: Context) -> Json:
    return _clean(
        {
            "id": str(item.pk),
            "service_id": str(item.service_id),
            "location_id": str(item.location_id),
            "description": item.description,
        }
    ) | {
        "location": location_full(item.location),
        "schedules": [schedule(s) for s in item.schedules.all()],
        "service": service_full(item.service, ctx, with_locations=False),
    }


# --- taxonomies ---------------------------------------------------------------------------------


def taxonomy(item: Taxonomy, *, with_terms: bool = False) -> Json:
    data = _clean(
        {
            "id": str(item.pk),
            "name": item.name,
            "description": item.description,
            "uri": item.uri,
            "version": item.version,
        },
        required=("id", "name", "description"),
    )
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term(t, taxonomy=item) for t in item.terms.all()]
    return data


def taxonomy_term(item: TaxonomyTerm, *, taxonomy: Taxonomy | None = None) -> Json:
    vocabulary = taxonomy or item.taxonomy
    return _clean(
        {
            "id": str(item.pk),
            "code": item.code,
            "name": item.name,
            "description": item.description,
            "parent_id": _id(item.parent_id),
            "taxonomy": vocabulary.name,
            "taxonomy_id": str(item.taxonomy_id),
            "term_uri": item.term_uri,
            "term": item.name,
        },
        required=("id", "name", "description"),
    )
