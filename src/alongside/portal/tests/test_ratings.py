"""Residents' ratings ("Is this page useful?"), their moderation, the editors' view and the
report: who may do what, what is stored, and what is refused."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from alongside.accounts.tests.factories import (
    AnalystFactory,
    DirectoryEditorFactory,
    FrontDoorOfficerFactory,
    PartnerFactory,
)
from alongside.core.models import AuditEvent
from alongside.directory.models import Suggestion
from alongside.directory.tests.api_factories import (
    ArchivedServiceFactory,
    DraftServiceFactory,
    InReviewServiceFactory,
    ProviderFactory,
    PublishedServiceFactory,
    ReviewDueServiceFactory,
)
from alongside.portal import feedback
from alongside.portal.forms import COMMENT_TOO_LONG, STARS_INVALID, STARS_MISSING
from alongside.portal.models import Rating

pytestmark = pytest.mark.django_db
State = Rating.State


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listing():
    return PublishedServiceFactory(
        name="Knit and Natter", provider=ProviderFactory(name="Acomb Knitters")
    )


@pytest.fixture
def editor():
    return DirectoryEditorFactory(full_name="Eddie Editor")


def rate_url(service) -> str:
    return reverse("portal:rate", kwargs={"pk": service.pk})


def rate(client, service, **data):
    return client.post(rate_url(service), data)


def pending(service, stars=3, comment="Lovely people.") -> Rating:
    return feedback.rating_create(service=service, stars=stars, comment=comment)


RATINGS = reverse("portal-staff:ratings")


# --- residents: the form ------------------------------------------------------------------------


def test_the_rating_page_shows_the_question_with_words_for_each_score(client, listing):
    response = client.get(rate_url(listing))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-fieldset__heading">Is this page useful?</h1>' in page
    for words in ("1 star – Not at all useful", "3 stars – Quite useful", "5 stars – Very useful"):
        assert words in page
    assert "Do not include personal details" in page
    assert 'data-maxlength="2000"' in page
    assert 'class="app-honeypot" aria-hidden="true"' in page
    assert 'tabindex="-1"' in page
    assert "style=" not in page  # the CSP forbids inline styles


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_a_rating_of_1_to_5_stars_is_stored_and_counts_at_once(client, listing, stars):
    response = rate(client, listing, stars=str(stars))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:rate-thanks", kwargs={"pk": listing.pk})
    rating = Rating.objects.get()
    assert (rating.service, rating.stars, rating.comment) == (listing, stars, "")
    # Nothing to moderate without a comment, so it is not waiting for anyone.
    assert rating.state == State.ACCEPTED
    summary = feedback.listing_rating_summary(service=listing)
    assert (summary.average, summary.count, summary.waiting) == (stars, 1, 0)


def test_the_thanks_page(client, listing):
    response = client.get(reverse("portal:rate-thanks", kwargs={"pk": listing.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you for your rating" in page
    assert "Your rating counts straight away" in page
    assert reverse("portal:listing", kwargs={"pk": listing.pk}) in page


@pytest.mark.parametrize(
    ("stars", "message"),
    [("0", STARS_INVALID), ("6", STARS_INVALID), ("x", STARS_INVALID), ("", STARS_MISSING)],
)
def test_stars_outside_1_to_5_are_refused_with_a_clear_message(client, listing, stars, message):
    response = rate(client, listing, stars=stars, comment="The bus times are wrong.")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert '<a href="#rating-stars-1">' in page  # the error summary leads to the radios
    assert "<title>Error: " in page
    assert "The bus times are wrong." in page  # what they typed is kept
    assert not Rating.objects.exists()


def test_no_stars_at_all_is_refused(client, listing):
    response = client.post(rate_url(listing), {"comment": "Hello"})
    assert STARS_MISSING in response.content.decode()
    assert not Rating.objects.exists()


def test_the_chosen_stars_are_kept_when_the_comment_is_too_long(client, listing):
    response = rate(client, listing, stars="4", comment="a" * 2001)
    page = response.content.decode()
    assert COMMENT_TOO_LONG in page
    assert 'value="4" checked' in page
    assert '<a href="#rating-comment">' in page
    assert not Rating.objects.exists()


def test_line_breaks_count_as_one_character_like_the_counter_on_the_page(client, listing):
    comment = "\r\n".join(["a" * 99] * 20)  # 1,980 letters and 19 line breaks: 1,999
    assert rate(client, listing, stars="4", comment=comment).status_code == 302
    assert len(Rating.objects.get().comment) == 1999


def test_a_comment_waits_for_an_editor_but_its_stars_count(client, listing):
    rate(client, listing, stars="2", comment="  The times were wrong.  ")
    rating = Rating.objects.get()
    assert rating.state == State.PENDING
    assert rating.comment == "The times were wrong."
    summary = feedback.listing_rating_summary(service=listing)
    assert (summary.average, summary.count, summary.waiting) == (2, 1, 1)


@pytest.mark.parametrize(
    "factory", [DraftServiceFactory, InReviewServiceFactory, ArchivedServiceFactory]
)
def test_only_public_listings_can_be_rated(client, factory):
    hidden = factory()
    assert client.get(rate_url(hidden)).status_code == 404
    assert rate(client, hidden, stars="5").status_code == 404
    assert client.get(reverse("portal:rate-thanks", kwargs={"pk": hidden.pk})).status_code == 404
    assert not Rating.objects.exists()


def test_a_listing_due_for_review_is_public_and_can_be_rated(client):
    due = ReviewDueServiceFactory()
    assert rate(client, due, stars="5").status_code == 302
    assert Rating.objects.filter(service=due).exists()


def test_the_service_refuses_a_listing_that_is_not_public():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        feedback.rating_create(service=DraftServiceFactory(), stars=3)
    with pytest.raises(ValidationError):
        feedback.rating_create(service=PublishedServiceFactory(), stars=6)
    assert not Rating.objects.exists()


def test_the_honeypot_pretends_success_and_stores_nothing(client, listing):
    response = rate(client, listing, stars="5", comment="Buy now", website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:rate-thanks", kwargs={"pk": listing.pk})
    assert not Rating.objects.exists()


def test_the_form_needs_a_csrf_token(listing):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(rate_url(listing), {"stars": "5"}).status_code == 403
    assert not Rating.objects.exists()


# --- residents: the rate limit ------------------------------------------------------------------


def test_the_eleventh_rating_in_an_hour_is_refused_with_a_clear_page(client, listing, settings):
    assert settings.PORTAL_RATINGS_PER_HOUR == 10
    for n in range(10):
        assert rate(client, listing, stars=str(n % 5 + 1)).status_code == 302
    response = rate(client, listing, stars="5", comment="One more")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "You have sent a lot of ratings" in page
    assert "10 ratings in the last hour" in page
    assert Rating.objects.count() == 10
    assert client.get(rate_url(listing)).status_code == 429


def test_the_limit_follows_the_setting(client, listing, settings):
    settings.PORTAL_RATINGS_PER_HOUR = 2
    assert rate(client, listing, stars="5").status_code == 302
    assert rate(client, listing, stars="5").status_code == 302
    assert rate(client, listing, stars="5").status_code == 429
    assert Rating.objects.count() == 2


def test_a_new_browser_on_the_same_network_address_is_still_counted(listing, settings):
    settings.PORTAL_RATINGS_PER_HOUR = 2
    first = Client(REMOTE_ADDR="203.0.113.7")
    rate(first, listing, stars="5")
    rate(first, listing, stars="5")
    second = Client(REMOTE_ADDR="203.0.113.7")
    assert rate(second, listing, stars="5").status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    assert rate(elsewhere, listing, stars="5").status_code == 302


def test_the_same_browser_on_a_new_network_address_is_still_counted(client, listing, settings):
    settings.PORTAL_RATINGS_PER_HOUR = 2
    rate(client, listing, stars="5")
    rate(client, listing, stars="5")
    response = client.post(rate_url(listing), {"stars": "5"}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert Rating.objects.count() == 2


def test_mistakes_are_not_counted(client, listing, settings):
    settings.PORTAL_RATINGS_PER_HOUR = 1
    assert rate(client, listing, stars="0").status_code == 200
    assert rate(client, listing, stars="3").status_code == 302


def test_ratings_and_suggestions_are_counted_apart(client, listing, settings):
    settings.PORTAL_RATINGS_PER_HOUR = 1
    assert rate(client, listing, stars="5").status_code == 302
    assert rate(client, listing, stars="5").status_code == 429
    url = reverse("directory-public:suggest-change", kwargs={"pk": listing.pk})
    assert client.post(url, {"message": "New times"}).status_code == 302
    assert Suggestion.objects.count() == 1


def test_the_cache_holds_no_network_address_or_session_key(client, listing):
    client.post(rate_url(listing), {"stars": "5"}, REMOTE_ADDR="203.0.113.42")
    session_key = client.session.session_key
    keys = [str(key) for key in cache._cache]  # the local-memory cache the tests use
    assert keys, "the visit should have been counted"
    assert not [key for key in keys if "203.0.113.42" in key or session_key in key]
    fields = {f.name for f in Rating._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "session", "email", "name"}


# --- editors: who may see the view ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        RATINGS,
        f"{RATINGS}?format=csv",
    ],
)
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_anonymous_people_cannot_moderate(client, listing):
    rating = pending(listing)
    for name in ("portal-staff:rating-accept", "portal-staff:rating-reject"):
        response = client.post(reverse(name, kwargs={"pk": rating.pk}), {"reason": "spam"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    rating.refresh_from_db()
    assert rating.state == State.PENDING


@pytest.mark.parametrize("factory", [FrontDoorOfficerFactory, AnalystFactory, PartnerFactory])
def test_staff_who_are_not_editors_are_refused(staff_client, listing, factory):
    rating = pending(listing)
    client = staff_client(factory())
    assert client.get(RATINGS).status_code == 403
    assert client.get(f"{RATINGS}?format=csv").status_code == 403
    accept = reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk})
    assert client.post(accept).status_code == 403
    reject = reverse("portal-staff:rating-reject", kwargs={"pk": rating.pk})
    assert client.post(reject, {"reason": "spam"}).status_code == 403
    rating.refresh_from_db()
    assert rating.state == State.PENDING


# --- editors: averages ----------------------------------------------------------------------------


def test_editors_see_each_listings_average_and_count(staff_client, editor):
    low = PublishedServiceFactory(name="Low listing")
    high = PublishedServiceFactory(name="High listing")
    PublishedServiceFactory(name="Nobody rated this")
    for stars in (1, 2):
        feedback.rating_create(service=low, stars=stars)
    spam = pending(low, stars=5, comment="Buy cheap watches")
    feedback.rating_reject(actor=editor, rating=spam, reason="spam")  # stops counting
    for stars in (5, 5, 4):
        feedback.rating_create(service=high, stars=stars)

    response = staff_client(editor).get(RATINGS)
    assert response.status_code == 200
    rows = [
        (s.name, round(float(s.rating_average), 2), s.rating_count)
        for s in response.context["page"].object_list
    ]
    assert rows == [("Low listing", 1.5, 2), ("High listing", 4.67, 3)]
    page = response.content.decode()
    assert "1.5" in page and "4.7" in page
    assert "Nobody rated this" not in page

    response = staff_client(editor).get(RATINGS, {"sort": "most"})
    names = [s.name for s in response.context["page"].object_list]
    assert names == ["High listing", "Low listing"]


def test_editors_can_show_only_listings_with_comments_waiting(staff_client, editor):
    quiet = PublishedServiceFactory(name="Quiet listing")
    talked_about = PublishedServiceFactory(name="Talked about")
    feedback.rating_create(service=quiet, stars=4)
    pending(talked_about)
    response = staff_client(editor).get(RATINGS, {"waiting": "1"})
    assert [s.name for s in response.context["page"].object_list] == ["Talked about"]
    assert response.context["page"].object_list[0].comments_waiting == 1


@pytest.mark.parametrize(
    "query", [{"sort": "nonsense"}, {"format": "xml"}, {"listing": "nope"}, {"page": "x"}]
)
def test_odd_query_parameters_fall_back_to_the_defaults(staff_client, editor, listing, query):
    feedback.rating_create(service=listing, stars=4)
    response = staff_client(editor).get(RATINGS, query)
    assert response.status_code == 200
    assert [s.name for s in response.context["page"].object_list] == ["Knit and Natter"]


def test_an_unknown_listing_is_not_found(staff_client, editor):
    response = staff_client(editor).get(
        RATINGS, {"listing": "8c0e4bb2-9d0c-4a47-9d3c-000000000000"}
    )
    assert response.status_code == 404


def test_the_editors_view_takes_a_fixed_number_of_queries(
    staff_client, editor, django_assert_max_num_queries
):
    provider = ProviderFactory()
    for n in range(30):
        service = PublishedServiceFactory(name=f"Listing {n:02}", provider=provider)
        feedback.rating_create(service=service, stars=n % 5 + 1)
        pending(service, comment=f"Comment {n}")
    client = staff_client(editor)
    client.get(RATINGS)  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(RATINGS)
    assert response.context["waiting_total"] == 30
    assert len(response.context["queue"]) == 20
    assert "These are the 20 oldest" in response.content.decode()


def test_the_summary_for_the_editors_listing_page(editor, listing):
    assert feedback.listing_rating_summary(service=listing) == feedback.RatingSummary(
        average=None, count=0, waiting=0
    )
    feedback.rating_create(service=listing, stars=4)
    pending(listing, stars=3)
    summary = feedback.listing_rating_summary(service=listing)
    assert (summary.average, summary.count, summary.waiting) == (3.5, 2, 1)


# --- editors: moderation ------------------------------------------------------------------------


def test_the_queue_shows_comments_waiting_oldest_first(staff_client, editor, listing):
    pending(listing, comment="First comment")
    pending(listing, comment="Second comment")
    feedback.rating_create(service=listing, stars=5)  # no comment: not in the queue
    response = staff_client(editor).get(RATINGS)
    assert [r.comment for r in response.context["queue"]] == ["First comment", "Second comment"]
    page = response.content.decode()
    assert "Comments waiting (2)" in page
    assert page.index("First comment") < page.index("Second comment")


def test_accepting_a_comment_records_who_and_when(staff_client, editor, listing):
    rating = pending(listing, comment="Friendly and warm.")
    url = reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk})
    response = staff_client(editor).post(url, {"query": "sort=most"})
    assert response.status_code == 302
    assert response["Location"] == f"{RATINGS}?sort=most#comments-waiting"
    rating.refresh_from_db()
    assert rating.state == State.ACCEPTED
    assert rating.moderated_by == editor
    assert rating.moderated_at is not None
    event = AuditEvent.objects.get(object_id=str(rating.pk))
    assert event.actor == editor
    assert event.action == AuditEvent.Action.CHANGE
    assert event.changes == {"state": ["pending", "accepted"]}


def test_accepted_comments_are_for_editors_only(client, staff_client, editor, listing):
    rating = pending(listing, comment="Friendly and warm.")
    feedback.rating_accept(actor=editor, rating=rating)
    # Not on the public pages.
    assert "Friendly and warm." not in client.get(rate_url(listing)).content.decode()
    thanks = reverse("portal:rate-thanks", kwargs={"pk": listing.pk})
    assert "Friendly and warm." not in client.get(thanks).content.decode()
    # Editors read them from the listing's row.
    response = staff_client(editor).get(RATINGS)
    page = response.content.decode()
    assert "Friendly and warm." not in page  # it has left the queue
    assert f"?listing={listing.pk}#listing-comments" in page
    page = staff_client(editor).get(RATINGS, {"listing": str(listing.pk)}).content.decode()
    assert "Comments about Knit and Natter" in page
    assert "Friendly and warm." in page
    assert "Accepted by Eddie Editor" in page


def test_rejecting_a_comment_needs_a_reason(staff_client, editor, listing):
    rating = pending(listing, comment="Rubbish")
    url = reverse("portal-staff:rating-reject", kwargs={"pk": rating.pk})
    response = staff_client(editor).post(url, {"query": "sort=most"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select why you are rejecting this comment" in page
    assert f'href="#reason-{rating.pk}-spam"' in page
    assert "govuk-form-group--error" in page
    assert response.context["sort"] == "most"  # the view as the editor left it
    response = staff_client(editor).post(url, {"reason": "made-up"})
    assert "Select why you are rejecting this comment" in response.content.decode()
    rating.refresh_from_db()
    assert rating.state == State.PENDING
    assert not AuditEvent.objects.filter(object_id=str(rating.pk)).exists()


def test_rejecting_a_comment_keeps_the_reason_and_its_stars_stop_counting(
    staff_client, editor, listing
):
    feedback.rating_create(service=listing, stars=4)
    rating = pending(listing, stars=1, comment="Call me on 07700 900000")
    url = reverse("portal-staff:rating-reject", kwargs={"pk": rating.pk})
    response = staff_client(editor).post(url, {"reason": "personal"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.state == State.REJECTED
    assert rating.rejection_reason == "Gives someone's personal details"
    assert rating.moderated_by == editor
    event = AuditEvent.objects.get(object_id=str(rating.pk))
    assert event.reason == "Gives someone's personal details"
    assert event.changes == {"state": ["pending", "rejected"]}
    summary = feedback.listing_rating_summary(service=listing)
    assert (summary.average, summary.count, summary.waiting) == (4, 1, 0)


def test_a_decided_comment_cannot_be_decided_again(staff_client, editor, listing):
    rating = pending(listing)
    client = staff_client(editor)
    client.post(reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk}))
    response = client.post(
        reverse("portal-staff:rating-reject", kwargs={"pk": rating.pk}),
        {"reason": "spam"},
        follow=True,
    )
    assert "This comment has already been accepted." in response.content.decode()
    rating.refresh_from_db()
    assert rating.state == State.ACCEPTED
    assert AuditEvent.objects.filter(object_id=str(rating.pk)).count() == 1


def test_a_rating_without_a_comment_has_nothing_to_moderate(staff_client, editor, listing):
    rating = feedback.rating_create(service=listing, stars=5)
    url = reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk})
    assert staff_client(editor).post(url).status_code == 404


def test_moderation_is_by_post_only_with_a_csrf_token(staff_client, editor, listing):
    rating = pending(listing)
    url = reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk})
    assert staff_client(editor).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    assert strict.post(url).status_code == 403
    rating.refresh_from_db()
    assert rating.state == State.PENDING


def test_the_way_back_after_a_decision_stays_on_this_site(staff_client, editor, listing):
    rating = pending(listing)
    url = reverse("portal-staff:rating-accept", kwargs={"pk": rating.pk})
    response = staff_client(editor).post(url, {"query": "//evil.example/\r\nX: y"})
    assert response["Location"].startswith(f"{RATINGS}?")
    assert "\n" not in response["Location"]


# --- the report -----------------------------------------------------------------------------------


def test_the_csv_report_has_a_row_for_each_rated_listing(staff_client, editor, little):
    lunch, walk = little["lunch"], little["walk"]
    for stars in (2, 3):
        feedback.rating_create(service=lunch, stars=stars)
    pending(lunch)
    feedback.rating_create(service=walk, stars=5)
    befriending = little["befriending"]  # no venue ward: falls back to the area it serves
    feedback.rating_create(service=befriending, stars=4)
    befriending.at_locations.all().delete()

    response = staff_client(editor).get(RATINGS, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ratings-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Listing",
        "Organisation",
        "Ward",
        "Average rating",
        "Number of ratings",
        "Comments waiting",
    ]
    assert rows[1:] == [
        ["Friday Lunch Club", lunch.provider.name, "Acomb", "2.7", "3", "1"],
        ["Telephone Befriending", befriending.provider.name, "City of York", "4.0", "1", "0"],
        ["Acomb Health Walk", walk.provider.name, "Acomb", "5.0", "1", "0"],
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == editor
    assert event.object_label == "Ratings report (3 listings)"


def test_the_csv_report_does_not_let_a_name_become_a_formula(staff_client, editor):
    sneaky = PublishedServiceFactory(name="=HYPERLINK(1)")
    feedback.rating_create(service=sneaky, stars=3)
    response = staff_client(editor).get(RATINGS, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_csv_report_takes_a_fixed_number_of_queries(
    staff_client, editor, little, django_assert_max_num_queries
):
    for service in little.values():
        if service.state == "published":
            feedback.rating_create(service=service, stars=3)
    client = staff_client(editor)
    client.get(RATINGS)
    # Sign-in and permissions (5), the listings and their places (3), the audit event and
    # the session (4), however many listings there are.
    with django_assert_max_num_queries(12):
        response = client.get(RATINGS, {"format": "csv"})
        content = b"".join(response)
    assert content.count(b"\n") == 6  # the header and five listings
