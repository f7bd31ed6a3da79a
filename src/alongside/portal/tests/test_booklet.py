"""The booklet: three layouts as tagged PDFs holding every listing, large print never below
18 point, easy read one idea a line, a QR code to each listing, and a clear page (not an
empty PDF) when the list is empty."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
import uuid

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from alongside.portal import booklet, facts
from alongside.portal.facts import Contact, ListingFacts, Venue

from .conftest import TODAY

BOOKLET = reverse("portal:booklet")
PDF_URL = reverse("portal:booklet-pdf")
LAYOUTS = ["standard", "large", "easy"]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(facts, "today", lambda: TODAY)


def add(client, *services):
    for service in services:
        client.post(reverse("portal:my-list-add", kwargs={"pk": service.pk}))


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def fake(name="Friday Lunch Club", **overrides) -> ListingFacts:
    """A listing's facts made by hand, for tests of layout alone."""
    values = {
        "id": uuid.uuid4(),
        "name": name,
        "summary": "A hot lunch and good company. Everyone is welcome.",
        "description": "",
        "kind": "activity",
        "kind_label": "Activity",
        "organisation": "Acomb Community Group",
        "organisation_url": "",
        "when": ["Every Friday, 12pm to 2pm, except bank holidays"],
        "next_dates": [],
        "venues": [
            Venue(
                name="Acomb Library",
                address_lines=["1 Front Street", "York"],
                postcode="YO24 3BZ",
                ward_name="Acomb",
                latitude=None,
                longitude=None,
                how_to_get_there="",
                access=["Step-free access", "Hearing loop"],
            )
        ],
        "cost": "£4 for lunch",
        "who_for": ["Age 60 and over"],
        "how_to_join": "Just turn up. Tell us about any allergies.",
        "contacts": [Contact(label="Phone", value="01904 123456", href="tel:01904123456")],
        "last_checked": None,
        "checked_by": "",
        "path": f"/listings/{uuid.uuid4()}/",
    }
    values.update(overrides)
    return ListingFacts(**values)


def html_for(entries, layout, **kwargs) -> str:
    return booklet.booklet_html(
        entries=entries, layout=layout, base_url="https://livewell.example", today=TODAY, **kwargs
    )


# --- Downloading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_downloads_as_a_pdf_holding_every_listing(
    client, little, layout, django_assert_max_num_queries
):
    add(client, little["lunch"], little["walk"])
    with django_assert_max_num_queries(16):
        response = client.get(PDF_URL, {"layout": layout})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = booklet.LAYOUTS[layout].filename
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")
    words = pdf_text(response.content)
    assert "Friday Lunch Club" in words
    assert "Acomb Health Walk" in words
    assert "Live Well York" in words
    assert "Tuesday 1 December 2026" in words  # the date on the cover


def test_the_filenames_say_which_layout_it_is():
    assert booklet.LAYOUTS["large"].filename == "my-list-large-print.pdf"
    assert booklet.LAYOUTS["standard"].filename == "my-list-standard-print.pdf"
    assert booklet.LAYOUTS["easy"].filename == "my-list-easy-read.pdf"


def test_the_pdf_is_tagged_with_a_title_and_language(client, little):
    add(client, little["lunch"])
    reader = PdfReader(io.BytesIO(client.get(PDF_URL, {"layout": "standard"}).content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "My list from Live Well York"
    assert "City of York Council" in reader.metadata.author


def test_an_empty_list_gets_a_page_that_says_so_not_an_empty_pdf(client, little):
    response = client.get(PDF_URL, {"layout": "large"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Your list is empty, so there is nothing to put in a booklet yet." in text(response)


@pytest.mark.parametrize(
    ("query", "status"),
    [({"layout": "huge"}, 400), ({"layout": "<script>"}, 400), ({}, 200), ({"layout": ""}, 200)],
)
def test_a_bad_or_missing_layout_is_explained(client, little, query, status):
    """An edited link is a bad request; the My list form sent without a choice is not."""
    add(client, little["lunch"])
    response = client.get(PDF_URL, query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = text(response)
    assert "There is a problem" in page
    assert "Select standard print, large print or easy read" in page
    assert 'href="#id_layout_1"' in page
    assert "<script>" not in page


def test_the_booklet_page_offers_three_layouts_and_a_name(client, little):
    add(client, little["lunch"])
    page = text(client.get(BOOKLET))
    assert "Get your list as a booklet" in page
    assert "Standard print" in page and "Large print" in page and "Easy read" in page
    assert "Name for the front page (optional)" in page
    assert f'action="{PDF_URL}"' in page and 'method="post"' in page


def test_the_booklet_page_with_an_empty_list_says_so(client, little):
    page = text(client.get(BOOKLET))
    assert "Your list is empty, so there is nothing to put in a booklet yet." in page
    assert "Name for the front page" not in page


def test_a_name_is_printed_on_the_cover_and_in_the_title(client, little):
    add(client, little["lunch"])
    response = client.post(PDF_URL, {"layout": "easy", "name": "  Joan   Smith "})
    assert response["Content-Disposition"] == 'attachment; filename="my-list-easy-read.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert "Made for Joan Smith" in reader.pages[0].extract_text()
    assert reader.metadata.title == "My list from Live Well York, made for Joan Smith"


def test_a_name_that_is_too_long_is_explained_and_kept(client, little):
    add(client, little["lunch"])
    name = "J" * 61
    response = client.post(PDF_URL, {"layout": "large", "name": name})
    assert response.status_code == 200
    page = text(response)
    assert "Name must be 60 characters or fewer" in page
    assert f'value="{name}"' in page
    assert 'value="large" checked' in page


def test_the_booklet_page_needs_the_csrf_token_to_post(little):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(PDF_URL, {"layout": "large"}).status_code == 403


def test_the_real_facts_reach_the_booklet(client, little):
    """The listing facts (schedules in words, venue, cost) from the directory, not fakes."""
    add(client, little["lunch"], little["befriending"])
    words = pdf_text(client.get(PDF_URL, {"layout": "standard"}).content)
    assert "Every Friday" in words
    assert "Acomb Library" in words
    assert "£4 for lunch" in words
    assert "Telephone Befriending" in words
    assert f"/listings/{little['lunch'].pk}/" in words.replace("\n", "")


# --- Layout (with facts made by hand) ------------------------------------------------------------

_SIZE = re.compile(r"font-size:\s*([\d.]+)(pt|px|em|rem|%)")


def _points(value: float, unit: str, *, body: float) -> float:
    return {"pt": value, "px": value * 0.75, "em": value * body, "rem": value * body}.get(
        unit, value / 100 * body
    )


def test_large_print_has_no_text_below_18_point_in_its_stylesheet():
    html = html_for([fake(), fake("Acomb Health Walk")], "large")
    sizes = [_points(float(v), u, body=18) for v, u in _SIZE.findall(html)]
    assert sizes, "the stylesheet sets font sizes"
    assert min(sizes) >= 18
    assert max(sizes) >= 28  # headings are larger
    assert 'style="' not in html  # every size is in the stylesheet we just checked


def _pdf_font_sizes(pdf: bytes) -> set[float]:
    sizes: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
            sizes.add(round(size * scale, 1))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_large_print_has_no_text_below_18_point_in_the_pdf():
    """Every piece of text the PDF draws, page footers and web addresses included."""
    pdf = booklet.render_pdf(html_for([fake(), fake("Acomb Health Walk")], "large"))
    sizes = _pdf_font_sizes(pdf)
    assert min(sizes) >= 18
    assert max(sizes) >= 28


def test_standard_print_is_12_point():
    pdf = booklet.render_pdf(html_for([fake()], "standard"))
    sizes = _pdf_font_sizes(pdf)
    assert 12 in sizes
    assert min(sizes) < 18  # so the large print test above can tell the difference


def test_easy_read_puts_each_listing_on_its_own_page_with_one_idea_a_line():
    entries = [fake("Friday Lunch Club"), fake("Acomb Health Walk", is_free=True, cost="Free")]
    pdf = booklet.render_pdf(html_for(entries, "easy"))
    pages = page_texts(pdf)
    assert pages[1].startswith("Friday Lunch Club")
    assert pages[2].startswith("Acomb Health Walk")
    lines = pages[1].splitlines()
    assert "A hot lunch and good company." in lines
    assert "Everyone is welcome." in lines
    assert "Just turn up." in lines
    assert "It is free." in pages[2] and "It is free." not in pages[1]
    assert min(_pdf_font_sizes(pdf)) >= 14


def test_easy_read_has_a_picture_beside_each_part():
    html = html_for([fake()], "easy")
    picture = (
        r'<div class="line__picture"><img src="data:image/svg\+xml;base64,[^"]+" alt=""></div>'
    )
    for part in ("What it is", "When", "Where", "Cost", "How to join", "Who to ask"):
        assert re.search(rf'{picture}\s*<div class="words"><h3>{part}</h3>', html), part


def test_each_entry_has_its_details_and_a_qr_code_to_its_page():
    entry = fake(
        alert="Closed on 25 December.",
        contacts=[
            Contact(label="Phone", value="01904 123456", href="tel:01904123456", note="Weekdays")
        ],
    )
    html = html_for([entry], "standard")
    url = f"https://livewell.example{entry.path}"
    for words in (
        "Friday Lunch Club",
        "A hot lunch and good company.",
        "Every Friday, 12pm to 2pm, except bank holidays",
        "Acomb Library, 1 Front Street, York, YO24 3BZ",
        "£4 for lunch",
        "Just turn up. Tell us about any allergies.",
        "Phone: 01904 123456 (Weekdays)",
        "Acomb Community Group",
        "Closed on 25 December.",
        url,
    ):
        assert words in html, words
    assert booklet.qr_data_uri(url) in html
    assert 'alt="QR code for the web page about Friday Lunch Club"' in html


def test_the_qr_code_holds_the_listing_address():
    url = "https://livewell.example/listings/0b6c1c1e-7a7f-4c36-9d4e-6a3f1f2d8c11/"
    uri = booklet.qr_data_uri(url)
    assert uri.startswith("data:image/svg+xml")
    assert uri == segno.make(url, error="m").svg_data_uri(scale=4, border=4, dark="#0b0c0c")


def test_a_listing_with_no_place_or_times_still_reads_well():
    entry = fake(venues=[], when=[], next_dates=[], contacts=[], how_to_join="")
    html = html_for([entry], "large")
    assert "<h3>Where</h3>" not in html
    assert "Ask the organiser when it happens" in html
    assert "<h3>How to join</h3>" not in html


def test_next_dates_stand_in_for_a_schedule_in_words():
    entry = fake(when=[], next_dates=[(dt.date(2026, 12, 5), dt.time(10), dt.time(12, 30))])
    assert "Saturday 5 December 2026, 10am to 12:30pm" in html_for([entry], "standard")


def test_the_cover_has_the_service_date_contents_and_help():
    html = html_for([fake(), fake("Acomb Health Walk")], "standard", made_for="Joan")
    cover = html[html.index('<section class="cover"') : html.index("</section>")]
    assert "Live Well York" in cover
    assert "Made for Joan" in cover
    assert "Tuesday 1 December 2026" in cover
    assert "How to get help" in cover and "livewell@example.org" in cover
    assert 'href="#entry-1">Friday Lunch Club' in cover
    assert 'href="#entry-2">Acomb Health Walk' in cover


def test_listing_text_is_escaped_and_nothing_is_fetched(caplog):
    sneaky = fake('<img src="https://tracker.example/pixel.png"> Lunch')
    html = html_for([sneaky], "standard")
    assert "&lt;img src=" in html
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        booklet.render_pdf(html.replace("</body>", '<img src="https://example.org/x.png"></body>'))
    assert "disallowed protocol" in caplog.text


def test_a_booklet_needs_at_least_one_listing():
    with pytest.raises(ValueError):
        booklet.booklet_pdf(
            entries=[], layout="standard", base_url="https://x.example", today=TODAY
        )
