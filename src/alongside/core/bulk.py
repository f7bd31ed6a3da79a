"""Fast inserts for bulk work (imports, the search index, generators).

Django's `bulk_create` compiles every value of every row through the full field machinery,
which costs more than the database's own work when thousands of rows are written. Here each
column's conversion is worked out once, and the rows go to the driver's `executemany`.
Only plain inserts: no signals, no conflict handling, no returned ids. Fields with
`auto_now`/`auto_now_add` get the time of the call, one microsecond apart row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models.expressions import RawSQL
from django.utils import timezone

Converter = Callable[[Any], Any] | None


def _converter(field: models.Field, connection) -> Converter:
    """A cheap function turning a Python value into what the driver takes (None: as it is)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if connection.vendor == "sqlite":
        ops = connection.ops
        if kind == "UUIDField":
            return operator.attrgetter("hex")  # (callers pass no None)
        if kind == "DateTimeField":
            return _sqlite_datetime(connection)
        if kind == "DateField":
            return ops.adapt_datefield_value
        if kind == "TimeField":
            adapt_time = ops.adapt_timefield_value
            # As `adapt_timefield_value` (which refuses times with a zone), minus its checks.
            return lambda v: str(v) if type(v) is dt.time and v.tzinfo is None else adapt_time(v)
    elif connection.vendor == "postgresql" and kind in {
        "UUIDField",
        "DateTimeField",
        "DateField",
        "TimeField",
        "DecimalField",
    }:
        return None
    if kind in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "PositiveBigIntegerField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "BooleanField",
        "FloatField",
    }:
        return None
    return lambda v, f=field: f.get_db_prep_save(v, connection)


def _sqlite_datetime(connection) -> Callable[[Any], Any]:
    """`adapt_datetimefield_value` for SQLite, with its work for the usual case (an aware
    datetime, USE_TZ on) done directly: the same text, at a fraction of the cost."""
    adapt = connection.ops.adapt_datetimefield_value
    if not settings.USE_TZ:
        return adapt
    zone = connection.timezone

    def convert(value: Any) -> Any:
        if type(value) is dt.datetime and value.utcoffset() is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return adapt(value)

    return convert


def _moments(connection, convert: Converter, count: int) -> list[Any]:
    """`count` times from now, one microsecond apart and in order (as `insert_objects`
    stamps rows), ready for the driver."""
    now = timezone.now()
    step = dt.timedelta(microseconds=1)
    if connection.vendor == "sqlite" and (not settings.USE_TZ or connection.timezone_name == "UTC"):
        # The text `adapt_datetimefield_value` gives for each, made without a zone sum each.
        start = now.astimezone(dt.UTC).replace(tzinfo=None) if settings.USE_TZ else now
        return [str(start + step * n) for n in range(count)]
    moments = [now + step * n for n in range(count)]
    return moments if convert is None else [convert(m) for m in moments]


def insert_objects(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    fields: Iterable[str] | None = None,
    using: str | None = None,
) -> int:
    """Insert unsaved model instances (their primary keys already set, or left to the
    database when it is an auto field). Returns how many rows were written."""
    if not objs:
        return 0
    using = using or router.db_for_write(model)
    connection = connections[using]
    concrete = [
        f
        for f in model._meta.concrete_fields
        if (fields is None or f.name in fields or f.attname in fields)
        and not (isinstance(f, models.AutoField | models.BigAutoField) and f.primary_key)
        and not getattr(f, "generated", False)
    ]
    stamped = {
        f.attname
        for f in concrete
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    if stamped:
        # One microsecond apart, in order, so rows sorted by creation time keep the order
        # they were given in (as they would from bulk_create's one timestamp per object).
        now = timezone.now()
        for position, obj in enumerate(objs):
            moment = now + dt.timedelta(microseconds=position)
            for name in stamped:
                setattr(obj, name, moment)
    converters = [_converter(f, connection) for f in concrete]
    names = [f.attname for f in concrete]
    rows = []
    for obj in objs:
        values = obj.__dict__
        rows.append(
            [
                value if convert is None or value is None else convert(value)
                for convert, value in zip(converters, (values[n] for n in names), strict=True)
            ]
        )
    return _execute(connection, model, [f.column for f in concrete], rows)


def _defaults(model: type[models.Model], concrete: list[models.Field]) -> list[tuple]:
    """(attname, default, callable?) for each field, for values a row does not give."""
    found = []
    for f in concrete:
        if f.has_default():
            default = f.default
            found.append((f.attname, default, callable(default)))
        else:
            found.append((f.attname, f.get_default(), False))
    return found


def insert_values(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    given: Iterable[str] = (),
    using: str | None = None,
) -> int:
    """Insert rows given as dicts of Python values by attname (`provider_id`, not
    `provider`), as `insert_objects` would insert model instances made from them: fields a
    row leaves out get their defaults, and `auto_now`/`auto_now_add` fields are stamped the
    same way, except those named in `given`, which every row gives. No model instances are
    made. Returns how many rows were written."""
    if not rows:
        return 0
    using = using or router.db_for_write(model)
    connection = connections[using]
    concrete = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField | models.BigAutoField) and f.primary_key)
        and not getattr(f, "generated", False)
    ]
    stamped = {
        f.attname
        for f in concrete
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    } - set(given)
    names = [f.attname for f in concrete]
    converters = [_converter(f, connection) for f in concrete]
    base: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, default, is_callable in _defaults(model, concrete):
        if is_callable:
            factories.append((name, default))
        else:
            base[name] = default
    pick = operator.itemgetter(*names)
    stamp_at = [i for i, name in enumerate(names) if name in stamped]
    stamp_convert = converters[stamp_at[0]] if stamp_at else None
    moments = _moments(connection, stamp_convert, len(rows)) if stamp_at else []
    prepared = []
    for position, row in enumerate(rows):
        merged = base | row
        for name, factory in factories:
            if name not in row:
                merged[name] = factory()
        values = list(pick(merged)) if len(names) > 1 else [pick(merged)]
        if stamp_at:
            moment = moments[position]
            for i in stamp_at:
                values[i] = moment
        prepared.append(values)
    for i, convert in enumerate(converters):
        if convert is None or i in stamp_at:
            continue
        for values in prepared:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
    return _execute(connection, model, [f.column for f in concrete], prepared)


# Conversions from the database that depend only on the value read and give an immutable
# value, so each distinct value need be converted once (ids and dates repeat a lot).
_SHAREABLE = {"UUIDField", "DateField", "TimeField", "DateTimeField", "BooleanField"}
_NOT_SEEN = object()


def fetch_rows(
    queryset: models.QuerySet, *, uuids: dict[Any, Any] | None = None
) -> list[list[Any]]:
    """The rows of a `values_list(...)` query of plain fields, as `list(queryset)` gives
    them (but as lists). Each distinct value of an id, date, time or true/false column is
    converted from the database once, where Django converts it afresh in every row: reading
    back tens of thousands of rows, that conversion was most of the cost. Queries reading
    the same ids can share what they converted by passing the same `uuids` dict."""
    query = queryset.query
    if query.annotation_select or query.extra_select or not query.values_select:
        raise ValueError("fetch_rows takes a values_list() query of plain fields.")
    compiler = query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    connection = compiler.connection
    fields = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
    for pos, (convs, expression) in converters.items():
        kind = expression.output_field.get_internal_type()
        shareable = kind in _SHAREABLE
        seen: dict[Any, Any] = uuids if uuids is not None and kind == "UUIDField" else {}
        for row in rows:
            raw = value = row[pos]
            if shareable:
                value = seen.get(raw, _NOT_SEEN)
                if value is not _NOT_SEEN:
                    row[pos] = value
                    continue
                value = raw
            for convert in convs:
                value = convert(value, expression, connection)
            if shareable:
                seen[raw] = value
            row[pos] = value
    return rows


def in_list(field: models.Field, values: Iterable[Any], *, using: str = "default") -> RawSQL:
    """A subquery giving these values, for `filter(<field>__in=in_list(...))`: one query
    parameter however many values there are (SQLite's `json_each`, PostgreSQL's `unnest`),
    so long id lists neither hit SQLite's limit on parameters nor cost Django a compiled
    parameter each."""
    connection = connections[using]
    target = field.target_field if field.is_relation else field
    values = list(values)
    if connection.vendor == "sqlite":
        convert = _converter(target, connection)
        if convert is not None:
            values = [convert(v) if v is not None else None for v in values]
        return RawSQL(  # noqa: S611 - a fixed query; the values are a parameter
            "SELECT value FROM json_each(%s)", [json.dumps(values)], output_field=target
        )
    db_type = target.rel_db_type(connection)
    # The type comes from the model, not from input.
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", [values], output_field=target)  # noqa: S611


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str | None = None,
) -> int:
    """Insert rows given as Python values for these fields (names or attnames), in order."""
    if not rows:
        return 0
    using = using or router.db_for_write(model)
    connection = connections[using]
    fields = [model._meta.get_field(c) for c in columns]
    converters = [_converter(f, connection) for f in fields]
    width = len(fields)
    prepared = [list(row) for row in rows]
    if any(len(values) != width for values in prepared):
        raise ValueError(f"Each row must give {width} values, one for each column.")
    for i, (f, convert) in enumerate(zip(fields, converters, strict=True)):
        if convert is None:
            continue
        if f.get_internal_type() in ("DateField", "TimeField"):
            # Few distinct dates and times, many rows (the search index's dates).
            seen: dict[Any, Any] = {}
            for values in prepared:
                value = values[i]
                if value is not None:
                    done = seen.get(value)
                    if done is None:
                        done = seen[value] = convert(value)
                    values[i] = done
            continue
        for values in prepared:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
    return _execute(connection, model, [f.column for f in fields], prepared)


def _execute(connection, model: type[models.Model], columns: list[str], rows: list) -> int:
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the model
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
