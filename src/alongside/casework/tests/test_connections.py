"""Connections to the directory and gaps: the services, and the pages that use them."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.casework.models import Connection, EpisodeChange, Gap
from alongside.casework.services.connections import (
    connection_add,
    connection_update,
    gap_record,
)
from alongside.core.models import AuditEvent
from alongside.directory.models import TaxonomyTerm
from alongside.directory.search import index
from alongside.directory.taxonomies import taxonomies_load
from alongside.directory.tests.api_factories import (
    DraftServiceFactory,
    LocationFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
    ServiceAtLocationFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

from .factories import active_episode, closed_episode, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(york):
    """A small directory: walking listings in Acomb (one due for review, one a draft) and
    one in Heworth, indexed for search."""
    taxonomies_load()
    acomb = LocationFactory(ward=york["Acomb"])
    heworth = LocationFactory(ward=york["Heworth"])

    def listing(factory, name, summary, at):
        service = factory(name=name, summary=summary, description=f"{summary} All welcome.")
        ServiceAtLocationFactory(service=service, location=at)
        return service

    made = {
        "walk": listing(
            PublishedServiceFactory, "Acomb Health Walk", "A gentle walk in the park.", acomb
        ),
        "football": listing(
            ReviewDueServiceFactory, "Acomb Walking Football", "Football at walking pace.", acomb
        ),
        "heworth": listing(
            PublishedServiceFactory, "Heworth Walking Group", "Walks around Heworth.", heworth
        ),
        "draft": listing(DraftServiceFactory, "Secret Walking Club", "Not published.", acomb),
    }
    index.rebuild_all()
    return made


@pytest.fixture
def episode(york, west, lena):
    """Lena walks alongside someone in Acomb."""
    return active_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def needs(db):
    taxonomies_load()
    return {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="needs")}


# --- services -----------------------------------------------------------------------------------


def test_suggesting_a_listing_records_the_connection_its_history_and_audit(episode, lena, listings):
    walk = listings["walk"]
    connection = connection_add(actor=lena, episode=episode, listing=walk)
    assert (connection.name, connection.status, connection.listing) == (
        "Acomb Health Walk",
        "suggested",
        walk,
    )
    assert connection.status_changed_on == timezone.localdate()
    change = EpisodeChange.objects.get(episode=episode, kind="connection")
    assert (change.old_value, change.new_value, change.note) == (
        "",
        "suggested",
        "Acomb Health Walk: suggested",
    )
    event = AuditEvent.objects.get(object_type="casework.connection", action="create")
    assert event.person_id == episode.person_id
    assert event.changes["status"] == [None, "suggested"]


def test_a_listing_due_for_review_may_be_suggested_but_a_draft_may_not(episode, lena, listings):
    connection_add(actor=lena, episode=episode, listing=listings["football"])
    with pytest.raises(ValidationError) as error:
        connection_add(actor=lena, episode=episode, listing=listings["draft"])
    assert error.value.message_dict == {
        "listing": [
            "Secret Walking Club is not published in the directory, so it cannot be suggested"
        ]
    }


def test_a_listing_already_connected_is_refused_until_they_stop_going(episode, lena, listings):
    walk = listings["walk"]
    first = connection_add(actor=lena, episode=episode, listing=walk)
    with pytest.raises(ValidationError, match="Already connected to Acomb Health Walk"):
        connection_add(actor=lena, episode=episode, listing=walk)
    connection_update(actor=lena, connection=first, status="stopped", stopped_reason="Moved")
    again = connection_add(actor=lena, episode=episode, listing=walk)
    assert Connection.objects.filter(episode=episode, listing=walk).count() == 2
    assert again.status == "suggested"


def test_something_not_in_the_directory_is_connected_by_name(episode, lena):
    connection = connection_add(
        actor=lena, episode=episode, name="  St Chad's   coffee morning ", notes="Thursdays"
    )
    assert (connection.name, connection.listing, connection.notes) == (
        "St Chad's coffee morning",
        None,
        "Thursdays",
    )
    with pytest.raises(ValidationError, match="Already connected to st chad"):
        connection_add(actor=lena, episode=episode, name="st chad's coffee morning")
    with pytest.raises(ValidationError) as error:
        connection_add(actor=lena, episode=episode, name="   ")
    assert error.value.message_dict == {"name": ["Enter the name of what they could connect to"]}


def test_only_the_team_may_connect_and_not_after_support_closed(york, episode, lena, erin):
    with pytest.raises(PermissionDenied):
        connection_add(actor=erin, episode=episode, name="A group")
    closed = closed_episode(actor=lena, ward=york["Westfield"])
    with pytest.raises(ValidationError, match="support has closed"):
        connection_add(actor=lena, episode=closed, name="A group")
    assert not Connection.objects.exists()


def test_following_a_connection_records_each_move(episode, lena, listings):
    connection = connection_add(actor=lena, episode=episode, listing=listings["walk"])
    connection_update(actor=lena, connection=connection, status="introduced")
    connection_update(actor=lena, connection=connection, status="went", note="Loved it")
    with pytest.raises(ValidationError) as error:
        connection_update(actor=lena, connection=connection, status="stopped")
    assert error.value.message_dict == {"stopped_reason": ["Enter why they stopped going"]}
    connection = connection_update(
        actor=lena, connection=connection, status="stopped", stopped_reason="The bus stopped"
    )
    assert connection.stopped_reason == "The bus stopped"
    connection = connection_update(actor=lena, connection=connection, status="still_going")
    assert (connection.status, connection.stopped_reason) == ("still_going", "")
    moves = list(
        EpisodeChange.objects.filter(episode=episode, kind="connection")
        .order_by("changed_at", "created_at")
        .values_list("old_value", "new_value", "note")
    )
    assert moves == [
        ("", "suggested", "Acomb Health Walk: suggested"),
        ("suggested", "introduced", "Acomb Health Walk: introduced"),
        ("introduced", "went", "Acomb Health Walk: went (Loved it)"),
        ("went", "stopped", "Acomb Health Walk: stopped going (The bus stopped)"),
        ("stopped", "still_going", "Acomb Health Walk: still going"),
    ]
    assert (
        AuditEvent.objects.filter(object_type="casework.connection", action="change").count() == 4
    )


def test_a_connection_update_refuses_the_same_status_an_unknown_one_and_other_teams(
    episode, lena, erin
):
    connection = connection_add(actor=lena, episode=episode, name="Chess club")
    with pytest.raises(ValidationError, match="Chess club is already marked as suggested"):
        connection_update(actor=lena, connection=connection, status="suggested")
    with pytest.raises(ValidationError, match="Choose how the connection is going"):
        connection_update(actor=lena, connection=connection, status="flying")
    with pytest.raises(PermissionDenied):
        connection_update(actor=erin, connection=connection, status="went")
    connection.refresh_from_db()
    assert connection.status == "suggested"


def test_a_gap_belongs_to_the_team_in_the_episode_ward_by_default(episode, lena, west, needs):
    gap = gap_record(
        actor=lena,
        episode=episode,
        need=needs["loneliness-and-isolation"],
        what_would_help="  An evening group for men who care  ",
    )
    assert (gap.team, gap.ward, gap.episode, gap.recorded_on) == (
        west,
        episode.ward,
        episode,
        timezone.localdate(),
    )
    assert gap.what_would_help == "An evening group for men who care"
    event = AuditEvent.objects.get(object_type="casework.gap", action="create")
    assert event.changes["need"] == [None, "Loneliness and isolation"]


def test_a_gap_needs_a_need_from_the_needs_taxonomy_and_what_would_help(episode, lena, erin):
    other = TaxonomyTermFactory(taxonomy=TaxonomyFactory(code="colours"), code="red")
    with pytest.raises(ValidationError) as error:
        gap_record(actor=lena, episode=episode, need=other, what_would_help=" ")
    assert error.value.message_dict == {
        "need": ["Choose a need from the list"],
        "what_would_help": ["Enter what would help"],
    }
    with pytest.raises(ValidationError, match="Choose the need"):
        gap_record(actor=lena, episode=episode, need=None, what_would_help="A group")
    with pytest.raises(PermissionDenied):
        gap_record(actor=erin, episode=episode, need=other, what_would_help="A group")
    assert not Gap.objects.exists()


# --- who may open the pages ---------------------------------------------------------------------


def _episode_pages(episode, connection):
    return [
        reverse("casework:connections", kwargs={"pk": episode.pk}),
        reverse("casework:connection-add", kwargs={"pk": episode.pk}),
        reverse("casework:connection-update", kwargs={"pk": episode.pk, "item_pk": connection.pk}),
        reverse("casework:gap-add", kwargs={"pk": episode.pk}),
    ]


def test_anonymous_people_are_sent_to_sign_in(client, episode, lena, needs):
    connection = connection_add(actor=lena, episode=episode, name="Chess club")
    pages = _episode_pages(episode, connection) + [
        reverse("casework:gaps"),
        reverse("casework:gaps-csv"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_an_analyst_is_refused_and_another_team_finds_nothing(
    staff_client, episode, lena, erin, analyst, needs
):
    connection = connection_add(actor=lena, episode=episode, name="Chess club")
    pages = _episode_pages(episode, connection)
    for url in [*pages, reverse("casework:gaps"), reverse("casework:gaps-csv")]:
        assert staff_client(analyst).get(url).status_code == 403, url
    for url in pages:
        assert staff_client(erin).get(url).status_code == 404, url


def test_the_team_opens_every_page_and_each_opening_is_audited(
    staff_client, episode, lena, morgan, needs
):
    connection = connection_add(actor=lena, episode=episode, name="Chess club")
    for user in (lena, morgan):
        for url in _episode_pages(episode, connection):
            assert staff_client(user).get(url).status_code == 200, url
    assert (
        AuditEvent.objects.filter(
            action="view", person_id=episode.person_id, reason__startswith="Opened the episode"
        ).count()
        == 8
    )


def test_someone_reading_under_a_consent_to_share_sees_no_change_links_and_cannot_add(
    staff_client, york, lena, listings
):
    from alongside.accounts.tests.factories import OrganisationFactory
    from alongside.people.tests.factories import ConsentFactory, PersonFactory

    from .factories import coordinator, lac_team

    north = lac_team(york["Clifton"], name="LAC North", organisation=OrganisationFactory())
    nadia = coordinator(north, full_name="Nadia North")
    person = PersonFactory(ward=york["Acomb"])
    ConsentFactory(person=person, shared_with=[nadia.organisation])
    episode = active_episode(actor=lena, person=person, ward=york["Acomb"])
    connection = connection_add(actor=lena, episode=episode, listing=listings["walk"])
    client = staff_client(nadia)
    page = client.get(reverse("casework:connections", kwargs={"pk": episode.pk}))
    assert page.status_code == 200
    assert "Acomb Health Walk" in page.text
    assert reverse("casework:connection-add", kwargs={"pk": episode.pk}) not in page.text
    assert "Update" not in page.text
    for url in _episode_pages(episode, connection)[1:]:
        assert client.get(url).status_code == 403, url


def test_a_connection_of_another_episode_is_not_found(staff_client, york, episode, lena):
    other = introduce(actor=lena, ward=york["Acomb"])
    connection = connection_add(actor=lena, episode=other, name="Chess club")
    url = reverse("casework:connection-update", kwargs={"pk": episode.pk, "item_pk": connection.pk})
    assert staff_client(lena).get(url).status_code == 404
    assert staff_client(lena).post(url, {"status": "went"}).status_code == 404


# --- the connections page -----------------------------------------------------------------------


def test_the_connections_page_links_listings_and_shows_how_each_is_going_and_the_gaps(
    staff_client, episode, lena, listings, needs, django_assert_max_num_queries
):
    walk = connection_add(actor=lena, episode=episode, listing=listings["walk"])
    connection_add(actor=lena, episode=episode, listing=listings["football"])
    club = connection_add(actor=lena, episode=episode, name="Chess club")
    connection_update(actor=lena, connection=club, status="stopped", stopped_reason="Too far")
    gap_record(
        actor=lena,
        episode=episode,
        need=needs["loneliness-and-isolation"],
        what_would_help="A men's breakfast club",
    )
    client = staff_client(lena)
    url = reverse("casework:connections", kwargs={"pk": episode.pk})
    with django_assert_max_num_queries(15):
        page = client.get(url)
    assert page.status_code == 200
    text = page.text
    assert f'href="{reverse("portal:listing", kwargs={"pk": listings["walk"].pk})}"' in text
    assert "Why they stopped: Too far" in text
    assert "Not in the directory" in text
    assert "A men&#x27;s breakfast club" in text
    assert reverse("casework:connection-update", kwargs={"pk": episode.pk, "item_pk": walk.pk}) in (
        text
    )
    # More connections cost no more queries.
    for n in range(5):
        connection_add(actor=lena, episode=episode, name=f"Group {n}")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_a_listing_archived_since_it_was_connected_is_not_linked(
    staff_client, episode, lena, listings
):
    walk = listings["walk"]
    connection_add(actor=lena, episode=episode, listing=walk)
    walk.state = "archived"
    walk.save()
    page = staff_client(lena).get(reverse("casework:connections", kwargs={"pk": episode.pk}))
    assert "Acomb Health Walk" in page.text
    assert reverse("portal:listing", kwargs={"pk": walk.pk}) not in page.text


# --- finding a connection -----------------------------------------------------------------------


def test_the_search_starts_near_the_persons_ward_and_shows_provider_and_summary(
    staff_client, episode, lena, listings, django_assert_max_num_queries
):
    client = staff_client(lena)
    url = reverse("casework:connection-add", kwargs={"pk": episode.pk})
    first = client.get(url)
    assert 'name="near"' in first.text and "checked" in first.text.split('name="near"')[1][:80]
    assert "listings found" not in first.text
    # (23: on SQLite the search reads the name tiers one after the other, ADR 0013)
    with django_assert_max_num_queries(23):
        near = client.get(url, {"q": "walking", "near": "on"})
    assert near.status_code == 200
    assert "Acomb Health Walk" in near.text
    assert "Acomb Walking Football" in near.text
    assert listings["walk"].provider.name in near.text
    assert "A gentle walk in the park." in near.text
    assert "Heworth Walking Group" not in near.text
    assert "Secret Walking Club" not in near.text
    everywhere = client.get(url, {"q": "walking"})
    assert "Heworth Walking Group" in everywhere.text


def test_a_listing_already_connected_shows_as_connected_in_the_results(
    staff_client, episode, lena, listings
):
    connection_add(actor=lena, episode=episode, listing=listings["walk"])
    page = staff_client(lena).get(
        reverse("casework:connection-add", kwargs={"pk": episode.pk}), {"q": "health walk"}
    )
    assert "Already connected" in page.text
    assert f'value="{listings["walk"].pk}"' not in page.text


def test_suggest_this_connects_the_listing(staff_client, episode, lena, listings):
    url = reverse("casework:connection-add", kwargs={"pk": episode.pk})
    response = staff_client(lena).post(
        f"{url}?q=walk&near=on", {"listing": str(listings["football"].pk)}
    )
    assert response.status_code == 302
    assert response.url == reverse("casework:connections", kwargs={"pk": episode.pk})
    assert Connection.objects.get(episode=episode).listing == listings["football"]


def test_a_refused_suggestion_shows_why_with_the_same_results_and_changes_nothing(
    staff_client, episode, lena, listings
):
    connection_add(actor=lena, episode=episode, listing=listings["walk"])
    url = reverse("casework:connection-add", kwargs={"pk": episode.pk})
    client = staff_client(lena)
    response = client.post(f"{url}?q=walking&near=on", {"listing": str(listings["walk"].pk)})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Already connected to Acomb Health Walk" in response.text
    assert "<title>Error: " in response.text
    assert "Acomb Walking Football" in response.text  # the search results are still there
    draft = client.post(url, {"listing": str(listings["draft"].pk)})
    assert "is not published in the directory" in draft.text
    nonsense = client.post(url, {"listing": "not-an-id"})
    assert "Choose a listing from the search results" in nonsense.text
    assert Connection.objects.filter(episode=episode).count() == 1


def test_something_not_in_the_directory_is_suggested_by_name(staff_client, episode, lena):
    url = reverse("casework:connection-add", kwargs={"pk": episode.pk})
    client = staff_client(lena)
    empty = client.post(url, {"other-name": "  ", "other-notes": "Ring Pat on 01904 000000"})
    assert empty.status_code == 200
    assert "Enter the name of what they could connect to" in empty.text
    assert "Ring Pat on 01904 000000" in empty.text
    assert not Connection.objects.exists()
    done = client.post(url, {"other-name": "Knit and natter", "other-notes": ""})
    assert done.status_code == 302
    assert Connection.objects.get(episode=episode).name == "Knit and natter"
    again = client.post(url, {"other-name": "Knit and natter"})
    assert "Already connected to Knit and natter" in again.text
    assert Connection.objects.count() == 1


def test_search_words_that_are_too_long_get_a_message(staff_client, episode, lena, listings):
    page = staff_client(lena).get(
        reverse("casework:connection-add", kwargs={"pk": episode.pk}), {"q": "w" * 201}
    )
    assert page.status_code == 200
    assert "Search words must be 200 characters or fewer" in page.text


# --- following a connection ---------------------------------------------------------------------


def test_stopping_without_a_reason_keeps_what_was_typed(staff_client, episode, lena):
    connection = connection_add(actor=lena, episode=episode, name="Chess club")
    url = reverse("casework:connection-update", kwargs={"pk": episode.pk, "item_pk": connection.pk})
    client = staff_client(lena)
    page = client.get(url)
    assert 'value="suggested"' in page.text and "If they stopped going, why?" in page.text
    bad = client.post(url, {"status": "stopped", "stopped_reason": "", "note": "Rang today"})
    assert bad.status_code == 200
    assert "Enter why they stopped going" in bad.text
    assert "Rang today" in bad.text
    same = client.post(url, {"status": "suggested"})
    assert "Chess club is already marked as suggested" in same.text
    connection.refresh_from_db()
    assert connection.status == "suggested"
    good = client.post(url, {"status": "stopped", "stopped_reason": "Lost interest"})
    assert good.status_code == 302
    connection.refresh_from_db()
    assert (connection.status, connection.stopped_reason) == ("stopped", "Lost interest")


# --- gaps ---------------------------------------------------------------------------------------


def test_recording_a_gap_from_the_episode(staff_client, episode, lena, needs):
    url = reverse("casework:gap-add", kwargs={"pk": episode.pk})
    client = staff_client(lena)
    page = client.get(url)
    assert "Loneliness and isolation" in page.text
    assert f'value="{episode.ward.code}" selected' in page.text
    bad = client.post(url, {"need": "", "ward": episode.ward.code, "what_would_help": "A café"})
    assert bad.status_code == 200
    assert "Choose the need that nothing in the directory meets" in bad.text
    assert "A café" in bad.text
    assert not Gap.objects.exists()
    need = needs["money-and-debt"]
    good = client.post(
        url, {"need": str(need.pk), "ward": "E05010331", "what_would_help": "Debt advice"}
    )
    assert good.status_code == 302
    gap = Gap.objects.get()
    assert (gap.need, gap.ward.code, gap.what_would_help) == (need, "E05010331", "Debt advice")


def test_the_gap_list_shows_only_the_users_teams_gaps_filtered_by_need_and_ward(
    staff_client, york, episode, lena, erin, needs, django_assert_max_num_queries
):
    lonely, money = needs["loneliness-and-isolation"], needs["money-and-debt"]
    gap_record(actor=lena, episode=episode, need=lonely, what_would_help="A lunch club")
    gap_record(
        actor=lena,
        episode=episode,
        need=money,
        ward=york["Westfield"],
        what_would_help="Debt advice nearby",
    )
    east_episode = active_episode(actor=erin, ward=york["Heworth"])
    gap_record(actor=erin, episode=east_episode, need=lonely, what_would_help="A Heworth choir")
    client = staff_client(lena)
    url = reverse("casework:gaps")
    with django_assert_max_num_queries(15):
        page = client.get(url)
    assert page.status_code == 200
    assert "A lunch club" in page.text and "Debt advice nearby" in page.text
    assert "A Heworth choir" not in page.text
    assert episode.person.family_name not in page.text
    by_need = client.get(url, {"need": str(money.pk)})
    assert "Debt advice nearby" in by_need.text and "A lunch club" not in by_need.text
    by_ward = client.get(url, {"ward": york["Acomb"].code})
    assert "A lunch club" in by_ward.text and "Debt advice nearby" not in by_ward.text
    assert "A Heworth choir" in staff_client(erin).get(url).text


def test_the_gaps_csv_has_no_personal_data_and_its_download_is_audited(
    staff_client, york, episode, lena, needs
):
    gap_record(
        actor=lena,
        episode=episode,
        need=needs["money-and-debt"],
        what_would_help="=HYPERLINK(evil)",
    )
    gap_record(actor=lena, episode=episode, need=needs["food"], what_would_help="A food bank")
    response = staff_client(lena).get(reverse("casework:gaps-csv"), {"need": str(needs["food"].pk)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Need", "Ward", "What would help", "Date recorded", "Team"]
    assert rows[1:] == [
        ["Food", "Acomb", "A food bank", timezone.localdate().isoformat(), "LAC West"]
    ]
    everything = staff_client(lena).get(reverse("casework:gaps-csv")).content.decode()
    assert "'=HYPERLINK(evil)" in everything
    assert episode.person.family_name not in everything
    events = AuditEvent.objects.filter(action="export", object_type="casework.gap")
    assert events.count() == 2
    assert events.filter(actor=lena, object_label="1 gaps").exists()


def test_narrower_needs_are_grouped_under_their_need_and_found_by_it(
    staff_client, episode, lena, needs
):
    lonely = needs["loneliness-and-isolation"]
    calls = TaxonomyTermFactory(
        taxonomy=lonely.taxonomy, code="befriending-calls", name="Befriending calls", parent=lonely
    )
    gap_record(actor=lena, episode=episode, need=calls, what_would_help="Calls in Polish")
    gap_record(actor=lena, episode=episode, need=needs["food"], what_would_help="A food bank")
    form = staff_client(lena).get(reverse("casework:gap-add", kwargs={"pk": episode.pk})).text
    assert '<optgroup label="Loneliness and isolation">' in form
    assert "Loneliness and isolation (any)" in form
    page = staff_client(lena).get(reverse("casework:gaps"), {"need": str(lonely.pk)}).text
    assert "Calls in Polish" in page and "A food bank" not in page
