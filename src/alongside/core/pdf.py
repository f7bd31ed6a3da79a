"""HTML to PDF for every app (booklets, shared agreements, reports).

WeasyPrint makes a tagged PDF (PDF/UA-1), so screen readers can follow its headings,
tables and reading order; the document's <title> and <html lang> become its title and
language. It may fetch nothing but `data:` URLs, so text typed into the app cannot make the
server reach out to another site."""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """HTML to a tagged PDF. Only `data:` URLs may be fetched; anything else is skipped
    with a warning in WeasyPrint's log."""
    from weasyprint import HTML, URLFetcher  # imported here: slow to load, used only here

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    document = HTML(string=html, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(pdf_variant="pdf/ua-1", cache={})
