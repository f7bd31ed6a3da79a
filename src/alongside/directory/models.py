"""The living map: Open Referral UK 3.0 (HSDS 3.0) objects, plus what York's map also holds
(venues, green spaces, community enterprises and events) and the editorial state of each
listing. Field names follow HSDS so the ORUK API is a thin translation."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alongside.accounts.models import Organisation as AccountOrganisation
from alongside.accounts.models import Team
from alongside.core.models import BaseModel, Neighbourhood, SmallArea, Ward


class Taxonomy(BaseModel):
    """A vocabulary of terms: our needs taxonomy, our service types, or a published one."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField()
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(BaseModel):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.SlugField(max_length=80, help_text="Short code within the taxonomy")
    name = models.CharField(max_length=150)
    description = models.TextField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    term_uri = models.URLField(blank=True)
    # Where a term maps to a published list (e.g. the LGA needs or service lists).
    external_taxonomy = models.CharField(max_length=60, blank=True)
    external_code = models.CharField(max_length=60, blank=True)
    synonyms = models.TextField(
        blank=True, help_text="Other words residents use for this, one per line"
    )

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="term_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Provider(BaseModel):
    """The organisation behind listings (HSDS `organization`). May be linked to the partner
    organisation whose staff look after its listings."""

    name = models.CharField(max_length=200)
    description = models.TextField()
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    is_community_enterprise = models.BooleanField(default=False)
    account_organisation = models.ForeignKey(
        AccountOrganisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="providers",
        help_text="The partner organisation whose staff may update these listings",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(BaseModel):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    class Kind(models.TextChoices):
        VENUE = "venue", "Venue or building"
        GREEN_SPACE = "green_space", "Land or green space"
        OTHER = "other", "Other place"

    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VENUE)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    small_area = models.ForeignKey(
        SmallArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=50, blank=True)
    transport = models.TextField("how to get there", blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name or str(self.pk)


class Address(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100, default="North Yorkshire")
    postal_code = models.CharField(max_length=8)
    country = models.CharField(max_length=2, default="GB")
    address_type = models.CharField(
        max_length=10, choices=[("physical", "Physical"), ("postal", "Postal")], default="physical"
    )

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city} {self.postal_code}"


class AccessibilityFeature(BaseModel):
    """One accessibility fact about a place (HSDS `accessibility`)."""

    class Feature(models.TextChoices):
        STEP_FREE = "step_free", "Step-free access"
        HEARING_LOOP = "hearing_loop", "Hearing loop"
        ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
        CHANGING_PLACES = "changing_places", "Changing Places toilet"
        PARKING = "parking", "Parking"
        BLUE_BADGE_PARKING = "blue_badge_parking", "Blue badge parking"
        QUIET_SPACE = "quiet_space", "Quiet space"
        BSL = "bsl", "British Sign Language"
        LARGE_PRINT = "large_print", "Large print available"
        BUS_STOP = "bus_stop", "Bus stop nearby"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    feature = models.CharField(max_length=30, choices=Feature.choices)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "feature"], name="access_feature_unique")
        ]

    def __str__(self) -> str:
        return self.get_feature_display()


class Service(BaseModel):
    """A listing: a service, activity, group, event, venue offer or community enterprise."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        ACTIVITY = "activity", "Activity"
        GROUP = "group", "Group"
        EVENT = "event", "Event"
        VENUE = "venue", "Venue to hire or visit"
        GREEN_SPACE = "green_space", "Green space"
        ENTERPRISE = "enterprise", "Community enterprise"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        REVIEW_DUE = "review_due", "Review due"
        ARCHIVED = "archived", "Archived"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField()
    summary = models.CharField(max_length=300, blank=True, help_text="One plain-English sentence")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTIVITY)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    fees = models.TextField(blank=True)
    is_free = models.BooleanField(default=False)
    accreditations = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    how_to_join = models.TextField(blank=True)
    alert = models.TextField(blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")

    # Editorial workflow.
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edited_services",
    )
    editor_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="edited_services"
    )
    last_checked_at = models.DateField(null=True, blank=True)
    last_checked_by = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="checked_services"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["state", "status"]),
            models.Index(fields=["modified_at"]),
            # The ORUK API lists services by name, then id.
            models.Index(fields=["name", "id"], name="service_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


# The states in which a listing is shown to the public and to partner systems.
PUBLIC_STATES = (Service.State.PUBLISHED, Service.State.REVIEW_DUE)


class ServiceAtLocation(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_services")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="sal_unique")]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Contact(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.title


class Phone(BaseModel):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=30)
    description = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.number


class Schedule(BaseModel):
    """When a service runs, as an RFC 5545 rule (HSDS schedule) with exceptions."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"
        DAILY = "DAILY", "Daily"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(help_text="First (or only) date")
    freq = models.CharField(max_length=10, choices=Freq.choices, blank=True)
    interval = models.PositiveSmallIntegerField(default=1)
    byday = models.CharField(max_length=40, blank=True, help_text="e.g. TU or 1MO,3MO")
    bymonthday = models.CharField(max_length=40, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    exdates = models.JSONField(default=list, blank=True, help_text="Dates it does not run")
    skip_bank_holidays = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    attending_type = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["dtstart", "opens_at"]

    def __str__(self) -> str:
        return self.description or f"{self.freq or 'Once'} from {self.dtstart}"


class CostOption(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=200, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Language(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639 code")
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Funding(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.source


class ServiceArea(BaseModel):
    """Where a service is for: a ward, a neighbourhood, or the whole area."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=150)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.CASCADE)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.CASCADE
    )
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


# --- editorial workflow -----------------------------------------------------------------------


class Suggestion(BaseModel):
    """Something for an editor to moderate: a resident's "suggest a change" or "add your
    group", or a partner's new listing or update to one of its own listings. Nothing in a
    suggestion reaches the public until an editor accepts it."""

    class Kind(models.TextChoices):
        CHANGE = "change", "Change to a listing"
        NEW = "new", "New listing"

    class Source(models.TextChoices):
        RESIDENT = "resident", "Member of the public"
        PARTNER = "partner", "Partner organisation"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an editor"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_suggestions",
    )
    name = models.CharField("your name", max_length=150, blank=True)
    email = models.EmailField("your email address", blank=True)
    message = models.TextField(blank=True)
    proposed = models.JSONField(default=dict, blank=True, help_text="Field name to new value")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "kind", "source"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.get_source_display().lower()}"


class ListingChange(models.Model):
    """One entry in a listing's change history: who changed which fields, when."""

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_changes",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=30)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.service_id} at {self.at:%Y-%m-%d %H:%M}"


# --- search index -------------------------------------------------------------------------------
# One row per public listing, rebuilt by `directory.search.index` whenever a listing changes.
# The text columns hold stemmed words separated by single spaces, with a space at each end,
# so both engines match and rank them in exactly the same way. SQLite indexes them with an
# FTS5 table and PostgreSQL with a generated tsvector column and a GIN index (migration 0003).


class SearchEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="search_entry")
    name_doc = models.TextField()
    terms_doc = models.TextField()
    body_doc = models.TextField()
    sort_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    is_free = models.BooleanField()
    minimum_age = models.PositiveSmallIntegerField(null=True)
    maximum_age = models.PositiveSmallIntegerField(null=True)
    # Days and times it usually runs (from its schedules), for filters and facets.
    on_mon = models.BooleanField(default=False)
    on_tue = models.BooleanField(default=False)
    on_wed = models.BooleanField(default=False)
    on_thu = models.BooleanField(default=False)
    on_fri = models.BooleanField(default=False)
    on_sat = models.BooleanField(default=False)
    on_sun = models.BooleanField(default=False)
    in_morning = models.BooleanField(default=False)
    in_afternoon = models.BooleanField(default=False)
    in_evening = models.BooleanField(default=False)
    # Accessibility feature codes of its places, each surrounded by spaces.
    access = models.CharField(max_length=400, default=" ")
    # For everyone in the area (a service area with no ward or neighbourhood): it matches
    # every ward and neighbourhood without a SearchPlace row for each.
    everywhere = models.BooleanField(default=False)
    # Its first date on or after the day it was indexed (within the window of dates kept).
    next_date = models.DateField(null=True)
    # Where it is (its first physical place), for distance.
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    modified_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="search_entry_point"),
            models.Index(fields=["sort_name"], name="search_entry_sort"),
            # Soonest first reads this in order and stops at the page's end.
            models.Index(fields=["next_date", "sort_name", "id"], name="search_entry_soonest"),
            models.Index(
                fields=["everywhere"],
                name="search_entry_everywhere",
                condition=models.Q(everywhere=True),
            ),
        ]

    def __str__(self) -> str:
        return self.sort_name


class SearchPlace(models.Model):
    """A ward a listing is in (located there) or serves (its service area)."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="places")
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, on_delete=models.CASCADE, related_name="+"
    )
    located = models.BooleanField(help_text="It happens in this ward (not only serves it)")

    class Meta:
        indexes = [
            models.Index(fields=["ward", "entry"], name="search_place_ward"),
            models.Index(fields=["neighbourhood", "entry"], name="search_place_nbhd"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "ward"], name="search_place_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} in {self.ward_id}"


class SearchTerm(models.Model):
    """A taxonomy term a listing has, with every ancestor, so a need finds its sub-needs.
    The listing's place is copied here so that a need near a point is found from this
    table's index alone."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["term", "entry"], name="search_term_term"),
            models.Index(
                fields=["term", "latitude", "longitude", "entry"], name="search_term_point"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["entry", "term"], name="search_term_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} has {self.term_id}"


class SearchOccurrence(models.Model):
    """A date a listing runs on, within the rolling window the index keeps."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="occurrences")
    date = models.DateField()
    starts_at = models.TimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["date", "entry"], name="search_occurrence_date")]

    def __str__(self) -> str:
        return f"{self.entry_id} on {self.date}"


class SearchWord(models.Model):
    """The index's vocabulary: each stem, the word residents would recognise for it, and how
    many listings use it. Used to correct a misspelt word."""

    stem = models.CharField(max_length=60, primary_key=True)
    word = models.CharField(max_length=60)
    listings = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["word"], name="search_word_word")]

    def __str__(self) -> str:
        return self.word
