"""The hub, session and closure pages: who may open them, what they show, and that bad input
changes nothing and keeps what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.directory.models import AccessibilityFeature, Location
from alongside.hubs.models import Closure, Hub, Session, Slot
from alongside.hubs.services.schedule import slots_generate

from .factories import make_booking, make_session

pytestmark = pytest.mark.django_db


def upcoming_monday(weeks: int = 1) -> dt.date:
    day = timezone.localdate() + dt.timedelta(weeks=weeks)
    return day - dt.timedelta(days=day.weekday())


def session_with_slots(hub, **kwargs):
    session = make_session(hub, starts_on=timezone.localdate(), **kwargs)
    slots_generate(session=session)
    return session


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def session_post(**overrides) -> dict[str, object]:
    first = upcoming_monday()
    data: dict[str, object] = {
        "kind": "booked",
        "frequency": "weekly",
        "weekdays": ["TU", "TH"],
        "nth": "1",
        **date_fields("starts_on", first),
        "ends_on_0": "",
        "ends_on_1": "",
        "ends_on_2": "",
        "start_time": "10am",
        "end_time": "12:30pm",
        "appointment_minutes": "45",
        "capacity": "2",
        "public_booking": "on",
    }
    data.update(overrides)
    return data


# --- who may open what --------------------------------------------------------------------------


def page_urls(hub, session, closure):
    return {
        "hubs": reverse("hubs:hubs"),
        "hub": reverse("hubs:hub", kwargs={"pk": hub.pk}),
        "session": reverse("hubs:session", kwargs={"pk": session.pk}),
        "closures": reverse("hubs:closures"),
        "hub-new": reverse("hubs:hub-new"),
        "hub-edit": reverse("hubs:hub-edit", kwargs={"pk": hub.pk}),
        "session-new": reverse("hubs:session-new", kwargs={"pk": hub.pk}),
        "session-edit": reverse("hubs:session-edit", kwargs={"pk": session.pk}),
        "session-cancel-day": reverse("hubs:session-cancel-day", kwargs={"pk": session.pk}),
        "closure-new": reverse("hubs:closure-new"),
        "closure-delete": reverse("hubs:closure-delete", kwargs={"pk": closure.pk}),
    }


READ_ONLY = {"hubs", "hub", "session", "closures"}


@pytest.fixture
def pages(acomb_hub, mona):
    session = session_with_slots(acomb_hub)
    day = upcoming_monday(3)
    closure = Closure.objects.create(hub=acomb_hub, starts_on=day, ends_on=day, reason="Training")
    return page_urls(acomb_hub, session, closure)


def test_anonymous_people_are_sent_to_sign_in(client, pages):
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:sign-in") in response["Location"]


def test_the_teams_manager_opens_every_page(staff_client, mona, pages):
    client = staff_client(mona)
    for name, url in pages.items():
        assert client.get(url).status_code == 200, name


def test_practitioners_and_front_door_only_look(staff_client, pat, fay, pages):
    for user in (pat, fay):
        client = staff_client(user)
        for name, url in pages.items():
            expected = 200 if name in READ_ONLY else 403
            assert client.get(url).status_code == expected, (user, name)


def test_an_analyst_is_refused_every_page(staff_client, analyst, pages):
    client = staff_client(analyst)
    for name, url in pages.items():
        assert client.get(url).status_code == 403, name


def test_another_teams_manager_cannot_change_this_teams_hub(staff_client, other_team, pages):
    from .factories import manager

    other = manager(other_team, full_name="Otto Other")
    client = staff_client(other)
    for name, url in pages.items():
        expected = 200 if name in READ_ONLY | {"hub-new", "closure-new"} else 404
        assert client.get(url).status_code == expected, name
    assert client.get(pages["closure-new"] + f"?hub={Hub.objects.get().pk}").status_code == 404


def test_read_only_users_see_no_change_buttons(staff_client, pat, acomb_hub):
    session_with_slots(acomb_hub)
    page = staff_client(pat).get(reverse("hubs:hub", kwargs={"pk": acomb_hub.pk})).content
    assert b"Change the hub" not in page and b"Add a session" not in page


# --- hubs ---------------------------------------------------------------------------------------


def test_a_manager_finds_a_venue_and_adds_a_hub(staff_client, mona, tp_team, york):
    venue = Location.objects.create(name="Clifton Explore", ward=york["Clifton"])
    AccessibilityFeature.objects.create(location=venue, feature="step_free")
    Location.objects.create(name="Clifton Green", ward=york["Clifton"], kind="green_space")
    Location.objects.create(name="Clifton Nowhere")
    client = staff_client(mona)
    found = client.get(reverse("hubs:hub-new"), {"q": "clifton"})
    assert found.status_code == 200
    assert [v.name for v in found.context["venues"]] == ["Clifton Explore"]
    url = reverse("hubs:hub-new") + f"?location={venue.pk}"
    form = client.get(url).context["form"]
    assert form.initial["step_free"] is True and form.initial["name"] == "Clifton Explore"
    response = client.post(
        url,
        {"name": "Clifton Explore Library", "team": str(tp_team.pk), "step_free": "on"},
    )
    hub = Hub.objects.get(location=venue)
    assert response.status_code == 302 and response["Location"] == reverse(
        "hubs:hub", kwargs={"pk": hub.pk}
    )
    assert hub.name == "Clifton Explore Library" and hub.step_free and not hub.hearing_loop
    assert hub.ward == york["Clifton"] and hub.team == tp_team


def test_adding_a_hub_with_a_bad_name_keeps_what_was_typed(staff_client, mona, tp_team, york):
    venue = Location.objects.create(name="Fishergate Hall", ward=york["Fishergate"])
    url = reverse("hubs:hub-new") + f"?location={venue.pk}"
    response = staff_client(mona).post(
        url, {"name": "", "team": str(tp_team.pk), "directions": "Bus 7 to the door"}
    )
    assert response.status_code == 200
    assert "Enter the hub&#x27;s name" in response.content.decode()
    assert "Bus 7 to the door" in response.content.decode()
    assert not Hub.objects.exists()


def test_a_manager_cannot_put_a_hub_in_a_team_they_do_not_lead(
    staff_client, mona, other_team, york
):
    venue = Location.objects.create(name="Strensall Hall", ward=york["Strensall"])
    url = reverse("hubs:hub-new") + f"?location={venue.pk}"
    response = staff_client(mona).post(url, {"name": "Strensall", "team": str(other_team.pk)})
    assert response.status_code == 200
    assert "Choose a team you lead" in response.content.decode()
    assert not Hub.objects.exists()


def test_stopping_a_hub(staff_client, mona, acomb_hub, tp_team):
    session_with_slots(acomb_hub)
    response = staff_client(mona).post(
        reverse("hubs:hub-edit", kwargs={"pk": acomb_hub.pk}),
        {"name": acomb_hub.name, "team": str(tp_team.pk), "is_active": "no"},
    )
    assert response.status_code == 302
    acomb_hub.refresh_from_db()
    assert not acomb_hub.is_active
    assert not Slot.objects.filter(hub=acomb_hub, status="open").exists()


# --- the hub page -------------------------------------------------------------------------------


def test_the_hub_page_shows_two_weeks_with_names_for_the_team(staff_client, pat, fay, acomb_hub):
    session = session_with_slots(acomb_hub, rrule="FREQ=DAILY", capacity=2)
    slot = session.slots.order_by("starts_at").first()
    booking = make_booking(slot)
    url = reverse("hubs:hub", kwargs={"pk": acomb_hub.pk})
    seen = staff_client(pat).get(url)
    assert seen.context["show_names"]
    assert booking.person.display_name in seen.content.decode()
    assert "1 of 2" in seen.content.decode()
    last_day = seen.context["days"][-1]["day"]
    assert last_day < timezone.localdate() + dt.timedelta(days=14)
    assert AuditEvent.objects.filter(actor=pat, action="view", person_id=booking.person_id).exists()
    # The front door sees places taken, not who took them.
    hidden = staff_client(fay).get(url)
    assert not hidden.context["show_names"]
    assert booking.person.display_name not in hidden.content.decode()
    assert "1 of 2" in hidden.content.decode()


def test_the_hub_page_reads_a_bounded_number_of_times(
    staff_client, pat, acomb_hub, django_assert_max_num_queries
):
    for hour in (9, 13, 15):
        session = session_with_slots(
            acomb_hub,
            rrule="FREQ=DAILY",
            start_time=dt.time(hour),
            end_time=dt.time(hour + 2),
            capacity=3,
        )
        for slot in session.slots.order_by("starts_at")[:6]:
            make_booking(slot)
            make_booking(slot)
    client = staff_client(pat)
    url = reverse("hubs:hub", kwargs={"pk": acomb_hub.pk})
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["days"]) >= 13


def test_the_hub_list_reads_a_bounded_number_of_times(
    staff_client, fay, acomb_hub, heworth_hub, north_hub, django_assert_max_num_queries
):
    client = staff_client(fay)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("hubs:hubs"))
    assert [h.name for h in response.context["hubs"]] == [
        "Acomb Explore Library",
        "Haxby Memorial Hall",
        "Tang Hall Community Centre",
    ]


def test_an_unknown_hub_is_not_found(staff_client, pat):
    client = staff_client(pat)
    assert (
        client.get("/staff/talking-points/hubs/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


# --- sessions -----------------------------------------------------------------------------------


def test_a_manager_adds_a_session(staff_client, mona, pat, acomb_hub):
    client = staff_client(mona)
    url = reverse("hubs:session-new", kwargs={"pk": acomb_hub.pk})
    form = client.get(url).context["form"]
    assert str(pat.pk) in dict(form.fields["practitioners"].choices)
    response = client.post(url, session_post(practitioners=[str(pat.pk)]))
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hubs:session", kwargs={"pk": session.pk})
    assert session.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert (session.start_time, session.end_time) == (dt.time(10), dt.time(12, 30))
    assert list(session.practitioners.all()) == [pat]
    assert session.slots.count() > 0
    page = client.get(response["Location"]).content.decode()
    assert "Every week on Tuesday and Thursday" in page
    assert "10am to 12:30pm" in page


def test_a_monthly_session_from_the_form(staff_client, mona, acomb_hub):
    response = staff_client(mona).post(
        reverse("hubs:session-new", kwargs={"pk": acomb_hub.pk}),
        session_post(frequency="monthly", weekdays=["WE"], nth="-1"),
    )
    assert response.status_code == 302
    assert Session.objects.get().rrule == "FREQ=MONTHLY;BYDAY=-1WE"


def test_a_bad_session_is_refused_and_keeps_what_was_typed(staff_client, mona, acomb_hub):
    response = staff_client(mona).post(
        reverse("hubs:session-new", kwargs={"pk": acomb_hub.pk}),
        session_post(weekdays=[], start_time="half ten", end_time="9am", capacity="40"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one day" in page
    assert "Enter the start time like 9:30am, 2pm or 14:00" in page
    assert "People seen at the same time must be 20 or fewer" in page
    assert 'value="half ten"' in page
    assert not Session.objects.exists()


def test_times_in_the_wrong_order_are_refused(staff_client, mona, acomb_hub):
    response = staff_client(mona).post(
        reverse("hubs:session-new", kwargs={"pk": acomb_hub.pk}),
        session_post(start_time="2pm", end_time="1pm"),
    )
    assert "The end time must be after the start time" in response.content.decode()
    assert not Session.objects.exists()


def test_editing_a_session_lists_bookings_outside_the_new_pattern(staff_client, mona, acomb_hub):
    session = make_session(
        acomb_hub,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=upcoming_monday(),
        start_time=dt.time(10),
        end_time=dt.time(12),
        appointment_minutes=60,
    )
    slots_generate(session=session)
    booking = make_booking(session.slots.order_by("starts_at").first())
    client = staff_client(mona)
    url = reverse("hubs:session-edit", kwargs={"pk": session.pk})
    form = client.get(url).context["form"]
    assert form.initial["weekdays"] == ["TU"] and form.initial["frequency"] == "weekly"
    response = client.post(
        url,
        session_post(
            weekdays=["WE"],
            start_time="10am",
            end_time="12pm",
            appointment_minutes="60",
            capacity="1",
            **date_fields("starts_on", upcoming_monday()),
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 booking is outside the new pattern" in page
    assert booking.person.display_name in page
    session.refresh_from_db()
    assert session.rrule == "FREQ=WEEKLY;BYDAY=WE"


def test_cancelling_a_day_needs_a_reason(staff_client, mona, acomb_hub):
    session = session_with_slots(acomb_hub)
    url = reverse("hubs:session-cancel-day", kwargs={"pk": session.pk})
    day = upcoming_monday()
    response = staff_client(mona).post(url, {**date_fields("day", day), "reason": ""})
    assert "Enter why the session is cancelled" in response.content.decode()
    assert not Closure.objects.exists()
    response = staff_client(mona).post(url, {**date_fields("day", day), "reason": "Staff ill"})
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.session == session and closure.starts_on == day
    assert not session.slots.filter(starts_at__date=day, status="open").exists()


# --- closures -----------------------------------------------------------------------------------


def test_a_bank_holiday_closes_every_hub(staff_client, mona, acomb_hub, north_hub):
    here = session_with_slots(acomb_hub)
    there = session_with_slots(north_hub)
    day = upcoming_monday()
    client = staff_client(mona)
    response = client.post(
        reverse("hubs:closure-new"),
        {
            "hub": "every",
            **date_fields("starts_on", day),
            **date_fields("ends_on", day),
            "reason": "Bank holiday",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("hubs:closures")
    for session in (here, there):
        assert not session.slots.filter(starts_at__date=day, status="open").exists()
    follow = client.get(reverse("hubs:closures")).content.decode()
    assert "Bank holiday" in follow and "Every hub" in follow


def test_a_closure_with_dates_out_of_order_is_refused(staff_client, mona, acomb_hub):
    day = upcoming_monday()
    response = staff_client(mona).post(
        reverse("hubs:closure-new") + f"?hub={acomb_hub.pk}",
        {
            "hub": str(acomb_hub.pk),
            **date_fields("starts_on", day),
            **date_fields("ends_on", day - dt.timedelta(days=2)),
            "reason": "Refurbishment",
        },
    )
    page = response.content.decode()
    assert "The last day must be the same as or after the first day" in page
    assert 'value="Refurbishment"' in page
    assert not Closure.objects.exists()


def test_taking_back_a_closure_reopens_its_times(staff_client, mona, acomb_hub):
    from alongside.hubs.services.schedule import closure_create

    session = session_with_slots(acomb_hub)
    day = upcoming_monday()
    closure = closure_create(
        actor=mona, starts_on=day, ends_on=day, reason="Training", hub=acomb_hub
    )
    url = reverse("hubs:closure-delete", kwargs={"pk": closure.pk})
    response = staff_client(mona).post(url)
    assert response.status_code == 302
    assert not Closure.objects.exists()
    assert session.slots.filter(starts_at__date=day, status="open").count() == 2


def test_only_the_manager_may_take_back_a_closure(staff_client, pat, mona, acomb_hub):
    day = upcoming_monday()
    closure = Closure.objects.create(hub=acomb_hub, starts_on=day, ends_on=day, reason="X")
    url = reverse("hubs:closure-delete", kwargs={"pk": closure.pk})
    assert staff_client(pat).post(url).status_code == 403
    assert Closure.objects.exists()


def test_the_manager_sees_how_many_people_were_told(staff_client, mona, acomb_hub):
    """Needs the booking services' bookings_cancel_for_slots (helper B2)."""
    session = session_with_slots(acomb_hub)
    day = upcoming_monday()
    make_booking(session.slots.filter(starts_at__date=day).first())
    client = staff_client(mona)
    response = client.post(
        reverse("hubs:closure-new"),
        {
            "hub": str(acomb_hub.pk),
            **date_fields("starts_on", day),
            **date_fields("ends_on", day),
            "reason": "Boiler broken",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Closed 2 appointment times. 1 person was told and offered other times." in page
