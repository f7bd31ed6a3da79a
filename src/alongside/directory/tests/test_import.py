"""Importing the directory from ORUK JSON (ours and other publishers') and the CSV template:
upserts by id, changes nothing twice, all or nothing, dry runs, clear per-record errors."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from alongside.directory import hsds_export, hsds_import
from alongside.directory.models import (
    AccessibilityFeature,
    ListingChange,
    Location,
    Provider,
    Schedule,
    Service,
    TaxonomyTerm,
)

from .api_factories import (
    DraftServiceFactory,
    PublishedServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
    full_service,
)

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "oruk" / "examples"
TEMPLATE = (
    Path(hsds_import.__file__).parent / "data" / "directory_import_template.csv"
).read_text()


def export_json(*, all_states: bool = False) -> list[dict]:
    return json.loads("".join(hsds_export.iter_json(all_states=all_states)))


def without_last_modified(document: list[dict]) -> list[dict]:
    document = copy.deepcopy(document)
    for service in document:
        service.pop("last_modified", None)
    return document


@pytest.fixture
def listings(york):
    terms = TaxonomyFactory(code="types", name="Listing types", description="Kinds.")
    group = TaxonomyTermFactory(taxonomy=terms, code="group", name="Group")
    advice = TaxonomyTermFactory(taxonomy=terms, code="advice", name="Advice", parent=group)
    return [
        full_service(ward=york["Acomb"], terms=[group, advice], name="Coffee morning"),
        full_service(ward=york["Heworth"], terms=[group], name="Walking group", is_free=True),
        full_service(ward=york["Guildhall"], name="Money advice", fees="£5"),
    ]


def counts(report: hsds_import.ImportReport) -> dict[str, tuple[int, int, int, int]]:
    return {
        label: (c.created, c.updated, c.unchanged, c.deleted)
        for label, c in report.counts.items()
        if c.created or c.updated or c.deleted or c.unchanged
    }


def test_importing_our_own_export_changes_nothing(listings):
    """Export → import is a no-op: every object unchanged, no listing touched."""
    before = {s.pk: s.modified_at for s in Service.objects.all()}
    report = hsds_import.directory_import_json(data=export_json())
    assert report.ok, report.errors
    assert not report.any_changes, counts(report)
    assert report.changed_services == []
    assert report.count("services").unchanged == 3
    assert report.count("schedules").unchanged == 6
    assert {s.pk: s.modified_at for s in Service.objects.all()} == before
    assert not ListingChange.objects.exists()


def test_import_into_an_empty_directory_recreates_it_and_twice_changes_nothing(listings):
    """Everything is created with the same ids; exporting again gives the same document;
    importing a second time leaves everything unchanged."""
    document = export_json()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Provider.objects.all().delete()

    first = hsds_import.directory_import_json(data=document)
    assert first.ok, first.errors
    assert first.count("services").created == 3
    assert first.count("places").created == 3
    assert first.count("schedules").created == 6
    assert first.count("taxonomy term links").created == 3
    assert {c.action for c in first.changed_services} == {"created"}
    assert set(Service.objects.values_list("state", flat=True)) == {"published"}
    # Places are put in their ward from their coordinates.
    acomb = Location.objects.get(at_services__service__name="Coffee morning")
    assert acomb.ward.name == "Acomb"

    assert without_last_modified(export_json()) == without_last_modified(document)
    second = hsds_import.directory_import_json(data=document)
    assert second.ok, second.errors
    assert not second.any_changes, counts(second)


def test_changes_update_only_what_changed_and_remove_what_is_gone(listings):
    document = export_json()
    coffee = next(s for s in document if s["name"] == "Coffee morning")
    coffee["description"] = "Now with cake."
    removed = coffee["schedules"].pop()
    before = {s.name: s.modified_at for s in Service.objects.all()}

    report = hsds_import.directory_import_json(data=document)

    assert report.ok, report.errors
    assert report.count("services").updated == 1
    assert report.count("schedules").deleted == 1
    assert [(c.name, c.action) for c in report.changed_services] == [("Coffee morning", "updated")]
    service = Service.objects.get(name="Coffee morning")
    assert service.description == "Now with cake."
    assert service.modified_at > before["Coffee morning"]
    assert not Schedule.objects.filter(pk=removed["id"]).exists()
    assert Service.objects.get(name="Walking group").modified_at == before["Walking group"]
    assert ListingChange.objects.filter(service=service, action="import").count() == 1


def test_editorial_state_is_kept_for_existing_listings_and_new_ones_can_be_drafts(listings):
    draft = full_service(DraftServiceFactory, name="Draft listing")
    document = export_json(all_states=True)
    assert any(s["name"] == "Draft listing" for s in document)
    report = hsds_import.directory_import_json(data=document)
    assert report.ok and not report.any_changes
    draft.refresh_from_db()
    assert draft.state == Service.State.DRAFT

    new = copy.deepcopy(document[0])
    new["id"] = str(uuid.uuid4())
    new["name"] = "Brand new"
    for key in ("schedules", "contacts", "phones", "cost_options", "languages", "funding"):
        new[key] = []
    new["service_areas"] = []
    new["service_at_locations"] = []
    report = hsds_import.directory_import_json(data=[new], draft=True)
    assert report.ok, report.errors
    assert Service.objects.get(name="Brand new").state == Service.State.DRAFT


def test_dry_run_reports_and_changes_nothing(listings):
    document = export_json()
    document[0]["name"] = "Renamed"
    snapshot = export_json()
    report = hsds_import.directory_import_json(data=document, dry_run=True)
    assert report.ok and report.dry_run and not report.written
    assert report.count("services").updated == 1
    assert [c.name for c in report.changed_services] == ["Renamed"]
    assert export_json() == snapshot
    assert not ListingChange.objects.exists()


def test_one_bad_record_writes_nothing_and_names_the_record(listings):
    document = export_json()
    Service.objects.all().delete()
    bad = document[1]
    bad["schedules"][0]["byday"] = "XX"
    bad["email"] = "not an email"

    report = hsds_import.directory_import_json(data=document)

    assert not report.ok
    where = f'Service 2 ("{bad["name"]}", id {bad["id"]})'
    assert f'{where}: schedules[0].byday "XX" is not a day' in report.errors
    assert f'{where}: email "not an email" is not an email address' in report.errors
    assert not Service.objects.exists()


def test_errors_found_against_the_database_also_write_nothing(listings):
    document = export_json()
    service = copy.deepcopy(document[0])
    service["id"] = str(uuid.uuid4())
    service.pop("organization")
    service["organization_id"] = str(uuid.uuid4())
    count = Service.objects.count()
    report = hsds_import.directory_import_json(data=[document[1], service])
    assert not report.ok
    assert "is not in the file or the directory" in report.errors[0]
    assert Service.objects.count() == count


def test_checks_required_fields_uuids_dates_and_lengths():
    service = {
        "id": "not-a-uuid",
        "name": "x" * 201,
        "status": "open",
        "organization": {"id": str(uuid.uuid4()), "description": "No name"},
        "schedules": [{"id": str(uuid.uuid4()), "freq": "WEEKLY", "valid_from": "2025-13-01"}],
        "minimum_age": 30,
        "maximum_age": 20,
    }
    report = hsds_import.directory_import_json(data=service)
    joined = "\n".join(report.errors)
    assert '"not-a-uuid" is not a UUID' in joined
    assert "name " in joined and "is longer than 200 characters" in joined
    assert '"open" must be one of: active, inactive, defunct, temporarily closed' in joined
    assert "organization.name is missing" in joined
    assert 'schedules[0].valid_from "2025-13-01" is not a date (YYYY-MM-DD)' in joined
    assert "minimum_age 30 is more than maximum_age 20" in joined


def test_unreadable_documents_give_one_clear_error():
    report = hsds_import.directory_import_bytes(raw=b"{not json", file_format="json")
    assert report.errors[0].startswith("The file is not valid JSON")
    report = hsds_import.directory_import_bytes(raw=b'{"hello": 1}', file_format="json")
    assert "not an Open Referral UK services document" in report.errors[0]


def test_accepts_another_publishers_oruk_json(york):
    """The ORUK example service (with a real point) imports; what we cannot hold is reported
    as a warning, not an error."""
    example = json.loads((EXAMPLES / "service_full.json").read_text())
    example["service_at_locations"][0]["location"]["latitude"] = 53.958
    example["service_at_locations"][0]["location"]["longitude"] = -1.081
    # Longer than the directory holds (each reported as an error otherwise, see below).
    example["schedules"][0]["attending_type"] = "in_person"
    example["service_areas"][0]["name"] = "MyCity"
    page = {"total_items": 1, "page_number": 1, "contents": [example]}
    report = hsds_import.directory_import_json(data=page)
    assert report.ok, report.errors
    service = Service.objects.get(pk=example["id"])
    assert service.provider.name == "Example Organization Inc."
    assert service.provider.company_number == "1234567"
    assert service.state == Service.State.PUBLISHED
    assert AccessibilityFeature.objects.filter(
        location__at_services__service=service, feature="hearing_loop"
    ).exists()
    assert TaxonomyTerm.objects.filter(pk=example["attributes"][0]["taxonomy_term"]["id"]).exists()
    again = hsds_import.directory_import_json(data=page)
    assert again.ok and not again.any_changes, counts(again)


def test_what_the_directory_cannot_hold_is_an_error(york):
    """The ORUK example as published: a latitude of 100, and texts longer than our fields."""
    example = json.loads((EXAMPLES / "service_full.json").read_text())
    report = hsds_import.directory_import_json(data=example)
    where = 'Service 1 ("Community Counselling", id ac148810-d857-441c-9679-408f346de14b)'
    assert f"{where}: service_at_locations[0].location.latitude 100 is not between -90 and 90" in (
        report.errors
    )
    assert any("schedules[0].attending_type" in e and "longer than 20" in e for e in report.errors)
    assert not Service.objects.exists()


# --- from a URL -------------------------------------------------------------------------------


@pytest.fixture
def web_server():
    """A local web server answering /directory.json with `served["body"]`."""
    served = {"body": b"[]"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path != "/directory.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(served["body"])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()


def test_import_from_a_url(listings, web_server):
    document = export_json()
    Service.objects.all().delete()
    web_server["body"] = json.dumps(document).encode()
    report = hsds_import.directory_import_url(url=f"{web_server['url']}/directory.json")
    assert report.ok, report.errors
    assert report.count("services").created == 3

    missing = hsds_import.directory_import_url(url=f"{web_server['url']}/nothing.json")
    assert missing.errors == [
        f"{web_server['url']}/nothing.json answered with HTTP 404 (Not Found)."
    ]
    refused = hsds_import.directory_import_url(url="http://127.0.0.1:9/x.json")
    assert refused.errors[0].startswith("Could not reach http://127.0.0.1:9/x.json")
    local = hsds_import.directory_import_url(url="file:///etc/passwd")
    assert local.errors[0].startswith("Only http and https addresses")


# --- the CSV template -------------------------------------------------------------------------


@pytest.fixture
def needs(db):
    call_command("load_taxonomies", verbosity=0)


def test_csv_template_imports_and_reimporting_changes_nothing(york, needs):
    report = hsds_import.directory_import_csv(text=TEMPLATE)
    assert report.ok, report.errors
    service = Service.objects.get(name="Coffee morning")
    assert service.provider.name == "Acomb Friends Group"
    assert service.fees == "£1 for tea and cake" and not service.is_free
    assert service.state == Service.State.PUBLISHED
    schedule = service.schedules.get()
    assert (schedule.freq, schedule.byday, str(schedule.opens_at)) == ("WEEKLY", "TU", "10:00:00")
    assert [t.code for t in service.terms.all()] == ["loneliness-and-isolation"]
    location = service.at_locations.get().location
    assert location.ward.name == "Acomb"
    assert set(location.accessibility.values_list("feature", flat=True)) == {
        "step_free",
        "accessible_toilet",
    }
    # The row had no id: the same sheet again updates the same listing.
    again = hsds_import.directory_import_csv(text=TEMPLATE)
    assert again.ok and not again.any_changes, counts(again)
    assert Service.objects.count() == 1


def test_csv_export_round_trips(listings, needs):
    """The CSV export imports back with no changes, also over listings imported as JSON."""
    hsds_import.directory_import_csv(text=TEMPLATE)
    text = "".join(hsds_export.iter_csv())
    assert text.splitlines()[0].split(",")[:3] == ["id", "listing name", "description"]
    report = hsds_import.directory_import_csv(text=text)
    assert report.ok, report.errors
    assert not report.any_changes, counts(report)


def test_csv_errors_name_the_row_and_column_and_list_valid_needs(york, needs):
    text = TEMPLATE.replace("Loneliness and isolation", "Knitting").replace("Tuesday", "Funday")
    text = text.replace("hello@acombfriends.example.org", "hello at acomb")
    report = hsds_import.directory_import_csv(text=text)
    assert not report.ok
    joined = "\n".join(report.errors)
    assert 'Row 2 ("Coffee morning"): needs "Knitting" is not in the needs list; use: ' in joined
    assert "Loneliness and isolation" in joined
    assert 'Row 2 ("Coffee morning"): days "Funday" is not a day of the week' in joined
    assert not Service.objects.exists()
    text = TEMPLATE.replace("hello@acombfriends.example.org", "hello at acomb")
    report = hsds_import.directory_import_csv(text=text)
    assert report.errors == [
        'Row 2 ("Coffee morning"): email "hello at acomb" is not an email address'
    ]


def test_csv_without_the_template_headings_is_refused(db):
    report = hsds_import.directory_import_csv(text="name,where\nx,y\n")
    assert "first row must be the template's column headings" in report.errors[0]


def test_csv_updates_an_exported_listing_by_id(listings, needs):
    service = PublishedServiceFactory(name="Chess club")
    text = "".join(hsds_export.iter_csv())
    text = text.replace("Chess club", "Chess and draughts club")
    report = hsds_import.directory_import_csv(text=text)
    assert report.ok, report.errors
    service.refresh_from_db()
    assert service.name == "Chess and draughts club"
    assert [c.name for c in report.changed_services] == ["Chess and draughts club"]
