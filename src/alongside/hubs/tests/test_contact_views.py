"""The front door's pages: who may use them, finding or adding the person, the first-contact
form with its decision, deciding later, and the list with its filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.hubs.models import AssessmentRequest, FirstContact
from alongside.people.models import Person
from alongside.people.tests.factories import PersonFactory, person_for_team

from .factories import front_door_team, make_booking, make_contact, make_session, make_slot, officer

D = FirstContact.Decision


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def _contact_post(**overrides):
    data = {
        **_date("contact_date", timezone.localdate()),
        "channel": "phone",
        "made_by": "person",
        "what_matters": "Seeing friends at the chapel again",
        "worries": "Can't manage the stairs",
        "urgency": "routine",
        "decision": "later",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ada(front_door, york):
    return person_for_team(front_door, given_name="Ada", family_name="Lovelock", ward=york["Acomb"])


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hubs:contacts", "hubs:contact-new", "hubs:assessments"])
def test_anonymous_people_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


def test_wrong_roles_are_refused(staff_client, analyst, pat, front_door):
    contact = make_contact(team=front_door)
    assert staff_client(analyst).get(reverse("hubs:contacts")).status_code == 403
    assert staff_client(analyst).get(reverse("hubs:contact", args=[contact.pk])).status_code == 403
    # Practitioners see contacts booked with their hubs but do not record or decide them.
    client = staff_client(pat)
    assert client.get(reverse("hubs:contact-new")).status_code == 403
    assert client.get(reverse("hubs:contact-decide", args=[contact.pk])).status_code == 403


def test_another_teams_contact_is_not_found(staff_client, front_door, nell, ada):
    contact = make_contact(team=front_door, person=ada)
    other = officer(front_door_team("Customer access east"))
    for user in (other, nell):
        client = staff_client(user)
        assert client.get(reverse("hubs:contact", args=[contact.pk])).status_code == 404
    assert (
        staff_client(other).get(reverse("hubs:contact-decide", args=[contact.pk])).status_code
        == 404
    )


def test_officer_sees_the_contact_and_the_view_is_audited(staff_client, fay, front_door, ada):
    contact = make_contact(team=front_door, person=ada, safeguarding=True, urgency="urgent")
    response = staff_client(fay).get(reverse("hubs:contact", args=[contact.pk]))
    assert response.status_code == 200
    assert b"Safeguarding" in response.content and b"Urgent" in response.content
    assert AuditEvent.objects.filter(
        action="view", person_id=ada.pk, object_id=str(contact.pk)
    ).exists()


def test_hub_practitioner_sees_a_contact_booked_at_their_hub(
    staff_client, pat, front_door, acomb_hub, ada
):
    contact = make_contact(team=front_door, person=ada, decision=D.TALKING_POINT)
    make_booking(make_slot(make_session(acomb_hub)), first_contact=contact)
    assert staff_client(pat).get(reverse("hubs:contact", args=[contact.pk])).status_code == 200


def test_someone_in_no_front_door_team_is_told(staff_client, mona):
    response = staff_client(mona).get(reverse("hubs:contact-new"))
    assert response.status_code == 200
    assert b"front-door team" in response.content


# --- finding or adding the person ---------------------------------------------------------------


def test_search_finds_only_records_the_officer_may_see(staff_client, fay, ada, tp_team):
    person_for_team(tp_team, given_name="Ada", family_name="Lovelace")
    response = staff_client(fay).get(reverse("hubs:contact-new"), {"q": "Ada"})
    assert response.status_code == 200
    assert b"Lovelock" in response.content
    assert b"Lovelace" not in response.content


def test_adding_a_new_person_goes_to_the_contact_form(staff_client, fay, front_door):
    response = staff_client(fay).post(
        reverse("hubs:contact-new"),
        {"given_name": "Nora", "family_name": "Newcome", "phone": "01904 555000"},
    )
    person = Person.objects.get(family_name="Newcome")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('hubs:contact-new')}?person={person.pk}"
    assert person.involvements.filter(team=front_door).exists()


def test_a_possible_duplicate_is_shown_first_and_can_be_used(
    staff_client, fay, front_door, tp_team
):
    existing = person_for_team(
        tp_team, given_name="Nora", family_name="Newcome", date_of_birth=dt.date(1950, 3, 27)
    )
    client = staff_client(fay)
    data = {
        "given_name": "Nora",
        "family_name": "Newcome",
        **_date("date_of_birth", existing.date_of_birth),
    }
    response = client.post(reverse("hubs:contact-new"), data)
    assert response.status_code == 200
    assert b"Use the record for Nora Newcome" in response.content
    assert Person.objects.filter(family_name="Newcome").count() == 1
    response = client.post(reverse("hubs:contact-new"), {**data, "choice": str(existing.pk)})
    assert response.status_code == 302
    assert existing.involvements.filter(team=front_door).exists()
    assert Person.objects.filter(family_name="Newcome").count() == 1


def test_add_person_needs_a_name_and_keeps_what_was_typed(staff_client, fay):
    response = staff_client(fay).post(
        reverse("hubs:contact-new"), {"given_name": "Nora", "phone": "01904 555000"}
    )
    assert response.status_code == 200
    assert b"Enter their last name" in response.content
    assert b'value="01904 555000"' in response.content
    assert not Person.objects.filter(given_name="Nora").exists()


def test_contact_form_for_someone_not_visible_is_not_found(staff_client, fay, tp_team):
    hidden = person_for_team(tp_team)
    response = staff_client(fay).get(reverse("hubs:contact-new"), {"person": str(hidden.pk)})
    assert response.status_code == 404


# --- the first-contact form -----------------------------------------------------------------


def _new_url(person):
    return f"{reverse('hubs:contact-new')}?person={person.pk}"


def test_recording_without_a_decision(staff_client, fay, front_door, ada):
    response = staff_client(fay).post(_new_url(ada), _contact_post())
    contact = FirstContact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hubs:contact", args=[contact.pk])
    assert contact.decision == "" and contact.team == front_door


def test_bad_input_keeps_what_was_typed_and_records_nothing(staff_client, fay, ada):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = staff_client(fay).post(
        _new_url(ada),
        _contact_post(**_date("contact_date", tomorrow), made_by="family", safeguarding="on"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "The date of first contact must be today or in the past" in content
    assert "Enter the name of the person who made contact" in content
    assert "Enter what the safeguarding concern is" in content
    assert "Seeing friends at the chapel again" in content
    assert not FirstContact.objects.exists()


def test_deciding_on_a_talking_point_goes_to_booking(staff_client, fay, ada):
    response = staff_client(fay).post(_new_url(ada), _contact_post(decision=D.TALKING_POINT))
    contact = FirstContact.objects.get()
    assert contact.decision == D.TALKING_POINT
    assert response.status_code == 302
    assert f"contact={contact.pk}" in response["Location"]


def test_deciding_on_an_assessment_from_the_form(staff_client, fay, ada):
    response = staff_client(fay).post(_new_url(ada), _contact_post(decision=D.ASSESSMENT))
    assert response.status_code == 302
    assert AssessmentRequest.objects.get().first_contact == FirstContact.objects.get()


def test_lac_with_no_ward_team_is_explained_and_nothing_is_recorded(staff_client, fay, ada):
    response = staff_client(fay).post(
        _new_url(ada), _contact_post(decision=D.LAC, reasons=["isolation"])
    )
    assert response.status_code == 200
    assert b"No Local Area Coordination team" in response.content
    assert not FirstContact.objects.exists()


def test_urgent_response_needs_notes_on_the_form(staff_client, fay, ada):
    response = staff_client(fay).post(_new_url(ada), _contact_post(decision=D.URGENT_RESPONSE))
    assert response.status_code == 200
    assert b"Enter what was done as an urgent response" in response.content
    assert not FirstContact.objects.exists()


def test_an_officer_in_two_front_door_teams_chooses(staff_client, fay, ada, front_door):
    second = front_door_team("Customer access east")
    second.memberships.create(user=fay)
    client = staff_client(fay)
    response = client.post(_new_url(ada), _contact_post())
    assert response.status_code == 200
    assert b"Choose your team" in response.content
    response = client.post(_new_url(ada), _contact_post(team=str(second.pk)))
    assert response.status_code == 302
    assert FirstContact.objects.get().team == second


# --- deciding later ----------------------------------------------------------------------------


def test_deciding_later(staff_client, fay, front_door, ada):
    contact = make_contact(team=front_door, person=ada)
    client = staff_client(fay)
    url = reverse("hubs:contact-decide", args=[contact.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": D.INFORMATION, "decision_notes": "Sent a leaflet"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.decision == D.INFORMATION and contact.decided_by == fay
    # Final: the page now says so and changes nothing.
    response = client.post(url, {"decision": D.ASSESSMENT})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.decision == D.INFORMATION
    assert not AssessmentRequest.objects.exists()


def test_deciding_needs_a_choice(staff_client, fay, front_door, ada):
    contact = make_contact(team=front_door, person=ada)
    response = staff_client(fay).post(reverse("hubs:contact-decide", args=[contact.pk]), {})
    assert response.status_code == 200
    assert b"Choose what happens next" in response.content


def test_hub_manager_who_sees_a_contact_cannot_decide_it(
    staff_client, mona, front_door, acomb_hub, ada
):
    contact = make_contact(team=front_door, person=ada)
    make_booking(make_slot(make_session(acomb_hub)), first_contact=contact)
    response = staff_client(mona).get(reverse("hubs:contact-decide", args=[contact.pk]))
    assert response.status_code == 403


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_teams_contacts_newest_first(staff_client, fay, front_door, ada):
    today = timezone.localdate()
    make_contact(team=front_door, person=ada, contact_date=today - dt.timedelta(days=5))
    make_contact(team=front_door, contact_date=today, safeguarding=True)
    make_contact(team=front_door_team("Customer access east"))
    response = staff_client(fay).get(reverse("hubs:contacts"))
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert len(rows) == 2
    assert rows[0].contact_date == today


def test_list_filters(staff_client, fay, front_door):
    today = timezone.localdate()
    make_contact(team=front_door, urgency="urgent")
    make_contact(team=front_door, safeguarding=True, safeguarding_details="Bruises")
    make_contact(team=front_door, decision=D.INFORMATION, contact_date=today - dt.timedelta(9))
    client = staff_client(fay)

    def count(**params):
        return client.get(reverse("hubs:contacts"), params).context["page"].paginator.count

    assert count() == 3
    assert count(urgent="on") == 1
    assert count(safeguarding="on") == 1
    assert count(decision="undecided") == 2
    assert count(decision=D.INFORMATION) == 1
    assert count(since=(today - dt.timedelta(1)).isoformat()) == 2
    assert count(until=(today - dt.timedelta(1)).isoformat()) == 1


def test_list_queries_are_bounded(staff_client, fay, front_door, django_assert_max_num_queries):
    for _ in range(30):
        make_contact(team=front_door, person=PersonFactory())
    client = staff_client(fay)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("hubs:contacts"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
