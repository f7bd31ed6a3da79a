"""Stories as evidence: finding personal details in text for publication, the story
services (consent, redaction, approval by another manager, withdrawal) and their pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.casework import redaction
from alongside.casework.models import Relationship, Story
from alongside.casework.services import stories as services
from alongside.core.models import AuditEvent
from alongside.people.models import Consent
from alongside.people.services import consent_withdraw
from alongside.people.tests.factories import (
    ConsentFactory,
    PersonFactory,
    make_staff,
    valid_nhs_number,
)

from .factories import active_episode, manager

pytestmark = pytest.mark.django_db

CLEAN_TEXT = "After years on her own, she now goes to a knitting group every week."


@pytest.fixture
def person(york):
    return PersonFactory(
        given_name="Margaret",
        family_name="Hall",
        preferred_name="Peggy",
        date_of_birth=dt.date(1950, 3, 27),
        nhs_number=valid_nhs_number(42),
        address_line_1="12 Acacia Avenue",
        postcode="YO24 4AB",
        phone="07700 900123",
        email="peggy.hall@example.org",
        ward=york["Acomb"],
    )


@pytest.fixture
def episode(person, lena, york):
    episode = active_episode(actor=lena, person=person, ward=york["Acomb"])
    Relationship.objects.create(episode=episode, kind="family", name="Sarah Moss")
    Relationship.objects.create(episode=episode, kind="group", name="Acomb Knit and Natter")
    return episode


@pytest.fixture
def consent(person):
    return ConsentFactory(
        person=person, purpose=Consent.Purpose.STORY, agreed="My story may be shared"
    )


@pytest.fixture
def other_manager(west):
    """A second manager of the west team."""
    return manager(west, full_name="Nia Secondmanager")


@pytest.fixture
def east_manager(east):
    return manager(east, full_name="Eddie Eastmanager")


def write(actor, episode, **overrides):
    values = {
        "title": "Finding the knitting group",
        "body": "Margaret Hall told us she had not left the house for months.",
        "consent_level": "internal",
    }
    values.update(overrides)
    return services.story_save(actor=actor, episode=episode, **values)


def anonymised(actor, episode, consent, text=CLEAN_TEXT):
    return write(actor, episode, consent_level="anonymised", consent=consent, publishable_text=text)


def waiting(actor, episode, consent):
    return services.story_submit(actor=actor, story=anonymised(actor, episode, consent))


# --- finding personal details -------------------------------------------------------------------


def _found(text, person, **kwargs):
    findings = redaction.find_personal_details(
        text, person=person, other_names=["Sarah Moss"], **kwargs
    )
    return redaction.describe(findings)


def test_each_kind_of_personal_detail_is_found(person):
    """Names, address, postcode, date of birth, NHS number, phone and email, and the names
    of people in their life, each named once in a fixed order."""
    text = (
        "Peggy Hall lives at 12 Acacia Avenue, YO24 4AB. Born 27/03/1950, NHS number "
        f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}. "
        "Call 07700 900123 or write to peggy.hall@example.org. Her daughter Sarah helps."
    )
    assert _found(text, person) == (
        "the person's family name, the person's preferred name, the name of someone in "
        "their life, their address, a postcode, their date of birth, an NHS number, "
        "a phone number, an email address"
    )


@pytest.mark.parametrize(
    "written",
    ["27 March 1950", "27th March 1950", "March 27, 1950", "27-3-50", "1950-03-27", "27 Mar 1950"],
)
def test_the_date_of_birth_is_found_however_it_is_written(person, written):
    assert _found(f"She was born on {written} in Leeds.", person) == "their date of birth"


def test_names_count_only_as_capitalised_whole_words(person):
    """A person called Will or Hall does not stop a story that says "will" or "hallway"."""
    person.given_name, person.preferred_name = "Will", ""
    assert _found("She will walk down the hallway to the hall.", person) == ""
    assert _found("Will Hall walks.", person) == "the person's first name, the person's family name"


def test_community_groups_in_their_life_are_not_personal_details(episode, person):
    names = redaction.relationship_names(person)
    assert names == ["Sarah Moss"]


def test_a_named_story_may_name_them_but_not_reach_them(person):
    text = "Margaret Hall, whose daughter is Sarah Moss, is on 07700 900123."
    assert _found(text, person, names_allowed=True) == (
        "the name of someone in their life, a phone number"
    )


def test_suggested_redaction_replaces_what_was_found(person):
    text = "Margaret Hall of YO24 4AB met Sarah at the group. Email peggy.hall@example.org."
    assert (
        redaction.redact(text, person=person, other_names=["Sarah Moss"])
        == "[name] of [postcode] met [name] at the group. Email [email address]."
    )


def test_other_numbers_are_not_mistaken_for_personal_details(person):
    text = "In 2025 she walked 1200 miles with 35 others over 52 weeks."
    assert _found(text, person) == ""


# --- services -----------------------------------------------------------------------------------


def test_an_internal_story_needs_no_consent_and_is_audited(episode, lena):
    story = write(lena, episode)
    assert (story.status, story.consent, story.created_by) == ("draft", None, lena)
    event = AuditEvent.objects.get(object_id=str(story.pk), action="create")
    assert event.person_id == episode.person_id
    assert "body" not in event.changes  # the story itself stays out of the audit trail


def test_publication_needs_an_active_story_consent(episode, lena, person):
    with pytest.raises(ValidationError) as error:
        write(lena, episode, consent_level="anonymised")
    assert error.value.message_dict == {
        "consent": ["Choose the consent the person gave to use their story"]
    }
    for wrong in (
        ConsentFactory(person=person, purpose=Consent.Purpose.SUPPORT),
        ConsentFactory(
            person=person, purpose=Consent.Purpose.STORY, withdrawn_at=timezone.localdate()
        ),
        ConsentFactory(purpose=Consent.Purpose.STORY),  # someone else's
    ):
        with pytest.raises(ValidationError, match="active consents to use their story"):
            write(lena, episode, consent_level="anonymised", consent=wrong)
    assert not Story.objects.exists()


def test_named_publication_needs_the_worker_to_confirm(episode, lena, consent):
    with pytest.raises(ValidationError) as error:
        write(lena, episode, consent_level="named", consent=consent)
    assert error.value.message_dict == {
        "named_confirmed": ["Confirm the person agreed to be named"]
    }
    story = write(lena, episode, consent_level="named", consent=consent, named_confirmed=True)
    assert story.consent == consent


def test_only_the_team_may_write_a_story(episode, erin):
    with pytest.raises(PermissionDenied):
        write(erin, episode)


def test_sending_a_story_that_identifies_them_is_refused(episode, lena, consent):
    story = anonymised(lena, episode, consent, text="Mrs Hall from YO24 4AB joined a group.")
    with pytest.raises(ValidationError) as error:
        services.story_submit(actor=lena, story=story)
    assert error.value.messages == [
        "The text for publication still contains: the person's family name, a postcode"
    ]
    story.refresh_from_db()
    assert story.status == "draft"


def test_sending_for_publication_needs_the_text(episode, lena, consent):
    story = anonymised(lena, episode, consent, text="")
    with pytest.raises(ValidationError, match="Enter the text for publication"):
        services.story_submit(actor=lena, story=story)


def test_a_named_story_may_be_sent_with_their_name(episode, lena, consent):
    story = write(
        lena,
        episode,
        consent_level="named",
        consent=consent,
        named_confirmed=True,
        publishable_text="Margaret Hall now runs the group's tea rota.",
    )
    assert services.story_submit(actor=lena, story=story).status == "awaiting_approval"


def test_a_manager_approves_a_story_but_not_their_own(episode, morgan, other_manager, consent):
    story = waiting(morgan, episode, consent)
    with pytest.raises(ValidationError) as error:
        services.story_approve(actor=morgan, story=story)
    assert error.value.messages == ["Another manager must approve a story you wrote"]
    story = services.story_approve(actor=other_manager, story=story, note="Lovely")
    assert (story.status, story.decided_by, story.decision_note) == (
        "approved",
        other_manager,
        "Lovely",
    )


def test_only_a_manager_of_the_team_decides(episode, lena, omar, east_manager, consent):
    story = waiting(lena, episode, consent)
    for actor in (omar, east_manager):
        with pytest.raises(PermissionDenied):
            services.story_approve(actor=actor, story=story)
    story.refresh_from_db()
    assert story.status == "awaiting_approval"


def test_approval_checks_the_consent_again(episode, lena, morgan, consent):
    story = waiting(lena, episode, consent)
    consent_withdraw(actor=lena, consent=consent)
    with pytest.raises(ValidationError, match="active consents"):
        services.story_approve(actor=morgan, story=story)


def test_a_declined_story_is_changed_and_sent_again(episode, lena, morgan, consent):
    story = waiting(lena, episode, consent)
    with pytest.raises(ValidationError, match="Enter why you are declining"):
        services.story_decline(actor=morgan, story=story, note=" ")
    story = services.story_decline(actor=morgan, story=story, note="Say more about the group")
    assert story.status == "declined"
    story = write(
        lena,
        episode,
        story=story,
        consent_level="anonymised",
        consent=consent,
        publishable_text=CLEAN_TEXT + " She made friends there.",
    )
    assert (story.status, story.decision_note) == ("draft", "Say more about the group")
    story = services.story_submit(actor=lena, story=story)
    assert (story.status, story.decision_note) == ("awaiting_approval", "")


def test_a_story_waiting_or_approved_cannot_be_changed(episode, lena, consent):
    story = waiting(lena, episode, consent)
    with pytest.raises(ValidationError, match="cannot be changed"):
        write(lena, episode, story=story)


def test_the_person_may_withdraw_even_after_approval(episode, lena, morgan, consent):
    story = services.story_approve(actor=morgan, story=waiting(lena, episode, consent))
    story = services.story_withdraw(actor=lena, story=story)
    assert story.status == "withdrawn"
    with pytest.raises(ValidationError, match="already been withdrawn"):
        services.story_withdraw(actor=lena, story=story)


# --- pages --------------------------------------------------------------------------------------


def _episode_url(name, episode, story=None):
    kwargs = {"pk": episode.pk}
    if story is not None:
        kwargs["item_pk"] = story.pk
    return reverse(f"casework:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", ["stories", "story-add", "story-edit"])
def test_episode_story_pages_refuse_the_wrong_people(
    name, episode, lena, erin, analyst, client, staff_client
):
    """Anonymous: sign in. No casework role: 403. Another team: 404. The team: 200."""
    url = _episode_url(name, episode, write(lena, episode) if name == "story-edit" else None)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response.url
    assert staff_client(analyst).get(url).status_code == 403
    assert staff_client(erin).get(url).status_code == 404
    assert staff_client(lena).get(url).status_code == 200


def test_the_stories_page_shows_each_story_and_is_audited(
    episode, lena, consent, staff_client, django_assert_max_num_queries
):
    waiting(lena, episode, consent)
    anonymised(lena, episode, consent, text="Peggy joined.")
    write(lena, episode, title="Internal note")
    client = staff_client(lena)
    with django_assert_max_num_queries(30):
        response = client.get(_episode_url("stories", episode))
    page = response.content.decode()
    assert "Waiting for a manager" in page and "Internal note" in page
    assert "The text for publication still contains: the person&#x27;s preferred name" in page
    assert AuditEvent.objects.filter(
        action="view", person_id=episode.person_id, reason="Opened the episode: Stories"
    ).exists()


def test_without_a_story_consent_the_page_says_how_to_add_one(episode, lena, staff_client):
    page = staff_client(lena).get(_episode_url("story-add", episode)).content.decode()
    assert "has no active consent to use their story" in page
    assert reverse("people:consent-add", kwargs={"pk": episode.person.pk}) in page


def test_writing_a_story(episode, lena, consent, staff_client):
    response = staff_client(lena).post(
        _episode_url("story-add", episode),
        {
            "title": "Back in the garden",
            "body": "Margaret told us...",
            "consent_level": "anonymised",
            "consent": str(consent.pk),
            "publishable_text": CLEAN_TEXT,
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.title, story.consent, story.status) == ("Back in the garden", consent, "draft")


def test_bad_input_re_renders_and_saves_nothing(episode, lena, staff_client):
    response = staff_client(lena).post(
        _episode_url("story-add", episode),
        {"title": "Kept title", "body": "", "consent_level": "anonymised"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Error: " in page and "Enter the story" in page and "Kept title" in page
    assert not Story.objects.exists()


def test_a_suggested_redaction_fills_the_text_and_saves_nothing(
    episode, lena, consent, staff_client
):
    response = staff_client(lena).post(
        _episode_url("story-add", episode),
        {
            "title": "A walk",
            "body": "Margaret Hall of YO24 4AB walks with Sarah Moss.",
            "consent_level": "anonymised",
            "consent": str(consent.pk),
            "publishable_text": "",
            "suggest": "Suggest a redacted version",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "[name] of [postcode] walks with [name]." in page
    assert "We replaced the person&#x27;s first name" in page
    assert not Story.objects.exists()


def test_changing_a_story_that_is_waiting_is_refused(episode, lena, consent, staff_client):
    story = waiting(lena, episode, consent)
    response = staff_client(lena).get(_episode_url("story-edit", episode, story))
    assert response.status_code == 302


def test_sending_a_story_from_the_page(episode, lena, consent, staff_client):
    client = staff_client(lena)
    bad = anonymised(lena, episode, consent, text="Peggy Hall joined.")
    response = client.post(_episode_url("story-submit", episode, bad))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Error: Stories" in page
    assert "The text for publication still contains: the person&#x27;s family name" in page
    bad.refresh_from_db()
    assert bad.status == "draft"

    good = anonymised(lena, episode, consent)
    assert client.get(_episode_url("story-submit", episode, good)).status_code == 405
    response = client.post(_episode_url("story-submit", episode, good))
    assert response.status_code == 302
    good.refresh_from_db()
    assert good.status == "awaiting_approval"


def test_sending_and_withdrawing_need_the_team(episode, lena, erin, analyst, staff_client, client):
    story = write(lena, episode)
    for name in ("story-submit", "story-withdraw"):
        url = _episode_url(name, episode, story)
        client.logout()  # staff_client signs this same client in
        assert reverse("accounts:sign-in") in client.post(url).url
        assert staff_client(analyst).post(url).status_code == 403
        assert staff_client(erin).post(url).status_code == 404
    story.refresh_from_db()
    assert story.status == "draft"


def test_withdrawing_a_story_from_the_page(episode, lena, staff_client):
    story = write(lena, episode)
    response = staff_client(lena).post(_episode_url("story-withdraw", episode, story))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == "withdrawn"


def test_the_approval_queue(
    episode,
    lena,
    morgan,
    east_manager,
    analyst,
    consent,
    client,
    staff_client,
    django_assert_max_num_queries,
):
    """Managers see the stories waiting in the teams they lead; nobody else sees them."""
    for _ in range(3):
        waiting(lena, episode, consent)
    write(lena, episode)  # a draft is not waiting
    url = reverse("casework:stories-queue")
    assert reverse("accounts:sign-in") in client.get(url).url
    assert staff_client(lena).get(url).status_code == 403
    assert staff_client(analyst).get(url).status_code == 403
    assert "No stories are waiting" in staff_client(east_manager).get(url).content.decode()
    manager_client = staff_client(morgan)
    with django_assert_max_num_queries(15):
        response = manager_client.get(url)
    assert response.status_code == 200
    assert "3 stories waiting" in response.content.decode()


def test_reviewing_a_story_refuses_the_wrong_people(
    episode, lena, morgan, east_manager, consent, client, staff_client
):
    story = waiting(lena, episode, consent)
    url = reverse("casework:story-review", kwargs={"pk": story.pk})
    assert reverse("accounts:sign-in") in client.get(url).url
    assert staff_client(lena).get(url).status_code == 403
    assert staff_client(east_manager).get(url).status_code == 404
    response = staff_client(morgan).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert CLEAN_TEXT in page and "had not left the house" in page
    assert AuditEvent.objects.filter(
        actor=morgan, action="view", reason="Opened the story for approval"
    ).exists()


def test_approving_and_declining_from_the_review_page(
    episode, lena, morgan, other_manager, consent, staff_client
):
    mine = waiting(morgan, episode, consent)
    url = reverse("casework:story-review", kwargs={"pk": mine.pk})
    client = staff_client(morgan)
    assert "You wrote this story" in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "Another manager must approve a story you wrote" in response.content.decode()
    response = client.post(url, {"decision": "decline", "note": ""})
    assert "Enter why you are declining the story" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "awaiting_approval"

    response = staff_client(other_manager).post(url, {"decision": "approve"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.decided_by) == ("approved", other_manager)

    theirs = waiting(lena, episode, consent)
    response = staff_client(other_manager).post(
        reverse("casework:story-review", kwargs={"pk": theirs.pk}),
        {"decision": "decline", "note": "Needs her words"},
    )
    theirs.refresh_from_db()
    assert (theirs.status, theirs.decision_note) == ("declined", "Needs her words")


def test_the_published_stories_show_only_what_may_be_shared(
    episode,
    lena,
    morgan,
    erin,
    analyst,
    consent,
    client,
    staff_client,
    django_assert_max_num_queries,
):
    """Approved anonymised and named stories of the user's teams: title and the text for
    publication only. A withdrawn story or consent takes a story off the list."""
    approved = services.story_approve(actor=morgan, story=waiting(lena, episode, consent))
    withdrawn = services.story_approve(actor=morgan, story=waiting(lena, episode, consent))
    services.story_withdraw(actor=lena, story=withdrawn)
    internal = services.story_submit(actor=lena, story=write(lena, episode, title="Inside"))
    services.story_approve(actor=morgan, story=internal)
    url = reverse("casework:stories-published")
    assert reverse("accounts:sign-in") in client.get(url).url
    assert staff_client(analyst).get(url).status_code == 403
    assert "No approved stories yet" in staff_client(erin).get(url).content.decode()

    team_client = staff_client(lena)
    with django_assert_max_num_queries(12):
        response = team_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 story" in page and approved.title in page and CLEAN_TEXT in page
    assert "had not left the house" not in page and "Margaret" not in page
    assert "Inside" not in page

    consent_withdraw(actor=lena, consent=consent)
    assert "No approved stories yet" in team_client.get(url).content.decode()


def test_a_team_manager_role_alone_does_not_open_another_teams_stories(
    episode, lena, consent, staff_client
):
    outsider = make_staff(roles.TEAM_MANAGER, full_name="No Team")
    story = waiting(lena, episode, consent)
    url = reverse("casework:story-review", kwargs={"pk": story.pk})
    assert staff_client(outsider).get(url).status_code == 404
