"""The staff import and export page at /staff/directory/import/: directory editors only;
upload → dry-run report → confirm imports exactly the checked file."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alongside.accounts.tests.factories import DirectoryEditorFactory, LinkWorkerFactory
from alongside.directory import hsds_export
from alongside.directory.models import Service

from .api_factories import full_service

pytestmark = pytest.mark.django_db
START = "/staff/directory/import/"


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (START, reverse("directory-import:export"), reverse("directory-import:template")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_other_roles_are_refused(staff_client):
    client = staff_client(LinkWorkerFactory())
    assert client.get(START).status_code == 403
    assert client.get(reverse("directory-import:export")).status_code == 403
    assert client.post(reverse("directory-import:confirm"), {"token": "x"}).status_code == 403


def test_editors_see_the_page_with_export_links(staff_client, york):
    full_service(name="Coffee morning")
    response = staff_client(DirectoryEditorFactory()).get(START)
    assert response.status_code == 200
    assert b"Import and export the directory" in response.content
    assert b"Public listings as JSON</a> (1)" in response.content


def _token(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match, response.content.decode()[:2000]
    return match.group(1).decode()


def test_upload_checks_then_confirm_imports(staff_client, york):
    service = full_service(name="Coffee morning")
    document = json.loads("".join(hsds_export.iter_json()))
    Service.objects.all().delete()
    client = staff_client(DirectoryEditorFactory())
    upload = SimpleUploadedFile("directory.json", json.dumps(document).encode())

    response = client.post(START, {"file": upload})

    assert response.status_code == 200
    assert b"Check what importing directory.json would change" in response.content
    assert b"Coffee morning: new" in response.content
    assert not Service.objects.exists()  # a dry run only

    response = client.post(reverse("directory-import:confirm"), {"token": _token(response)})
    assert response.status_code == 200
    assert b"Import complete" in response.content
    imported = Service.objects.get(pk=service.pk)
    assert imported.state == Service.State.PUBLISHED


def test_errors_are_listed_and_nothing_can_be_confirmed(staff_client, york):
    full_service(name="Coffee morning")
    document = json.loads("".join(hsds_export.iter_json()))
    document[0]["schedules"][0]["byday"] = "XX"
    client = staff_client(DirectoryEditorFactory())
    upload = SimpleUploadedFile("directory.json", json.dumps(document).encode())
    response = client.post(START, {"file": upload})
    assert response.status_code == 200
    assert b"directory.json cannot be imported" in response.content
    assert b"schedules[0].byday &quot;XX&quot; is not a day" in response.content
    assert b'name="token"' not in response.content


def test_a_missing_or_wrong_file_is_reported_govuk_style(staff_client, york):
    client = staff_client(DirectoryEditorFactory())
    response = client.post(START, {})
    assert b"Select a JSON or CSV file to import" in response.content
    assert b"govuk-error-summary" in response.content
    upload = SimpleUploadedFile("directory.xlsx", b"PK")
    response = client.post(START, {"file": upload})
    assert b"The selected file must be a JSON or CSV file" in response.content


def test_a_token_from_another_editor_is_refused(staff_client, york):
    full_service(name="Coffee morning")
    document = json.loads("".join(hsds_export.iter_json()))
    Service.objects.all().delete()
    client = staff_client(DirectoryEditorFactory())
    response = client.post(
        START, {"file": SimpleUploadedFile("d.json", json.dumps(document).encode())}
    )
    token = _token(response)
    other = staff_client(DirectoryEditorFactory())
    response = other.post(reverse("directory-import:confirm"), {"token": token})
    assert b"The check has expired or was made by someone else" in response.content
    assert not Service.objects.exists()


def test_exports_download_as_files(staff_client, york):
    full_service(name="Coffee morning")
    client = staff_client(DirectoryEditorFactory())
    response = client.get(reverse("directory-import:export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "Coffee morning" in body
    response = client.get(reverse("directory-import:export"), {"format": "json", "all": "1"})
    assert json.loads(b"".join(response.streaming_content))[0]["name"] == "Coffee morning"
    response = client.get(reverse("directory-import:template"))
    assert response.content.startswith(b"id,listing name,")
