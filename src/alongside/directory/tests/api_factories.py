"""Factories for directory listings, as the ORUK API tests need them.

One service factory per editorial state, so a test reads as what is public and what is not.
`full_service()` builds a listing with every nested object the API shows. Places are York's
real wards and small areas (loaded for every test run by the root conftest).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from alongside.core.models import SmallArea, Ward
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


def _first_ward() -> Ward | None:
    return Ward.objects.order_by("code").first()


def _small_area(ward: Ward | None) -> SmallArea | None:
    return None if ward is None else ward.small_areas.order_by("code").first()


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    code = factory.Sequence(lambda n: f"taxonomy-{n}")
    name = factory.Sequence(lambda n: f"Taxonomy {n}")
    description = "Words for what people need and what listings offer."
    uri = factory.LazyAttribute(lambda o: f"https://example.org/taxonomies/{o.code}")
    version = "1"


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    code = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"Term {n}")
    description = factory.LazyAttribute(lambda o: f"Listings about {o.name.lower()}.")
    term_uri = factory.LazyAttribute(lambda o: f"https://example.org/terms/{o.code}")


class ProviderFactory(factory.django.DjangoModelFactory):
    """An HSDS organization."""

    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"York Community Group {n}")
    description = factory.LazyAttribute(lambda o: f"{o.name} runs activities across York.")
    email = factory.Sequence(lambda n: f"hello{n}@group.example.org")
    website = factory.Sequence(lambda n: f"https://group{n}.example.org")
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    company_number = ""


class LocationFactory(factory.django.DjangoModelFactory):
    """A venue at the centre of one of the ward's small areas (pass `ward=` or `small_area=`)."""

    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Community Centre {n}")
    description = "A community centre with a hall and a kitchen."
    location_type = Location.LocationType.PHYSICAL
    kind = Location.Kind.VENUE
    ward = factory.LazyFunction(_first_ward)
    small_area = factory.LazyAttribute(lambda o: _small_area(o.ward))
    latitude = factory.LazyAttribute(lambda o: o.small_area.centre_lat if o.small_area else None)
    longitude = factory.LazyAttribute(lambda o: o.small_area.centre_lon if o.small_area else None)
    transport = "Buses 1 and 4 stop outside."


class VirtualLocationFactory(LocationFactory):
    name = factory.Sequence(lambda n: f"Online meeting room {n}")
    location_type = Location.LocationType.VIRTUAL
    ward = None
    small_area = None


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    location = factory.SubFactory(LocationFactory)
    address_1 = factory.Sequence(lambda n: f"{n + 1} High Street")
    city = "York"
    postal_code = "YO1 7HH"


class AccessibilityFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessibilityFeature

    location = factory.SubFactory(LocationFactory)
    feature = AccessibilityFeature.Feature.STEP_FREE
    details = "Level access from the car park."


class ServiceFactory(factory.django.DjangoModelFactory):
    """A listing in draft, the state a new listing starts in. Use a state subclass."""

    class Meta:
        model = Service

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Listing {n:03d}")
    description = "A friendly weekly session. Everyone is welcome."
    summary = "A friendly weekly session."
    kind = Service.Kind.ACTIVITY
    url = factory.Sequence(lambda n: f"https://listings.example.org/{n}")
    email = factory.Sequence(lambda n: f"listing{n}@example.org")
    status = Service.Status.ACTIVE
    state = Service.State.DRAFT
    minimum_age = 18
    how_to_join = "Just turn up."


class DraftServiceFactory(ServiceFactory):
    state = Service.State.DRAFT


class InReviewServiceFactory(ServiceFactory):
    state = Service.State.IN_REVIEW


class PublishedServiceFactory(ServiceFactory):
    state = Service.State.PUBLISHED
    published_at = factory.LazyFunction(lambda: dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC))
    last_checked_at = dt.date(2025, 1, 6)


class ReviewDueServiceFactory(PublishedServiceFactory):
    state = Service.State.REVIEW_DUE
    last_checked_at = dt.date(2024, 1, 8)


class ArchivedServiceFactory(ServiceFactory):
    state = Service.State.ARCHIVED


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(PublishedServiceFactory)
    location = factory.SubFactory(LocationFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    service = factory.SubFactory(PublishedServiceFactory)
    name = "Sam Organiser"
    title = "Volunteer coordinator"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    number = factory.Sequence(lambda n: f"01904 {550000 + n}")
    description = "Weekdays 9am to 5pm"


class ScheduleFactory(factory.django.DjangoModelFactory):
    """Every Tuesday, 10am to noon."""

    class Meta:
        model = Schedule

    service = factory.SubFactory(PublishedServiceFactory)
    dtstart = dt.date(2025, 1, 7)
    freq = Schedule.Freq.WEEKLY
    interval = 1
    byday = "TU"
    opens_at = dt.time(10, 0)
    closes_at = dt.time(12, 0)
    description = "Tuesdays, 10am to noon"
    attending_type = "in_person"


class CostOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostOption

    service = factory.SubFactory(PublishedServiceFactory)
    option = "Per session"
    amount = Decimal("2.50")
    amount_description = "Includes tea and biscuits"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    service = factory.SubFactory(PublishedServiceFactory)
    name = "English"
    code = "en"


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    service = factory.SubFactory(PublishedServiceFactory)
    source = "City of York Council ward funding"


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea

    service = factory.SubFactory(PublishedServiceFactory)
    ward = factory.LazyFunction(_first_ward)
    name = factory.LazyAttribute(lambda o: o.ward.name if o.ward else "York")


def full_service(
    service_factory: type[ServiceFactory] = PublishedServiceFactory,
    *,
    ward: Ward | None = None,
    terms: list[TaxonomyTerm] = (),
    **fields,
) -> Service:
    """A listing with every nested object the ORUK API shows: a venue in `ward` (address,
    accessibility, phone), a contact with a phone, a phone, a weekly schedule and a monthly
    one at the venue, a cost, a language, funding, a ward service area and taxonomy terms."""
    service = service_factory(**fields)
    location = LocationFactory(ward=ward or _first_ward())
    AddressFactory(location=location, postal_code="YO24 1AB", address_2="Acomb")
    AccessibilityFeatureFactory(location=location)
    AccessibilityFeatureFactory(
        location=location, feature=AccessibilityFeature.Feature.HEARING_LOOP, details=""
    )
    PhoneFactory(location=location)
    at_location = ServiceAtLocationFactory(service=service, location=location)
    contact = ContactFactory(service=service)
    PhoneFactory(contact=contact)
    PhoneFactory(service=service)
    ScheduleFactory(service=service)
    ScheduleFactory(
        service=service,
        service_at_location=at_location,
        freq=Schedule.Freq.MONTHLY,
        byday="1MO",
        description="First Monday of the month",
        until=dt.date(2026, 12, 31),
    )
    CostOptionFactory(service=service)
    LanguageFactory(service=service)
    FundingFactory(service=service)
    ServiceAreaFactory(service=service, ward=location.ward)
    if terms:
        service.terms.add(*terms)
    return service
