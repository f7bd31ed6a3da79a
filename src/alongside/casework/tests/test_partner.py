"""Partners see only the people introduced to their own listings: the date, the listing, the
status, the worker and their team's contact, and the person's first name only when the person
agreed to share it with the partner's organisation. Everything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.models import Organisation
from alongside.casework import partner_selectors
from alongside.casework.services.connections import connection_add, connection_update
from alongside.core.models import AuditEvent
from alongside.directory.tests.api_factories import ProviderFactory, PublishedServiceFactory
from alongside.people.models import Consent
from alongside.people.tests.factories import (
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    WithdrawnConsentFactory,
    make_staff,
)

from .factories import active_episode

pytestmark = pytest.mark.django_db

LIST_URL = reverse("casework:partner-referrals")


def detail_url(connection):
    return reverse("casework:partner-referral", kwargs={"pk": connection.pk})


@pytest.fixture
def walkers(db):
    """A voluntary group whose staff look after its listings."""
    return OrganisationFactory(name="Acomb Walkers", kind=Organisation.Kind.VCS)


@pytest.fixture
def choir(db):
    return OrganisationFactory(name="Holgate Choir", kind=Organisation.Kind.VCS)


@pytest.fixture
def walk(walkers):
    provider = ProviderFactory(name="Acomb Walkers", account_organisation=walkers)
    return PublishedServiceFactory(provider=provider, name="Acomb Health Walk")


@pytest.fixture
def singing(choir):
    provider = ProviderFactory(name="Holgate Choir", account_organisation=choir)
    return PublishedServiceFactory(provider=provider, name="Holgate Community Choir")


@pytest.fixture
def pat(walkers):
    """The walking group's partner account."""
    return make_staff(roles.PARTNER, organisation=walkers, full_name="Pat Partner")


@pytest.fixture
def quinn(choir):
    """The choir's partner account."""
    return make_staff(roles.PARTNER, organisation=choir, full_name="Quinn Partner")


@pytest.fixture
def person(york):
    return PersonFactory(given_name="Winifred", family_name="Calvert", ward=york["Acomb"])


@pytest.fixture
def episode(lena, west, person):
    west.email = "lac.west@example.org"
    west.phone = "01904 555 0101"
    west.save()
    return active_episode(actor=lena, person=person)


def connect(actor, episode, listing, status):
    """A connection made through the services, moved on to `status`."""
    connection = connection_add(actor=actor, episode=episode, listing=listing)
    if status != "suggested":
        connection = connection_update(
            actor=actor,
            connection=connection,
            status=status,
            stopped_reason="Times did not suit" if status == "stopped" else "",
        )
    return connection


def share_with(person, organisation, purpose=Consent.Purpose.SHARE_PARTNERS):
    return ConsentFactory(person=person, purpose=purpose, shared_with=[organisation])


# --- who may look ---------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, lena, episode, walk):
    connection = connect(lena, episode, walk, "introduced")
    for url in (LIST_URL, detail_url(connection)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:sign-in") in response.url


def test_a_coordinator_without_view_connection_is_refused(staff_client, lena, episode, walk):
    connection = connect(lena, episode, walk, "introduced")
    c = staff_client(lena)
    assert c.get(LIST_URL).status_code == 403
    assert c.get(detail_url(connection)).status_code == 403


def test_another_partners_connection_is_not_found(staff_client, lena, episode, walk, quinn):
    connection = connect(lena, episode, walk, "went")
    response = staff_client(quinn).get(detail_url(connection))
    assert response.status_code == 404
    listed = staff_client(quinn).get(LIST_URL)
    assert listed.status_code == 200
    assert "Acomb Health Walk" not in listed.content.decode()


def test_someone_with_view_connection_but_not_a_partner_sees_nothing(lena, episode, walk):
    """The permission alone is not enough: the Partner role ties it to organisations."""
    from django.contrib.auth.models import Permission

    connect(lena, episode, walk, "introduced")
    lena.user_permissions.add(Permission.objects.get(codename="view_connection"))
    lena = type(lena).objects.get(pk=lena.pk)
    assert lena.has_perm("casework.view_connection")
    assert not partner_selectors.partner_referrals_for_user(user=lena).exists()


# --- what is listed -------------------------------------------------------------------------


def test_lists_introduced_went_and_still_going_to_own_listings_only(
    staff_client, lena, york, walk, singing, pat
):
    made = {}
    for n, status in enumerate(["suggested", "introduced", "went", "still_going", "stopped"]):
        episode = active_episode(
            actor=lena, ward=york["Acomb"], person=PersonFactory(given_name=f"Name{n}")
        )
        made[status] = connect(lena, episode, walk, status)
    elsewhere = active_episode(actor=lena, ward=york["Acomb"])
    connect(lena, elsewhere, singing, "introduced")

    response = staff_client(pat).get(LIST_URL)

    assert response.status_code == 200
    shown = {c.pk for c in response.context["page"].object_list}
    assert shown == {made[s].pk for s in ("introduced", "went", "still_going")}
    page = response.content.decode()
    assert "3 people introduced" in page
    assert "Holgate Community Choir" not in page
    for status in ("suggested", "stopped"):
        assert staff_client(pat).get(detail_url(made[status])).status_code == 404


def test_without_consent_the_person_is_someone(staff_client, lena, episode, walk, pat, person):
    connection = connect(lena, episode, walk, "introduced")
    share_with(person, walk.provider.account_organisation, purpose=Consent.Purpose.SUPPORT)
    WithdrawnConsentFactory(person=person, shared_with=[walk.provider.account_organisation])
    c = staff_client(pat)

    listed = c.get(LIST_URL).content.decode()
    opened = c.get(detail_url(connection))

    assert opened.status_code == 200
    for page in (listed, opened.content.decode()):
        assert "Someone" in page
        assert "Winifred" not in page
        assert "Calvert" not in page
    assert not AuditEvent.objects.filter(actor=pat, person_id=person.pk).exists()


def test_consent_shared_with_another_organisation_does_not_name_them(
    lena, episode, walk, pat, person, choir
):
    connect(lena, episode, walk, "went")
    share_with(person, choir)
    (row,) = partner_selectors.partner_referrals_for_user(user=pat)
    assert row.person_first_name == ""


def test_future_consent_does_not_name_them_yet(lena, episode, walk, pat, person):
    connect(lena, episode, walk, "went")
    consent = share_with(person, walk.provider.account_organisation)
    Consent.objects.filter(pk=consent.pk).update(
        given_at=timezone.localdate() + dt.timedelta(days=3)
    )
    (row,) = partner_selectors.partner_referrals_for_user(user=pat)
    assert row.person_first_name == ""


@pytest.mark.parametrize("purpose", [Consent.Purpose.SHARE_PARTNERS, Consent.Purpose.REFERRAL])
def test_with_consent_the_first_name_is_shown_and_the_opening_audited(
    staff_client, lena, episode, walk, pat, person, purpose
):
    connection = connect(lena, episode, walk, "still_going")
    share_with(person, walk.provider.account_organisation, purpose=purpose)
    c = staff_client(pat)

    listed = c.get(LIST_URL).content.decode()
    opened = c.get(detail_url(connection))

    assert "Winifred" in listed
    page = opened.content.decode()
    assert "Winifred was introduced to your group" in page
    assert "Calvert" not in page and "Calvert" not in listed
    event = AuditEvent.objects.get(actor=pat, person_id=person.pk)
    assert event.action == "view"
    assert event.object_id == str(connection.pk)


def test_the_preferred_name_is_used_when_they_have_one(lena, york, walk, pat):
    person = PersonFactory(given_name="Winifred", preferred_name="Winnie")
    episode = active_episode(actor=lena, ward=york["Acomb"], person=person)
    connect(lena, episode, walk, "introduced")
    share_with(person, walk.provider.account_organisation)
    (row,) = partner_selectors.partner_referrals_for_user(user=pat)
    assert row.person_first_name == "Winnie"


def test_shows_the_worker_and_team_contact_and_nothing_else_of_the_episode(
    staff_client, lena, episode, walk, pat, person
):
    from alongside.casework.models import Contact

    connection = connect(lena, episode, walk, "went")
    share_with(person, walk.provider.account_organisation)
    Contact.objects.create(
        episode=episode,
        worker=lena,
        kind="visit",
        happened_on=timezone.localdate(),
        minutes=30,
        summary="Talked about the debt letters",
    )
    page = staff_client(pat).get(detail_url(connection)).content.decode()

    assert "Lena Coordinator" in page
    assert "lac.west@example.org" in page and "01904 555 0101" in page
    assert "Acomb Health Walk" in page
    assert "Went" in page
    assert "debt letters" not in page
    assert person.date_of_birth.strftime("%-d %B %Y") not in page


def test_the_team_has_no_contact_details_so_the_workers_email_is_given(
    staff_client, lena, york, walk, pat
):
    episode = active_episode(actor=lena, ward=york["Acomb"])
    connection = connect(lena, episode, walk, "introduced")
    page = staff_client(pat).get(detail_url(connection)).content.decode()
    assert lena.email in page


def test_a_partner_not_linked_to_the_directory_is_told_so(staff_client, db):
    lonely = make_staff(roles.PARTNER, organisation=OrganisationFactory(name="New group"))
    page = staff_client(lonely).get(LIST_URL).content.decode()
    assert "not linked to an organisation in the directory" in page
    assert "No one introduced yet" in page


def test_the_list_takes_the_same_queries_for_3_and_30_people(
    staff_client, lena, york, walk, pat, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            person = PersonFactory()
            episode = active_episode(actor=lena, ward=york["Acomb"], person=person)
            connect(lena, episode, walk, "went")
            share_with(person, walk.provider.account_organisation)

    c = staff_client(pat)
    add(3)
    with django_assert_max_num_queries(14) as few:
        assert c.get(LIST_URL).status_code == 200
    add(27)
    with django_assert_max_num_queries(14) as many:
        response = c.get(LIST_URL)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "30 people introduced" in response.content.decode()
