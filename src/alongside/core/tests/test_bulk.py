"""The fast inserts in `core.bulk` write what the ORM would, on either engine: every kind of
value the directory uses reads back as it was given, defaults are filled in, and automatic
timestamps keep the order rows were given in."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from alongside.core.bulk import fetch_rows, in_list, insert_objects, insert_rows, insert_values
from alongside.directory.models import (
    CostOption,
    ListingChange,
    Provider,
    Schedule,
    Service,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PUBLISHED = dt.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=LONDON)  # BST: 08:30 UTC


@pytest.fixture
def provider():
    return Provider.objects.create(name="York Group", description="Runs activities.")


@pytest.fixture
def user():
    return get_user_model().objects.create_user(email="editor@example.org", password="x" * 20)


def service_values(provider: Provider, user) -> dict:
    return {
        "id": uuid.uuid4(),
        "provider_id": provider.pk,
        "name": "Coffee morning",
        "description": "Tea, coffee and a chat.",
        "is_free": True,
        "minimum_age": None,
        "maximum_age": 99,
        "last_checked_at": dt.date(2026, 2, 28),
        "published_at": PUBLISHED,
        "state": Service.State.PUBLISHED,
        "created_by_id": user.pk,
        "modified_by_id": None,
    }


def schedule_values(service_id: uuid.UUID) -> dict:
    return {
        "id": uuid.uuid4(),
        "service_id": service_id,
        "dtstart": dt.date(2026, 1, 6),
        "freq": "WEEKLY",
        "byday": "TU",
        "opens_at": dt.time(10, 0),
        "closes_at": dt.time(12, 30, 15),
        "until": None,
        "exdates": ["2026-12-22", "2026-12-29"],
        "skip_bank_holidays": True,
    }


def check_service(values: dict) -> None:
    got = Service.objects.get(pk=values["id"])
    for name, value in values.items():
        assert getattr(got, name) == value, name
    assert got.published_at == PUBLISHED  # the same instant, whatever zone it comes back in
    assert got.published_at.astimezone(dt.UTC).hour == 8
    assert got.created_at == got.modified_at  # stamped once


def check_schedule(values: dict) -> None:
    got = Schedule.objects.get(pk=values["id"])
    for name, value in values.items():
        assert getattr(got, name) == value, name
    assert got.interval == 1  # the default
    assert got.count is None
    assert got.service_at_location_id is None


def test_insert_objects_round_trips_every_kind_of_value(provider, user):
    values = service_values(provider, user)
    assert insert_objects(Service, [Service(**values)]) == 1
    check_service(values)
    sched = schedule_values(values["id"])
    insert_objects(Schedule, [Schedule(**sched)])
    check_schedule(sched)
    cost = CostOption(id=uuid.uuid4(), service_id=values["id"], amount=Decimal("2.50"))
    insert_objects(CostOption, [cost])
    assert CostOption.objects.get(pk=cost.pk).amount == Decimal("2.50")


def test_insert_values_round_trips_and_fills_in_defaults(provider, user):
    values = service_values(provider, user)
    assert insert_values(Service, [values]) == 1
    check_service(values)
    got = Service.objects.get(pk=values["id"])
    assert got.kind == Service.Kind.ACTIVITY and got.summary == "" and got.fees == ""

    sched = schedule_values(values["id"])
    plain = {"id": uuid.uuid4(), "service_id": values["id"], "dtstart": dt.date(2026, 3, 1)}
    insert_values(Schedule, [sched, plain])
    check_schedule(sched)
    got = Schedule.objects.get(pk=plain["id"])
    assert got.exdates == [] and got.opens_at is None and got.skip_bank_holidays is False

    costs = [
        {"id": uuid.uuid4(), "service_id": values["id"], "amount": Decimal("0.05")},
        {"id": uuid.uuid4(), "service_id": values["id"], "amount": None},
        {"id": uuid.uuid4(), "service_id": values["id"], "amount": Decimal("999999.99")},
    ]
    insert_values(CostOption, costs)
    for cost in costs:
        assert CostOption.objects.get(pk=cost["id"]).amount == cost["amount"]


def test_insert_values_of_a_model_with_an_automatic_id(provider):
    service = Service.objects.create(provider=provider, name="Walk", description="A walk.")
    rows = [{"service_id": service.pk, "action": "import", "note": f"row {n}"} for n in range(3)]
    rows[1]["changes"] = {"name": ["Old", "Walk"]}
    insert_values(ListingChange, rows)
    got = list(ListingChange.objects.filter(service=service).order_by("pk"))
    assert [c.note for c in got] == ["row 0", "row 1", "row 2"]
    assert [c.changes for c in got] == [{}, {"name": ["Old", "Walk"]}, {}]
    assert all(c.actor_id is None and c.at is not None for c in got)


def test_insert_rows_round_trips_foreign_keys(provider):
    service = Service.objects.create(provider=provider, name="Walk", description="A walk.")
    terms = list(TaxonomyTerm.objects.all()[:3])
    if not terms:
        from django.core.management import call_command

        call_command("load_taxonomies", verbosity=0)
        terms = list(TaxonomyTerm.objects.all()[:3])
    through = Service.terms.through
    insert_rows(through, ("service", "taxonomyterm"), [(service.pk, t.pk) for t in terms])
    assert set(service.terms.values_list("pk", flat=True)) == {t.pk for t in terms}
    with pytest.raises(ValueError, match="values"):
        insert_rows(through, ("service", "taxonomyterm"), [(service.pk,)])


@pytest.mark.parametrize("how", ["objects", "values"])
def test_automatic_timestamps_keep_the_order_rows_were_given_in(provider, how):
    given = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    ids = [uuid.uuid4() for _ in range(50)]
    before = dt.datetime.now(dt.UTC)
    if how == "objects":
        insert_objects(
            Service,
            [
                Service(id=pk, provider=provider, name=f"S{n}", description="-", created_at=given)
                for n, pk in enumerate(ids)
            ],
        )
    else:
        insert_values(
            Service,
            [
                {"id": pk, "provider_id": provider.pk, "name": f"S{n}", "created_at": given}
                for n, pk in enumerate(ids)
            ],
        )
    after = dt.datetime.now(dt.UTC)
    rows = dict(Service.objects.filter(pk__in=ids).values_list("pk", "created_at"))
    stamps = [rows[pk] for pk in ids]
    # The time of the call (not what the row said), one microsecond apart, in order.
    assert before <= stamps[0] and stamps[-1] <= after + dt.timedelta(microseconds=50)
    assert all(
        b - a == dt.timedelta(microseconds=1) for a, b in zip(stamps, stamps[1:], strict=False)
    )
    ordered = list(
        Service.objects.filter(pk__in=ids).order_by("created_at").values_list("pk", flat=True)
    )
    assert ordered == ids
    modified = dict(Service.objects.filter(pk__in=ids).values_list("pk", "modified_at"))
    assert all(modified[pk] == rows[pk] for pk in ids)


def test_in_list_finds_any_number_of_ids(provider):
    ids = [uuid.uuid4() for _ in range(1500)]  # more than SQLite's old limit on parameters
    insert_values(
        Service,
        [{"id": pk, "provider_id": provider.pk, "name": "S", "description": "-"} for pk in ids],
    )
    wanted = ids[::3] + [uuid.uuid4()]
    field = Service._meta.pk
    found = set(Service.objects.filter(pk__in=in_list(field, wanted)).values_list("pk", flat=True))
    assert found == set(ids[::3])
    assert not Service.objects.filter(pk__in=in_list(field, [])).exists()
    others = Service.objects.exclude(pk__in=in_list(field, wanted)).count()
    assert others == len(ids) - len(ids[::3])
    by_provider = Service.objects.filter(
        provider_id__in=in_list(Service._meta.get_field("provider"), [provider.pk])
    )
    assert by_provider.count() == len(ids)


def test_insert_values_keeps_the_automatic_timestamps_it_is_given(provider):
    given = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    pk = uuid.uuid4()
    insert_values(
        Service,
        [{"id": pk, "provider_id": provider.pk, "name": "S", "modified_at": given}],
        given=("modified_at",),
    )
    got = Service.objects.get(pk=pk)
    assert got.modified_at == given
    assert got.created_at > given  # still stamped with the time of the call


def test_fetch_rows_reads_what_values_list_reads(provider, user):
    values = service_values(provider, user)
    insert_values(Service, [values])
    insert_values(Schedule, [schedule_values(values["id"]), schedule_values(values["id"])])
    insert_values(
        CostOption, [{"id": uuid.uuid4(), "service_id": values["id"], "amount": Decimal("2.5")}]
    )
    queries = [
        Service.objects.values_list("id", "provider_id", "provider__name", "published_at"),
        Service.objects.values_list("is_free", "minimum_age", "last_checked_at", "state"),
        Schedule.objects.order_by("id").values_list(*(f.attname for f in Schedule._meta.fields)),
        CostOption.objects.values_list("amount", "service_id"),
        Service.objects.filter(pk__in=in_list(Service._meta.pk, [])).values_list("pk"),
    ]
    uuids: dict = {}
    for query in queries:
        expected = [list(row) for row in query]
        assert fetch_rows(query) == expected
        assert fetch_rows(query, uuids=uuids) == expected
    rows = fetch_rows(Schedule.objects.values_list("exdates"))
    assert rows[0][0] == rows[1][0] and rows[0][0] is not rows[1][0]  # lists are not shared
    with pytest.raises(ValueError, match="values_list"):
        fetch_rows(Service.objects.all())
