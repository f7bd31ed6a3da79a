"""schema.org structured data (JSON-LD) for a listing page, so search engines and other
tools can read what it is, when and where it happens and who runs it.

An event is an `Event` for each coming date (schema.org gives an event one start). A venue or
green space is a `Place`. Anything else is a `Service` whose provider is an `Organization`
and whose channel is the `Place` it happens at. The block is escaped for an HTML script
element (no `<`, `>` or `&` can end it early) and carries the page's CSP nonce.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString, mark_safe

from alongside.directory.models import Service

from .facts import ListingFacts, Venue

LONDON = ZoneInfo("Europe/London")
CONTEXT = "https://schema.org"

# Characters that could end or confuse a <script> element, as JSON escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data: Any) -> SafeString:
    """JSON for the body of a <script type="application/ld+json"> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    # U+2028 and U+2029 are fine in JSON but end lines in older JavaScript parsers.
    text = text.translate(_SCRIPT_ESCAPES).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return mark_safe(text)  # noqa: S308 - escaped above for a script element


def _moment(day: dt.date, time: dt.time | None) -> str:
    if time is None:
        return day.isoformat()
    return dt.datetime.combine(day, time, LONDON).isoformat()


def _organisation(facts: ListingFacts) -> dict[str, Any]:
    organisation: dict[str, Any] = {"@type": "Organization", "name": facts.organisation}
    if facts.organisation_url:
        organisation["url"] = facts.organisation_url
    return organisation


def _place(venue: Venue, *, name: str = "") -> dict[str, Any]:
    if venue.online:
        return {"@type": "VirtualLocation", "name": name or venue.name}
    place: dict[str, Any] = {"@type": "Place", "name": name or venue.name}
    if venue.address_lines or venue.postcode:
        street = venue.address_lines[:-1] if len(venue.address_lines) > 1 else venue.address_lines
        town = venue.address_lines[-1] if len(venue.address_lines) > 1 else ""
        address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "GB"}
        if street:
            address["streetAddress"] = ", ".join(street)
        if town:
            address["addressLocality"] = town
        if venue.postcode:
            address["postalCode"] = venue.postcode
        place["address"] = address
    if venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(venue.latitude, 6),
            "longitude": round(venue.longitude, 6),
        }
    if venue.access:
        place["amenityFeature"] = [
            {"@type": "LocationFeatureSpecification", "name": feature, "value": True}
            for feature in venue.access
        ]
    return place


def _offer(facts: ListingFacts, url: str) -> dict[str, Any]:
    offer: dict[str, Any] = {"@type": "Offer", "url": url, "description": facts.cost}
    if facts.is_free:
        offer.update(price="0", priceCurrency="GBP")
    return offer


def _base(facts: ListingFacts, url: str, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": kind, "@id": f"{url}#{kind.lower()}", "name": facts.name}
    data["url"] = url
    if facts.summary:
        data["description"] = facts.summary
    return data


def _events(facts: ListingFacts, url: str) -> list[dict[str, Any]]:
    venue = next((v for v in facts.venues if not v.online), None)
    online = next((v for v in facts.venues if v.online), None)
    mode = "OfflineEventAttendanceMode"
    if online and venue:
        mode = "MixedEventAttendanceMode"
    elif online:
        mode = "OnlineEventAttendanceMode"
    events = []
    for day, opens, closes in facts.next_dates:
        event = _base(facts, url, "Event")
        event["@id"] = f"{url}#event-{day.isoformat()}"
        event["startDate"] = _moment(day, opens)
        if closes is not None and opens is not None:
            end_day = day if closes > opens else day + dt.timedelta(days=1)
            event["endDate"] = _moment(end_day, closes)
        event["eventStatus"] = "https://schema.org/EventScheduled"
        event["eventAttendanceMode"] = f"https://schema.org/{mode}"
        places = [_place(v) for v in (venue, online) if v is not None]
        if places:
            event["location"] = places[0] if len(places) == 1 else places
        event["organizer"] = _organisation(facts)
        event["isAccessibleForFree"] = facts.is_free
        event["offers"] = _offer(facts, url)
        events.append(event)
    return events


def listing_jsonld(facts: ListingFacts, *, url: str) -> dict[str, Any]:
    """The structured data for one listing page at `url` (its absolute address)."""
    if facts.kind == Service.Kind.EVENT and facts.next_dates:
        return {"@context": CONTEXT, "@graph": _events(facts, url)}
    places = [v for v in facts.venues if not v.online]
    if facts.kind in (Service.Kind.VENUE, Service.Kind.GREEN_SPACE) and places:
        place = _place(places[0], name=facts.name)
        place.update(
            {k: v for k, v in _base(facts, url, "Place").items() if k not in ("@type", "name")}
        )
        place["isAccessibleForFree"] = facts.is_free
        place["publicAccess"] = True
        return {"@context": CONTEXT, **place}
    service = _base(facts, url, "Service")
    service["serviceType"] = facts.kind_label
    service["provider"] = _organisation(facts)
    service["offers"] = _offer(facts, url)
    if facts.needs:
        service["category"] = facts.needs
    if facts.who_for:
        service["audience"] = {"@type": "Audience", "audienceType": ", ".join(facts.who_for)}
    channel: dict[str, Any] = {"@type": "ServiceChannel", "serviceUrl": facts.website or url}
    if facts.venues:
        channel["serviceLocation"] = [_place(v) for v in facts.venues]
    phone = next((c for c in facts.contacts if c.href.startswith("tel:")), None)
    if phone is not None:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": phone.value}
    service["availableChannel"] = channel
    return {"@context": CONTEXT, **service}
