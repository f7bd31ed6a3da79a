"""The personalised booklet: My list as a PDF to print or send, in three layouts.

- standard print: A4, 12 point text, two-column facts, a contents list;
- large print: at least 18 point everywhere (headings bigger), wide spacing, one column;
- easy read: big headings, short lines with one idea each, simple words and pictures, one
  listing on each page.

Each listing gets its name, summary, when, where, cost, how to join, contact and a QR code to
its web page. The cover names the service, the date, who it was made for (when given) and how
to get help. WeasyPrint renders it as a tagged PDF (PDF/UA-1) with a title and language, and
may fetch nothing but the `data:` images we give it.

`booklet_pdf()` makes the PDF; `booklet_email()` sends it to someone through the notify outbox.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string

from alongside.core.pdf import render_pdf
from alongside.directory import schedules
from alongside.notify.models import OutboxMessage
from alongside.notify.services import Attachment, send_email

from .facts import ListingFacts
from .mylist import (
    LAYOUT_EASY,
    LAYOUT_LARGE,
    LAYOUT_STANDARD,
    when_lines,
    where_lines,
)


@dataclass(frozen=True)
class Layout:
    """One booklet layout: its sizes (points) and spacing. Every font size in the booklet's
    stylesheet is one of these, so checking them checks the whole booklet."""

    key: str
    label: str
    filename: str
    body_pt: float
    small_pt: float  # the smallest text anywhere: page footers, web addresses
    h1_pt: float
    h2_pt: float
    h3_pt: float
    line_height: float
    margin_mm: int
    qr_mm: int
    facts_in_columns: bool  # label beside value (standard) or above it
    page_per_entry: bool
    pictures: bool


LAYOUTS: dict[str, Layout] = {
    LAYOUT_STANDARD: Layout(
        key=LAYOUT_STANDARD,
        label="Standard print",
        filename="my-list-standard-print.pdf",
        body_pt=12,
        small_pt=10,
        h1_pt=28,
        h2_pt=18,
        h3_pt=12,
        line_height=1.4,
        margin_mm=18,
        qr_mm=30,
        facts_in_columns=True,
        page_per_entry=False,
        pictures=False,
    ),
    LAYOUT_LARGE: Layout(
        key=LAYOUT_LARGE,
        label="Large print",
        filename="my-list-large-print.pdf",
        body_pt=18,
        small_pt=18,
        h1_pt=36,
        h2_pt=28,
        h3_pt=22,
        line_height=1.5,
        margin_mm=20,
        qr_mm=40,
        facts_in_columns=False,
        page_per_entry=False,
        pictures=False,
    ),
    LAYOUT_EASY: Layout(
        key=LAYOUT_EASY,
        label="Easy read",
        filename="my-list-easy-read.pdf",
        body_pt=16,
        small_pt=14,
        h1_pt=36,
        h2_pt=28,
        h3_pt=20,
        line_height=1.4,
        margin_mm=20,
        qr_mm=38,
        facts_in_columns=False,
        page_per_entry=True,
        pictures=True,
    ),
}


@dataclass
class BookletEntry:
    """One listing as the booklet prints it: the facts put into lines."""

    facts: ListingFacts
    anchor: str
    url: str
    qr_data_uri: str
    what_lines: list[str]  # the summary, a sentence a line (easy read)
    when: list[str]
    where: list[str]
    access: list[str]
    contacts: list[str]
    notices: list[str]
    cost_lines: list[str]  # easy read: the cost, a sentence a line ("It is free." apart)
    join_lines: list[str]  # easy read: how to join, a sentence a line


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'£])")


def sentences(text: str) -> list[str]:
    """Text as a list of sentences, for one idea a line."""
    return [part.strip() for part in _SENTENCE_END.split(" ".join(text.split())) if part.strip()]


def qr_data_uri(url: str) -> str:
    """A QR code for `url`, as an SVG data URI (dark on white, with a quiet zone)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4, dark="#0b0c0c")


# Easy read pictures: plain line drawings, beside each part of a listing (decorative: the
# heading next to each says the same thing).
_ICON_SHAPES = {
    "what": '<circle cx="24" cy="24" r="20"/><path d="M24 21v14"/>'
    '<circle cx="24" cy="14" r="2" fill="#0b3b60"/>',
    "when": '<circle cx="24" cy="24" r="20"/><path d="M24 12v12l8 6"/>',
    "where": '<path d="M24 44S10 28 10 18a14 14 0 0 1 28 0c0 10-14 26-14 26z"/>'
    '<circle cx="24" cy="18" r="5"/>',
    "cost": '<rect x="4" y="12" width="40" height="24" rx="3"/><circle cx="24" cy="24" r="6"/>',
    "join": '<rect x="12" y="4" width="24" height="40" rx="1"/>'
    '<circle cx="30" cy="25" r="2" fill="#0b3b60"/>',
    "contact": '<path d="M6 8h36v24H20L10 42V32H6z"/>',
}


def _icon(shape: str) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48" '
        'fill="none" stroke="#0b3b60" stroke-width="3.5" stroke-linecap="round" '
        f'stroke-linejoin="round">{shape}</svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


ICONS = {name: _icon(shape) for name, shape in _ICON_SHAPES.items()}


def _cost_lines(facts: ListingFacts) -> list[str]:
    lines = sentences(facts.cost)
    if facts.is_free and lines and lines[0].rstrip(".").lower() == "free":
        lines = lines[1:]
    return lines


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _entry(facts: ListingFacts, *, number: int, base_url: str) -> BookletEntry:
    url = _absolute(base_url, facts.path)
    access = sorted({item for venue in facts.venues for item in venue.access})
    contacts = []
    for contact in facts.contacts:
        line = f"{contact.label}: {contact.value}"
        contacts.append(f"{line} ({contact.note})" if contact.note else line)
    return BookletEntry(
        facts=facts,
        anchor=f"entry-{number}",
        url=url,
        qr_data_uri=qr_data_uri(url),
        what_lines=sentences(facts.summary) or [facts.name],
        when=when_lines(facts),
        where=where_lines(facts),
        access=access,
        contacts=contacts,
        notices=[notice for notice in (facts.status_note, facts.alert) if notice],
        cost_lines=_cost_lines(facts),
        join_lines=sentences(facts.how_to_join),
    )


def booklet_html(
    *,
    entries: Sequence[ListingFacts],
    layout: str,
    base_url: str,
    today: dt.date,
    made_for: str = "",
) -> str:
    """The booklet as one HTML document, ready for WeasyPrint (the tests read it too)."""
    style = LAYOUTS[layout]
    council = settings.COUNCIL
    site = base_url.rstrip("/") + "/"
    booklet_entries = [
        _entry(facts, number=n, base_url=base_url) for n, facts in enumerate(entries, start=1)
    ]
    return render_to_string(
        "portal/booklet/booklet.html",
        {
            "layout": style,
            "icons": ICONS,
            "entries": booklet_entries,
            "council": council,
            "made_for": made_for,
            "made_on": schedules.format_date(today),
            "site_url": site,
            "site_name": site.split("://", 1)[-1].rstrip("/"),
            "title": _title(made_for=made_for, council=council),
        },
    )


def _title(*, made_for: str, council: dict[str, str]) -> str:
    title = f"My list from {council['public_service_name']}"
    return f"{title}, made for {made_for}" if made_for else title


def booklet_pdf(
    *,
    entries: Sequence[ListingFacts],
    layout: str,
    base_url: str,
    today: dt.date,
    made_for: str = "",
) -> bytes:
    """The booklet as PDF bytes. `entries` must not be empty: an empty list gets a page that
    says so, not an empty booklet."""
    if not entries:
        raise ValueError("A booklet needs at least one listing")
    return render_pdf(
        booklet_html(
            entries=entries, layout=layout, base_url=base_url, today=today, made_for=made_for
        )
    )


def booklet_email(
    *,
    actor: Any,
    entries: Sequence[ListingFacts],
    to: str,
    note: str,
    layout: str,
    base_url: str,
    today: dt.date,
) -> OutboxMessage:
    """Email the list to someone as a booklet, through the outbox (which audits it).

    The message keeps the address, the note and the booklet: what staff need to check what
    was sent, and nothing more (no name, no record of who the person is)."""
    if not entries:
        raise ValueError("A booklet needs at least one listing")
    style = LAYOUTS[layout]
    pdf = booklet_pdf(entries=entries, layout=layout, base_url=base_url, today=today)
    council = settings.COUNCIL
    body = render_to_string(
        "portal/booklet/email.txt",
        {
            "sender": actor,
            "note": note.strip(),
            "layout": style,
            "council": council,
            "entries": [
                {"name": entry.name, "url": _absolute(base_url, entry.path)} for entry in entries
            ],
        },
    )
    return send_email(
        to=to,
        subject=f"Your list from {council['public_service_name']}",
        body=body,
        kind="portal.my_list",
        actor=actor,
        attachments=[Attachment(style.filename, pdf)],
        audit_reason=f"Emailed a My list booklet ({style.label.lower()}, {len(entries)} listings)",
    )
