"""One listing, its calendar and the sitemap (issue 4). Public: no sign-in."""

from __future__ import annotations

import math
from collections.abc import Iterator
from urllib.parse import urlsplit
from uuid import UUID
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from alongside.portal import facts, ical, jsonld
from alongside.portal.context_processors import MY_LIST_SESSION_KEY

# The sitemaps protocol allows 50,000 addresses in one file; past that, /sitemap.xml is an
# index of parts (/sitemap.xml?part=2 …).
SITEMAP_MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def base_url(request: HttpRequest) -> str:
    """This site's address, without the final slash: https://livewell.example.org"""
    return request.build_absolute_uri("/").rstrip("/")


def domain(request: HttpRequest) -> str:
    """The host name for calendar UIDs (the port is not part of a name)."""
    return urlsplit(f"//{request.get_host()}").hostname or "localhost"


def _in_my_list(request: HttpRequest, pk: UUID) -> bool:
    """Read the session only when the visitor already has one (as the header does), so the
    page sets no cookie for anyone else."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None and not session.modified:
        return False
    return str(pk) in session.get(MY_LIST_SESSION_KEY, [])


@require_safe
def detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A public listing (published or review due); anything else is a 404."""
    service, listing = facts.public_listing(pk, today=facts.today())
    url = request.build_absolute_uri(listing.path)
    maps = facts.locator_maps(listing.venues)
    return render(
        request,
        "portal/listing.html",
        {
            "service": service,  # for "Is this page useful?"
            "facts": listing,
            "venue_maps": list(zip(listing.venues, maps, strict=True)),
            "canonical_url": url,
            "jsonld": jsonld.script_json(jsonld.listing_jsonld(listing, url=url)),
            "in_my_list": _in_my_list(request, pk),
            "show_actions": True,
        },
    )


@require_safe
def calendar(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The listing's sessions as an iCalendar file, to add to a calendar program."""
    today = facts.today()
    _, listing = facts.public_listing(pk, today=today)
    body = ical.listing_calendar(
        listing,
        base_url=base_url(request),
        domain=domain(request),
        today=today,
        service_name=settings.COUNCIL["public_service_name"],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    name = slugify(listing.name)[:60] or "listing"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _url(loc: str, lastmod: str = "") -> str:
    modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}</url>\n"


def _urlset(request: HttpRequest, part: int) -> Iterator[str]:
    """One file of addresses: the main pages first, then every public listing by id."""
    site = base_url(request)
    pages = [reverse("portal:home"), reverse("portal:results"), reverse("portal:whats-on")]
    first = (part - 1) * SITEMAP_MAX_URLS  # position of this part's first address
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    mine = pages[first : first + SITEMAP_MAX_URLS]
    for path in mine:
        yield _url(site + path)
    offset = max(0, first - len(pages))
    rows = facts.public_listing_rows(offset=offset, limit=SITEMAP_MAX_URLS - len(mine))
    # Reversing once and filling in each id is much cheaper than 100,000 reverses.
    placeholder = UUID(int=0)
    template = site + reverse("portal:listing", kwargs={"pk": placeholder})
    batch: list[str] = []
    for pk, modified in rows:
        lastmod = modified.isoformat(timespec="seconds") if modified else ""
        batch.append(_url(template.replace(str(placeholder), str(pk)), lastmod))
        if len(batch) == 1000:  # fewer, larger writes to the client
            yield "".join(batch)
            batch = []
    yield "".join(batch) + "</urlset>\n"


def _index(request: HttpRequest, parts: int) -> Iterator[str]:
    site = base_url(request) + reverse("portal:sitemap")
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    for part in range(1, parts + 1):
        yield f"<sitemap><loc>{escape(f'{site}?part={part}')}</loc></sitemap>\n"
    yield "</sitemapindex>\n"


@require_safe
def sitemap(request: HttpRequest) -> StreamingHttpResponse:
    """Every public page worth finding: streamed, from plain values, in parts of 50,000."""
    total = facts.public_listing_count() + 3
    parts = max(1, math.ceil(total / SITEMAP_MAX_URLS))
    asked = request.GET.get("part")
    if asked is None:
        body = _urlset(request, 1) if parts == 1 else _index(request, parts)
    else:
        try:
            part = int(asked)
        except ValueError:
            raise Http404("No such part of the sitemap.") from None
        if not 1 <= part <= parts:
            raise Http404("No such part of the sitemap.")
        body = _urlset(request, part)
    response = StreamingHttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
