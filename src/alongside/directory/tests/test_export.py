"""Exporting the directory: ORUK JSON that validates against the published schemas, CSV in
the template's columns, public listings unless all states are asked for."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from alongside.directory import hsds_export, hsds_import

from .api_factories import (
    ArchivedServiceFactory,
    DraftServiceFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    full_service,
)
from .test_oruk_api import schema_errors

pytestmark = pytest.mark.django_db
SERVICE_SCHEMA = "https://openreferraluk.org/specifications/3.0/schema/service.json"


@pytest.fixture
def directory(york):
    parent = ProviderFactory(name="York CVS")
    return {
        "published": full_service(name="Coffee morning", ward=york["Acomb"], provider=parent),
        "due": full_service(ReviewDueServiceFactory, name="Walking group"),
        "draft": full_service(DraftServiceFactory, name="Secret draft"),
        "archived": ArchivedServiceFactory(name="Old listing"),
        "child": PublishedServiceFactory(
            name="Child org listing", provider=ProviderFactory(parent=parent)
        ),
    }


def test_json_export_is_public_services_valid_against_the_oruk_schema(directory):
    document = json.loads("".join(hsds_export.iter_json(batch_size=2)))
    assert [s["name"] for s in document] == ["Child org listing", "Coffee morning", "Walking group"]
    for service in document:
        errors = schema_errors(service, SERVICE_SCHEMA)
        assert not errors, errors
    child = document[0]
    assert child["organization"]["parent_organization_id"] == str(
        directory["published"].provider_id
    )


def test_all_states_for_backups(directory):
    document = json.loads("".join(hsds_export.iter_json(all_states=True)))
    assert {s["name"] for s in document} >= {"Secret draft", "Old listing"}
    assert len(document) == 5


def test_json_export_is_what_the_api_gives(directory, client):
    document = json.loads("".join(hsds_export.iter_json()))
    coffee = next(s for s in document if s["name"] == "Coffee morning")
    api = client.get(f"/api/oruk/services/{coffee['id']}").json()
    assert coffee == api


def test_csv_export_has_the_template_columns(directory):
    call_command("load_taxonomies", verbosity=0)
    rows = list(csv.DictReader(io.StringIO("".join(hsds_export.iter_csv()))))
    assert list(rows[0]) == hsds_import.CSV_HEADINGS
    coffee = next(r for r in rows if r["listing name"] == "Coffee morning")
    assert coffee["days"] == "Tuesday"
    assert coffee["frequency"] == "weekly"
    assert coffee["start time"] == "10:00"
    assert coffee["postcode"] == "YO24 1AB"
    assert coffee["accessibility"] == "Step-free access; Hearing loop"
    assert coffee["organisation name"] == "York CVS"


def test_export_then_import_changes_nothing(directory):
    document = json.loads("".join(hsds_export.iter_json(all_states=True)))
    report = hsds_import.directory_import_json(data=document)
    assert report.ok, report.errors
    assert not report.any_changes
    text = "".join(hsds_export.iter_csv(all_states=True))
    report = hsds_import.directory_import_csv(text=text)
    assert report.ok, report.errors
    assert not report.any_changes, report.summary_lines()


def test_management_commands(directory, tmp_path, capsys):
    out = tmp_path / "directory.json"
    call_command("directory_export", str(out))
    assert len(json.loads(out.read_text())) == 3
    call_command("directory_import", str(out), "--dry-run")
    printed = capsys.readouterr().out
    assert "No listings would change." in printed and "Dry run: nothing was saved." in printed
    bad = tmp_path / "bad.json"
    bad.write_text("[{}]")
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("directory_import", str(bad))
