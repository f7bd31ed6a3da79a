"""Public pages, the health check, error pages and the security baseline."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from alongside.accounts.tests.factories import FrontDoorOfficerFactory
from alongside.core.logging import JsonFormatter, RequestIdFilter, request_id_var
from alongside.core.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("portal:home", b"Live Well York"),
        ("core:accessibility", b"Accessibility statement"),
        ("core:privacy", b"Privacy notice"),
        ("core:cookies", b"Cookies"),
    ],
)
def test_public_pages(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert heading in response.content
    # Council branding, never the GOV.UK crown or typeface.
    assert b"City of York Council" in response.content
    assert b"govuk-logo" not in response.content
    assert b"GDS Transport" not in response.content


def test_home_keeps_urgent_help_and_the_staff_sign_in(client):
    """The public home page (now the portal's) still tells people where to get help at once,
    and staff can still find their way in."""
    response = client.get(reverse("portal:home"))
    assert b"If you need help now" in response.content
    assert b'href="tel:999"' in response.content
    assert f'href="{reverse("accounts:sign-in")}"'.encode() in response.content


def test_names_are_configurable(client, settings):
    settings.COUNCIL = {**settings.COUNCIL, "public_service_name": "Live Well Leeds"}
    assert b"Live Well Leeds" in client.get(reverse("portal:home")).content


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_500_page_renders(client):
    from alongside.core.views import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_csp_forbids_inline_script_and_other_origins(client):
    response = client.get(reverse("portal:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert b"<script>" not in response.content
    assert response["X-Frame-Options"] == "DENY"


def test_request_id_is_echoed_or_made(client):
    made = client.get(reverse("portal:home"))
    assert len(made["X-Request-ID"]) == 32
    given = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="abc-123")
    assert given["X-Request-ID"] == "abc-123"
    unsafe = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert unsafe["X-Request-ID"] != "bad id\nwith newline"


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("alongside", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.user_id = 7
    token = request_id_var.set("rid-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert line["request_id"] == "rid-42"
    assert line["level"] == "INFO" and line["user_id"] == 7


@override_settings(STAFF_SESSION_IDLE_SECONDS=60)
def test_staff_are_signed_out_after_inactivity(client, staff_client):
    c = staff_client(FrontDoorOfficerFactory())
    assert c.get(reverse("accounts:home")).status_code == 200
    session = c.session
    session[LAST_SEEN_KEY] = session[LAST_SEEN_KEY] - 61
    session.save()
    response = c.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert "_auth_user_id" not in c.session


@override_settings(STAFF_SESSION_IDLE_SECONDS=60)
def test_activity_keeps_staff_signed_in(client, staff_client):
    c = staff_client(FrontDoorOfficerFactory())
    c.get(reverse("accounts:home"))
    session = c.session
    session[LAST_SEEN_KEY] = session[LAST_SEEN_KEY] - 59
    session.save()
    assert c.get(reverse("accounts:home")).status_code == 200


def test_csrf_is_enforced(staff_client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    user = FrontDoorOfficerFactory()
    csrf_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert csrf_client.post(reverse("accounts:sign-out")).status_code == 403


def test_robots_keeps_search_engines_to_public_pages_and_names_the_sitemap(client):
    response = client.get(reverse("core:robots"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /staff/" in lines
    assert "Disallow: /api/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
