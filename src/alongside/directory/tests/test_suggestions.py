"""Suggestions: residents' "suggest a change" and "add your group", partners' new listings
and updates, and editors accepting or rejecting them. Nothing reaches the public before an
editor accepts it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alongside.accounts.tests.factories import (
    DirectoryEditorFactory,
    OrganisationFactory,
    PartnerFactory,
    TeamFactory,
)
from alongside.directory import selectors, services
from alongside.directory.api.queries import public_services
from alongside.directory.models import ListingChange, Provider, Service, Suggestion

from .api_factories import (
    DraftServiceFactory,
    ProviderFactory,
    PublishedServiceFactory,
)

pytestmark = pytest.mark.django_db
State = Service.State


@pytest.fixture
def editor():
    return DirectoryEditorFactory(full_name="Eddie Editor")


@pytest.fixture
def group():
    return OrganisationFactory(name="Acomb Knitters CIO", kind="vcs")


@pytest.fixture
def partner(group):
    return PartnerFactory(full_name="Pat Partner", organisation=group)


@pytest.fixture
def provider(group):
    return ProviderFactory(name="Acomb Knitters", account_organisation=group)


@pytest.fixture
def listing(provider):
    return PublishedServiceFactory(provider=provider, name="Knit and natter")


# Residents ---------------------------------------------------------------------------------------


def test_a_resident_suggests_a_change_and_the_listing_is_unchanged(listing):
    before = Service.objects.get(pk=listing.pk)
    suggestion = services.suggestion_resident_change(
        service=listing, message=" It now meets on Thursdays. ", name="Ruth", email="r@example.org"
    )
    assert (suggestion.kind, suggestion.source, suggestion.status) == ("change", "resident", "open")
    assert suggestion.message == "It now meets on Thursdays."
    after = Service.objects.get(pk=listing.pk)
    assert after.modified_at == before.modified_at
    assert not ListingChange.objects.exists()


def test_a_resident_cannot_suggest_a_change_to_a_listing_that_is_not_public():
    with pytest.raises(ValidationError):
        services.suggestion_resident_change(service=DraftServiceFactory(), message="Wrong")
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("message", "email", "field"),
    [("", "", "message"), ("Wrong day", "not-an-email", "email")],
)
def test_bad_suggestions_are_refused(listing, message, email, field):
    with pytest.raises(ValidationError) as error:
        services.suggestion_resident_change(service=listing, message=message, email=email)
    assert field in error.value.message_dict
    assert not Suggestion.objects.exists()


def test_add_your_group_is_held_until_an_editor_accepts_it_and_then_is_a_draft(editor):
    suggestion = services.suggestion_resident_new(
        group_name="Haxby Walkers",
        description="We walk. Everyone is welcome.",
        how_to_join="Meet at the library, Saturdays 10am",
        name="Wendy",
    )
    assert suggestion.service is None
    assert suggestion.proposed["name"] == "Haxby Walkers"
    assert not Service.objects.exists()

    service = services.suggestion_accept(actor=editor, suggestion=suggestion)
    assert service.state == State.DRAFT
    assert service.name == "Haxby Walkers"
    assert service.provider.name == "Haxby Walkers"
    assert not public_services().exists()
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert suggestion.service == service
    assert "Accepted a suggestion" in service.changes.get(action="created").note


def test_add_your_group_needs_a_name_and_description():
    with pytest.raises(ValidationError) as error:
        services.suggestion_resident_new(group_name=" ", description="")
    assert set(error.value.message_dict) == {"group_name", "description"}


# Partners ----------------------------------------------------------------------------------------


def test_partner_new_listing_is_in_review_and_not_public(partner, provider):
    suggestion = services.suggestion_partner_new(
        actor=partner,
        provider=provider,
        name="Crochet club",
        description="We crochet on Mondays.",
        message="New this spring",
    )
    service = suggestion.service
    assert service.state == State.IN_REVIEW
    assert (suggestion.kind, suggestion.source, suggestion.status) == ("new", "partner", "open")
    assert suggestion.submitted_by == partner
    assert not public_services().filter(pk=service.pk).exists()


def test_partner_cannot_add_a_listing_for_another_organisation(partner):
    other = ProviderFactory(account_organisation=OrganisationFactory(name="Other group"))
    with pytest.raises(PermissionDenied):
        services.suggestion_partner_new(
            actor=partner, provider=other, name="Sneaky", description="Not ours."
        )
    assert not Service.objects.exists()


def test_partner_update_waits_for_an_editor_and_accepting_applies_it(partner, listing, editor):
    suggestion = services.suggestion_partner_change(
        actor=partner,
        service=listing,
        name="Knit and natter",
        description="We now meet on Thursdays.",
    )
    # Only what differs is proposed.
    assert suggestion.proposed == {"description": "We now meet on Thursdays."}
    listing.refresh_from_db()
    assert listing.description != "We now meet on Thursdays."
    public = public_services().get(pk=listing.pk)
    assert public.description != "We now meet on Thursdays."

    services.suggestion_accept(actor=editor, suggestion=suggestion, note="Phoned them")
    listing.refresh_from_db()
    assert listing.description == "We now meet on Thursdays."
    assert listing.state == State.PUBLISHED
    change = listing.changes.get()
    assert change.action == "suggestion accepted"
    assert change.actor == editor
    assert change.changes["description"][1] == "We now meet on Thursdays."
    assert "Partner organisation: Pat Partner" in change.note
    assert "Phoned them" in change.note


def test_partner_update_with_nothing_changed_is_refused(partner, listing):
    with pytest.raises(ValidationError):
        services.suggestion_partner_change(actor=partner, service=listing, name=listing.name)
    assert not Suggestion.objects.exists()


def test_partner_update_with_bad_values_is_refused(partner, listing):
    with pytest.raises(ValidationError):
        services.suggestion_partner_change(
            actor=partner, service=listing, minimum_age=40, maximum_age=10
        )
    assert not Suggestion.objects.exists()


def test_partner_cannot_update_another_organisations_listing(partner):
    other = PublishedServiceFactory()
    with pytest.raises(PermissionDenied):
        services.suggestion_partner_change(actor=partner, service=other, name="Hijacked")
    assert not Suggestion.objects.exists()


def test_only_partners_act_for_their_organisation(group, provider, listing):
    """Someone in the organisation without the Partner role sees nothing of it."""
    from alongside.accounts.tests.factories import UserFactory

    not_a_partner = UserFactory(organisation=group)
    assert selectors.partner_organisation_ids(user=not_a_partner) == set()
    assert not selectors.partner_listings_for_user(user=not_a_partner).exists()


def test_a_partner_acts_for_their_teams_organisations(provider, listing):
    team = TeamFactory(organisation=provider.account_organisation)
    partner = PartnerFactory(team=team)  # their own organisation is the council
    assert list(selectors.partner_listings_for_user(user=partner)) == [listing]


def test_accepting_a_partner_new_listing_publishes_it(partner, provider, editor):
    suggestion = services.suggestion_partner_new(
        actor=partner, provider=provider, name="Crochet club", description="We crochet."
    )
    service = services.suggestion_accept(actor=editor, suggestion=suggestion)
    assert service.state == State.PUBLISHED
    assert public_services().filter(pk=service.pk).exists()


def test_rejecting_a_partner_new_listing_archives_it(partner, provider, editor):
    suggestion = services.suggestion_partner_new(
        actor=partner, provider=provider, name="Crochet club", description="We crochet."
    )
    services.suggestion_reject(actor=editor, suggestion=suggestion, note="Duplicate listing")
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected"
    assert suggestion.decided_by == editor
    assert suggestion.decision_note == "Duplicate listing"
    assert suggestion.service.state == State.ARCHIVED


def test_rejecting_needs_a_reason_and_changes_nothing(listing, editor):
    suggestion = services.suggestion_resident_change(service=listing, message="Wrong")
    with pytest.raises(ValidationError):
        services.suggestion_reject(actor=editor, suggestion=suggestion, note=" ")
    suggestion.refresh_from_db()
    assert suggestion.status == "open"


def test_a_decided_suggestion_cannot_be_decided_again(listing, editor):
    suggestion = services.suggestion_resident_change(service=listing, message="Wrong")
    services.suggestion_reject(actor=editor, suggestion=suggestion, note="It is right")
    with pytest.raises(ValidationError):
        services.suggestion_accept(actor=editor, suggestion=suggestion)
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected"


def test_accepting_a_resident_change_without_values_records_it_in_the_history(listing, editor):
    suggestion = services.suggestion_resident_change(service=listing, message="Closed in August")
    services.suggestion_accept(actor=editor, suggestion=suggestion, note="Added to the alert")
    change = listing.changes.get()
    assert change.action == "suggestion accepted"
    assert change.changes == {}
    assert "Member of the public" in change.note


def test_accepting_new_group_reuses_a_provider_of_the_same_name(editor):
    existing = ProviderFactory(name="Haxby Walkers")
    suggestion = services.suggestion_resident_new(group_name="haxby walkers", description="Walks.")
    service = services.suggestion_accept(actor=editor, suggestion=suggestion)
    assert service.provider == existing
    assert Provider.objects.count() == 1
