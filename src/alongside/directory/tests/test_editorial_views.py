"""The directory's editorial pages, partner pages and residents' forms: who may open each,
and the journeys through them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from alongside.accounts.tests.factories import (
    AnalystFactory,
    DirectoryEditorFactory,
    FrontDoorOfficerFactory,
    OrganisationFactory,
    PartnerFactory,
    TeamFactory,
)
from alongside.directory import services
from alongside.directory.api.queries import public_services
from alongside.directory.models import ListingChange, Service, Suggestion
from alongside.directory.views import RATE_LIMIT

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
LONG = (
    "This organisation facilitates a comprehensive programme of intergenerational "
    "activities designed to ameliorate social isolation among residents who may "
    "otherwise experience considerable difficulty accessing community-based "
    "opportunities within the locality and surrounding neighbourhoods of the city."
)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor():
    return DirectoryEditorFactory(full_name="Eddie Editor", team=TeamFactory(name="Listings"))


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


def _objects(listing):
    draft = DraftServiceFactory(provider=listing.provider)
    suggestion = services.suggestion_resident_change(service=listing, message="Wrong day")
    return {
        "listing": listing,
        "draft": draft,
        "archived": ArchivedServiceFactory(),
        "suggestion": suggestion,
    }


# (url name, which object, is it a partner page)
STAFF_PAGES = [
    ("directory:listing-list", None),
    ("directory:queue-review-due", None),
    ("directory:queue-suggested-changes", None),
    ("directory:queue-new-listings", None),
    ("directory:listing-create", None),
    ("directory:listing-detail", "listing"),
    ("directory:listing-edit", "listing"),
    ("directory:listing-preview", "draft"),
    ("directory:listing-submit", "draft"),
    ("directory:listing-publish", "draft"),
    ("directory:listing-checked", "listing"),
    ("directory:listing-archive", "listing"),
    ("directory:listing-restore", "archived"),
    ("directory:listing-history", "listing"),
    ("directory:suggestion-detail", "suggestion"),
    ("directory:suggestion-accept", "suggestion"),
    ("directory:suggestion-reject", "suggestion"),
]
PARTNER_PAGES = [
    ("directory:partner-listings", None),
    ("directory:partner-create", None),
    ("directory:partner-update", "listing"),
]


def _url(name, which, objects):
    if which is None:
        return reverse(name)
    return reverse(name, kwargs={"pk": objects[which].pk})


@pytest.mark.parametrize(("name", "which"), STAFF_PAGES + PARTNER_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, listing, name, which):
    url = _url(name, which, _objects(listing))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(("name", "which"), STAFF_PAGES)
@pytest.mark.parametrize("role_factory", [AnalystFactory, PartnerFactory, FrontDoorOfficerFactory])
def test_other_roles_are_refused_staff_pages(staff_client, listing, name, which, role_factory):
    url = _url(name, which, _objects(listing))
    assert staff_client(role_factory()).get(url).status_code == 403


@pytest.mark.parametrize(("name", "which"), STAFF_PAGES)
def test_editors_may_open_staff_pages(staff_client, editor, listing, name, which):
    url = _url(name, which, _objects(listing))
    assert staff_client(editor).get(url).status_code == 200


@pytest.mark.parametrize(("name", "which"), PARTNER_PAGES)
@pytest.mark.parametrize("role_factory", [AnalystFactory, DirectoryEditorFactory])
def test_other_roles_are_refused_partner_pages(staff_client, listing, name, which, role_factory):
    url = _url(name, which, _objects(listing))
    assert staff_client(role_factory()).get(url).status_code == 403


@pytest.mark.parametrize(("name", "which"), PARTNER_PAGES)
def test_partners_may_open_partner_pages(staff_client, partner, listing, name, which):
    url = _url(name, which, _objects(listing))
    assert staff_client(partner).get(url).status_code == 200


def test_a_partner_cannot_open_another_organisations_listing(staff_client, partner):
    other = PublishedServiceFactory(
        provider=ProviderFactory(account_organisation=OrganisationFactory(name="Other group"))
    )
    client = staff_client(partner)
    url = reverse("directory:partner-update", kwargs={"pk": other.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Hijacked", "description": "x"}).status_code == 404
    assert not Suggestion.objects.exists()
    response = client.get(reverse("directory:partner-listings"))
    assert other.name not in response.content.decode()


# Editors' lists ----------------------------------------------------------------------------------


def test_listing_list_filters_by_state_and_words(staff_client, editor, listing):
    DraftServiceFactory(name="Draft dancing")
    client = staff_client(editor)
    page = client.get(reverse("directory:listing-list"), {"state": "draft"}).content.decode()
    assert "Draft dancing" in page
    assert "Knit and natter" not in page
    page = client.get(reverse("directory:listing-list"), {"q": "knit"}).content.decode()
    assert "Knit and natter" in page
    assert "Draft dancing" not in page


def test_listing_list_shows_queue_counts(staff_client, editor, listing):
    ReviewDueServiceFactory(name="Overdue")
    services.suggestion_resident_change(service=listing, message="Wrong day")
    response = staff_client(editor).get(reverse("directory:listing-list"))
    assert response.context["queues"].review_due == 1
    assert response.context["queues"].suggested_changes == 1
    assert response.context["queues"].new_listings == 0


def test_listing_list_mine_shows_the_editors_listings(staff_client, editor):
    PublishedServiceFactory(name="Mine", editor=editor)
    PublishedServiceFactory(name="Someone else's")
    page = staff_client(editor).get(reverse("directory:listing-list"), {"editor": "me"})
    assert [s.name for s in page.context["page"].object_list] == ["Mine"]


def test_listing_list_query_count_is_bounded(staff_client, editor, django_assert_max_num_queries):
    team = TeamFactory()
    for n in range(30):
        PublishedServiceFactory(name=f"Listing {n}", editor=editor, editor_team=team)
    client = staff_client(editor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("directory:listing-list"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "directory:queue-review-due",
        "directory:queue-suggested-changes",
        "directory:queue-new-listings",
    ],
)
def test_queue_query_count_is_bounded(
    staff_client, editor, listing, name, django_assert_max_num_queries
):
    for n in range(20):
        ReviewDueServiceFactory(name=f"Overdue {n}")
        services.suggestion_resident_change(service=listing, message=f"Wrong {n}")
        services.suggestion_resident_new(group_name=f"Group {n}", description="We meet.")
    client = staff_client(editor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 20


def test_partner_listings_query_count_is_bounded(
    staff_client, partner, provider, django_assert_max_num_queries
):
    for n in range(20):
        PublishedServiceFactory(provider=provider, name=f"Listing {n}")
    client = staff_client(partner)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("directory:partner-listings"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 20


# Creating and changing a listing ----------------------------------------------------------------


def _form_data(provider, **overrides):
    data = {
        "provider": str(provider.pk),
        "name": "Chair yoga",
        "summary": "Gentle yoga sitting down.",
        "description": "Gentle yoga. You stay in your chair.",
        "kind": "activity",
        "url": "",
        "email": "",
        "fees": "",
        "minimum_age": "",
        "maximum_age": "",
        "how_to_join": "",
        "editor": "",
        "editor_team": "",
    }
    data.update(overrides)
    return data


def test_create_a_listing(staff_client, editor, provider):
    term = TaxonomyTermFactory(name="Exercise")
    data = _form_data(provider, editor=str(editor.pk))
    data[f"terms_{term.taxonomy.code.replace('-', '_')}"] = [str(term.pk)]
    response = staff_client(editor).post(reverse("directory:listing-create"), data)
    service = Service.objects.get(name="Chair yoga")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:listing-detail", kwargs={"pk": service.pk})
    assert service.state == State.DRAFT
    assert service.editor == editor
    assert list(service.terms.all()) == [term]


def test_create_with_bad_input_keeps_what_was_typed(staff_client, editor, provider):
    data = _form_data(
        provider,
        name="",
        description="Typed words stay here",
        url="not a web address",
        minimum_age="40",
        maximum_age="10",
    )
    response = staff_client(editor).post(reverse("directory:listing-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a name for the listing" in page
    assert "Enter a web address in the correct format" in page
    assert "Oldest age must be the same as or more than the youngest age" in page
    assert "Typed words stay here" in page
    assert 'value="not a web address"' in page
    assert not Service.objects.exists()


def test_edit_records_the_change_and_shows_it_in_the_history(staff_client, editor, listing):
    client = staff_client(editor)
    data = _form_data(
        listing.provider,
        name="Knit and natter",
        summary=listing.summary,
        description="We knit on Thursdays now.",
        minimum_age="18",
        how_to_join=listing.how_to_join,
        url=listing.url,
        email=listing.email,
    )
    response = client.post(reverse("directory:listing-edit", kwargs={"pk": listing.pk}), data)
    assert response.status_code == 302
    change = ListingChange.objects.get(service=listing)
    assert change.changes == {
        "description": [
            "A friendly weekly session. Everyone is welcome.",
            "We knit on Thursdays now.",
        ]
    }
    history = client.get(reverse("directory:listing-history", kwargs={"pk": listing.pk}))
    page = history.content.decode()
    assert "We knit on Thursdays now." in page
    assert "Eddie Editor" in page


def test_edit_with_bad_input_changes_nothing(staff_client, editor, listing):
    data = _form_data(listing.provider, name="Renamed", email="not-an-email")
    response = staff_client(editor).post(
        reverse("directory:listing-edit", kwargs={"pk": listing.pk}), data
    )
    assert response.status_code == 200
    assert 'value="Renamed"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.name == "Knit and natter"
    assert not listing.changes.exists()


def test_detail_warns_when_the_description_is_hard_to_read(staff_client, editor):
    service = DraftServiceFactory(description=f"{LONG} {LONG}")
    page = (
        staff_client(editor)
        .get(reverse("directory:listing-detail", kwargs={"pk": service.pk}))
        .content.decode()
    )
    assert "This description may be hard to read: 2 sentences have more than 25 words" in page
    assert "govuk-warning-text" in page


def test_preview_is_marked_as_a_preview(staff_client, editor):
    service = DraftServiceFactory(name="Not yet live")
    page = (
        staff_client(editor)
        .get(reverse("directory:listing-preview", kwargs={"pk": service.pk}))
        .content.decode()
    )
    assert "This is how the listing will look to the public" in page
    assert "It is not published yet" in page
    assert "Not yet live" in page


def test_publish_archive_restore_and_check(staff_client, editor):
    service = DraftServiceFactory()
    client = staff_client(editor)

    def post(action):
        url = reverse(f"directory:listing-{action}", kwargs={"pk": service.pk})
        response = client.post(url, {"note": f"{action} note"})
        assert response.status_code == 302, action
        service.refresh_from_db()

    post("submit")
    assert service.state == State.IN_REVIEW
    post("publish")
    assert service.state == State.PUBLISHED
    assert public_services().filter(pk=service.pk).exists()
    post("checked")
    assert service.last_checked_at is not None
    post("archive")
    assert service.state == State.ARCHIVED
    assert not public_services().filter(pk=service.pk).exists()
    post("restore")
    assert service.state == State.DRAFT
    assert service.changes.filter(note="publish note", action="published").exists()


def test_a_state_change_that_is_not_allowed_sends_back_to_the_listing(
    staff_client, editor, listing
):
    url = reverse("directory:listing-restore", kwargs={"pk": listing.pk})
    response = staff_client(editor).post(url, {"note": ""})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.state == State.PUBLISHED


# Suggestions -------------------------------------------------------------------------------------


def test_suggestion_detail_shows_proposed_and_current_values(
    staff_client, editor, partner, listing
):
    suggestion = services.suggestion_partner_change(
        actor=partner, service=listing, description="We meet on Thursdays."
    )
    page = (
        staff_client(editor)
        .get(reverse("directory:suggestion-detail", kwargs={"pk": suggestion.pk}))
        .content.decode()
    )
    assert "A friendly weekly session. Everyone is welcome." in page
    assert "We meet on Thursdays." in page


def test_seeing_a_residents_name_and_email_is_recorded(staff_client, editor, listing):
    from alongside.core.models import AuditEvent

    suggestion = services.suggestion_resident_change(
        service=listing, message="It has moved", name="Ann Example", email="ann@example.org"
    )
    url = reverse("directory:suggestion-detail", kwargs={"pk": suggestion.pk})
    page = staff_client(editor).get(url).content.decode()
    assert "ann@example.org" in page
    event = AuditEvent.objects.get(object_id=str(suggestion.pk))
    assert event.action == AuditEvent.Action.VIEW and event.actor == editor


def test_accept_and_reject_by_the_pages(staff_client, editor, partner, listing):
    client = staff_client(editor)
    first = services.suggestion_partner_change(
        actor=partner, service=listing, description="We meet on Thursdays."
    )
    response = client.post(
        reverse("directory:suggestion-accept", kwargs={"pk": first.pk}), {"note": "Checked"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.description == "We meet on Thursdays."

    second = services.suggestion_resident_change(service=listing, message="Closed")
    url = reverse("directory:suggestion-reject", kwargs={"pk": second.pk})
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert "Enter why the suggestion is not being accepted" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "open"
    assert client.post(url, {"note": "It is open"}).status_code == 302
    second.refresh_from_db()
    assert second.status == "rejected"


# Partners ----------------------------------------------------------------------------------------


def test_partner_adds_a_listing_that_waits_for_an_editor(staff_client, partner, provider):
    data = _form_data(provider, name="Crochet club", message="New this spring")
    response = staff_client(partner).post(reverse("directory:partner-create"), data)
    assert response.status_code == 302
    service = Service.objects.get(name="Crochet club")
    assert service.state == State.IN_REVIEW
    assert not public_services().filter(pk=service.pk).exists()
    assert Suggestion.objects.get().message == "New this spring"


def test_partner_update_leaves_the_listing_unchanged(staff_client, partner, listing):
    data = _form_data(
        listing.provider,
        name="Knit and natter",
        summary=listing.summary,
        description="We meet on Thursdays.",
        minimum_age="18",
        how_to_join=listing.how_to_join,
        url=listing.url,
        email=listing.email,
    )
    client = staff_client(partner)
    response = client.post(reverse("directory:partner-update", kwargs={"pk": listing.pk}), data)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.description == "A friendly weekly session. Everyone is welcome."
    suggestion = Suggestion.objects.get()
    assert suggestion.proposed == {"description": "We meet on Thursdays."}
    page = client.get(reverse("directory:partner-listings")).content.decode()
    assert "Waiting for an editor" in page


def test_partner_bad_input_keeps_what_was_typed(staff_client, partner, provider):
    data = _form_data(provider, name="", description="Kept words", minimum_age="old")
    response = staff_client(partner).post(reverse("directory:partner-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a name for the listing" in page
    assert "Youngest age must be a whole number" in page
    assert "Kept words" in page
    assert not Service.objects.exists()


def test_a_partner_whose_organisation_has_no_listings_is_told_so(staff_client):
    partner = PartnerFactory(organisation=OrganisationFactory(name="Unlinked group"))
    response = staff_client(partner).get(reverse("directory:partner-create"))
    assert response.status_code == 200
    assert "Your organisation is not linked yet" in response.content.decode()


# Residents ---------------------------------------------------------------------------------------


def test_residents_can_open_the_public_forms_without_signing_in(client, listing):
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    assert client.get(url).status_code == 200
    assert client.get(reverse("directory-public:add-your-group")).status_code == 200
    sent = reverse("directory-public:suggest-sent", kwargs={"pk": listing.pk})
    assert client.get(sent).status_code == 200
    assert client.get(reverse("directory-public:add-your-group-sent")).status_code == 200


def test_suggest_a_change_only_for_public_listings(client):
    for service in (DraftServiceFactory(), InReviewServiceFactory(), ArchivedServiceFactory()):
        url = reverse("directory-public:suggest-change", kwargs={"pk": service.pk})
        assert client.get(url).status_code == 404


def test_a_resident_suggests_a_change(client, listing):
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    response = client.post(url, {"message": "It meets on Thursdays now", "name": "Ruth"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "directory-public:suggest-sent", kwargs={"pk": listing.pk}
    )
    suggestion = Suggestion.objects.get()
    assert (suggestion.source, suggestion.kind, suggestion.service) == (
        "resident",
        "change",
        listing,
    )
    listing.refresh_from_db()
    assert listing.description == "A friendly weekly session. Everyone is welcome."


def test_a_resident_with_bad_input_keeps_what_they_typed(client, listing):
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    response = client.post(url, {"message": "", "name": "Ruth", "email": "ruth-at-example"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tell us what needs to change" in page
    assert "Enter an email address in the correct format" in page
    assert 'value="Ruth"' in page
    assert not Suggestion.objects.exists()


def test_the_honeypot_catches_spam_quietly(client, listing):
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    response = client.post(url, {"message": "Buy now", "fax_number": "0800 000"})
    assert response.status_code == 302
    assert not Suggestion.objects.exists()
    response = client.post(
        reverse("directory-public:add-your-group"),
        {"group_name": "Spam", "description": "Spam", "fax_number": "x"},
    )
    assert response.status_code == 302
    assert not Suggestion.objects.exists()


def test_residents_are_rate_limited(client, listing):
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    for n in range(RATE_LIMIT):
        assert client.post(url, {"message": f"Change {n}"}).status_code == 302
    response = client.post(url, {"message": "One more"})
    assert response.status_code == 429
    assert "You have sent a lot of messages" in response.content.decode()
    assert Suggestion.objects.count() == RATE_LIMIT
    assert client.get(reverse("directory-public:add-your-group")).status_code == 429


def test_add_your_group(client):
    response = client.post(
        reverse("directory-public:add-your-group"),
        {
            "group_name": "Haxby Walkers",
            "description": "We go for walks.",
            "how_to_join": "Saturdays at 10am",
            "url": "",
            "group_email": "",
            "name": "",
            "email": "",
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == "new"
    assert suggestion.proposed["name"] == "Haxby Walkers"
    assert not Service.objects.exists()


def test_add_your_group_bad_input_keeps_what_was_typed(client):
    response = client.post(
        reverse("directory-public:add-your-group"),
        {"group_name": "", "description": "We go for walks.", "url": "walks"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the name of the group" in page
    assert "We go for walks." in page
    assert not Suggestion.objects.exists()


def test_listing_list_filters_by_editing_team(staff_client, editor):
    team = TeamFactory(name="North listings")
    PublishedServiceFactory(name="North walk", editor_team=team)
    PublishedServiceFactory(name="South walk")
    response = staff_client(editor).get(reverse("directory:listing-list"), {"team": str(team.pk)})
    assert [s.name for s in response.context["page"].object_list] == ["North walk"]
    response = staff_client(editor).get(reverse("directory:listing-list"), {"team": "nonsense"})
    assert response.context["page"].paginator.count == 2
