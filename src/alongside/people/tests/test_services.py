"""Writes to person records: validation, the audit trail, subject access and erasure."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from alongside.accounts import roles
from alongside.accounts.tests.factories import OrganisationFactory
from alongside.core.audit import REDACTED
from alongside.core.models import AuditEvent
from alongside.people import services
from alongside.people.forms import PERSON_FORM_FIELDS
from alongside.people.models import Consent, Erasure, Involvement, Person, PersonLink

from .factories import (
    ArchivedPersonFactory,
    ConsentFactory,
    PersonFactory,
    PersonLinkFactory,
    make_staff,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db


def _events(person, action=None):
    events = AuditEvent.objects.filter(person_id=person.pk).order_by("id")
    return list(events.filter(action=action) if action else events)


def _create(officer, team, **kwargs):
    values = {
        "given_name": "Margaret",
        "family_name": "Hall",
        "date_of_birth": datetime.date(1942, 3, 27),
        "reason": "Phoned about help at home",
    }
    values.update(kwargs)
    return services.person_create(actor=officer, team=team, **values)


@pytest.fixture
def manager(team):
    return make_staff(roles.TEAM_MANAGER, team=team, full_name="Mina Manager")


@pytest.fixture
def admin():
    return make_staff(roles.ADMINISTRATOR, full_name="Ivy Governance")


def test_the_form_and_the_services_agree_on_the_person_fields():
    assert set(PERSON_FORM_FIELDS) == set(services.PERSON_FIELDS)


# Creating ------------------------------------------------------------------------------------


def test_creating_a_person_involves_the_team_and_is_audited(officer, team):
    person = _create(officer, team, nhs_number="943 476 5919", phone="01904 551550")
    assert person.nhs_number == "9434765919"
    assert person.created_by == officer
    involvement = Involvement.objects.get(person=person)
    assert (involvement.team, involvement.reason) == (team, "Phoned about help at home")
    created = _events(person, "create")
    assert {e.object_type for e in created} == {"people.person", "people.involvement"}
    record_event = next(e for e in created if e.object_type == "people.person")
    assert record_event.actor == officer
    assert record_event.changes["given_name"] == [None, "Margaret"]
    assert record_event.changes["phone"] == [None, "01904 551550"]
    assert "do_not_phone" not in record_event.changes  # unset values are left out


def test_a_known_postcode_sets_the_ward_and_small_area(officer, team, acomb_postcode):
    person = _create(officer, team, postcode="yo244ab")
    assert person.postcode == "YO24 4AB"
    assert person.ward == acomb_postcode.ward
    assert person.small_area == acomb_postcode.small_area


def test_an_unknown_real_postcode_is_kept_without_a_ward(officer, team):
    person = _create(officer, team, postcode="yo1 7hh")
    assert (person.postcode, person.ward, person.small_area) == ("YO1 7HH", None, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "NOT A POSTCODE", "Enter a real postcode"),
        ("nhs_number", "943 476 5918", "Enter a real NHS number"),
        ("date_of_birth", datetime.date(2999, 1, 1), "Date of birth must be in the past"),
        ("given_name", "  ", "This field cannot be blank"),
        ("email", "not-an-email", "Enter a valid email address"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_written(officer, team, field, value, message):
    with pytest.raises(ValidationError) as raised:
        _create(officer, team, **{field: value})
    assert field in raised.value.message_dict
    assert message in " ".join(raised.value.message_dict[field])
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_second_record_with_the_same_nhs_number_is_refused(officer, team):
    PersonFactory(nhs_number=valid_nhs_number(1))
    with pytest.raises(ValidationError) as raised:
        _create(officer, team, nhs_number=valid_nhs_number(1))
    assert (
        "Another record already has this NHS number" in raised.value.message_dict["nhs_number"][0]
    )


def test_a_reason_is_needed_to_add_a_person(officer, team):
    with pytest.raises(ValidationError) as raised:
        _create(officer, team, reason=" ")
    assert raised.value.message_dict == {
        "reason": ["Enter why your team is working with this person"]
    }


def test_a_person_can_only_be_added_for_a_team_the_actor_works_in(officer, other_team):
    with pytest.raises(PermissionDenied):
        _create(officer, other_team)
    assert not Person.objects.exists()


def test_only_person_fields_can_be_set(officer, team):
    with pytest.raises(TypeError):
        _create(officer, team, archived_reason="sneaky")


# Changing ------------------------------------------------------------------------------------


def test_a_change_records_each_field_old_and_new(officer, person):
    services.person_update(actor=officer, person=person, phone="07700 900123", given_name="Peg")
    [event] = _events(person, "change")
    assert event.changes == {"given_name": ["Margaret", "Peg"], "phone": ["", "07700 900123"]}
    assert event.actor == officer
    person.refresh_from_db()
    assert (person.given_name, person.modified_by) == ("Peg", officer)


def test_a_new_postcode_sets_the_ward_again(officer, person, acomb_postcode):
    services.person_update(actor=officer, person=person, postcode="YO24 4AB")
    [event] = _events(person, "change")
    assert event.changes["postcode"] == ["", "YO24 4AB"]
    assert event.changes["ward"] == [None, "Acomb"]
    services.person_update(actor=officer, person=person, postcode="YO1 7HH")
    person.refresh_from_db()
    assert person.ward is None


def test_saving_without_changes_writes_nothing(officer, person):
    services.person_update(actor=officer, person=person, given_name=person.given_name)
    assert _events(person, "change") == []


def test_a_bad_change_is_refused_and_not_saved(officer, person):
    with pytest.raises(ValidationError):
        services.person_update(actor=officer, person=person, postcode="nonsense")
    person.refresh_from_db()
    assert person.postcode == ""
    assert _events(person, "change") == []


# Using an existing record, linking and archiving -----------------------------------------------


def test_using_an_existing_record_gives_the_team_access_with_the_reason(officer, team):
    found = PersonFactory()
    involvement = services.person_use_existing(
        actor=officer, person=found, team=team, reason="Came to the hub"
    )
    assert (involvement.person, involvement.team) == (found, team)
    [event] = _events(found, "create")
    assert event.reason == "Came to the hub"
    # Doing it again changes nothing.
    assert (
        services.person_use_existing(actor=officer, person=found, team=team, reason="Again")
        == involvement
    )
    assert Involvement.objects.filter(person=found).count() == 1


def test_using_an_archived_record_brings_it_back(officer, team):
    found = ArchivedPersonFactory()
    services.person_use_existing(actor=officer, person=found, team=team, reason="Back again")
    found.refresh_from_db()
    assert not found.is_archived
    [change] = _events(found, "change")
    assert change.changes["archived_reason"] == ["Moved out of the area", ""]


def test_linking_records_keeps_both_and_audits_both(officer, person):
    other = PersonFactory()
    link = services.person_link(actor=officer, person=person, other=other, reason="Same NHS GP")
    assert PersonLink.objects.get() == link
    assert Person.objects.count() == 2
    assert len(_events(person, "link")) == len(_events(other, "link")) == 1


def test_a_record_cannot_be_linked_to_itself_or_twice(officer, person):
    other = PersonFactory()
    with pytest.raises(ValidationError):
        services.person_link(actor=officer, person=person, other=person, reason="x")
    services.person_link(actor=officer, person=person, other=other, reason="Alike")
    with pytest.raises(ValidationError) as raised:
        services.person_link(actor=officer, person=other, other=person, reason="Alike")
    assert raised.value.message_dict["other"] == ["These records are already linked"]


def test_archiving_needs_a_reason_and_is_audited(manager, person):
    with pytest.raises(ValidationError):
        services.person_archive(actor=manager, person=person, reason="")
    services.person_archive(actor=manager, person=person, reason="Moved to Leeds")
    person.refresh_from_db()
    assert person.is_archived
    assert person.archived_reason == "Moved to Leeds"
    [event] = _events(person, "archive")
    assert event.reason == "Moved to Leeds"
    with pytest.raises(ValidationError):
        services.person_archive(actor=manager, person=person, reason="Again")


# Consent -------------------------------------------------------------------------------------


def test_recording_and_withdrawing_consent_is_audited(officer, person):
    library = OrganisationFactory(name="Explore York Libraries")
    consent = services.consent_record(
        actor=officer,
        person=person,
        purpose=Consent.Purpose.SHARE_PARTNERS,
        agreed="Happy for the library to see my record",
        given_at=timezone.localdate(),
        shared_with=[library],
    )
    assert list(consent.shared_with.all()) == [library]
    [created] = [e for e in _events(person, "create") if e.object_type == "people.consent"]
    assert created.changes["shared_with"] == [None, ["Explore York Libraries"]]
    services.consent_withdraw(actor=officer, consent=consent, reason="Changed their mind")
    consent.refresh_from_db()
    assert consent.withdrawn_at == timezone.localdate()
    [withdrawn] = _events(person, "change")
    assert withdrawn.changes["withdrawn_at"] == [None, timezone.localdate().isoformat()]


def test_consent_dates_must_make_sense(officer, person):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=officer, person=person, purpose="support", agreed="Yes", given_at=tomorrow
        )
    consent = ConsentFactory(person=person, given_at=timezone.localdate())
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=officer, consent=consent, withdrawn_at=consent.given_at - datetime.timedelta(1)
        )
    services.consent_withdraw(actor=officer, consent=consent)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=officer, consent=consent)


def test_an_unknown_consent_purpose_is_refused(officer, person):
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=officer,
            person=person,
            purpose="marketing",
            agreed="Yes",
            given_at=timezone.localdate(),
        )


# Viewing and subject access ------------------------------------------------------------------


def test_each_view_is_audited(officer, person):
    services.person_record_view(actor=officer, person=person)
    services.person_record_view(actor=officer, person=person)
    assert [e.actor for e in _events(person, "view")] == [officer, officer]


def test_the_export_holds_everything_and_who_looked(manager, officer, person):
    library = OrganisationFactory(name="Explore York Libraries")
    ConsentFactory(person=person, shared_with=[library], agreed="The library may see it")
    PersonLinkFactory(from_person=person, reason="Same flat")
    services.person_record_view(actor=officer, person=person)
    services.person_update(actor=officer, person=person, phone="01904 000000")

    data = services.person_export(actor=manager, person=person, reason="SAR 2025-014")

    assert data["person"]["given_name"] == "Margaret"
    assert data["person"]["phone"] == "01904 000000"
    assert data["person"]["id"] == str(person.pk)
    [consent] = data["consents"]
    assert consent["agreed"] == "The library may see it"
    assert consent["shared_with"] == ["Explore York Libraries"]
    assert [t["team"] for t in data["teams_involved"]] == ["Front door"]
    assert data["linked_records"][0]["reason"] == "Same flat"
    views = [e for e in data["access_and_changes"] if e["what"] == "Viewed"]
    assert [v["by"] for v in views] == ["Olive Officer"]
    changes = [e for e in data["access_and_changes"] if e["what"] == "Changed"]
    assert changes[0]["changes"] == {"phone": ["", "01904 000000"]}
    # The export itself is audited, with its reason, and listed.
    [export] = _events(person, "export")
    assert export.actor == manager
    assert export.reason == "SAR 2025-014 (JSON)"
    assert data["access_and_changes"][-1]["what"] == "Exported"


def test_exporting_needs_a_reason_and_the_permission(officer, manager, person):
    with pytest.raises(ValidationError):
        services.person_export(actor=manager, person=person, reason="")
    with pytest.raises(PermissionDenied):
        services.person_export(actor=officer, person=person, reason="Curious")
    assert _events(person, "export") == []


def test_the_pdf_export_is_a_readable_pdf_and_is_audited(manager, officer, person):
    ConsentFactory(person=person, agreed="The library may see it")
    services.person_record_view(actor=officer, person=person)
    pdf = services.person_export_pdf(actor=manager, person=person, reason="SAR 7")
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Information held about Margaret Hall" in text
    assert "The library may see it" in text
    assert "Olive Officer" in text
    [export] = _events(person, "export")
    assert export.reason == "SAR 7 (PDF)"


# Erasure -------------------------------------------------------------------------------------


def test_erasure_removes_the_data_redacts_the_audit_and_keeps_the_events(admin, officer, team):
    person = _create(officer, team, phone="01904 551550")
    ConsentFactory(person=person, shared_with=[OrganisationFactory()])
    other = PersonFactory()
    PersonLinkFactory(from_person=other, to_person=person)
    services.person_update(actor=officer, person=person, phone="07700 900123")
    services.person_record_view(actor=officer, person=person)
    person_id = person.pk
    events_before = len(_events(person))

    erasure = services.person_erase(actor=admin, person=person, lawful_basis="Article 17 request")

    assert not Person.objects.filter(pk=person_id).exists()
    assert not Consent.objects.filter(person_id=person_id).exists()
    assert not Involvement.objects.filter(person_id=person_id).exists()
    assert not PersonLink.objects.exists()
    assert Person.objects.filter(pk=other.pk).exists()  # the linked record is someone else's

    events = list(AuditEvent.objects.filter(person_id=person_id).order_by("id"))
    assert len(events) == events_before + 1  # nothing removed, the erasure added
    for event in events[:-1]:
        assert event.object_label == REDACTED
        assert event.reason == REDACTED  # free text may have named the person
        assert all(values == [REDACTED, REDACTED] for values in event.changes.values())
    change = next(e for e in events if e.action == "change")
    assert change.changes == {"phone": [REDACTED, REDACTED]}
    assert "Margaret" not in str([(e.object_label, e.reason, e.changes) for e in events[:-1]])
    erase_event = events[-1]
    assert (erase_event.action, erase_event.actor, erase_event.reason) == (
        "erase",
        admin,
        "Article 17 request",
    )
    assert Erasure.objects.get(person_id=person_id) == erasure
    assert (erasure.erased_by, erasure.lawful_basis) == (admin, "Article 17 request")


def test_erasure_is_refused_without_a_lawful_basis_or_the_permission(admin, manager, person):
    with pytest.raises(ValidationError) as raised:
        services.person_erase(actor=admin, person=person, lawful_basis="  ")
    assert "lawful_basis" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        services.person_erase(actor=manager, person=person, lawful_basis="Because")
    assert Person.objects.filter(pk=person.pk).exists()
    assert not Erasure.objects.exists()


def test_the_duplicate_check_showing_a_record_is_audited(officer):
    shown = [PersonFactory(), PersonFactory()]
    services.person_matches_shown_record(actor=officer, people=shown)
    for person in shown:
        [event] = _events(person, "search")
        assert event.actor == officer
