"""The Talking Points figures: what each one counts (from known data), medians and 90th
percentiles worked out the same way on every database, grouping by hub, ward, neighbourhood
and month, filters, small numbers hidden unless the viewer leads the team, the CSV always
hiding them and being audited, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from alongside.core.models import AuditEvent
from alongside.hubs import figures
from alongside.hubs.figures import Filters, Group, Value
from alongside.hubs.models import AssessmentRequest, Booking, Conversation, Slot, SurveyResponse
from alongside.people.tests.factories import PersonFactory

from .factories import make_booking, make_contact, make_session, make_slot

pytestmark = pytest.mark.django_db


# Worked out when each test runs, not when the module is imported: a run that passes
# midnight must not compare yesterday's dates with today's figures.
def today() -> dt.date:
    return timezone.localdate()


def last_month() -> dt.date:
    """A day in last month, so that every date used is in the past and in the period."""
    return (today().replace(day=1) - dt.timedelta(days=1)).replace(day=10)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seen(hub, session, *, front_door, ward, waited, held_on=None, hour=10, **outcomes):
    """A person contacted `waited` days before being seen at the hub (booked and attended)."""
    held_on = held_on or last_month()
    person = PersonFactory(ward=ward)
    contact = make_contact(
        team=front_door,
        person=person,
        contact_date=held_on - dt.timedelta(days=waited),
        decision="talking_point",
    )
    slot = make_slot(session, starts_at=at(held_on, hour), capacity=2)
    booking = make_booking(slot, first_contact=contact, status=Booking.Status.ATTENDED)
    return Conversation.objects.create(
        booking=booking,
        session=session,
        hub=hub,
        person=person,
        first_contact=contact,
        held_on=held_on,
        attendance=Conversation.Attendance.ATTENDED,
        **outcomes,
    )


@pytest.fixture
def data(front_door, acomb_hub, north_hub, york):
    return known_data(front_door, acomb_hub, north_hub, york)


def known_data(front_door, acomb_hub, north_hub, york):
    """Six people seen at Acomb (waits 2, 4, 6, 8, 10, 30 days) and two at Haxby; one missed
    booking at Acomb; surveys; front-door assessments."""
    acomb_session = make_session(acomb_hub, capacity=2)
    north_session = make_session(north_hub, capacity=2)
    waits = [2, 4, 6, 8, 10, 30]
    convs = []
    for i, waited in enumerate(waits):
        convs.append(
            seen(
                acomb_hub,
                acomb_session,
                front_door=front_door,
                ward=york["Acomb"] if i < 5 else york["Heworth"],
                waited=waited,
                hour=9 + i,
                assessment_requested=i < 2,
                paid_service_needed=i < 3,
            )
        )
    for i, waited in enumerate([3, 5]):
        seen(
            north_hub,
            north_session,
            front_door=front_door,
            ward=york["Haxby & Wigginton"],
            waited=waited,
            hour=9 + i,
        )
    missed_slot = make_slot(acomb_session, starts_at=at(last_month(), 16), capacity=2)
    make_booking(missed_slot, status=Booking.Status.DID_NOT_ATTEND)
    for conv, score in zip(convs, [5, 4, 4, 2, 5, 3], strict=True):
        SurveyResponse.objects.create(conversation=conv, score=score, source="link")
    for i, days in enumerate([60, 70, 80, 90, 100]):
        person = PersonFactory(ward=york["Acomb"])
        assessed = last_month() + dt.timedelta(days=i)
        AssessmentRequest.objects.create(
            person=person,
            team=front_door,
            route="front_door",
            requested_on=assessed - dt.timedelta(days=days),
            status="assessed",
            assessed_on=assessed,
            paid_service_needed=i < 3,
        )
    AssessmentRequest.objects.create(
        person=PersonFactory(ward=york["Acomb"]),
        team=front_door,
        route="front_door",
        requested_on=today() - dt.timedelta(days=40),
    )
    return {"acomb": acomb_hub, "north": north_hub}


def by_label(result):
    return {row.label: row for row in result.rows}


def test_median_and_nearest_rank_90th_percentile():
    assert figures.median([2, 4, 6, 8, 10, 30]) == 7.0
    assert figures.percentile_90([2, 4, 6, 8, 10, 30]) == 30.0
    assert figures.percentile_90(list(range(1, 11))) == 9.0
    assert figures.median([]) is None and figures.percentile_90([]) is None


def test_the_period_is_full_months_and_this_month():
    period = figures.period_for(6, today=dt.date(2026, 3, 15))
    assert period.start == dt.date(2025, 9, 1)
    assert period.end == dt.date(2026, 3, 15)
    assert len(period.month_starts) == 7
    assert period.month_starts[0] == dt.date(2025, 9, 1)


def test_figures_by_hub(data):
    result = figures.hub_figures(period=figures.period_for(), grouping=Group.HUB)
    rows = by_label(result)
    acomb = rows["Acomb Explore Library"]
    assert sorted(acomb.seen_days) == [2, 4, 6, 8, 10, 30]
    assert acomb.value("seen_median").number == 7.0
    assert acomb.value("seen_p90").number == 30.0
    assert acomb.value("assessment_share").number == pytest.approx(100 * 2 / 6)
    assert acomb.value("paid_share").number == 50.0
    assert acomb.value("satisfied").number == pytest.approx(100 * 4 / 6)
    assert (acomb.attended, acomb.did_not_attend) == (6, 1)
    assert acomb.value("dna").number == pytest.approx(100 / 7)
    # Seven slots of two seats; seven seats booked.
    assert (acomb.seats, acomb.seats_booked) == (14, 7)
    assert acomb.value("slot_use").number == 50.0
    assert len(rows["Haxby Memorial Hall"].seen_days) == 2
    # First contacts and assessments have no hub: in the total only.
    assert acomb.contacts == 0 and acomb.assessed_days == []
    total = result.total
    assert total.contacts == 8
    assert sorted(total.assessed_days) == [60, 70, 80, 90, 100]
    assert total.value("assessed_median").number == 80.0
    assert total.waiting_days == [40]
    assert total.value("front_door_paid_share").number == 60.0
    assert len(total.seen_days) == 8


def test_by_ward_uses_the_persons_ward_at_first_contact(data, york):
    result = figures.hub_figures(period=figures.period_for(), grouping=Group.WARD)
    rows = by_label(result)
    assert len(rows["Acomb"].seen_days) == 5
    assert len(rows["Heworth"].seen_days) == 1  # seen at Acomb, but lives in Heworth
    assert len(rows["Haxby & Wigginton"].seen_days) == 2
    assert rows["Acomb"].contacts == 5
    assert len(rows["Acomb"].assessed_days) == 5


def test_by_neighbourhood_and_month(data, york):
    rows = by_label(figures.hub_figures(period=figures.period_for(), grouping=Group.NEIGHBOURHOOD))
    west = york["Acomb"].neighbourhood.name
    assert len(rows[west].seen_days) == 5
    months = figures.hub_figures(period=figures.period_for(), grouping=Group.MONTH)
    row = by_label(months)[figures.month_label(last_month().replace(day=1))]
    assert len(row.seen_days) == 8
    assert len(months.months) == 7


def test_filters_narrow_the_figures(data, york):
    by_hub = figures.hub_figures(
        period=figures.period_for(), grouping=Group.HUB, filters=Filters(hub=data["north"])
    )
    assert len(by_hub.total.seen_days) == 2
    by_ward = figures.hub_figures(
        period=figures.period_for(), grouping=Group.WARD, filters=Filters(ward=york["Heworth"])
    )
    assert len(by_ward.total.seen_days) == 1
    assert [r.label for r in by_ward.rows] == ["Heworth"]


def test_closed_and_drop_in_slots_are_left_out_of_slot_use(data):
    Slot.objects.filter(hub=data["north"]).update(status="closed")
    result = figures.hub_figures(period=figures.period_for(), grouping=Group.HUB)
    assert by_label(result)["Haxby Memorial Hall"].seats == 0


def test_small_numbers_are_hidden_unless_exact():
    assert Value.count(3).text(exact=False) == "fewer than 5"
    assert Value.count(3).text(exact=True) == "3"
    assert Value.count(0).text(exact=False) == "0"
    assert Value.count(3).text(exact=True, csv=True) == "<5"
    assert Value.share(1, 4).text(exact=False) == "fewer than 5"
    assert Value.share(1, 5).text(exact=False) == "20%"
    assert Value.share(0, 0).text(exact=False) == "none"
    assert Value.days(6.0, 3).text(exact=False) == "fewer than 5"
    assert Value.days(6.5, 5).text(exact=False) == "6.5 days"
    assert Value.days(6.5, 3).shown(exact=False) is None


def test_exact_only_for_teams_the_viewer_leads(data, mona, analyst, nell):
    result = figures.hub_figures(period=figures.period_for(), grouping=Group.HUB)
    rows = by_label(result)
    led = figures.led_teams(mona)
    assert figures.is_exact(rows["Acomb Explore Library"], led)
    assert not figures.is_exact(rows["Haxby Memorial Hall"], led)
    # The total includes the front door's and another team's work.
    assert not figures.is_exact(result.total, led)
    assert not figures.is_exact(rows["Acomb Explore Library"], figures.led_teams(analyst))


def test_csv_hides_small_numbers_and_is_audited(data, mona):
    result = figures.hub_figures(period=figures.period_for(), grouping=Group.HUB)
    text = figures.figures_export(actor=mona, figures=result)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["table", "category", "measure", "value"]
    found = {(t, c, m): v for t, c, m, v in lines[2:]}
    assert found[("By hub", "Haxby Memorial Hall", "Seen at a Talking Point")] == "<5"
    assert found[("By hub", "Acomb Explore Library", "Seen at a Talking Point")] == "6"
    assert found[("By hub", "Acomb Explore Library", "Median days to be seen")] == "7"
    assert ("By hub", "Acomb Explore Library", "First contacts") not in found
    assert found[("All", "All", "Still waiting for assessment")] == "<5"
    event = AuditEvent.objects.get(object_type="hubs.figures")
    assert event.action == "export" and event.actor == mona


def test_a_fixed_number_of_queries(data, django_assert_max_num_queries):
    for grouping in (Group.HUB, Group.WARD, Group.NEIGHBOURHOOD, Group.MONTH):
        with django_assert_max_num_queries(9):
            figures.hub_figures(period=figures.period_for(), grouping=grouping)
