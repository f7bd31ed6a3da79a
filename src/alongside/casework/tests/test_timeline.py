"""The timeline of contacts: the services, sensitive notes, safeguarding concerns and the
pages that show them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.casework.models import Contact, Episode
from alongside.casework.services.timeline import contact_add, contact_update, escalation_done
from alongside.core.models import AuditEvent

from .factories import active_episode, closed_episode, introduce

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SECRET = "Told me about the debt her son owes"


@pytest.fixture
def episode(york, west, lena):
    """Lena walks alongside someone in Acomb (support began a week ago)."""
    return active_episode(actor=lena, ward=york["Acomb"])


def add(actor, episode, **values):
    """A contact with sensible defaults."""
    fields = {
        "kind": "visit",
        "happened_on": TODAY(),
        "minutes": 60,
        "summary": "Visited at home; talked about the walking group.",
    }
    fields.update(values)
    return contact_add(actor=actor, episode=episode, **fields)


def concern(actor, episode, **values):
    return add(
        actor,
        episode,
        safeguarding_concern=True,
        escalation="adult_safeguarding",
        escalated_to="Adult safeguarding team, ref 123",
        **values,
    )


def form_data(**values):
    today = TODAY()
    data = {
        "kind": "call",
        "happened_on_0": str(today.day),
        "happened_on_1": str(today.month),
        "happened_on_2": str(today.year),
        "minutes": "20",
        "summary": "Rang to check the bus times.",
    }
    data.update(values)
    return data


# --- services -----------------------------------------------------------------------------------


def test_a_contact_is_recorded_with_its_author_and_audited_without_its_text(episode, omar):
    contact = add(omar, episode, summary=SECRET, is_sensitive=True)
    assert (contact.worker, contact.kind, contact.minutes, contact.is_sensitive) == (
        omar,
        "visit",
        60,
        True,
    )
    event = AuditEvent.objects.get(object_type="casework.contact", action="create")
    assert event.person_id == episode.person_id
    assert event.changes["minutes"] == [None, 60]
    assert SECRET not in str(event.changes) + event.object_label + event.reason


def test_a_visit_sets_the_first_contact_date_but_never_the_status(york, lena):
    episode = introduce(actor=lena, ward=york["Acomb"])
    assert (episode.status, episode.first_contact_on) == ("new", None)
    add(lena, episode, kind="message", happened_on=TODAY() - dt.timedelta(days=5))
    episode.refresh_from_db()
    assert episode.first_contact_on is None
    add(lena, episode, kind="call", happened_on=TODAY() - dt.timedelta(days=3))
    episode.refresh_from_db()
    assert (episode.status, episode.first_contact_on) == ("new", TODAY() - dt.timedelta(days=3))
    add(lena, episode, kind="visit", happened_on=TODAY())
    episode.refresh_from_db()
    assert episode.first_contact_on == TODAY() - dt.timedelta(days=3)
    # A walk recorded afterwards that happened earlier moves the date back.
    add(lena, episode, kind="walking_alongside", happened_on=TODAY() - dt.timedelta(days=4))
    episode.refresh_from_db()
    assert episode.first_contact_on == TODAY() - dt.timedelta(days=4)
    event = AuditEvent.objects.filter(object_type="casework.contact").order_by("at").last()
    assert event.changes["first_contact_on"] == [
        (TODAY() - dt.timedelta(days=3)).isoformat(),
        (TODAY() - dt.timedelta(days=4)).isoformat(),
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "seance"}, "kind", "Choose the kind of contact"),
        (
            {"happened_on": dt.date.today() + dt.timedelta(days=2)},
            "happened_on",
            "The date of the contact must be today or in the past",
        ),
        ({"happened_on": dt.date(2000, 1, 1)}, "happened_on", "when support began"),
        ({"minutes": 0}, "minutes", "Time spent must be between 1 and 1440 minutes"),
        ({"minutes": 1441}, "minutes", "Time spent must be between 1 and 1440 minutes"),
        ({"minutes": "ten"}, "minutes", "Enter the time spent in minutes"),
        ({"summary": "  "}, "summary", "Enter a summary of the contact"),
        (
            {"safeguarding_concern": True},
            "escalation",
            "Choose the escalation this concern needs",
        ),
        (
            {"safeguarding_concern": True, "escalation": "none"},
            "escalation",
            "Choose the escalation this concern needs",
        ),
    ],
)
def test_bad_contacts_are_refused_and_nothing_is_saved(episode, lena, values, field, message):
    with pytest.raises(ValidationError) as error:
        add(lena, episode, **values)
    assert message in " ".join(error.value.message_dict[field])
    assert not Contact.objects.exists()


def test_without_a_concern_an_escalation_is_not_kept(episode, lena):
    contact = add(lena, episode, escalation="manager", escalated_to="Morgan")
    assert (contact.safeguarding_concern, contact.escalation, contact.escalated_to) == (
        False,
        "",
        "",
    )


def test_other_teams_cannot_add_and_closed_support_takes_no_contacts(york, episode, lena, erin):
    with pytest.raises(PermissionDenied):
        add(erin, episode)
    closed = closed_episode(actor=lena, ward=york["Westfield"])
    with pytest.raises(ValidationError, match="support has closed"):
        add(lena, closed)
    assert not Contact.objects.exists()


def test_the_author_may_correct_a_contact_on_the_day_only(episode, lena, omar):
    contact = add(omar, episode, minutes=30)
    corrected = contact_update(
        actor=omar,
        contact=contact,
        kind="meeting",
        happened_on=TODAY(),
        minutes=45,
        summary="Met at the library.",
    )
    assert (corrected.kind, corrected.minutes, corrected.summary) == (
        "meeting",
        45,
        "Met at the library.",
    )
    event = AuditEvent.objects.get(object_type="casework.contact", action="change")
    assert event.changes["minutes"] == [30, 45]
    assert "Met at the library" not in str(event.changes)
    with pytest.raises(PermissionDenied):
        contact_update(
            actor=lena, contact=contact, kind="visit", happened_on=TODAY(), minutes=5, summary="x"
        )
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    contact.refresh_from_db()
    with pytest.raises(PermissionDenied):
        contact_update(
            actor=omar, contact=contact, kind="visit", happened_on=TODAY(), minutes=5, summary="x"
        )


def test_a_correction_cannot_take_a_concern_off(episode, lena):
    contact = concern(lena, episode)
    with pytest.raises(ValidationError, match="cannot be taken off"):
        contact_update(
            actor=lena,
            contact=contact,
            kind="visit",
            happened_on=TODAY(),
            minutes=60,
            summary="Nothing to worry about",
            safeguarding_concern=False,
        )
    contact.refresh_from_db()
    assert contact.safeguarding_concern and contact.summary != "Nothing to worry about"


def test_the_author_or_a_team_lead_marks_an_escalation_done(episode, lena, omar, morgan, erin):
    raised = concern(lena, episode)
    for someone in (omar, erin):
        with pytest.raises(PermissionDenied):
            escalation_done(actor=someone, contact=raised)
    done = escalation_done(actor=lena, contact=raised)
    assert done.escalation_done_at is not None
    with pytest.raises(ValidationError, match="already marked as done"):
        escalation_done(actor=morgan, contact=raised)
    by_lead = escalation_done(actor=morgan, contact=concern(omar, episode))
    assert by_lead.escalation_done_at is not None
    with pytest.raises(ValidationError, match="no safeguarding concern"):
        escalation_done(actor=lena, contact=add(lena, episode))
    assert (
        AuditEvent.objects.filter(
            object_type="casework.contact", action="change", reason="Safeguarding escalation done"
        ).count()
        == 2
    )


# --- who may open the pages ---------------------------------------------------------------------


def _pages(episode, contact):
    return [
        reverse("casework:timeline", kwargs={"pk": episode.pk}),
        reverse("casework:contact-add", kwargs={"pk": episode.pk}),
        reverse("casework:contact-update", kwargs={"pk": episode.pk, "item_pk": contact.pk}),
    ]


def test_anonymous_people_are_sent_to_sign_in(client, episode, lena):
    contact = concern(lena, episode)
    done_url = reverse(
        "casework:contact-escalation-done", kwargs={"pk": episode.pk, "item_pk": contact.pk}
    )
    for url in [*_pages(episode, contact), reverse("casework:concerns")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:sign-in"))
    assert client.post(done_url).status_code == 302
    contact.refresh_from_db()
    assert contact.escalation_done_at is None


def test_an_analyst_is_refused_and_another_team_finds_nothing(
    staff_client, episode, lena, erin, analyst
):
    contact = concern(lena, episode)
    done_url = reverse(
        "casework:contact-escalation-done", kwargs={"pk": episode.pk, "item_pk": contact.pk}
    )
    for url in [*_pages(episode, contact), reverse("casework:concerns")]:
        assert staff_client(analyst).get(url).status_code == 403, url
    for url in _pages(episode, contact):
        assert staff_client(erin).get(url).status_code == 404, url
    assert staff_client(erin).post(done_url).status_code == 404


def test_the_team_opens_the_pages_and_only_the_author_may_correct(
    staff_client, episode, lena, omar, morgan
):
    contact = add(lena, episode)
    timeline, add_url, correct = _pages(episode, contact)
    for user in (lena, omar, morgan):
        client = staff_client(user)
        assert client.get(timeline).status_code == 200
        assert client.get(add_url).status_code == 200
    assert staff_client(lena).get(correct).status_code == 200
    assert staff_client(omar).get(correct).status_code == 403
    assert staff_client(morgan).get(correct).status_code == 403
    assert staff_client(lena).get(reverse("casework:concerns")).status_code == 200


def test_contacts_of_another_episode_are_not_found(staff_client, york, episode, lena):
    other = active_episode(actor=lena, ward=york["Westfield"])
    contact = concern(lena, other)
    client = staff_client(lena)
    correct = reverse("casework:contact-update", kwargs={"pk": episode.pk, "item_pk": contact.pk})
    done = reverse(
        "casework:contact-escalation-done", kwargs={"pk": episode.pk, "item_pk": contact.pk}
    )
    assert client.get(correct).status_code == 404
    assert client.post(done).status_code == 404
    contact.refresh_from_db()
    assert contact.escalation_done_at is None


# --- the timeline -------------------------------------------------------------------------------


def test_the_timeline_lists_contacts_newest_first_with_the_time_spent(
    staff_client, episode, lena, omar
):
    add(lena, episode, kind="call", minutes=30, happened_on=TODAY() - dt.timedelta(days=2))
    add(omar, episode, kind="walking_alongside", minutes=60, summary="Walked to the choir.")
    page = staff_client(lena).get(reverse("casework:timeline", kwargs={"pk": episode.pk}))
    text = page.text
    assert "2 contacts, 1 hour 30 minutes in all." in text
    assert text.index("Walking alongside to a group on") < text.index("Phone call on")
    assert "Omar Coordinator" in text and "Walked to the choir." in text
    assert "30 minutes" in text and "1 hour" in text
    assert reverse("casework:contact-add", kwargs={"pk": episode.pk}) in text


def test_a_sensitive_note_is_shown_only_to_the_worker_its_author_and_team_leads(
    staff_client, episode, lena, omar, morgan
):
    from .factories import coordinator

    pat = coordinator(episode.team, full_name="Pat Coordinator")
    add(omar, episode, summary=SECRET, is_sensitive=True)
    url = reverse("casework:timeline", kwargs={"pk": episode.pk})
    for reader in (lena, omar, morgan):  # the worker, the author, a lead
        assert SECRET in staff_client(reader).get(url).text, reader
    hidden = staff_client(pat).get(url).text
    assert SECRET not in hidden
    assert (
        f"Sensitive note by Omar Coordinator on {TODAY().day} {TODAY():%B %Y}: only their "
        "worker, its author and team leads can read it"
    ) in hidden


def test_a_sensitive_note_by_the_worker_is_hidden_from_a_colleague(
    staff_client, episode, lena, omar
):
    add(lena, episode, summary=SECRET, is_sensitive=True)
    add(lena, episode, summary="Open note anyone in the team may read")
    page = staff_client(omar).get(reverse("casework:timeline", kwargs={"pk": episode.pk})).text
    assert SECRET not in page
    assert "Open note anyone in the team may read" in page
    assert "Sensitive note by Lena Coordinator" in page


def test_a_concern_is_highlighted_and_marked_done_by_its_author_or_a_lead(
    staff_client, episode, lena, omar, morgan
):
    contact = concern(lena, episode)
    url = reverse("casework:timeline", kwargs={"pk": episode.pk})
    done_url = reverse(
        "casework:contact-escalation-done", kwargs={"pk": episode.pk, "item_pk": contact.pk}
    )
    page = staff_client(omar).get(url).text
    assert "govuk-warning-text" in page
    assert "Safeguarding concern: Adult safeguarding referral." in page
    assert "Escalated to Adult safeguarding team, ref 123." in page
    assert done_url not in page
    assert staff_client(omar).post(done_url).status_code == 403
    assert done_url in staff_client(lena).get(url).text
    assert done_url in staff_client(morgan).get(url).text
    assert staff_client(morgan).get(done_url).status_code == 405
    response = staff_client(morgan).post(done_url)
    assert response.status_code == 302 and response.url == url
    contact.refresh_from_db()
    assert contact.escalation_done_at is not None
    after = staff_client(lena).get(url).text
    assert "Escalation done on" in after and done_url not in after
    again = staff_client(lena).post(done_url, follow=True)
    assert "already marked as done" in again.text


def test_the_timeline_is_paged_with_a_bounded_number_of_queries(
    staff_client, episode, lena, omar, morgan, django_assert_max_num_queries
):
    for n in range(3):
        add(omar, episode, summary=f"Note {n}", is_sensitive=True, minutes=10)
    url = reverse("casework:timeline", kwargs={"pk": episode.pk})
    client = staff_client(morgan)
    with django_assert_max_num_queries(18):
        assert client.get(url).status_code == 200
    for n in range(27):
        concern(omar if n % 2 else lena, episode, summary=f"Concern {n}", minutes=10)
    with django_assert_max_num_queries(18):
        page = client.get(url)
    assert "30 contacts, 5 hours in all." in page.text
    assert page.text.count('class="govuk-summary-card"') == 25
    assert 'aria-label="Pages of contacts"' in page.text
    second = client.get(url, {"page": 2})
    assert second.text.count('class="govuk-summary-card"') == 5


# --- adding and correcting ----------------------------------------------------------------------


def test_adding_a_contact_from_the_form(staff_client, york, lena):
    episode = introduce(actor=lena, ward=york["Acomb"])
    url = reverse("casework:contact-add", kwargs={"pk": episode.pk})
    client = staff_client(lena)
    form = client.get(url).text
    assert "Walking alongside to a group" in form
    assert 'data-aria-controls="conditional-id_safeguarding_concern"' in form
    assert "Talk to a manager today" in form and "None needed" not in form
    response = client.post(url, form_data(is_sensitive="on"))
    assert response.status_code == 302
    assert response.url == reverse("casework:timeline", kwargs={"pk": episode.pk})
    contact = Contact.objects.get()
    assert (contact.kind, contact.minutes, contact.is_sensitive, contact.worker) == (
        "call",
        20,
        True,
        lena,
    )
    episode = Episode.objects.get(pk=episode.pk)
    assert (episode.status, episode.first_contact_on) == ("new", TODAY())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"minutes": ""}, "Enter the time spent in minutes"),
        ({"minutes": "ten"}, "Time spent must be a whole number of minutes, like 45"),
        ({"minutes": "0"}, "Time spent must be at least 1 minute"),
        ({"minutes": "1441"}, "Time spent must be 1440 minutes (a whole day) or less"),
        ({"kind": ""}, "Choose the kind of contact"),
        ({"summary": ""}, "Enter a summary of the contact"),
        ({"happened_on_0": "", "happened_on_1": "", "happened_on_2": ""}, "Enter the date"),
        ({"happened_on_0": "31", "happened_on_1": "2"}, "Date of the contact must be a real date"),
        ({"happened_on_2": "2999"}, "The date of the contact must be today or in the past"),
        ({"happened_on_2": "2001"}, "when support began"),
        ({"safeguarding_concern": "on"}, "Choose the escalation this concern needs"),
    ],
)
def test_bad_input_is_shown_with_what_was_typed_and_saves_nothing(
    staff_client, episode, lena, values, message
):
    url = reverse("casework:contact-add", kwargs={"pk": episode.pk})
    data = form_data(summary="Rang about the lunch club & the bus", escalated_to="Duty desk")
    data.update(values)
    response = staff_client(lena).post(url, data)
    assert response.status_code == 200
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text
    assert message in response.text
    if values.get("summary") != "":
        assert "Rang about the lunch club &amp; the bus" in response.text
    assert "Duty desk" in response.text
    assert not Contact.objects.exists()


def test_a_concern_from_the_form_keeps_its_escalation(staff_client, episode, lena):
    url = reverse("casework:contact-add", kwargs={"pk": episode.pk})
    data = form_data(safeguarding_concern="on", escalation="manager", escalated_to="Morgan")
    assert staff_client(lena).post(url, data).status_code == 302
    contact = Contact.objects.get()
    assert (contact.safeguarding_concern, contact.escalation, contact.escalated_to) == (
        True,
        "manager",
        "Morgan",
    )


def test_correcting_a_contact_from_the_form(staff_client, episode, lena):
    contact = add(lena, episode, minutes=15, summary="Rang twice")
    url = reverse("casework:contact-update", kwargs={"pk": episode.pk, "item_pk": contact.pk})
    client = staff_client(lena)
    page = client.get(url).text
    assert "Rang twice" in page and 'value="15"' in page
    bad = client.post(url, form_data(minutes="-3", summary="Rang three times"))
    assert bad.status_code == 200 and "Rang three times" in bad.text
    contact.refresh_from_db()
    assert contact.minutes == 15
    good = client.post(url, form_data(minutes="25", summary="Rang three times"))
    assert good.status_code == 302
    contact.refresh_from_db()
    assert (contact.minutes, contact.summary, contact.kind) == (25, "Rang three times", "call")
    timeline = client.get(reverse("casework:timeline", kwargs={"pk": episode.pk})).text
    assert url in timeline


# --- open concerns ------------------------------------------------------------------------------


def test_open_concerns_for_leads_and_the_people_a_worker_works_with(
    staff_client, york, episode, lena, omar, morgan, erin, django_assert_max_num_queries
):
    from .factories import coordinator

    pat = coordinator(episode.team, full_name="Pat Coordinator")
    concern(lena, episode, summary=SECRET)
    done = concern(lena, episode, summary="Dealt with")
    escalation_done(actor=lena, contact=done)
    omars = active_episode(actor=omar, ward=york["Westfield"])
    concern(omar, omars)
    east = active_episode(actor=erin, ward=york["Heworth"])
    concern(erin, east)
    url = reverse("casework:concerns")

    def people(user):
        return staff_client(user).get(url).text

    client = staff_client(morgan)
    with django_assert_max_num_queries(13):
        lead = client.get(url).text
    assert episode.person.display_name in lead and omars.person.display_name in lead
    assert east.person.display_name not in lead
    assert SECRET not in lead
    assert "2 open concerns" in lead
    assert reverse("casework:timeline", kwargs={"pk": episode.pk}) in lead
    worker = people(lena)
    assert episode.person.display_name in worker and omars.person.display_name not in worker
    assert "There are no open safeguarding concerns" in people(pat)
    assert east.person.display_name in people(erin)
    assert AuditEvent.objects.filter(
        action="view", object_type="casework.contact", actor=morgan
    ).exists()
    for n in range(5):
        concern(omar, omars, summary=f"More {n}")
    client = staff_client(morgan)
    with django_assert_max_num_queries(13):
        assert "7 open concerns" in client.get(url).text
