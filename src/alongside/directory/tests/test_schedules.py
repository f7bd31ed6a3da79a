"""Schedules: RFC 5545 rules expanded into dates, bank holidays, and plain-English text."""

from __future__ import annotations

import calendar
import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.directory import schedules as _schedules
from alongside.directory.models import Schedule
from alongside.directory.schedules import (
    EXTRA_BANK_HOLIDAYS,
    MOVED_BANK_HOLIDAYS,
    Occurrence,
    bank_holidays,
    describe,
    format_date,
    format_time,
    is_bank_holiday,
    occurrences,
    parse_byday,
    parse_bymonthday,
    parse_exdates,
)

D = dt.date
T = dt.time


def make(**fields) -> Schedule:
    """An unsaved schedule: the functions under test read fields only."""
    fields.setdefault("dtstart", D(2026, 1, 1))
    return Schedule(**fields)


def dates(schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.date]:
    return [o.date for o in occurrences(schedule, start=start, end=end)]


# --- Bank holidays ---------------------------------------------------------------------------

# From GOV.UK's published lists for England and Wales.
KNOWN_BANK_HOLIDAYS = {
    2011: [
        "2011-01-03",
        "2011-04-22",
        "2011-04-25",
        "2011-04-29",
        "2011-05-02",
        "2011-05-30",
        "2011-08-29",
        "2011-12-26",
        "2011-12-27",
    ],
    2012: [
        "2012-01-02",
        "2012-04-06",
        "2012-04-09",
        "2012-05-07",
        "2012-06-04",
        "2012-06-05",
        "2012-08-27",
        "2012-12-25",
        "2012-12-26",
    ],
    2020: [
        "2020-01-01",
        "2020-04-10",
        "2020-04-13",
        "2020-05-08",
        "2020-05-25",
        "2020-08-31",
        "2020-12-25",
        "2020-12-28",
    ],
    2021: [
        "2021-01-01",
        "2021-04-02",
        "2021-04-05",
        "2021-05-03",
        "2021-05-31",
        "2021-08-30",
        "2021-12-27",
        "2021-12-28",
    ],
    2022: [
        "2022-01-03",
        "2022-04-15",
        "2022-04-18",
        "2022-05-02",
        "2022-06-02",
        "2022-06-03",
        "2022-08-29",
        "2022-09-19",
        "2022-12-26",
        "2022-12-27",
    ],
    2023: [
        "2023-01-02",
        "2023-04-07",
        "2023-04-10",
        "2023-05-01",
        "2023-05-08",
        "2023-05-29",
        "2023-08-28",
        "2023-12-25",
        "2023-12-26",
    ],
    2024: [
        "2024-01-01",
        "2024-03-29",
        "2024-04-01",
        "2024-05-06",
        "2024-05-27",
        "2024-08-26",
        "2024-12-25",
        "2024-12-26",
    ],
    2025: [
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
    ],
    2026: [
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
    ],
    2027: [
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
    ],
}


@pytest.mark.parametrize("year", sorted(KNOWN_BANK_HOLIDAYS))
def test_bank_holidays_match_the_published_lists(year):
    expected = {D.fromisoformat(d) for d in KNOWN_BANK_HOLIDAYS[year]}
    assert bank_holidays(year) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 12, 28), True),  # Boxing Day on a Saturday: substitute Monday
        (D(2026, 12, 26), False),
        (D(2022, 1, 3), True),  # New Year's Day on a Saturday
        (D(2023, 1, 2), True),  # New Year's Day on a Sunday
        (D(2023, 1, 1), False),
        (D(2020, 5, 4), False),  # early May moved to VE Day
        (D(2020, 5, 8), True),
        (D(2026, 6, 1), False),
    ],
)
def test_is_bank_holiday(day, expected):
    assert is_bank_holiday(day) is expected


@given(st.integers(min_value=1978, max_value=2200))
def test_every_year_has_eight_weekday_bank_holidays_unless_proclaimed(year):
    days = bank_holidays(year)
    assert all(d.year == year and d.weekday() < 5 for d in days)
    special = sum(1 for d in EXTRA_BANK_HOLIDAYS if d.year == year)
    assert len(days) == 8 + special
    christmas = sorted(
        d for d in days if d.month == 12 and d.day >= 25 and d not in EXTRA_BANK_HOLIDAYS
    )
    assert len(christmas) == 2 and christmas[1] <= D(year, 12, 28)
    good_friday = [d for d in days if d.weekday() == 4 and d.month in (3, 4)]
    assert good_friday and all(d + dt.timedelta(days=3) in days for d in good_friday)
    if not any(d.year == year for d in MOVED_BANK_HOLIDAYS):
        mondays = [d for d in days if d.month in (5, 8) and d not in EXTRA_BANK_HOLIDAYS]
        assert len(mondays) == 3 and all(d.weekday() == 0 for d in mondays)


# --- Occurrences: worked examples -----------------------------------------------------------


def test_weekly_on_a_day():
    schedule = make(dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU")
    assert dates(schedule, D(2026, 1, 1), D(2026, 1, 31)) == [
        D(2026, 1, 6),
        D(2026, 1, 13),
        D(2026, 1, 20),
        D(2026, 1, 27),
    ]


def test_each_occurrence_carries_its_times():
    schedule = make(
        dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU", opens_at=T(10), closes_at=T(12)
    )
    assert occurrences(schedule, start=D(2026, 1, 6), end=D(2026, 1, 12)) == [
        Occurrence(date=D(2026, 1, 6), opens_at=T(10), closes_at=T(12))
    ]


def test_weekly_without_byday_uses_the_first_dates_weekday():
    schedule = make(dtstart=D(2026, 1, 8), freq="WEEKLY")  # a Thursday
    assert dates(schedule, D(2026, 1, 1), D(2026, 1, 20)) == [D(2026, 1, 8), D(2026, 1, 15)]


def test_range_is_inclusive_at_both_ends():
    schedule = make(dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU")
    assert dates(schedule, D(2026, 1, 13), D(2026, 1, 20)) == [D(2026, 1, 13), D(2026, 1, 20)]


def test_nothing_before_the_first_date():
    schedule = make(dtstart=D(2026, 3, 3), freq="WEEKLY", byday="TU")
    assert dates(schedule, D(2026, 1, 1), D(2026, 3, 2)) == []
    assert dates(schedule, D(2026, 1, 1), D(2026, 3, 3)) == [D(2026, 3, 3)]


def test_several_days_a_week():
    schedule = make(dtstart=D(2026, 1, 5), freq="WEEKLY", byday="MO,WE,FR")
    assert dates(schedule, D(2026, 1, 5), D(2026, 1, 11)) == [
        D(2026, 1, 5),
        D(2026, 1, 7),
        D(2026, 1, 9),
    ]


def test_fortnightly_counts_weeks_from_the_first_date():
    schedule = make(dtstart=D(2026, 1, 7), freq="WEEKLY", interval=2, byday="WE")
    assert dates(schedule, D(2026, 1, 1), D(2026, 2, 28)) == [
        D(2026, 1, 7),
        D(2026, 1, 21),
        D(2026, 2, 4),
        D(2026, 2, 18),
    ]


def test_fortnightly_from_a_long_time_ago_keeps_its_rhythm():
    schedule = make(dtstart=D(2020, 1, 1), freq="WEEKLY", interval=2, byday="WE")
    found = dates(schedule, D(2026, 1, 1), D(2026, 1, 31))
    assert len(found) in (2, 3)
    assert all((d - D(2020, 1, 1)).days % 14 == 0 for d in found)


@pytest.mark.parametrize(
    ("byday", "expected"),
    [
        ("1MO", [D(2026, 1, 5), D(2026, 2, 2), D(2026, 3, 2)]),
        ("-1FR", [D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 27)]),
        ("+2TU", [D(2026, 1, 13), D(2026, 2, 10), D(2026, 3, 10)]),
        ("5TH", [D(2026, 1, 29)]),  # only January 2026 has five Thursdays in this range
        (
            "1MO,3MO",
            [
                D(2026, 1, 5),
                D(2026, 1, 19),
                D(2026, 2, 2),
                D(2026, 2, 16),
                D(2026, 3, 2),
                D(2026, 3, 16),
            ],
        ),
        ("1mo", [D(2026, 1, 5), D(2026, 2, 2), D(2026, 3, 2)]),  # lower case is accepted
    ],
)
def test_monthly_by_weekday_of_the_month(byday, expected):
    schedule = make(dtstart=D(2026, 1, 1), freq="MONTHLY", byday=byday)
    assert dates(schedule, D(2026, 1, 1), D(2026, 3, 31)) == expected


def test_monthly_by_day_of_month_skips_months_without_that_day():
    schedule = make(dtstart=D(2026, 1, 1), freq="MONTHLY", bymonthday="31")
    assert dates(schedule, D(2026, 1, 1), D(2026, 6, 30)) == [
        D(2026, 1, 31),
        D(2026, 3, 31),
        D(2026, 5, 31),
    ]


def test_monthly_on_the_last_day():
    schedule = make(dtstart=D(2026, 1, 1), freq="MONTHLY", bymonthday="-1")
    assert dates(schedule, D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 31),
    ]


def test_monthly_without_a_day_repeats_the_first_dates_day():
    schedule = make(dtstart=D(2026, 1, 15), freq="MONTHLY")
    assert dates(schedule, D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 15),
        D(2026, 2, 15),
        D(2026, 3, 15),
    ]


def test_every_other_month():
    schedule = make(dtstart=D(2026, 1, 1), freq="MONTHLY", interval=2, byday="1MO")
    assert dates(schedule, D(2026, 1, 1), D(2026, 6, 30)) == [
        D(2026, 1, 5),
        D(2026, 3, 2),
        D(2026, 5, 4),
    ]


def test_daily_every_other_day():
    schedule = make(dtstart=D(2026, 1, 1), freq="DAILY", interval=2)
    assert dates(schedule, D(2026, 1, 1), D(2026, 1, 7)) == [
        D(2026, 1, 1),
        D(2026, 1, 3),
        D(2026, 1, 5),
        D(2026, 1, 7),
    ]


def test_until_is_the_last_possible_date():
    schedule = make(dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU", until=D(2026, 1, 20))
    assert dates(schedule, D(2026, 1, 1), D(2026, 12, 31)) == [
        D(2026, 1, 6),
        D(2026, 1, 13),
        D(2026, 1, 20),
    ]


def test_count_limits_the_number_of_dates():
    schedule = make(dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU", count=3)
    assert dates(schedule, D(2026, 1, 1), D(2026, 12, 31)) == [
        D(2026, 1, 6),
        D(2026, 1, 13),
        D(2026, 1, 20),
    ]
    # A later window sees only what is left of the count.
    assert dates(schedule, D(2026, 1, 14), D(2026, 12, 31)) == [D(2026, 1, 20)]


def test_count_includes_excluded_dates_as_rfc_5545_says():
    schedule = make(
        dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU", count=3, exdates=["2026-01-13"]
    )
    assert dates(schedule, D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 1, 6), D(2026, 1, 20)]


def test_count_and_until_together_stop_at_whichever_comes_first():
    schedule = make(
        dtstart=D(2026, 1, 6), freq="WEEKLY", byday="TU", count=10, until=D(2026, 1, 13)
    )
    assert dates(schedule, D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 1, 6), D(2026, 1, 13)]


def test_valid_from_and_valid_to_clip_the_dates():
    schedule = make(
        dtstart=D(2026, 1, 6),
        freq="WEEKLY",
        byday="TU",
        valid_from=D(2026, 2, 1),
        valid_to=D(2026, 2, 15),
    )
    assert dates(schedule, D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 2, 3), D(2026, 2, 10)]


def test_exdates_are_removed_whatever_their_format():
    schedule = make(
        dtstart=D(2026, 1, 6),
        freq="WEEKLY",
        byday="TU",
        exdates=["2026-01-13", "2026-01-20T10:00:00", D(2026, 1, 27)],
    )
    assert dates(schedule, D(2026, 1, 1), D(2026, 2, 5)) == [D(2026, 1, 6), D(2026, 2, 3)]


def test_bank_holidays_are_skipped_only_when_asked():
    mondays = make(dtstart=D(2026, 5, 4), freq="WEEKLY", byday="MO")
    assert dates(mondays, D(2026, 5, 1), D(2026, 5, 31)) == [
        D(2026, 5, 4),
        D(2026, 5, 11),
        D(2026, 5, 18),
        D(2026, 5, 25),
    ]
    mondays.skip_bank_holidays = True
    assert dates(mondays, D(2026, 5, 1), D(2026, 5, 31)) == [D(2026, 5, 11), D(2026, 5, 18)]


def test_christmas_and_boxing_day_substitutes_are_skipped():
    daily = make(dtstart=D(2026, 12, 21), freq="DAILY", skip_bank_holidays=True)
    found = dates(daily, D(2026, 12, 24), D(2026, 12, 29))
    assert found == [D(2026, 12, 24), D(2026, 12, 26), D(2026, 12, 27), D(2026, 12, 29)]


def test_one_off_gives_its_date_only():
    once = make(dtstart=D(2026, 12, 5), opens_at=T(11), closes_at=T(15))
    assert occurrences(once, start=D(2026, 12, 1), end=D(2026, 12, 31)) == [
        Occurrence(date=D(2026, 12, 5), opens_at=T(11), closes_at=T(15))
    ]
    assert dates(once, D(2026, 12, 6), D(2026, 12, 31)) == []
    assert dates(once, D(2026, 11, 1), D(2026, 12, 4)) == []


def test_one_off_respects_exdates_validity_and_bank_holidays():
    assert (
        dates(make(dtstart=D(2026, 12, 5), exdates=["2026-12-05"]), D(2026, 1, 1), D(2027, 1, 1))
        == []
    )
    assert (
        dates(make(dtstart=D(2026, 12, 5), valid_to=D(2026, 12, 1)), D(2026, 1, 1), D(2027, 1, 1))
        == []
    )
    boxing = make(dtstart=D(2026, 12, 28), skip_bank_holidays=True)
    assert dates(boxing, D(2026, 12, 1), D(2026, 12, 31)) == []


def test_an_empty_or_backwards_range_gives_nothing():
    schedule = make(dtstart=D(2026, 1, 1), freq="DAILY")
    assert dates(schedule, D(2026, 2, 1), D(2026, 1, 1)) == []


def test_saved_schedule_from_the_database_works_the_same(db):
    from alongside.directory.models import Provider, Service

    provider = Provider.objects.create(name="Test Provider", description="Made up for a test.")
    service = Service.objects.create(provider=provider, name="Test", description="A test.")
    saved = Schedule.objects.create(
        service=service,
        dtstart=D(2026, 1, 6),
        freq="WEEKLY",
        byday="TU",
        exdates=["2026-01-13"],
        opens_at=T(10),
        closes_at=T(12),
    )
    saved.refresh_from_db()
    assert dates(saved, D(2026, 1, 1), D(2026, 1, 20)) == [D(2026, 1, 6), D(2026, 1, 20)]
    assert describe(saved) == "Every Tuesday, 10am to 12pm"


# --- Parsing ------------------------------------------------------------------------------------


def test_parse_byday():
    assert parse_byday("TU") == [(None, 1)]
    assert parse_byday("1MO, -1FR") == [(1, 0), (-1, 4)]
    assert parse_byday("MO,MO") == [(None, 0)]
    assert parse_byday("") == []


@pytest.mark.parametrize("value", ["XX", "6MO", "0MO", "-6FR", "MONDAY", "1"])
def test_parse_byday_refuses_nonsense(value):
    with pytest.raises(ValueError):
        parse_byday(value)


def test_parse_bymonthday():
    assert parse_bymonthday("1, 15") == [1, 15]
    assert parse_bymonthday("-1") == [-1]
    for bad in ("0", "32", "x"):
        with pytest.raises(ValueError):
            parse_bymonthday(bad)


def test_parse_exdates_refuses_what_is_not_a_date():
    assert parse_exdates(None) == set()
    with pytest.raises(ValueError, match="Not a date"):
        parse_exdates(["next Tuesday"])
    with pytest.raises(ValueError, match="Not a date"):
        parse_exdates([20260106])


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="frequency"):
        occurrences(make(freq="YEARLY"), start=D(2026, 1, 1), end=D(2026, 12, 31))


# --- Plain English ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (T(10), "10am"),
        (T(12), "12pm"),
        (T(12, 30), "12:30pm"),
        (T(0), "12am"),
        (T(9, 5), "9:05am"),
        (T(19), "7pm"),
        (T(23, 59), "11:59pm"),
    ],
)
def test_format_time(value, expected):
    assert format_time(value) == expected


def test_format_date():
    assert format_date(D(2026, 12, 5)) == "Saturday 5 December 2026"
    assert format_date(D(2027, 3, 31), weekday=False) == "31 March 2027"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": T(10),
                "closes_at": T(12),
                "skip_bank_holidays": True,
            },
            "Every Tuesday, 10am to 12pm, except bank holidays",
        ),
        (
            {"freq": "WEEKLY", "interval": 2, "byday": "WE", "opens_at": T(14), "closes_at": T(16)},
            "Every other Wednesday, 2pm to 4pm",
        ),
        (
            {"freq": "MONTHLY", "byday": "1MO", "opens_at": T(19), "closes_at": T(21)},
            "First Monday of the month, 7pm to 9pm",
        ),
        (
            {"dtstart": D(2026, 12, 5), "opens_at": T(11), "closes_at": T(15)},
            "Saturday 5 December 2026, 11am to 3pm",
        ),
        (
            {"freq": "WEEKLY", "byday": "TU", "opens_at": T(12), "closes_at": T(13, 30)},
            "Every Tuesday, 12pm to 1:30pm",
        ),
        ({"freq": "WEEKLY", "byday": "MO,TH"}, "Every Monday and Thursday"),
        ({"freq": "WEEKLY", "byday": "FR,MO,WE"}, "Every Monday, Wednesday and Friday"),
        (
            {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": T(9), "closes_at": T(17)},
            "Monday to Friday, 9am to 5pm",
        ),
        ({"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU"}, "Every day"),
        ({"freq": "WEEKLY", "interval": 3, "byday": "SA"}, "Every 3 weeks on Saturday"),
        ({"freq": "WEEKLY", "dtstart": D(2026, 1, 8)}, "Every Thursday"),
        ({"freq": "MONTHLY", "byday": "1MO,3MO"}, "First and third Monday of the month"),
        (
            {"freq": "MONTHLY", "byday": "2TU,4TH"},
            "Second Tuesday and fourth Thursday of the month",
        ),
        ({"freq": "MONTHLY", "byday": "-1FR"}, "Last Friday of the month"),
        ({"freq": "MONTHLY", "byday": "-2SA"}, "Second to last Saturday of the month"),
        ({"freq": "MONTHLY", "byday": "1MO", "interval": 2}, "First Monday of every other month"),
        ({"freq": "MONTHLY", "byday": "1MO", "interval": 3}, "First Monday of every 3 months"),
        ({"freq": "MONTHLY", "bymonthday": "1,15"}, "1st and 15th of the month"),
        ({"freq": "MONTHLY", "bymonthday": "-1"}, "Last day of the month"),
        ({"freq": "MONTHLY", "bymonthday": "22"}, "22nd of the month"),
        ({"freq": "MONTHLY", "bymonthday": "11"}, "11th of the month"),
        ({"freq": "MONTHLY", "dtstart": D(2026, 1, 3)}, "3rd of the month"),
        ({"freq": "DAILY"}, "Every day"),
        ({"freq": "DAILY", "interval": 2}, "Every other day"),
        ({"freq": "DAILY", "interval": 3}, "Every 3 days"),
        ({"freq": "WEEKLY", "byday": "TU", "opens_at": T(10)}, "Every Tuesday, from 10am"),
        ({"freq": "WEEKLY", "byday": "TU", "closes_at": T(15)}, "Every Tuesday, until 3pm"),
        (
            {"freq": "WEEKLY", "byday": "TU", "until": D(2027, 3, 31)},
            "Every Tuesday, until 31 March 2027",
        ),
        (
            {"freq": "WEEKLY", "byday": "TU", "dtstart": D(2026, 1, 6), "count": 6},
            "Every Tuesday, 6 sessions from Tuesday 6 January 2026",
        ),
        (
            {
                "freq": "WEEKLY",
                "byday": "TU",
                "valid_from": D(2026, 4, 1),
                "valid_to": D(2026, 9, 30),
                "skip_bank_holidays": True,
            },
            "Every Tuesday, except bank holidays, from 1 April 2026 to 30 September 2026",
        ),
    ],
)
def test_describe(fields, expected):
    assert describe(make(**fields)) == expected


# --- Properties ---------------------------------------------------------------------------------

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
days_2024_2028 = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 12, 31))


@st.composite
def schedules(draw):
    freq = draw(st.sampled_from(["", "WEEKLY", "MONTHLY", "DAILY"]))
    dtstart = draw(days_2024_2028)
    byday = ""
    bymonthday = ""
    if freq in ("WEEKLY", "DAILY"):
        byday = ",".join(draw(st.lists(st.sampled_from(WEEKDAY_CODES), max_size=3, unique=True)))
    elif freq == "MONTHLY":
        kind = draw(st.sampled_from(["ordinal", "monthday", "none"]))
        if kind == "ordinal":
            items = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([1, 2, 3, 4, -1, -2]), st.sampled_from(WEEKDAY_CODES)
                    ),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            byday = ",".join(f"{n}{d}" for n, d in items)
        elif kind == "monthday":
            days = draw(
                st.lists(
                    st.sampled_from([1, 2, 10, 15, 28, 29, 30, 31, -1, -2]),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            bymonthday = ",".join(str(d) for d in days)
    until = draw(st.none() | st.integers(0, 700).map(lambda n: dtstart + dt.timedelta(days=n)))
    count = draw(st.none() | st.integers(1, 30))
    valid_from = draw(st.none() | days_2024_2028)
    valid_to = draw(st.none() | days_2024_2028)
    exdates = draw(st.lists(days_2024_2028, max_size=5))
    return make(
        dtstart=dtstart,
        freq=freq,
        interval=draw(st.integers(1, 4)) if freq else 1,
        byday=byday,
        bymonthday=bymonthday,
        until=until,
        count=count,
        valid_from=valid_from,
        valid_to=valid_to,
        exdates=[d.isoformat() for d in exdates],
        skip_bank_holidays=draw(st.booleans()),
        opens_at=draw(st.none() | st.times()),
        closes_at=draw(st.none() | st.times()),
    )


@st.composite
def ranges(draw):
    start = draw(st.dates(min_value=D(2023, 6, 1), max_value=D(2029, 6, 30)))
    return start, start + dt.timedelta(days=draw(st.integers(0, 400)))


def _matches_monthday(day: dt.date, monthdays: list[int]) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    return any(day.day == (n if n > 0 else last + 1 + n) for n in monthdays)


def _matches_ordinal(day: dt.date, ordinal: int) -> bool:
    if ordinal > 0:
        return (day.day - 1) // 7 + 1 == ordinal
    last = calendar.monthrange(day.year, day.month)[1]
    return (last - day.day) // 7 + 1 == -ordinal


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), ranges())
def test_every_occurrence_is_allowed(schedule, window):
    start, end = window
    found = occurrences(schedule, start=start, end=end)
    days = [o.date for o in found]
    assert days == sorted(set(days)), "in order, no repeats"
    excluded = parse_exdates(schedule.exdates)
    byday = parse_byday(schedule.byday)
    monthdays = parse_bymonthday(schedule.bymonthday)
    for occurrence in found:
        day = occurrence.date
        assert start <= day <= end
        assert day >= schedule.dtstart
        assert schedule.valid_from is None or day >= schedule.valid_from
        assert schedule.valid_to is None or day <= schedule.valid_to
        assert schedule.until is None or day <= schedule.until
        assert day not in excluded
        assert not (schedule.skip_bank_holidays and is_bank_holiday(day))
        assert occurrence.opens_at == schedule.opens_at
        assert occurrence.closes_at == schedule.closes_at
        if not schedule.freq:
            assert day == schedule.dtstart
        if byday:
            assert day.weekday() in {weekday for _, weekday in byday}
            if schedule.freq == "MONTHLY":
                assert any(
                    weekday == day.weekday() and _matches_ordinal(day, ordinal)
                    for ordinal, weekday in byday
                )
        elif schedule.freq == "WEEKLY":
            assert day.weekday() == schedule.dtstart.weekday()
        if monthdays:
            assert _matches_monthday(day, monthdays)
    if schedule.count:
        assert len(found) <= schedule.count


@settings(max_examples=200, deadline=None)
@given(schedules(), ranges(), st.integers(0, 400))
def test_splitting_a_range_splits_the_occurrences(schedule, window, cut):
    start, end = window
    middle = min(start + dt.timedelta(days=cut), end)
    whole = occurrences(schedule, start=start, end=end)
    before = occurrences(schedule, start=start, end=middle)
    after = occurrences(schedule, start=middle + dt.timedelta(days=1), end=end)
    assert before + after == whole


@settings(max_examples=200, deadline=None)
@given(
    days_2024_2028,
    st.lists(st.sampled_from(WEEKDAY_CODES), min_size=1, max_size=7, unique=True),
    ranges(),
    st.booleans(),
)
def test_weekly_matches_a_day_by_day_check(dtstart, weekdays, window, skip):
    """Every matching day from the first date onward, and nothing else."""
    start, end = window
    schedule = make(
        dtstart=dtstart, freq="WEEKLY", byday=",".join(weekdays), skip_bank_holidays=skip
    )
    wanted = {WEEKDAY_CODES.index(code) for code in weekdays}
    expected = []
    day = start
    while day <= end:
        if day >= dtstart and day.weekday() in wanted and not (skip and is_bank_holiday(day)):
            expected.append(day)
        day += dt.timedelta(days=1)
    assert dates(schedule, start, end) == expected


@settings(max_examples=150, deadline=None)
@given(days_2024_2028, st.sampled_from(WEEKDAY_CODES), st.integers(2, 4), ranges())
def test_every_few_weeks_keeps_its_rhythm(dtstart, weekday, interval, window):
    start, end = window
    schedule = make(dtstart=dtstart, freq="WEEKLY", interval=interval, byday=weekday)
    found = dates(schedule, start, end)
    # Weeks start on Monday (RFC 5545's default): the rule runs in the first date's week and
    # every `interval` weeks after it.
    monday = dtstart - dt.timedelta(days=dtstart.weekday())
    anchor = monday + dt.timedelta(days=WEEKDAY_CODES.index(weekday))
    assert all((day - anchor).days % (7 * interval) == 0 for day in found)
    assert all(
        b - a == dt.timedelta(weeks=interval) for a, b in zip(found, found[1:], strict=False)
    )


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_describe_always_gives_a_sentence(schedule):
    text = describe(schedule)
    assert text and (text[0].isupper() or text[0].isdigit())
    assert "None" not in text and "  " not in text
    if schedule.skip_bank_holidays and schedule.freq:
        assert "except bank holidays" in text


# --- the fast path for plain daily and weekly rules -------------------------------------------

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@settings(max_examples=300, deadline=None)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(min_value=1, max_value=4),
    days=st.sets(st.sampled_from(_DAYS), max_size=3),
    dtstart=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)),
    start_offset=st.integers(min_value=-60, max_value=400),
    length=st.integers(min_value=0, max_value=120),
)
def test_plain_rules_give_exactly_dateutils_dates(
    freq, interval, days, dtstart, start_offset, length
):
    """The arithmetic shortcut and dateutil agree on every plain daily or weekly rule."""
    if freq == "DAILY":
        days = set()
    schedule = SimpleNamespace(
        dtstart=dtstart,
        freq=freq,
        interval=interval,
        byday=",".join(sorted(days)),
        bymonthday="",
        until=None,
        count=None,
    )
    low = dtstart + dt.timedelta(days=start_offset)
    high = low + dt.timedelta(days=length)
    rule = _schedules._rule(schedule)
    expected = [
        when.date()
        for when in rule.between(_schedules._midnight(low), _schedules._midnight(high), inc=True)
    ]
    assert _schedules._simple_dates(schedule, low, high) == expected
