"""The good-life conversation and the shared agreement: the services that write them and
the pages that show and change them (who may open each, items of another episode, bad
input, closed episodes and the agreement's Level 2 rule)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.accounts.tests.factories import OrganisationFactory
from alongside.casework.models import Action, Agreement, Conversation, Goal, Relationship
from alongside.casework.services import plan as services
from alongside.core.models import AuditEvent
from alongside.people.models import Consent
from alongside.people.tests.factories import ConsentFactory, make_staff

from .factories import active_episode, closed_episode, coordinator, sp_team

TODAY = timezone.localdate


@pytest.fixture
def level2(york, west, lena):
    """An active Level 2 episode that Lena works on."""
    return active_episode(actor=lena, ward=york["Acomb"], level=2)


@pytest.fixture
def level1(york, west, lena):
    return active_episode(actor=lena, ward=york["Westfield"])


@pytest.fixture
def closed(york, west, lena):
    return closed_episode(actor=lena, ward=york["Acomb"])


@pytest.fixture
def goal(level2, lena):
    return services.goal_add(
        actor=lena, episode=level2, in_own_words="I want to get out of the house more"
    )


@pytest.fixture
def action(goal, level2, lena):
    return services.action_add(
        actor=lena, episode=level2, goal=goal, what="Try the walking group", who="person"
    )


@pytest.fixture
def other_goal(york, west, omar):
    """A goal on someone else's episode in the same team."""
    episode = active_episode(actor=omar, ward=york["Westfield"], level=2)
    return services.goal_add(actor=omar, episode=episode, in_own_words="Someone else's goal")


def events(episode, action=None):
    found = AuditEvent.objects.filter(person_id=episode.person_id).exclude(action="view")
    return found.filter(action=action) if action else found


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


# --- services: the conversation -----------------------------------------------------------


def test_saving_the_conversation_creates_it_then_changes_it_with_audit(level2, lena):
    conversation = services.conversation_save(
        actor=lena,
        episode=level2,
        what_matters="  My dog, Biscuit, and my garden.  ",
        held_on=TODAY() - dt.timedelta(days=1),
    )
    assert Conversation.objects.get(episode=level2) == conversation
    assert conversation.what_matters == "My dog, Biscuit, and my garden."
    created = events(level2, "create").get(object_id=str(conversation.pk))
    assert created.changes["what_matters"] == [None, "My dog, Biscuit, and my garden."]

    services.conversation_save(
        actor=lena,
        episode=level2,
        what_matters="My dog, Biscuit, and my garden.",
        worries="Money",
        held_on=conversation.held_on,
    )
    changed = events(level2, "change").get(object_id=str(conversation.pk))
    assert changed.changes == {"worries": ["", "Money"]}
    assert Conversation.objects.filter(episode=level2).count() == 1


def test_saving_the_conversation_unchanged_writes_no_event(level2, lena):
    services.conversation_save(actor=lena, episode=level2, vision="A job I enjoy")
    before = events(level2).count()
    services.conversation_save(actor=lena, episode=level2, vision="A job I enjoy")
    assert events(level2).count() == before


def test_a_conversation_cannot_be_dated_in_the_future(level2, lena):
    with pytest.raises(ValidationError) as error:
        services.conversation_save(
            actor=lena, episode=level2, vision="x", held_on=TODAY() + dt.timedelta(days=1)
        )
    assert error.value.message_dict == {
        "held_on": ["The date of the conversation must be today or in the past"]
    }
    assert not Conversation.objects.filter(episode=level2).exists()


def test_people_around_the_person_are_added_and_removed_with_audit(level2, lena):
    sister = services.relationship_add(
        actor=lena, episode=level2, kind="family", name=" Jo ", about="Sister"
    )
    assert (sister.name, sister.kind) == ("Jo", "family")
    sister_id = str(sister.pk)
    services.relationship_remove(actor=lena, episode=level2, relationship=sister)
    assert not Relationship.objects.filter(episode=level2).exists()
    removed = events(level2, "change").get(object_id=sister_id)
    assert removed.changes["name"] == ["Jo", None]
    assert removed.reason == "Removed from the people around them"


def test_someone_needs_a_kind_and_a_name(level2, lena):
    with pytest.raises(ValidationError) as error:
        services.relationship_add(actor=lena, episode=level2, kind="cousin", name=" ")
    assert error.value.message_dict == {
        "kind": ["Choose who they are to the person"],
        "name": ["Enter their name"],
    }


def test_someone_from_another_episode_cannot_be_removed_through_this_one(level2, level1, lena):
    theirs = services.relationship_add(actor=lena, episode=level1, kind="friend", name="Sam")
    with pytest.raises(PermissionDenied):
        services.relationship_remove(actor=lena, episode=level2, relationship=theirs)
    assert Relationship.objects.filter(pk=theirs.pk).exists()


# --- services: the agreement ------------------------------------------------------------------


def test_saving_the_agreement_creates_it_once(level2, lena):
    agreed = TODAY() - dt.timedelta(days=3)
    agreement = services.agreement_save(
        actor=lena, episode=level2, agreed_on=agreed, review_on=agreed + dt.timedelta(days=90)
    )
    assert agreement.created_by == lena
    again = services.agreement_save(actor=lena, episode=level2, agreed_on=agreed, notes="Slowly")
    assert again.pk == agreement.pk
    assert again.review_on is None
    assert Agreement.objects.filter(episode=level2).count() == 1
    changed = events(level2, "change").get(object_id=str(agreement.pk))
    assert set(changed.changes) == {"review_on", "notes"}


def test_the_review_date_cannot_be_before_the_date_agreed(level2, lena):
    with pytest.raises(ValidationError) as error:
        services.agreement_save(
            actor=lena,
            episode=level2,
            agreed_on=TODAY(),
            review_on=TODAY() - dt.timedelta(days=1),
        )
    assert error.value.message_dict == {
        "review_on": ["The review date must be on or after the date agreed"]
    }
    assert not Agreement.objects.filter(episode=level2).exists()


def test_the_agreement_cannot_be_agreed_in_the_future(level2, lena):
    with pytest.raises(ValidationError, match="The date agreed must be today or in the past"):
        services.agreement_save(
            actor=lena, episode=level2, agreed_on=TODAY() + dt.timedelta(days=1)
        )


def test_the_agreement_goals_and_actions_are_for_level_2(level1, lena):
    for write in (
        lambda: services.agreement_save(actor=lena, episode=level1),
        lambda: services.goal_add(actor=lena, episode=level1, in_own_words="A goal"),
    ):
        with pytest.raises(ValidationError) as error:
            write()
        assert error.value.message_dict == {"level": [services.AGREEMENT_NEEDS_LEVEL_2]}
    assert not Agreement.objects.filter(episode=level1).exists()


def test_a_programme_without_levels_makes_agreements_at_any_time(db):
    team = sp_team()
    worker = make_staff(roles.LINK_WORKER, team=team, full_name="Lin Linkworker")
    episode = active_episode(actor=worker, programme="social_prescribing")
    assert episode.level == 1
    goal = services.goal_add(actor=worker, episode=episode, in_own_words="Sleep better")
    assert goal.agreement.episode == episode


def test_a_goal_needs_the_persons_words_and_creates_the_agreement(level2, lena):
    with pytest.raises(ValidationError) as error:
        services.goal_add(actor=lena, episode=level2, in_own_words="   ")
    assert error.value.message_dict == {
        "in_own_words": ["Enter the goal in the person's own words"]
    }
    assert not Agreement.objects.filter(episode=level2).exists()

    first = services.goal_add(actor=lena, episode=level2, in_own_words="Cook for friends")
    second = services.goal_add(actor=lena, episode=level2, in_own_words="Find work")
    assert first.agreement.episode == level2
    assert (first.order, second.order) == (0, 1)
    assert events(level2, "create").filter(object_id=str(first.agreement.pk)).exists()


def test_a_goal_is_updated_and_the_change_audited(goal, level2, lena):
    services.goal_update(
        actor=lena, episode=level2, goal=goal, in_own_words=goal.in_own_words, status="achieved"
    )
    goal.refresh_from_db()
    assert goal.status == "achieved"
    event = events(level2, "change").get(object_id=str(goal.pk))
    assert event.changes == {"status": ["working", "achieved"]}


def test_a_goal_of_another_episode_is_refused(level2, other_goal, lena):
    with pytest.raises(PermissionDenied):
        services.goal_update(
            actor=lena, episode=level2, goal=other_goal, in_own_words="Mine now", status="working"
        )
    with pytest.raises(PermissionDenied):
        services.action_add(actor=lena, episode=level2, goal=other_goal, what="x", who="person")
    other_goal.refresh_from_db()
    assert other_goal.in_own_words == "Someone else's goal"
    assert not other_goal.actions.exists()


def test_an_action_is_due_within_two_years(goal, level2, lena):
    too_late = TODAY() + dt.timedelta(days=2 * 366 + 1)
    with pytest.raises(ValidationError) as error:
        services.action_add(
            actor=lena, episode=level2, goal=goal, what="Walk", who="person", due_on=too_late
        )
    assert error.value.message_dict == {
        "due_on": ["The date to do it by must be within 2 years from today"]
    }
    latest = services._years_ahead(TODAY(), 2)
    action = services.action_add(
        actor=lena, episode=level2, goal=goal, what="Walk", who="person", due_on=latest
    )
    assert action.due_on == latest


def test_an_action_by_a_group_or_someone_else_names_them(goal, level2, lena):
    with pytest.raises(ValidationError) as error:
        services.action_add(actor=lena, episode=level2, goal=goal, what="", who="group")
    assert error.value.message_dict == {
        "what": ["Enter what will happen"],
        "who_name": ["Enter the name of the group"],
    }
    action = services.action_add(
        actor=lena,
        episode=level2,
        goal=goal,
        what="Invite to lunch",
        who="group",
        who_name="Acomb Lunch Club",
    )
    assert action.who_name == "Acomb Lunch Club"


def test_an_action_records_progress(action, level2, lena):
    services.action_update(
        actor=lena,
        episode=level2,
        action=action,
        what=action.what,
        who=action.who,
        progress="done",
        progress_note="Goes every Tuesday",
    )
    action.refresh_from_db()
    assert (action.progress, action.progress_note) == ("done", "Goes every Tuesday")
    event = events(level2, "change").get(object_id=str(action.pk))
    assert event.changes["progress"] == ["not_started", "done"]


def test_nothing_changes_on_a_closed_episode(closed, lena):
    writes = [
        lambda: services.conversation_save(actor=lena, episode=closed, vision="x"),
        lambda: services.relationship_add(actor=lena, episode=closed, kind="friend", name="Al"),
        lambda: services.agreement_save(actor=lena, episode=closed),
        lambda: services.goal_add(actor=lena, episode=closed, in_own_words="x"),
    ]
    for write in writes:
        with pytest.raises(ValidationError) as error:
            write()
        assert error.value.message_dict == {"episode": ["This episode is closed"]}
    assert not Conversation.objects.filter(episode=closed).exists()
    assert not Relationship.objects.filter(episode=closed).exists()


def test_goals_and_actions_already_agreed_cannot_change_once_closed(goal, action, level2, lena):
    # Closed behind the episode object's back: the services read the episode afresh.
    type(level2).objects.filter(pk=level2.pk).update(
        status="closed", closed_on=TODAY(), close_reason="goals_met"
    )
    with pytest.raises(ValidationError, match="This episode is closed"):
        services.goal_update(
            actor=lena, episode=level2, goal=goal, in_own_words="x", status="achieved"
        )
    with pytest.raises(ValidationError, match="This episode is closed"):
        services.action_update(
            actor=lena, episode=level2, action=action, what="x", who="person", progress="done"
        )


def test_only_the_team_may_write(level2, goal, erin, analyst):
    for actor in (erin, analyst):
        with pytest.raises(PermissionDenied):
            services.conversation_save(actor=actor, episode=level2, vision="x")
        with pytest.raises(PermissionDenied):
            services.goal_update(
                actor=actor, episode=level2, goal=goal, in_own_words="x", status="achieved"
            )
    assert not Conversation.objects.filter(episode=level2).exists()


def test_the_teams_manager_may_write(level2, morgan):
    services.conversation_save(actor=morgan, episode=level2, what_matters="Family")
    assert Conversation.objects.get(episode=level2).what_matters == "Family"


# --- pages: who may open them -----------------------------------------------------------------

# (url name, what it needs beyond the episode)
PAGES = [
    ("casework:conversation", None),
    ("casework:conversation-edit", None),
    ("casework:relationship-add", None),
    ("casework:relationship-remove", "relationship"),
    ("casework:agreement", None),
    ("casework:agreement-edit", None),
    ("casework:goal-add", None),
    ("casework:goal-edit", "goal"),
    ("casework:action-add", "goal"),
    ("casework:action-edit", "action"),
]
PAGE_IDS = [name for name, _ in PAGES]


def url_for(name, episode, needs=None, *, lena=None, goal=None, action=None, item=None):
    kwargs = {"pk": episode.pk}
    if needs == "relationship":
        item = item or services.relationship_add(
            actor=lena, episode=episode, kind="friend", name="Sam"
        )
        kwargs["item_pk"] = item.pk
    elif needs == "goal":
        kwargs["item_pk"] = (item or goal).pk
    elif needs == "action":
        kwargs["item_pk"] = (item or action).pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "needs"), PAGES, ids=PAGE_IDS)
def test_anonymous_people_are_sent_to_sign_in(client, name, needs, level2, lena, goal, action):
    url = url_for(name, level2, needs, lena=lena, goal=goal, action=action)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(("name", "needs"), PAGES, ids=PAGE_IDS)
def test_an_analyst_is_refused(staff_client, analyst, name, needs, level2, lena, goal, action):
    url = url_for(name, level2, needs, lena=lena, goal=goal, action=action)
    assert staff_client(analyst).get(url).status_code == 403


@pytest.mark.parametrize(("name", "needs"), PAGES, ids=PAGE_IDS)
def test_another_team_gets_not_found(staff_client, erin, name, needs, level2, lena, goal, action):
    url = url_for(name, level2, needs, lena=lena, goal=goal, action=action)
    assert staff_client(erin).get(url).status_code == 404
    assert staff_client(erin).post(url, {}).status_code == 404


@pytest.mark.parametrize(("name", "needs"), PAGES, ids=PAGE_IDS)
def test_the_coordinator_opens_every_page(staff_client, lena, name, needs, level2, goal, action):
    url = url_for(name, level2, needs, lena=lena, goal=goal, action=action)
    response = staff_client(lena).get(url)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", person_id=level2.person_id, actor=lena).exists()


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("casework:relationship-remove", "relationship"),
        *[p for p in PAGES if p[1] in ("goal", "action")],
    ],
    ids=["relationship-remove", "goal-edit", "action-add", "action-edit"],
)
def test_an_item_of_another_episode_is_not_found(
    staff_client, lena, omar, name, needs, level2, other_goal
):
    other = other_goal.agreement.episode
    if needs == "relationship":
        item = services.relationship_add(actor=omar, episode=other, kind="friend", name="Al")
    elif needs == "goal":
        item = other_goal
    else:
        item = services.action_add(
            actor=omar, episode=other, goal=other_goal, what="x", who="person"
        )
    url = url_for(name, level2, needs, item=item)
    assert staff_client(lena).get(url).status_code == 404
    assert staff_client(lena).post(url, {"what": "x", "who": "person"}).status_code == 404


@pytest.fixture
def partner_reader(level2, east):
    """A coordinator in another organisation who sees the person under a consent to share."""
    elsewhere = OrganisationFactory(name="York CVS")
    east.organisation = elsewhere
    east.save()
    reader = coordinator(east, full_name="Ria Reader", organisation=elsewhere)
    ConsentFactory(
        person=level2.person, purpose=Consent.Purpose.SHARE_PARTNERS, shared_with=[elsewhere]
    )
    return reader


def test_staff_who_see_under_consent_read_but_cannot_change(
    staff_client, partner_reader, level2, goal, lena
):
    client = staff_client(partner_reader)
    for name in ("casework:conversation", "casework:agreement"):
        page = client.get(reverse(name, kwargs={"pk": level2.pk}))
        assert page.status_code == 200
        assert "Only LAC West can change it" in text(page)
        assert "/edit/" not in text(page)
    edit = reverse("casework:conversation-edit", kwargs={"pk": level2.pk})
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"vision": "x"}).status_code == 403
    assert not Conversation.objects.filter(episode=level2).exists()


# --- pages: the conversation --------------------------------------------------------------


def test_the_conversation_page_shows_their_words_and_the_people_around_them(
    staff_client, lena, level2, django_assert_max_num_queries
):
    services.conversation_save(actor=lena, episode=level2, what_matters="My allotment")
    for kind, name in [("family", "Jo"), ("friend", "Sam"), ("group", "Knit and Natter")]:
        services.relationship_add(actor=lena, episode=level2, kind=kind, name=name)
    client = staff_client(lena)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("casework:conversation", kwargs={"pk": level2.pk}))
    page = text(response)
    assert "My allotment" in page
    for heading in ("Family", "Friend", "Group or community"):
        assert f'<h3 class="govuk-summary-card__title">{heading}</h3>' in page
    assert page.index("Jo") < page.index("Sam") < page.index("Knit and Natter")
    assert reverse("casework:conversation-edit", kwargs={"pk": level2.pk}) in page
    assert reverse("casework:relationship-add", kwargs={"pk": level2.pk}) in page


def test_writing_down_the_conversation(staff_client, lena, level2):
    url = reverse("casework:conversation-edit", kwargs={"pk": level2.pk})
    response = staff_client(lena).post(
        url,
        {
            "what_matters": "Seeing my grandchildren",
            "worries": "Stairs",
            **date_fields("held_on", TODAY()),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:conversation", kwargs={"pk": level2.pk})
    conversation = Conversation.objects.get(episode=level2)
    assert conversation.what_matters == "Seeing my grandchildren"
    assert conversation.held_on == TODAY()
    again = text(staff_client(lena).get(url))
    assert "Seeing my grandchildren</textarea>" in again
    assert f'name="held_on_2" value="{TODAY().year}"' in again


def test_a_bad_date_keeps_what_was_typed_and_saves_nothing(staff_client, lena, level2):
    url = reverse("casework:conversation-edit", kwargs={"pk": level2.pk})
    tomorrow = TODAY() + dt.timedelta(days=1)
    response = staff_client(lena).post(
        url, {"what_matters": "Seeing my grandchildren", **date_fields("held_on", tomorrow)}
    )
    assert response.status_code == 200
    page = text(response)
    assert "<title>Error: " in page
    assert "The date of the conversation must be today or in the past" in page
    assert "Seeing my grandchildren" in page
    assert not Conversation.objects.filter(episode=level2).exists()


def test_adding_and_removing_someone(staff_client, lena, level2):
    client = staff_client(lena)
    add = reverse("casework:relationship-add", kwargs={"pk": level2.pk})
    missing = client.post(add, {"kind": "", "name": "", "about": "Next door"})
    assert missing.status_code == 200
    assert "Choose who they are to the person" in text(missing)
    assert "Enter their name" in text(missing)
    assert "Next door" in text(missing)
    assert client.post(add, {"kind": "neighbour", "name": "Pat"}).status_code == 302
    pat = Relationship.objects.get(episode=level2)

    remove = reverse("casework:relationship-remove", kwargs={"pk": level2.pk, "item_pk": pat.pk})
    confirm = client.get(remove)
    assert "Are you sure you want to remove Pat" in text(confirm)
    assert Relationship.objects.filter(pk=pat.pk).exists()
    response = client.post(remove)
    assert response.status_code == 302
    assert not Relationship.objects.filter(pk=pat.pk).exists()


def test_a_closed_episode_shows_no_change_links_and_its_forms_send_you_back(
    staff_client, lena, closed
):
    client = staff_client(lena)
    page = text(client.get(reverse("casework:conversation", kwargs={"pk": closed.pk})))
    assert "/edit/" not in page and "people/add/" not in page
    edit = reverse("casework:conversation-edit", kwargs={"pk": closed.pk})
    response = client.post(edit, {"vision": "x"}, follow=True)
    assert response.redirect_chain[0][0] == reverse(
        "casework:conversation", kwargs={"pk": closed.pk}
    )
    assert "This episode is closed" in text(response)
    assert not Conversation.objects.filter(episode=closed).exists()


# --- pages: the agreement -----------------------------------------------------------------


def test_the_agreement_page_lists_goals_and_actions_in_bounded_queries(
    staff_client, lena, level2, django_assert_max_num_queries
):
    """The page makes the same number of queries for one goal as for six with actions."""
    services.agreement_save(actor=lena, episode=level2, agreed_on=TODAY())
    goal = services.goal_add(actor=lena, episode=level2, in_own_words="Goal 0 words")
    services.action_add(actor=lena, episode=level2, goal=goal, what="Step 0", who="person")
    client = staff_client(lena)
    url = reverse("casework:agreement", kwargs={"pk": level2.pk})
    client.get(url)  # settle the session and permission caches
    with CaptureQueriesContext(connection) as one_goal:
        client.get(url)
    for n in range(1, 6):
        goal = services.goal_add(actor=lena, episode=level2, in_own_words=f"Goal {n} words")
        for step in range(3):
            services.action_add(
                actor=lena, episode=level2, goal=goal, what=f"Step {n}.{step}", who="worker"
            )
    with django_assert_max_num_queries(len(one_goal.captured_queries)):
        response = client.get(url)
    with django_assert_max_num_queries(20):
        client.get(url)
    page = text(response)
    assert "Goal 5 words" in page and "Step 5.2" in page
    assert '<strong class="govuk-tag govuk-tag--blue">Working on it</strong>' in page
    assert "Download the agreement (PDF)" in page
    assert reverse("casework:goal-add", kwargs={"pk": level2.pk}) in page


def test_at_level_1_the_agreement_says_it_is_for_level_2(staff_client, lena, level1):
    client = staff_client(lena)
    page = text(client.get(reverse("casework:agreement", kwargs={"pk": level1.pk})))
    assert "A shared agreement is for Level 2 support" in page
    assert reverse("casework:level", kwargs={"pk": level1.pk}) in page
    assert reverse("casework:goal-add", kwargs={"pk": level1.pk}) not in page
    response = client.get(reverse("casework:goal-add", kwargs={"pk": level1.pk}), follow=True)
    assert response.redirect_chain[0][0] == reverse("casework:agreement", kwargs={"pk": level1.pk})
    assert "Move the support to Level 2 first" in text(response)


def test_saving_the_agreement_dates(staff_client, lena, level2):
    client = staff_client(lena)
    url = reverse("casework:agreement-edit", kwargs={"pk": level2.pk})
    agreed = TODAY() - dt.timedelta(days=2)
    bad = client.post(
        url,
        {
            **date_fields("agreed_on", agreed),
            **date_fields("review_on", agreed - dt.timedelta(days=1)),
            "notes": "Prefers mornings",
        },
    )
    assert bad.status_code == 200
    assert "The review date must be on or after the date agreed" in text(bad)
    assert "Prefers mornings" in text(bad)
    assert not Agreement.objects.filter(episode=level2).exists()
    good = client.post(
        url,
        {**date_fields("agreed_on", agreed), **date_fields("review_on", agreed)},
    )
    assert good.status_code == 302
    assert Agreement.objects.get(episode=level2).agreed_on == agreed


def test_adding_a_goal_needs_words(staff_client, lena, level2):
    client = staff_client(lena)
    url = reverse("casework:goal-add", kwargs={"pk": level2.pk})
    empty = client.post(url, {"in_own_words": "  "})
    assert empty.status_code == 200
    assert "Enter the goal in the person&#x27;s own words" in text(empty)
    assert not Goal.objects.filter(agreement__episode=level2).exists()
    assert client.post(url, {"in_own_words": "Learn to swim"}).status_code == 302
    assert Goal.objects.get(agreement__episode=level2).in_own_words == "Learn to swim"


def test_changing_a_goal(staff_client, lena, level2, goal):
    url = reverse("casework:goal-edit", kwargs={"pk": level2.pk, "item_pk": goal.pk})
    response = staff_client(lena).post(url, {"in_own_words": "Go out weekly", "status": "partly"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.in_own_words, goal.status) == ("Go out weekly", "partly")


def test_adding_an_action_too_far_ahead_keeps_what_was_typed(staff_client, lena, level2, goal):
    url = reverse("casework:action-add", kwargs={"pk": level2.pk, "item_pk": goal.pk})
    data = {
        "what": "Join the choir",
        "who": "person",
        "progress": "not_started",
        **date_fields("due_on", TODAY() + dt.timedelta(days=3 * 365)),
    }
    response = staff_client(lena).post(url, data)
    assert response.status_code == 200
    assert "The date to do it by must be within 2 years from today" in text(response)
    assert 'value="Join the choir"' in text(response)
    assert not Action.objects.filter(goal=goal).exists()
    data.update(date_fields("due_on", TODAY() + dt.timedelta(days=30)))
    assert staff_client(lena).post(url, data).status_code == 302
    assert Action.objects.get(goal=goal).what == "Join the choir"


def test_changing_an_action(staff_client, lena, level2, action):
    url = reverse("casework:action-edit", kwargs={"pk": level2.pk, "item_pk": action.pk})
    client = staff_client(lena)
    assert 'value="Try the walking group"' in text(client.get(url))
    response = client.post(
        url, {"what": "Walking group", "who": "person", "progress": "in_progress"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.what, action.progress) == ("Walking group", "in_progress")
