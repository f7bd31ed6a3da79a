"""The editorial workflow's services: creating and changing listings, the state table,
publishing, checking, archiving, and the review-due job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from alongside.accounts.models import Programme
from alongside.accounts.tests.factories import DirectoryEditorFactory, TeamFactory
from alongside.directory import services, tasks
from alongside.directory.models import ListingChange, Service
from alongside.directory.services import TRANSITIONS

from .api_factories import (
    ArchivedServiceFactory,
    DraftServiceFactory,
    InReviewServiceFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db
State = Service.State


@pytest.fixture
def team():
    team = TeamFactory(name="Directory team")
    team.programmes.add(Programme.objects.get(code="directory"))
    return team


@pytest.fixture
def editor(team):
    return DirectoryEditorFactory(full_name="Eddie Editor", team=team)


def test_create_makes_a_draft_and_records_every_field(editor):
    provider = ProviderFactory(name="Acomb Knitters")
    term = TaxonomyTermFactory(name="Crafts")
    service = services.listing_create(
        actor=editor,
        provider=provider,
        name="  Knit and natter ",
        description="We knit. We chat.",
        terms=[term],
    )
    assert service.state == State.DRAFT
    assert service.name == "Knit and natter"
    assert list(service.terms.all()) == [term]
    change = service.changes.get()
    assert change.action == "created"
    assert change.actor == editor
    assert change.actor_label == editor.email
    assert change.changes["name"] == [None, "Knit and natter"]
    assert change.changes["provider"] == [None, "Acomb Knitters"]
    assert change.changes["terms"] == [None, ["Crafts"]]


def test_create_with_bad_input_changes_nothing(editor):
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as error:
        services.listing_create(
            actor=editor,
            provider=provider,
            name="",
            description="",
            minimum_age=30,
            maximum_age=20,
        )
    assert set(error.value.message_dict) == {"name", "description", "maximum_age"}
    assert not Service.objects.exists()
    assert not ListingChange.objects.exists()


def test_create_refuses_unknown_fields(editor):
    with pytest.raises(TypeError):
        services.listing_create(actor=editor, provider=ProviderFactory(), state_of_mind="x")


def test_update_records_who_changed_which_field(editor):
    service = PublishedServiceFactory(name="Old name", is_free=False)
    before = Service.objects.get(pk=service.pk).modified_at
    changes = services.listing_update(
        actor=editor, service=service, name="New name", is_free=True, summary=service.summary
    )
    assert changes == {"name": ["Old name", "New name"], "is_free": [False, True]}
    service.refresh_from_db()
    assert service.name == "New name"
    assert service.modified_at > before
    change = service.changes.get()
    assert (change.action, change.actor, change.changes) == ("updated", editor, changes)


def test_update_that_changes_nothing_writes_nothing(editor):
    service = PublishedServiceFactory()
    assert services.listing_update(actor=editor, service=service, name=service.name) == {}
    assert not service.changes.exists()


def test_update_with_bad_input_changes_nothing(editor):
    service = PublishedServiceFactory(name="Kept", minimum_age=18)
    with pytest.raises(ValidationError):
        services.listing_update(actor=editor, service=service, name="Changed", maximum_age=5)
    service.refresh_from_db()
    assert service.name == "Kept"
    assert service.maximum_age is None
    assert not service.changes.exists()


def test_terms_changes_are_recorded_by_name(editor):
    knitting, tea = TaxonomyTermFactory(name="Knitting"), TaxonomyTermFactory(name="Tea")
    service = PublishedServiceFactory()
    service.terms.add(knitting)
    changes = services.listing_update(actor=editor, service=service, terms=[tea, knitting])
    assert changes == {"terms": [["Knitting"], ["Knitting", "Tea"]]}
    assert set(service.terms.all()) == {knitting, tea}


def test_every_state_has_a_row_in_the_transitions_table():
    assert set(TRANSITIONS) == set(State.values)
    assert State.DRAFT not in TRANSITIONS[State.PUBLISHED]
    assert TRANSITIONS[State.ARCHIVED] == {State.DRAFT}


def test_submit_publish_and_check(editor, team):
    service = DraftServiceFactory()
    services.listing_submit_for_review(actor=editor, service=service)
    assert service.state == State.IN_REVIEW
    services.listing_publish(actor=editor, service=service, note="Looks good")
    assert service.state == State.PUBLISHED
    assert service.published_at is not None
    assert service.last_checked_at == timezone.localdate()
    assert service.last_checked_by == team
    published = service.changes.filter(action="published").get()
    assert published.changes["state"] == ["in_review", "published"]
    assert published.note == "Looks good"


def test_mark_checked_brings_a_review_due_listing_back(editor, team):
    service = ReviewDueServiceFactory()
    services.listing_mark_checked(actor=editor, service=service)
    assert service.state == State.PUBLISHED
    assert service.last_checked_at > dt.date(2024, 1, 8)
    assert service.last_checked_by == team


@pytest.mark.parametrize(
    ("factory", "action"),
    [
        (PublishedServiceFactory, services.listing_submit_for_review),
        (PublishedServiceFactory, services.listing_restore),
        (ArchivedServiceFactory, services.listing_publish),
        (PublishedServiceFactory, services.listing_publish),
        (ReviewDueServiceFactory, services.listing_publish),
        (ArchivedServiceFactory, services.listing_archive),
        (DraftServiceFactory, services.listing_mark_checked),
        (InReviewServiceFactory, services.listing_mark_checked),
    ],
)
def test_a_change_the_table_does_not_allow_is_refused_and_changes_nothing(editor, factory, action):
    service = factory()
    state = service.state
    with pytest.raises(ValidationError):
        action(actor=editor, service=service)
    service.refresh_from_db()
    assert service.state == state
    assert not service.changes.exists()


def test_archive_and_restore(editor):
    service = PublishedServiceFactory()
    services.listing_archive(actor=editor, service=service, note="Group has closed")
    assert service.state == State.ARCHIVED
    services.listing_restore(actor=editor, service=service)
    assert service.state == State.DRAFT
    assert list(service.changes.values_list("action", flat=True)) == ["restored", "archived"]


@override_settings(DIRECTORY_REVIEW_MONTHS=12)
def test_review_due_job_moves_only_listings_not_checked_for_twelve_months():
    today = dt.date(2026, 3, 15)
    stale = PublishedServiceFactory(last_checked_at=dt.date(2025, 3, 14))
    fresh = PublishedServiceFactory(last_checked_at=dt.date(2025, 3, 15))
    never_checked = PublishedServiceFactory(
        last_checked_at=None,
        published_at=dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC),
    )
    draft = DraftServiceFactory(last_checked_at=dt.date(2020, 1, 1))

    assert services.listings_mark_review_due(today=today) == 2

    states = dict(Service.objects.values_list("pk", "state"))
    assert states[stale.pk] == State.REVIEW_DUE
    assert states[never_checked.pk] == State.REVIEW_DUE
    assert states[fresh.pk] == State.PUBLISHED
    assert states[draft.pk] == State.DRAFT
    change = stale.changes.get()
    assert change.action == "review due"
    assert change.actor is None and change.actor_label == "system"
    assert change.note == "Last checked 14 March 2025."
    # Run again: nothing more to do.
    assert services.listings_mark_review_due(today=today) == 0


@override_settings(DIRECTORY_REVIEW_MONTHS=6)
def test_review_period_is_configurable():
    listing = PublishedServiceFactory(last_checked_at=dt.date(2025, 9, 1))
    assert services.listings_mark_review_due(today=dt.date(2026, 3, 15)) == 1
    listing.refresh_from_db()
    assert listing.state == State.REVIEW_DUE


def test_review_due_command_and_task():
    listing = PublishedServiceFactory(last_checked_at=dt.date(2020, 1, 1))
    out = io.StringIO()
    call_command("directory_review_due", "--today", "2026-01-01", stdout=out)
    assert out.getvalue().strip() == "1 listing is now due for review."
    listing.refresh_from_db()
    assert listing.state == State.REVIEW_DUE

    other = PublishedServiceFactory(last_checked_at=dt.date(2020, 1, 1))
    result = tasks.mark_review_due.enqueue()
    assert result.return_value == 1
    other.refresh_from_db()
    assert other.state == State.REVIEW_DUE
