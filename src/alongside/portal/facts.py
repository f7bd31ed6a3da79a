"""What residents are told about a listing, gathered once for every place it is shown: the
listing page, the booklet, the calendar feeds and the structured data.

Owned by the listing work of issue 4; the booklet and My list use it as it is.

Also here, because they read the same tables for the same pages: the sessions of a week for
"What's on", the rows of the sitemap, and the outlines behind a listing's small map."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from alongside.core.models import Ward
from alongside.directory import schedules as rules
from alongside.directory.models import (
    AccessibilityFeature,
    Location,
    Phone,
    Schedule,
    SearchOccurrence,
    SearchPlace,
    SearchTerm,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from alongside.directory.models import Contact as ContactModel
from alongside.directory.services import PUBLIC_STATES
from alongside.directory.taxonomies import AUDIENCE, NEEDS

NEXT_DATES = 5  # how many coming dates a listing shows
HORIZON_DAYS = 366  # how far ahead to look for them


@dataclass
class Venue:
    name: str
    address_lines: list[str]  # street lines, town; no postcode
    postcode: str
    ward_name: str
    latitude: float | None
    longitude: float | None
    how_to_get_there: str  # "" when not known
    access: list[str]  # plain-English accessibility features, e.g. "Step-free access"
    ward_code: str = ""  # GSS code, for links to what else is in the ward
    online: bool = False  # a virtual place (a video call, a website)
    id: uuid.UUID | None = None


def venue_line(venue: Venue) -> str:
    """A venue on one line: its name, street lines and postcode, each once."""
    seen: list[str] = []
    for part in (venue.name, *venue.address_lines, venue.postcode):
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)


@dataclass
class Contact:
    label: str  # "Phone", "Email", "Website", or a named person's role
    value: str  # as shown
    href: str  # tel:, mailto: or https: link
    note: str = ""  # "Weekdays 9am to 5pm"


@dataclass
class Session:
    """One schedule of a listing, for calendars: its rule (the directory's `Schedule`, read
    through `schedules.ScheduleLike`), in words, and where it happens."""

    id: uuid.UUID
    rule: Any  # schedules.ScheduleLike
    when: str
    venue: Venue | None
    modified_at: dt.datetime | None = None


@dataclass
class ListingFacts:
    id: uuid.UUID
    name: str
    summary: str  # one plain-English sentence (the summary, or the description's first)
    description: str
    kind: str  # Service.Kind value
    kind_label: str
    organisation: str
    organisation_url: str
    when: list[str]  # each schedule in words: "Every Tuesday, 10am to 12pm, except bank holidays"
    next_dates: list[tuple[dt.date, dt.time | None, dt.time | None]]  # soonest first, a few
    venues: list[Venue]
    cost: str  # "Free", the fees, or "Ask the organiser"
    who_for: list[str]  # ages, audiences and needs in words
    how_to_join: str
    contacts: list[Contact]
    last_checked: dt.date | None
    checked_by: str  # the editor team's name (or "" when not known)
    path: str  # the public page's path, /listings/<id>/
    needs: list[str] = field(default_factory=list)  # need names, for "Good for"
    is_free: bool = False
    alert: str = ""  # a notice from the editors ("Closed over Christmas")
    status_note: str = ""  # set when it is not running as usual
    languages: list[str] = field(default_factory=list)
    email: str = ""
    website: str = ""
    organisation_description: str = ""
    sessions: list[Session] = field(default_factory=list)  # for calendar feeds
    modified_at: dt.datetime | None = None
    state: str = ""  # Service.State value (previews show listings in any state)

    @property
    def pk(self) -> uuid.UUID:
        return self.id

    @property
    def next_dates_text(self) -> list[str]:
        """The coming dates in words: 'Friday 4 December 2026, 12pm to 2pm'."""
        return [date_in_words(day, opens, closes) for day, opens, closes in self.next_dates]

    @property
    def checked_line(self) -> str:
        """'Last checked on 3 March 2026 by the Live Well York editors.' ('' when never)."""
        if self.last_checked is None:
            return ""
        text = f"Last checked on {rules.format_date(self.last_checked, weekday=False)}"
        if self.checked_by:
            team = self.checked_by
            text += f" by {team}" if team.lower().startswith("the ") else f" by the {team}"
        return text + "."


STATUS_NOTES = {
    Service.Status.TEMPORARILY_CLOSED: "This is closed for now. Check with the organiser "
    "before you go.",
    Service.Status.INACTIVE: "This is not running at the moment.",
    Service.Status.DEFUNCT: "This has stopped running.",
}
ACCESS_ORDER = {code: n for n, (code, _) in enumerate(AccessibilityFeature.Feature.choices)}
ACCESS_LABELS = dict(AccessibilityFeature.Feature.choices)
KIND_LABELS = dict(Service.Kind.choices)


def times_in_words(opens: dt.time | None, closes: dt.time | None) -> str:
    if opens and closes:
        return f"{rules.format_time(opens)} to {rules.format_time(closes)}"
    if opens:
        return f"from {rules.format_time(opens)}"
    if closes:
        return f"until {rules.format_time(closes)}"
    return ""


def date_in_words(day: dt.date, opens: dt.time | None, closes: dt.time | None) -> str:
    times = times_in_words(opens, closes)
    return f"{rules.format_date(day)}, {times}" if times else rules.format_date(day)


def today() -> dt.date:
    """Today in the council's time zone (one place, so tests can fix it)."""
    return timezone.localdate()


# --- loading ------------------------------------------------------------------------------------


def _services(ids: Sequence[uuid.UUID], *, public_only: bool) -> dict[uuid.UUID, Service]:
    """The listings with everything the facts need: a fixed number of queries (eleven)."""
    listings = Service.objects.filter(pk__in=list(ids))
    if public_only:
        listings = listings.filter(state__in=PUBLIC_STATES)
    places = (
        ServiceAtLocation.objects.select_related("location__ward")
        .defer("location__ward__boundary")
        .prefetch_related("location__addresses", "location__accessibility")
        .order_by("created_at", "id")
    )
    listings = listings.select_related(
        "provider", "last_checked_by", "editor_team"
    ).prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("dtstart", "opens_at", "id")),
        Prefetch("at_locations", queryset=places),
        Prefetch("phones", queryset=_phones()),
        Prefetch(
            "contacts",
            queryset=ContactModel.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("phones", queryset=_phones())
            ),
        ),
        Prefetch(
            "terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("name")
        ),
        "cost_options",
        "languages",
    )
    return {service.pk: service for service in listings}


def _phones() -> QuerySet[Phone]:
    return Phone.objects.order_by("created_at", "id")


def listings_facts(
    ids: Sequence[uuid.UUID], *, today: dt.date, public_only: bool = True
) -> list[ListingFacts]:
    """The facts for these listings, in the order given; ids that are not public (not
    published or review due) are left out. A fixed number of queries, whatever the count.

    `public_only=False` is for editors' previews, which show a listing in any state."""
    wanted = list(dict.fromkeys(pk for pk in map(_as_uuid, ids) if pk is not None))
    if not wanted:
        return []
    found = _services(wanted, public_only=public_only)
    return [_facts(found[pk], today=today) for pk in wanted if pk in found]


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    """Ids as stored in a session are strings: accept them, and ignore anything else."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def public_listing(pk: uuid.UUID, *, today: dt.date) -> tuple[Service, ListingFacts]:
    """One public listing and its facts; raises Http404 when it is not public."""
    found = _services([pk], public_only=True)
    if pk not in found:
        raise Http404("No public listing has that id.")
    return found[pk], _facts(found[pk], today=today)


def listing_facts(pk: uuid.UUID, *, today: dt.date) -> ListingFacts:
    """One public listing's facts; raises Http404 when it is not public."""
    return public_listing(pk, today=today)[1]


# --- turning a listing into facts ---------------------------------------------------------------


def _facts(service: Service, *, today: dt.date) -> ListingFacts:
    terms = list(service.terms.all())
    venues_by_location: dict[uuid.UUID, Venue] = {}
    for at in service.at_locations.all():
        venue = _venue(at.location)
        if venue is not None:
            venues_by_location[at.location_id] = venue
    location_of_place = {at.pk: at.location_id for at in service.at_locations.all()}
    venues = list(venues_by_location.values())
    first_venue = next((v for v in venues if not v.online), venues[0] if venues else None)

    when: list[str] = []
    dates: set[tuple[dt.date, dt.time | None, dt.time | None]] = set()
    sessions: list[Session] = []
    for schedule in service.schedules.all():
        coming = _coming(schedule, today=today)
        if coming is None:  # a rule we cannot read: say what the editors wrote, if anything
            if schedule.description:
                when.append(schedule.description)
            continue
        if not coming and _is_over(schedule, today=today):
            continue
        try:
            words = rules.describe(schedule)
        except ValueError:
            words = schedule.description
        if words and words not in when:
            when.append(words)
        dates.update((o.date, o.opens_at, o.closes_at) for o in coming)
        location_id = location_of_place.get(schedule.service_at_location_id)
        sessions.append(
            Session(
                id=schedule.pk,
                rule=schedule,
                when=words,
                venue=venues_by_location.get(location_id, first_venue),
                modified_at=schedule.modified_at,
            )
        )
    next_dates = sorted(dates, key=lambda d: (d[0], d[1] or dt.time.min))[:NEXT_DATES]

    team = service.last_checked_by or service.editor_team
    provider = service.provider
    return ListingFacts(
        id=service.pk,
        name=service.name,
        summary=_summary(service),
        description=service.description,
        kind=service.kind,
        kind_label=KIND_LABELS.get(service.kind, ""),
        organisation=provider.name,
        organisation_url=_web(provider.website),
        when=when,
        next_dates=next_dates,
        venues=venues,
        cost=_cost(service),
        who_for=_who_for(service, terms),
        how_to_join=service.how_to_join,
        contacts=_contacts(service),
        last_checked=service.last_checked_at,
        checked_by=team.name if team else "",
        path=reverse("portal:listing", kwargs={"pk": service.pk}),
        needs=[t.name for t in terms if t.taxonomy.code == NEEDS],
        is_free=service.is_free,
        alert=service.alert,
        status_note=STATUS_NOTES.get(service.status, ""),
        languages=[language.name for language in service.languages.all()],
        email=service.email,
        website=_web(service.url),
        organisation_description=provider.description,
        sessions=sessions,
        modified_at=service.modified_at,
        state=service.state,
    )


def _coming(schedule: Schedule, *, today: dt.date) -> list[rules.Occurrence] | None:
    """The schedule's dates from today to the horizon; None when its rule cannot be read."""
    try:
        return rules.occurrences(schedule, start=today, end=today + dt.timedelta(days=HORIZON_DAYS))
    except ValueError:
        return None


def _is_over(schedule: Schedule, *, today: dt.date) -> bool:
    """True when a schedule with no dates to come has finished, rather than starting after
    the horizon: it is then left out of "When"."""
    ends = [d for d in (schedule.until, schedule.valid_to) if d]
    if ends and min(ends) < today:
        return True
    return schedule.dtstart <= today + dt.timedelta(days=HORIZON_DAYS)


_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)


def _summary(service: Service) -> str:
    if service.summary.strip():
        return service.summary.strip()
    first = service.description.strip().split("\n", 1)[0].strip()
    match = _SENTENCE.match(first)
    sentence = match.group(1) if match else first
    if len(sentence) > 300:
        sentence = sentence[:297].rsplit(" ", 1)[0] + "…"
    return sentence


def _venue(location: Location) -> Venue | None:
    if location.location_type == Location.LocationType.POSTAL:
        return None
    online = location.location_type == Location.LocationType.VIRTUAL
    addresses = sorted(
        location.addresses.all(), key=lambda a: (a.address_type != "physical", a.created_at)
    )
    address = addresses[0] if addresses else None
    lines = [address.address_1, address.address_2, address.city] if address else []
    access = sorted(location.accessibility.all(), key=lambda a: ACCESS_ORDER.get(a.feature, 99))
    return Venue(
        id=location.pk,
        name=location.name or ("Online" if online else ""),
        address_lines=[line for line in lines if line.strip()],
        postcode=address.postal_code if address else "",
        ward_name=location.ward.name if location.ward else "",
        ward_code=location.ward.code if location.ward else "",
        latitude=location.latitude,
        longitude=location.longitude,
        how_to_get_there=location.transport.strip(),
        access=[_access(feature) for feature in access],
        online=online,
    )


def _access(feature: AccessibilityFeature) -> str:
    label = ACCESS_LABELS.get(feature.feature, feature.feature)
    details = feature.details.strip()
    return f"{label}: {details}" if details else label


def _cost(service: Service) -> str:
    fees = service.fees.strip()
    if service.is_free:
        if fees and fees.rstrip(".").strip().lower() != "free":
            return f"Free. {fees}"
        return "Free"
    if fees:
        return fees
    options = []
    for option in service.cost_options.all():
        amount = f"£{option.amount:.2f}".replace(".00", "") if option.amount is not None else ""
        words = " ".join(p for p in (amount, option.amount_description) if p)
        if option.option and words:
            options.append(f"{option.option}: {words}")
        elif option.option or words:
            options.append(option.option or words)
    return ". ".join(options) if options else "Ask the organiser"


def _ages(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"Age {low}" if low == high else f"Age {low} to {high}"
    if low is not None:
        return f"Age {low} and over"
    if high is not None:
        return f"Age {high} and under"
    return ""


def _who_for(service: Service, terms: list[TaxonomyTerm]) -> list[str]:
    who = [_ages(service.minimum_age, service.maximum_age)]
    who += [t.name for t in terms if t.taxonomy.code == AUDIENCE]
    return [w for w in who if w] or ["Everyone"]


def _web(url: str) -> str:
    """A web address we are happy to link to: http or https only."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


_DIAL = re.compile(r"[^\d+]")


def _phone(number: str, *, label: str, note: str = "") -> Contact:
    return Contact(label=label, value=number, href=f"tel:{_DIAL.sub('', number)}", note=note)


def _contacts(service: Service) -> list[Contact]:
    found = [_phone(p.number, label="Phone", note=p.description) for p in service.phones.all()]
    if service.email:
        found.append(Contact(label="Email", value=service.email, href=f"mailto:{service.email}"))
    if website := _web(service.url):
        found.append(Contact(label="Website", value=_display_url(website), href=website))
    for person in service.contacts.all():
        label = ", ".join(p for p in (person.name, person.title) if p) or "Contact"
        if person.email:
            found.append(Contact(label=label, value=person.email, href=f"mailto:{person.email}"))
        found += [_phone(p.number, label=label, note=p.description) for p in person.phones.all()]
    return found


def _display_url(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown.rstrip("/")


# --- What's on ----------------------------------------------------------------------------------


@dataclass
class WeekItem:
    """One session on the What's on calendar."""

    date: dt.date
    opens_at: dt.time | None
    closes_at: dt.time | None
    listing_id: uuid.UUID
    name: str
    path: str
    kind: str
    kind_label: str
    venue: str  # "Acomb Library, Acomb" or ""
    is_free: bool

    @property
    def times(self) -> str:
        words = times_in_words(self.opens_at, self.closes_at)
        return words[0].upper() + words[1:] if words else "Times not given"


def week_items(
    *,
    start: dt.date,
    end: dt.date,
    kinds: Sequence[str] = (),
    ward_code: str = "",
    need_code: str = "",
) -> list[WeekItem]:
    """Every session from `start` to `end` (both included) of the public listings the search
    index has dates for, soonest first: events only when `kinds` is ("event",), in a ward
    (or for everyone in the area) and with a need (or one of its narrower needs). Five queries,
    whatever the number of sessions."""
    dates = SearchOccurrence.objects.filter(date__range=(start, end))
    if kinds:
        dates = dates.filter(entry__kind__in=list(kinds))
    if ward_code:
        dates = dates.filter(
            Q(entry__everywhere=True)
            | Q(entry_id__in=SearchPlace.objects.filter(ward__code=ward_code).values("entry_id"))
        )
    if need_code:
        dates = dates.filter(
            entry_id__in=SearchTerm.objects.filter(
                term__code=need_code, term__taxonomy__code=NEEDS
            ).values("entry_id")
        )
    indexed: dict[uuid.UUID, set[dt.date]] = {}
    for service_id, date in dates.values_list("entry__service_id", "date"):
        indexed.setdefault(service_id, set()).add(date)
    if not indexed:
        return []
    services = {
        row[0]: row
        for row in Service.objects.filter(
            pk__in=list(indexed), state__in=PUBLIC_STATES
        ).values_list("id", "name", "kind", "is_free")
    }
    places: dict[uuid.UUID, str] = {}
    first_place: dict[uuid.UUID, str] = {}
    for place_id, service_id, name, ward in (
        ServiceAtLocation.objects.filter(service_id__in=list(services))
        .order_by("created_at", "id")
        .values_list("id", "service_id", "location__name", "location__ward__name")
    ):
        text = ", ".join(p for p in (name, ward) if p)
        places[place_id] = text
        first_place.setdefault(service_id, text)
    items: list[WeekItem] = []
    seen: set[tuple] = set()
    for schedule in Schedule.objects.filter(service_id__in=list(services)).order_by(
        "dtstart", "opens_at", "id"
    ):
        try:
            found = rules.occurrences(schedule, start=start, end=end)
        except ValueError:
            continue
        service_id, name, kind, is_free = services[schedule.service_id]
        for occurrence in found:
            key = (service_id, occurrence.date, occurrence.opens_at)
            if occurrence.date not in indexed[service_id] or key in seen:
                continue
            seen.add(key)
            items.append(
                WeekItem(
                    date=occurrence.date,
                    opens_at=occurrence.opens_at,
                    closes_at=occurrence.closes_at,
                    listing_id=service_id,
                    name=name,
                    path=reverse("portal:listing", kwargs={"pk": service_id}),
                    kind=kind,
                    kind_label=KIND_LABELS.get(kind, ""),
                    venue=places.get(schedule.service_at_location_id)
                    or first_place.get(service_id, ""),
                    is_free=is_free,
                )
            )
    items.sort(
        key=lambda i: (i.date, i.opens_at or dt.time.min, i.name.casefold(), str(i.listing_id))
    )
    return items


def ward_choices() -> list[tuple[str, str]]:
    return list(Ward.objects.order_by("name").values_list("code", "name"))


def need_choices() -> list[tuple[str, str]]:
    return list(
        TaxonomyTerm.objects.filter(taxonomy__code=NEEDS)
        .order_by("name")
        .values_list("code", "name")
    )


# --- the sitemap --------------------------------------------------------------------------------


def public_listing_count() -> int:
    return Service.objects.filter(state__in=PUBLIC_STATES).count()


def public_listing_rows(*, offset: int, limit: int) -> Iterator[tuple[uuid.UUID, dt.datetime]]:
    """(id, last modified) of public listings in id order, streamed in chunks: plain values,
    no model instances, so it stays cheap at 100,000 listings."""
    rows = (
        Service.objects.filter(state__in=PUBLIC_STATES)
        .order_by("pk")
        .values_list("pk", "modified_at")[offset : offset + limit]
    )
    return rows.iterator(chunk_size=2000)


# --- a small map of where a venue is ------------------------------------------------------------

MAP_WIDTH = 300
MAP_HEIGHT = 220
MAP_MARGIN = 6


@dataclass
class LocatorMap:
    """An outline of the council's wards (ours, so no tiles from elsewhere) with the venue's
    ward picked out and a dot where the venue is. Coordinates are in SVG units."""

    width: int
    height: int
    ward_paths: list[str]
    highlight_path: str
    x: float
    y: float
    ward_name: str


def locator_maps(venues: Sequence[Venue]) -> list[LocatorMap | None]:
    """A map for each venue (None when its place or the wards are not known). At most one
    query: a cheap check that the wards have not changed, as their outlines are kept in
    memory once worked out."""
    placed = [v for v in venues if v.latitude is not None and v.longitude is not None]
    if not placed or all(v.online for v in placed):
        return [None] * len(venues)
    stamp = Ward.objects.aggregate(n=Count("id"), changed=Max("modified_at"))
    if not stamp["n"]:
        return [None] * len(venues)
    outlines = _ward_outlines(stamp["n"], stamp["changed"])
    return [_locator_map(venue, outlines) for venue in venues]


def _locator_map(venue: Venue, outlines: dict[str, Any]) -> LocatorMap | None:
    if venue.latitude is None or venue.longitude is None or venue.online:
        return None
    x, y = outlines["project"](venue.longitude, venue.latitude)
    if not (0 <= x <= MAP_WIDTH and 0 <= y <= outlines["height"]):
        return None  # outside the council's area
    return LocatorMap(
        width=MAP_WIDTH,
        height=outlines["height"],
        ward_paths=[p for code, p in outlines["paths"] if code != venue.ward_code],
        highlight_path=next((p for code, p in outlines["paths"] if code == venue.ward_code), ""),
        x=round(x, 1),
        y=round(y, 1),
        ward_name=venue.ward_name,
    )


@lru_cache(maxsize=2)
def _ward_outlines(count: int, changed: dt.datetime | None) -> dict[str, Any]:
    """Every ward's outline as an SVG path, fitted to the map (worked out once per change)."""
    wards = list(
        Ward.objects.values_list("code", "boundary", "min_lat", "max_lat", "min_lon", "max_lon")
    )
    south = min(w[2] for w in wards)
    north = max(w[3] for w in wards)
    west = min(w[4] for w in wards)
    east = max(w[5] for w in wards)
    squash = math.cos(math.radians((north + south) / 2))  # degrees of longitude are shorter
    span_x = max((east - west) * squash, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = (MAP_WIDTH - 2 * MAP_MARGIN) / span_x
    height = min(MAP_HEIGHT * 2, math.ceil(span_y * scale + 2 * MAP_MARGIN))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            MAP_MARGIN + (lon - west) * squash * scale,
            MAP_MARGIN + (north - lat) * scale,
        )

    paths = []
    for code, boundary, *_ in wards:
        try:
            polygons = (
                [boundary["coordinates"]]
                if boundary.get("type") == "Polygon"
                else boundary["coordinates"]
            )
        except (AttributeError, KeyError, TypeError):
            continue
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points = []
                for lon, lat, *_ in ring:
                    x, y = project(lon, lat)
                    point = f"{x:.1f} {y:.1f}"
                    if not points or points[-1] != point:
                        points.append(point)
                if len(points) >= 3:
                    parts.append("M" + "L".join(points) + "Z")
        paths.append((code, "".join(parts)))
    return {"project": project, "paths": paths, "height": height}
