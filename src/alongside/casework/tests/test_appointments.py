"""Appointments with the person: booking, recording what happened (attending reaches the
person), the episode's list, the worker's own list, and who may use each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.accounts import roles
from alongside.casework.models import Appointment, Episode
from alongside.casework.services.appointments import appointment_book, appointment_update
from alongside.core.models import AuditEvent
from alongside.people.tests.factories import make_staff

from .factories import active_episode, introduce, manager, sp_team, worker_without

pytestmark = pytest.mark.django_db

SP = "social_prescribing"


@pytest.fixture
def sp(db):
    return sp_team("Link workers North")


@pytest.fixture
def liam(sp):
    """A link worker in the north team."""
    return make_staff(roles.LINK_WORKER, team=sp, full_name="Liam Linkworker")


@pytest.fixture
def nia(sp):
    """A second link worker in the north team."""
    return make_staff(roles.LINK_WORKER, team=sp, full_name="Nia Linkworker")


@pytest.fixture
def sam(db):
    """A link worker in another social prescribing team."""
    return make_staff(roles.LINK_WORKER, team=sp_team("Link workers South"), full_name="Sam South")


@pytest.fixture
def episode(liam, sp):
    """Liam's new social prescribing episode (referred a week ago, not yet reached)."""
    return introduce(actor=liam, programme=SP, team=sp)


def soon(days: int = 1, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def book(actor, episode, **values):
    fields = {"starts_at": soon(), "minutes": 45, "place": "practice"}
    fields.update(values)
    return appointment_book(actor=actor, episode=episode, **fields)


def title(response) -> str:
    return response.text.split("<title>", 1)[1].split("</title>", 1)[0].strip()


def _url(name, episode, **kwargs):
    return reverse(name, kwargs={"pk": episode.pk, **kwargs})


def form_data(day: dt.date, **values):
    data = {
        "day_0": str(day.day),
        "day_1": str(day.month),
        "day_2": str(day.year),
        "time": "2:30pm",
        "minutes": "45",
        "place": "home",
        "place_detail": "",
        "notes": "",
    }
    data.update(values)
    return data


# --- services -----------------------------------------------------------------------------------


def test_booking_records_the_appointment_with_the_actor_and_audits_it(episode, liam):
    appointment = book(liam, episode, place="community", place_detail="The library café")
    assert (appointment.worker, appointment.status, appointment.place_detail) == (
        liam,
        "booked",
        "The library café",
    )
    event = AuditEvent.objects.get(object_type="casework.appointment", action="create")
    assert event.person_id == episode.person_id


def test_there_is_no_limit_on_appointments(episode, liam):
    for n in range(12):
        book(liam, episode, starts_at=soon(days=n + 1))
    assert episode.appointments.count() == 12


def test_another_worker_of_the_team_may_be_the_one_meeting_them(episode, liam, nia):
    assert book(liam, episode, worker=nia).worker == nia


@pytest.mark.parametrize(
    "values, field",
    [
        ({"place": "moon"}, "place"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 9 * 60}, "minutes"),
        ({"starts_at": soon(days=-30)}, "starts_at"),
        ({"starts_at": soon(days=400)}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
    ],
)
def test_bad_bookings_are_refused_and_change_nothing(episode, liam, values, field):
    with pytest.raises(ValidationError) as error:
        book(liam, episode, **values)
    assert field in error.value.message_dict
    assert not Appointment.objects.exists()


def test_the_worker_must_be_in_the_team(episode, liam, sam):
    with pytest.raises(ValidationError) as error:
        book(liam, episode, worker=sam)
    assert error.value.message_dict["worker"] == ["Choose someone who works in this team"]


def test_a_closed_episode_takes_no_appointments(liam, sp):
    episode = introduce(actor=liam, programme=SP, team=sp)
    Episode.objects.filter(pk=episode.pk).update(
        status="closed", closed_on=timezone.localdate(), close_reason="goals_met"
    )
    episode.refresh_from_db()
    with pytest.raises(ValidationError):
        book(liam, episode)


def test_someone_outside_the_team_may_not_book(episode, sam):
    with pytest.raises(PermissionDenied):
        book(sam, episode)


def test_booking_needs_the_appointment_permission(york, lena, west):
    """Someone who works on the episode but holds no casework.add_appointment is refused."""
    episode = active_episode(actor=lena, ward=york["Acomb"])
    with pytest.raises(PermissionDenied):
        book(worker_without(west, "casework.add_appointment"), episode)


def test_any_casework_programme_takes_appointments(york, lena, west):
    """A team manager (who books appointments) books one in a Local Area Coordination episode."""
    boss = manager(west, full_name="Morgan Manager")
    episode = active_episode(actor=lena, ward=york["Acomb"])
    assert book(boss, episode, place="phone").episode == episode


def test_attending_reaches_the_person(episode, liam):
    appointment = book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=2))
    appointment_update(actor=liam, appointment=appointment, status="attended")
    episode.refresh_from_db()
    assert episode.first_contact_on == timezone.localdate() - dt.timedelta(days=2)
    assert episode.status == "new"  # left to the worker
    event = AuditEvent.objects.filter(object_type="casework.appointment", action="change").get()
    assert "first_contact_on" in event.changes


def test_an_earlier_attended_appointment_moves_the_first_contact_back(episode, liam):
    later = book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=1))
    earlier = book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=3))
    appointment_update(actor=liam, appointment=later, status="attended")
    appointment_update(actor=liam, appointment=earlier, status="attended")
    episode.refresh_from_db()
    assert episode.first_contact_on == timezone.localdate() - dt.timedelta(days=3)


def test_not_attending_does_not_reach_the_person(episode, liam):
    appointment = book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=1))
    appointment_update(actor=liam, appointment=appointment, status="did_not_attend")
    episode.refresh_from_db()
    assert episode.first_contact_on is None


def test_whether_they_came_waits_until_it_has_started(episode, liam):
    appointment = book(liam, episode)
    with pytest.raises(ValidationError) as error:
        appointment_update(actor=liam, appointment=appointment, status="attended")
    assert "status" in error.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_future_appointment_may_be_cancelled_or_moved(episode, liam):
    appointment = book(liam, episode)
    appointment_update(actor=liam, appointment=appointment, status="booked", starts_at=soon(days=3))
    appointment_update(actor=liam, appointment=appointment, status="cancelled")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert timezone.localtime(appointment.starts_at).date() == soon(days=3).date()


# --- the episode's appointments -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["casework:appointments", "casework:appointment-add"])
def test_anonymous_people_are_sent_to_sign_in(client, episode, name):
    response = client.get(_url(name, episode))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("role", [roles.ANALYST, roles.WELFARE_CALLER, roles.HEALTH_REFERRER])
def test_roles_without_casework_are_refused(staff_client, episode, role):
    response = staff_client(make_staff(role)).get(_url("casework:appointments", episode))
    assert response.status_code == 403


def test_another_team_gets_a_404(staff_client, episode, sam):
    client = staff_client(sam)
    assert client.get(_url("casework:appointments", episode)).status_code == 404
    assert client.get(_url("casework:appointment-add", episode)).status_code == 404


def test_the_list_shows_upcoming_then_earlier_appointments(staff_client, episode, liam):
    book(liam, episode, starts_at=soon(days=2), place_detail="Room 4")
    book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=1), place="phone")
    response = staff_client(liam).get(_url("casework:appointments", episode))
    assert response.status_code == 200
    html = response.text
    assert "Book an appointment" in html
    assert html.index("Coming up") < html.index("Room 4") < html.index("Earlier appointments")
    assert "Record what happened" in html
    assert AuditEvent.objects.filter(action="view", reason__contains="Appointments").exists()


def test_without_the_permission_appointments_are_read_only(staff_client, york, lena, west):
    episode = active_episode(actor=lena, ward=york["Acomb"])
    client = staff_client(worker_without(west, "casework.add_appointment"))
    page = client.get(_url("casework:appointments", episode))
    assert page.status_code == 200
    assert "Book an appointment" not in page.text
    assert client.get(_url("casework:appointment-add", episode)).status_code == 403


def test_booking_through_the_form(staff_client, episode, liam):
    day = timezone.localdate() + dt.timedelta(days=3)
    response = staff_client(liam).post(
        _url("casework:appointment-add", episode),
        form_data(day, worker=str(liam.pk), place_detail="Their flat"),
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.starts_at).replace(tzinfo=None) == dt.datetime(
        day.year, day.month, day.day, 14, 30
    )
    assert appointment.place == "home"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"time": "half two"}, "Enter the time like 9:30am, 2pm or 14:00"),
        ({"time": ""}, "Enter the time of the appointment"),
        ({"place": ""}, "Choose where the appointment is"),
        ({"minutes": "ten"}, "How long the appointment is must be a whole number"),
    ],
)
def test_bad_input_re_renders_with_the_message(staff_client, episode, liam, values, message):
    day = timezone.localdate() + dt.timedelta(days=3)
    data = form_data(day, worker=str(liam.pk), place_detail="Kept as typed", **values)
    response = staff_client(liam).post(_url("casework:appointment-add", episode), data)
    assert response.status_code == 200
    assert message in response.text
    assert "Kept as typed" in response.text
    assert title(response).startswith("Error: ")
    assert not Appointment.objects.exists()


def test_a_booking_the_service_refuses_re_renders(staff_client, episode, liam):
    day = timezone.localdate() - dt.timedelta(days=60)
    response = staff_client(liam).post(
        _url("casework:appointment-add", episode), form_data(day, worker=str(liam.pk))
    )
    assert response.status_code == 200
    assert "when support began" in response.text
    assert not Appointment.objects.exists()


def test_recording_attendance_through_the_form(staff_client, episode, liam):
    appointment = book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=1))
    url = _url("casework:appointment-update", episode, item_pk=appointment.pk)
    client = staff_client(liam)
    page = client.get(url)
    assert page.status_code == 200
    start = timezone.localtime(appointment.starts_at)
    data = form_data(start.date(), worker=str(liam.pk), place="practice", status="attended")
    data["time"] = start.strftime("%H:%M")
    assert client.post(url, data).status_code == 302
    appointment.refresh_from_db()
    episode.refresh_from_db()
    assert appointment.status == "attended"
    assert episode.first_contact_on == start.date()


def test_another_episodes_appointment_is_a_404(staff_client, episode, liam, sp):
    other = introduce(actor=liam, programme=SP, team=sp)
    appointment = book(liam, other)
    url = _url("casework:appointment-update", episode, item_pk=appointment.pk)
    assert staff_client(liam).get(url).status_code == 404


def test_a_closed_episode_redirects_with_a_message(staff_client, liam, sp):
    episode = introduce(actor=liam, programme=SP, team=sp)
    Episode.objects.filter(pk=episode.pk).update(
        status="closed", closed_on=timezone.localdate(), close_reason="goals_met"
    )
    response = staff_client(liam).get(_url("casework:appointment-add", episode), follow=True)
    assert "support has closed" in response.text
    assert "Book an appointment" not in response.text.split("</h1>", 1)[1]


# --- my appointments ----------------------------------------------------------------------------

MINE = reverse("casework:my-appointments")


def test_my_appointments_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_my_appointments_needs_the_appointment_permission(staff_client, west, analyst):
    assert (
        staff_client(worker_without(west, "casework.add_appointment")).get(MINE).status_code == 403
    )
    assert staff_client(analyst).get(MINE).status_code == 403


def test_my_appointments_lists_my_upcoming_bookings_only(staff_client, episode, liam, nia):
    book(liam, episode, starts_at=soon(days=1), place_detail="Mine tomorrow")
    book(liam, episode, starts_at=soon(days=2), worker=nia, place_detail="Nia's")
    cancelled = book(liam, episode, starts_at=soon(days=3), place_detail="Called off")
    appointment_update(actor=liam, appointment=cancelled, status="cancelled")
    book(liam, episode, starts_at=timezone.now() - dt.timedelta(days=2), place_detail="Old one")
    response = staff_client(liam).get(MINE)
    assert response.status_code == 200
    html = response.text
    assert "Mine tomorrow" in html
    assert "Nia&#x27;s" not in html and "Nia's" not in html
    assert "Called off" not in html
    assert "Earlier appointments to record" in html and "Old one" in html
    assert AuditEvent.objects.filter(object_label="My appointments").exists()


def test_my_appointments_takes_the_same_queries_for_3_or_30(
    staff_client, liam, sp, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            book(liam, introduce(actor=liam, programme=SP, team=sp), starts_at=soon(days=2))

    add(3)
    client = staff_client(liam)
    client.get(MINE)
    with CaptureQueriesContext(connection) as few:
        assert client.get(MINE).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = client.get(MINE)
    assert "30 appointments coming up" in response.text


def test_the_episode_list_takes_the_same_queries_for_3_or_30(staff_client, episode, liam):
    for n in range(3):
        book(liam, episode, starts_at=soon(days=n + 1))
    client = staff_client(liam)
    url = _url("casework:appointments", episode)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(27):
        book(liam, episode, starts_at=soon(days=n + 5))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
