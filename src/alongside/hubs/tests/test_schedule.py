"""Hubs, sessions, slots and closures (services/schedule.py): repeat rules, slot generation
(counts, clock changes, idempotency, closures, last dates, drop-ins), editing a session
with booked slots, and closures that cancel bookings."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.directory.models import AccessibilityFeature, Location
from alongside.hubs.models import Booking, Closure, Session, Slot
from alongside.hubs.services import schedule
from alongside.hubs.services.schedule import (
    closure_create,
    closure_delete,
    hub_create,
    hub_update,
    rrule_build,
    rrule_describe,
    rrule_parse,
    rrule_validate,
    session_create,
    session_update,
    slots_extend_all,
    slots_generate,
)

from .factories import make_booking, make_hub, make_session, practitioner

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def upcoming(weekday: int, *, weeks: int = 1) -> dt.date:
    """The given weekday (0 = Monday) at least `weeks` weeks from today."""
    day = timezone.localdate() + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def spring_forward_after(day: dt.date) -> dt.date:
    """The next last-Sunday-of-March (clocks go forward) after the day."""
    for year in (day.year, day.year + 1):
        last = dt.date(year, 3, 31)
        sunday = last - dt.timedelta(days=(last.weekday() - 6) % 7)
        if sunday > day:
            return sunday
    raise AssertionError("unreachable")


def local(slot: Slot) -> dt.datetime:
    return slot.starts_at.astimezone(LONDON)


# --- repeat rules -------------------------------------------------------------------------------


def test_the_form_choices_build_rules_and_read_back():
    weekly = rrule_build(frequency="weekly", weekdays=["TH", "TU"])
    fortnightly = rrule_build(frequency="fortnightly", weekdays=["WE"])
    monthly = rrule_build(frequency="monthly", weekdays=["FR"], nth=-1)
    assert weekly == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert fortnightly == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert monthly == "FREQ=MONTHLY;BYDAY=-1FR"
    assert rrule_parse(weekly) == {"frequency": "weekly", "weekdays": ["TU", "TH"], "nth": None}
    assert rrule_parse(monthly) == {"frequency": "monthly", "weekdays": ["FR"], "nth": -1}
    assert rrule_parse("FREQ=DAILY") is None
    assert rrule_describe(weekly) == "Every week on Tuesday and Thursday"
    assert rrule_describe(fortnightly) == "Every 2 weeks on Wednesday"
    assert rrule_describe("FREQ=MONTHLY;BYDAY=2TU") == "Every month on the second Tuesday"
    assert rrule_describe("FREQ=DAILY") == "By the rule FREQ=DAILY"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter how often the session repeats"),
        ("DTSTART:20260101T100000\nRRULE:FREQ=WEEKLY", "Leave DTSTART out"),
        ("BYDAY=TU", "must say how often"),
        ("FREQ=HOURLY", "daily, weekly or monthly"),
        ("FREQ=WEEKLY;BYHOUR=10", "Leave times out"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RFC 5545 rule"),
        ("FREQ=WEEKLY;INTERVAL=two", "not a valid RFC 5545 rule"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", "gives no dates"),
        ("FREQ=WEEKLY;UNTIL=20200101", "gives no dates"),
    ],
)
def test_a_bad_rule_is_refused_with_a_clear_message(rule, message):
    with pytest.raises(ValidationError) as refused:
        rrule_validate(rule)
    assert message in refused.value.message_dict["rrule"][0]


def test_a_good_rule_is_accepted_and_tidied():
    assert rrule_validate(" RRULE:FREQ=WEEKLY;BYDAY=TU ") == "FREQ=WEEKLY;BYDAY=TU"


# --- hubs ---------------------------------------------------------------------------------------


def test_a_hub_takes_its_place_and_access_from_the_directory_venue(mona, tp_team, york):
    ward = york["Acomb"]
    venue = Location.objects.create(name="Acomb Library", ward=ward, transport="Bus 1")
    AccessibilityFeature.objects.create(location=venue, feature="hearing_loop")
    hub = hub_create(actor=mona, location=venue, team=tp_team)
    assert (hub.name, hub.ward, hub.neighbourhood) == ("Acomb Library", ward, ward.neighbourhood)
    assert hub.hearing_loop and not hub.step_free
    assert hub.directions == "Bus 1"
    assert AuditEvent.objects.filter(object_id=str(hub.pk), action="create").exists()


def test_only_a_lead_of_the_team_sets_up_its_hubs(mona, nell, other_team, tp_team, york):
    venue = Location.objects.create(name="Hall", ward=york["Acomb"])
    with pytest.raises(PermissionDenied):
        hub_create(actor=mona, location=venue, team=other_team)
    with pytest.raises(PermissionDenied):
        hub_create(actor=nell, location=venue, team=tp_team)


def test_a_venue_without_a_ward_or_already_a_hub_is_refused(mona, tp_team, acomb_hub):
    no_ward = Location.objects.create(name="Somewhere")
    with pytest.raises(ValidationError) as refused:
        hub_create(actor=mona, location=no_ward, team=tp_team)
    assert "no ward" in refused.value.message_dict["location"][0]
    with pytest.raises(ValidationError) as refused:
        hub_create(actor=mona, location=acomb_hub.location, team=tp_team)
    assert "already a hub" in refused.value.message_dict["location"][0]


def test_stopping_a_hub_closes_its_empty_future_slots(mona, acomb_hub):
    session = make_session(acomb_hub, rrule="FREQ=DAILY", starts_on=upcoming(0))
    slots_generate(session=session, until=upcoming(0) + dt.timedelta(days=1))
    booked = Slot.objects.filter(session=session).first()
    make_booking(booked)
    change = hub_update(actor=mona, hub=acomb_hub, is_active=False)
    assert change.slots_closed == 3 and change.bookings_standing == 1
    assert Slot.objects.filter(session=session, status="open").get() == booked


# --- generation ---------------------------------------------------------------------------------


def test_slots_fill_each_occurrence_with_appointments(acomb_hub):
    monday = upcoming(0)
    session = make_session(
        acomb_hub,
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
        starts_on=monday,
        start_time=dt.time(10),
        end_time=dt.time(12, 30),
        appointment_minutes=45,
        capacity=2,
    )
    made = slots_generate(session=session, until=monday + dt.timedelta(days=13))
    # Four days (two Tuesdays, two Thursdays), three 45-minute conversations each.
    assert made == 12
    slots = list(session.slots.order_by("starts_at"))
    assert [local(s).strftime("%a %H:%M") for s in slots[:3]] == [
        "Tue 10:00",
        "Tue 10:45",
        "Tue 11:30",
    ]
    assert all(s.capacity == 2 and s.status == "open" and s.hub_id == acomb_hub.pk for s in slots)
    assert local(slots[2]).replace(tzinfo=None).time() == dt.time(11, 30)
    assert slots[2].ends_at.astimezone(LONDON).time() == dt.time(12, 15)
    session.refresh_from_db()
    assert session.generated_until == monday + dt.timedelta(days=13)


def test_generation_is_idempotent(acomb_hub):
    session = make_session(acomb_hub, rrule="FREQ=WEEKLY;BYDAY=MO,WE", starts_on=upcoming(0))
    first = slots_generate(session=session)
    assert first > 0
    assert slots_generate(session=session) == 0
    assert session.slots.count() == first


def test_by_default_slots_reach_the_configured_weeks_ahead(acomb_hub, settings):
    settings.HUBS_SLOT_WEEKS_AHEAD = 3
    session = make_session(
        acomb_hub, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", starts_on=timezone.localdate()
    )
    slots_generate(session=session)
    last = session.slots.order_by("-starts_at").first()
    assert local(last).date() == timezone.localdate() + dt.timedelta(weeks=3)
    assert session.slots.filter(starts_at__lte=timezone.now()).count() == 0


def test_every_two_weeks_counts_from_the_first_date(acomb_hub):
    first = upcoming(1)  # a Tuesday
    session = make_session(acomb_hub, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", starts_on=first)
    slots_generate(session=session, until=first + dt.timedelta(weeks=6))
    days = sorted({local(s).date() for s in session.slots.all()})
    assert days == [first + dt.timedelta(weeks=n) for n in (0, 2, 4, 6)]


def test_monthly_on_the_nth_weekday(acomb_hub):
    session = make_session(acomb_hub, rrule="FREQ=MONTHLY;BYDAY=2WE", starts_on=upcoming(0))
    slots_generate(session=session, until=upcoming(0) + dt.timedelta(days=100))
    days = sorted({local(s).date() for s in session.slots.all()})
    assert len(days) >= 3
    assert all(d.weekday() == 2 and 8 <= d.day <= 14 for d in days)


def test_slots_keep_local_time_across_the_clock_change(acomb_hub):
    sunday = spring_forward_after(timezone.localdate() + dt.timedelta(days=3))
    session = make_session(
        acomb_hub,
        rrule="FREQ=DAILY",
        starts_on=sunday - dt.timedelta(days=2),
        start_time=dt.time(10),
        end_time=dt.time(11),
    )
    slots_generate(session=session, until=sunday + dt.timedelta(days=2))
    slots = list(session.slots.order_by("starts_at"))
    assert len(slots) == 5
    assert {local(s).time() for s in slots} == {dt.time(10)}
    utc_hours = [s.starts_at.astimezone(dt.UTC).hour for s in slots]
    assert utc_hours == [10, 10, 9, 9, 9]  # GMT, then British Summer Time from the Sunday
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=1) for s in slots)


def test_no_slots_after_the_last_date(acomb_hub):
    monday = upcoming(0)
    session = make_session(
        acomb_hub, rrule="FREQ=DAILY", starts_on=monday, ends_on=monday + dt.timedelta(days=2)
    )
    slots_generate(session=session, until=monday + dt.timedelta(days=30))
    assert session.slots.count() == 6  # three days, two hour-long slots each
    session.refresh_from_db()
    assert session.generated_until == monday + dt.timedelta(days=2)


def test_a_drop_in_has_one_slot_covering_each_session(acomb_hub):
    monday = upcoming(0)
    session = make_session(
        acomb_hub,
        kind=Session.Kind.DROP_IN,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        starts_on=monday,
        start_time=dt.time(13),
        end_time=dt.time(16),
        capacity=4,
    )
    assert slots_generate(session=session, until=monday + dt.timedelta(weeks=1)) == 2
    slot = session.slots.first()
    assert (local(slot).time(), slot.ends_at.astimezone(LONDON).time()) == (
        dt.time(13),
        dt.time(16),
    )
    assert slot.kind == "drop_in" and slot.capacity == 4


def test_an_inactive_session_gets_no_slots(acomb_hub):
    session = make_session(acomb_hub, starts_on=upcoming(0), is_active=False)
    assert slots_generate(session=session) == 0


def test_slots_in_a_closure_are_made_closed(mona, acomb_hub, heworth_hub):
    monday = upcoming(0)
    here = make_session(acomb_hub, rrule="FREQ=DAILY", starts_on=monday)
    there = make_session(heworth_hub, rrule="FREQ=DAILY", starts_on=monday)
    holiday = closure_create(actor=mona, starts_on=monday, ends_on=monday, reason="Bank holiday")
    hub_closed = closure_create(
        actor=mona,
        starts_on=monday + dt.timedelta(days=1),
        ends_on=monday + dt.timedelta(days=1),
        reason="Staff training",
        hub=acomb_hub,
    )
    one_session = closure_create(
        actor=mona,
        starts_on=monday + dt.timedelta(days=2),
        ends_on=monday + dt.timedelta(days=2),
        reason="Practitioner away",
        session=there,
    )
    slots_extend_all(until=monday + dt.timedelta(days=3))

    def closures(session):
        return {local(s).date(): s.closure for s in session.slots.filter(status="closed")}

    assert closures(here) == {monday: holiday, monday + dt.timedelta(days=1): hub_closed}
    assert closures(there) == {monday: holiday, monday + dt.timedelta(days=2): one_session}
    assert here.slots.filter(status="open").count() == 4
    assert not here.slots.filter(status="closed", closure__isnull=True).exists()


def test_extending_all_sessions_is_fast(tp_team, york):
    hubs = [make_hub(team=tp_team, ward=york["Acomb"], name=f"Hub {n}") for n in range(10)]
    for n in range(100):
        make_session(hubs[n % 10], start_time=dt.time(9 + n % 8), end_time=dt.time(10 + n % 8))
    began = time.perf_counter()
    made = slots_extend_all()
    took = time.perf_counter() - began
    assert made > 100 * 50
    assert took < 1.0, f"{took:.2f}s"
    assert slots_extend_all() == 0


def test_the_command_generates_slots(acomb_hub):
    session = make_session(acomb_hub, starts_on=upcoming(0))
    call_command("generate_slots", "--until", (upcoming(0) + dt.timedelta(days=4)).isoformat())
    assert session.slots.count() == 10


# --- sessions -----------------------------------------------------------------------------------


def session_values(**overrides):
    values = {
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "starts_on": upcoming(0),
        "start_time": dt.time(10),
        "end_time": dt.time(12),
        "appointment_minutes": 60,
        "capacity": 1,
    }
    return values | overrides


def test_a_session_is_created_with_its_slots(mona, pat, acomb_hub):
    session = session_create(actor=mona, hub=acomb_hub, practitioners=[pat], **session_values())
    assert list(session.practitioners.all()) == [pat]
    assert session.slots.count() == 2 * len({local(s).date() for s in session.slots.all()})
    assert session.generated_until is not None


def test_a_session_checks_its_times_and_people(mona, nell, acomb_hub):
    with pytest.raises(ValidationError) as refused:
        session_create(
            actor=mona,
            hub=acomb_hub,
            practitioners=[nell],
            **session_values(end_time=dt.time(9), rrule="FREQ=SOMETIMES"),
        )
    errors = refused.value.message_dict
    assert errors["end_time"] == ["The end time must be after the start time"]
    assert errors["practitioners"] == ["Choose practitioners from the hub's team"]
    assert "not a valid" in errors["rrule"][0] or "daily, weekly" in errors["rrule"][0]
    with pytest.raises(ValidationError) as refused:
        session_create(actor=mona, hub=acomb_hub, **session_values(appointment_minutes=150))
    assert "120 minutes or shorter" in refused.value.message_dict["appointment_minutes"][0]
    assert not Session.objects.exists()


def test_practitioners_are_the_teams_conversation_holders(tp_team, pat, mona, fay):
    other = practitioner(tp_team, full_name="Aaron Active", is_active=False)
    found = list(schedule.practitioners_for_team(tp_team))
    assert pat in found and mona in found  # a manager may record conversations too
    assert fay not in found and other not in found


def test_another_teams_manager_cannot_add_sessions(nell, north_hub, mona):
    with pytest.raises(PermissionDenied):
        session_create(actor=mona, hub=north_hub, **session_values())


def test_editing_keeps_booked_slots_and_replaces_the_rest(mona, acomb_hub):
    tuesday = upcoming(1)
    session = session_create(
        actor=mona, hub=acomb_hub, **session_values(starts_on=tuesday, capacity=2)
    )
    until = session.generated_until
    booked_slot = session.slots.order_by("starts_at").first()  # Tuesday 10:00
    bookings = {make_booking(booked_slot).pk, make_booking(booked_slot).pk}
    change = session_update(
        actor=mona,
        session=session,
        rrule="FREQ=WEEKLY;BYDAY=WE",
        start_time=dt.time(14),
        end_time=dt.time(15, 30),
        appointment_minutes=30,
        capacity=1,
    )
    # Only the booked Tuesday slot is left of the old pattern, with its capacity kept.
    booked_slot.refresh_from_db()
    assert booked_slot.capacity == 2 and booked_slot.booked == 2
    tuesdays = session.slots.filter(starts_at__week_day=3)
    assert list(tuesdays) == [booked_slot]
    assert {b.pk for b in change.outside} == bookings
    wednesdays = session.slots.exclude(pk=booked_slot.pk)
    assert {local(s).strftime("%a %H:%M") for s in wednesdays} == {
        "Wed 14:00",
        "Wed 14:30",
        "Wed 15:00",
    }
    assert all(s.capacity == 1 for s in wednesdays)
    assert change.slots_created == wednesdays.count()
    assert max(local(s).date() for s in wednesdays) <= until


def test_lowering_capacity_keeps_a_fuller_slot(mona, acomb_hub):
    session = session_create(
        actor=mona, hub=acomb_hub, **session_values(starts_on=upcoming(1), capacity=3)
    )
    full = session.slots.order_by("starts_at").first()
    make_booking(full)
    make_booking(full)
    change = session_update(actor=mona, session=session, capacity=1)
    full.refresh_from_db()
    assert full.capacity == 2
    assert change.outside == []
    assert set(session.slots.exclude(pk=full.pk).values_list("capacity", flat=True)) == {1}


def test_ending_a_session_closes_its_later_empty_slots(mona, acomb_hub):
    tuesday = upcoming(1)
    session = session_create(actor=mona, hub=acomb_hub, **session_values(starts_on=tuesday))
    later = session.slots.filter(starts_at__date__gt=tuesday + dt.timedelta(days=7))
    booked = later.order_by("starts_at").first()
    make_booking(booked)
    session_update(actor=mona, session=session, ends_on=tuesday + dt.timedelta(days=7))
    open_later = session.slots.filter(
        starts_at__gt=dt.datetime.combine(tuesday + dt.timedelta(days=8), dt.time(), LONDON),
        status="open",
    )
    assert list(open_later) == [booked]
    assert session.slots.filter(starts_at__date__lte=tuesday + dt.timedelta(days=7)).count() == 4


# --- closures -----------------------------------------------------------------------------------


def test_a_closure_needs_a_reason_and_dates_in_order(mona, acomb_hub):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        closure_create(
            actor=mona, starts_on=today, ends_on=today - dt.timedelta(days=1), reason=" "
        )
    assert set(refused.value.message_dict) == {"reason", "ends_on"}
    with pytest.raises(ValidationError) as refused:
        closure_create(
            actor=mona,
            starts_on=today - dt.timedelta(days=1),
            ends_on=today,
            reason="Too late",
        )
    assert "today or later" in refused.value.message_dict["starts_on"][0]
    assert not Closure.objects.exists()


def test_another_teams_manager_cannot_close_a_hub(mona, north_hub, pat):
    day = upcoming(0)
    with pytest.raises(PermissionDenied):
        closure_create(actor=mona, starts_on=day, ends_on=day, reason="No", hub=north_hub)
    with pytest.raises(PermissionDenied):
        closure_create(actor=pat, starts_on=day, ends_on=day, reason="Bank holiday")


def test_deleting_a_closure_reopens_its_slots(mona, acomb_hub):
    monday = upcoming(0)
    session = make_session(acomb_hub, rrule="FREQ=DAILY", starts_on=monday)
    slots_generate(session=session, until=monday + dt.timedelta(days=1))
    holiday = closure_create(actor=mona, starts_on=monday, ends_on=monday, reason="Holiday")
    training = closure_create(
        actor=mona, starts_on=monday, ends_on=monday, reason="Training", hub=acomb_hub
    )
    assert holiday.slots_closed == 2 and training.slots_closed == 0
    assert closure_delete(actor=mona, closure=holiday) == 0  # still closed for training
    assert set(session.slots.filter(status="closed").values_list("closure", flat=True)) == {
        training.pk
    }
    assert closure_delete(actor=mona, closure=training) == 2
    assert session.slots.filter(status="open").count() == 4


def test_cancelling_a_day_of_a_session_closes_only_that_session(mona, acomb_hub):
    monday = upcoming(0)
    kept = make_session(acomb_hub, rrule="FREQ=DAILY", starts_on=monday)
    cancelled = make_session(
        acomb_hub,
        rrule="FREQ=DAILY",
        starts_on=monday,
        start_time=dt.time(14),
        end_time=dt.time(15),
    )
    slots_extend_all(until=monday)
    schedule.session_cancel_day(
        actor=mona, session=cancelled, day=monday, reason="Practitioner ill"
    )
    assert not kept.slots.filter(status="closed").exists()
    assert cancelled.slots.filter(starts_at__date=monday).get().status == "closed"


def test_a_closure_cancels_bookings_and_tells_people(mona, acomb_hub):
    """Needs the booking services' bookings_cancel_for_slots (helper B2)."""
    pytest.importorskip("alongside.hubs.services.bookings")
    monday = upcoming(0)
    session = make_session(acomb_hub, rrule="FREQ=DAILY", starts_on=monday, capacity=2)
    slots_generate(session=session, until=monday + dt.timedelta(days=7))
    first, second = session.slots.order_by("starts_at")[:2]
    bookings = [make_booking(first), make_booking(first), make_booking(second)]
    closure = closure_create(actor=mona, starts_on=monday, ends_on=monday, reason="Flooded")
    assert closure.people_told == 3
    assert closure.slots_closed == 2
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
    first.refresh_from_db()
    assert first.status == "closed" and first.booked == 0 and first.closure == closure
