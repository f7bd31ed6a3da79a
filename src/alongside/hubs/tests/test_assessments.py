"""The assessment waiting list: joining it (from the front door, or after a Talking Point),
being assessed or withdrawn, and its pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.hubs.models import AssessmentRequest, Conversation
from alongside.hubs.services.contacts import (
    assessment_record,
    assessment_request_create,
    assessment_withdraw,
)
from alongside.people.models import Involvement
from alongside.people.tests.factories import PersonFactory

from .factories import front_door_team, make_contact, officer

A = AssessmentRequest.Status
TODAY = timezone.localdate


def _request(actor, team, *, days_ago=10, person=None):
    contact = make_contact(
        team=team, person=person, contact_date=TODAY() - dt.timedelta(days=days_ago)
    )
    return assessment_request_create(
        actor=actor,
        person=contact.person,
        team=team,
        route="front_door",
        requested_on=contact.contact_date,
        first_contact=contact,
    )


def _date(prefix, day):
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


# --- services ---------------------------------------------------------------------------------


def test_request_from_the_front_door(fay, front_door):
    request = _request(fay, front_door)
    assert request.status == A.WAITING
    assert request.route == AssessmentRequest.Route.FRONT_DOOR
    assert Involvement.objects.filter(person=request.person, team=front_door).exists()
    assert AuditEvent.objects.filter(action="create", object_id=str(request.pk)).exists()


def test_request_after_a_talking_point_is_held_by_the_hub_team(pat, tp_team, acomb_hub):
    person = PersonFactory()
    conversation = Conversation.objects.create(
        hub=acomb_hub, person=person, held_on=TODAY(), attendance="attended"
    )
    request = assessment_request_create(
        actor=pat,
        person=person,
        team=tp_team,
        route="talking_point",
        requested_on=TODAY(),
        conversation=conversation,
    )
    assert request.team == tp_team and request.conversation == conversation


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"route": "by_post"}, "route"),
        ({"route": "front_door"}, "first_contact"),
        ({"route": "talking_point"}, "conversation"),
        ({"requested_on": "tomorrow"}, "requested_on"),  # worked out when the test runs
    ],
)
def test_bad_requests_are_refused(fay, front_door, kwargs, field):
    person = PersonFactory()
    values = {"route": "front_door", "requested_on": TODAY(), **kwargs}
    if values["requested_on"] == "tomorrow":
        values["requested_on"] = TODAY() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        assessment_request_create(actor=fay, person=person, team=front_door, **values)
    assert field in caught.value.message_dict
    assert not AssessmentRequest.objects.exists()


def test_one_waiting_request_per_person_and_team(fay, front_door):
    first = _request(fay, front_door)
    with pytest.raises(ValidationError):
        _request(fay, front_door, person=first.person)


def test_analyst_cannot_request(analyst, front_door):
    with pytest.raises(PermissionDenied):
        assessment_request_create(
            actor=analyst,
            person=PersonFactory(),
            team=front_door,
            route="front_door",
            requested_on=TODAY(),
        )


def test_recording_the_assessment(fay, front_door):
    request = _request(fay, front_door)
    done = assessment_record(
        actor=fay, request=request, assessed_on=TODAY(), paid_service_needed=False, notes="OK"
    )
    assert done.status == A.ASSESSED and done.assessed_on == TODAY()
    assert done.paid_service_needed is False
    with pytest.raises(ValidationError):
        assessment_record(actor=fay, request=done, assessed_on=TODAY(), paid_service_needed=True)


@pytest.mark.parametrize("offset", [-11, 1])
def test_assessment_date_must_be_between_request_and_today(fay, front_door, offset):
    request = _request(fay, front_door, days_ago=10)
    with pytest.raises(ValidationError) as caught:
        assessment_record(
            actor=fay,
            request=request,
            assessed_on=TODAY() + dt.timedelta(days=offset),
            paid_service_needed=True,
        )
    assert "assessed_on" in caught.value.message_dict
    request.refresh_from_db()
    assert request.status == A.WAITING


def test_withdrawing_needs_a_reason(fay, front_door):
    request = _request(fay, front_door)
    with pytest.raises(ValidationError):
        assessment_withdraw(actor=fay, request=request, reason="  ")
    done = assessment_withdraw(actor=fay, request=request, reason="Moved to Leeds")
    assert done.status == A.WITHDRAWN and done.withdrawn_reason == "Moved to Leeds"


def test_only_the_holding_team_changes_a_request(fay, front_door, mona):
    request = _request(fay, front_door)
    other = officer(front_door_team("Customer access east"))
    for actor in (other, mona):
        with pytest.raises(PermissionDenied):
            assessment_withdraw(actor=actor, request=request, reason="Not needed")
    request.refresh_from_db()
    assert request.status == A.WAITING


# --- pages ------------------------------------------------------------------------------------


def test_anonymous_and_wrong_roles_are_refused(client, staff_client, fay, front_door, pat, analyst):
    request = _request(fay, front_door)
    assert client.get(reverse("hubs:assessments")).status_code == 302
    for user in (pat, analyst):
        c = staff_client(user)
        assert c.get(reverse("hubs:assessments")).status_code == 403
        assert c.get(reverse("hubs:assessment", args=[request.pk])).status_code == 403


def test_another_teams_request_is_not_found(staff_client, fay, front_door, mona):
    request = _request(fay, front_door)
    other = officer(front_door_team("Customer access east"))
    for user in (other, mona):
        c = staff_client(user)
        assert c.get(reverse("hubs:assessment", args=[request.pk])).status_code == 404
        url = reverse("hubs:assessment", args=[request.pk]) + "?do=assessed"
        assert c.get(url).status_code == 404


def test_waiting_list_oldest_first_with_days_and_bounded_queries(
    staff_client, fay, front_door, django_assert_max_num_queries
):
    for days in (3, 40, 12):
        _request(fay, front_door, days_ago=days)
    done = _request(fay, front_door, days_ago=50)
    assessment_withdraw(actor=fay, request=done, reason="Not needed")
    client = staff_client(fay)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("hubs:assessments"))
    assert response.status_code == 200
    assert [row["days"] for row in response.context["rows"]] == [40, 12, 3]
    assert b"Straight from the front door" in response.content


def test_detail_is_audited(staff_client, fay, front_door):
    request = _request(fay, front_door)
    response = staff_client(fay).get(reverse("hubs:assessment", args=[request.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_id=str(request.pk), person_id=request.person_id
    ).exists()


def test_recording_through_the_page(staff_client, fay, front_door):
    request = _request(fay, front_door, days_ago=10)
    client = staff_client(fay)
    url = reverse("hubs:assessment", args=[request.pk]) + "?do=assessed"
    early = TODAY() - dt.timedelta(days=20)
    response = client.post(url, {**_date("assessed_on", early), "paid_service_needed": "yes"})
    assert response.status_code == 200
    assert b"on or after the request" in response.content
    response = client.post(url, {**_date("assessed_on", TODAY()), "paid_service_needed": "yes"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == A.ASSESSED and request.paid_service_needed is True


def test_withdrawing_through_the_page(staff_client, fay, front_door):
    request = _request(fay, front_door)
    client = staff_client(fay)
    url = reverse("hubs:assessment", args=[request.pk]) + "?do=withdraw"
    response = client.post(url, {"reason": ""})
    assert b"Enter why the request is withdrawn" in response.content
    response = client.post(url, {"reason": "Talking Point support was enough"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == A.WITHDRAWN
