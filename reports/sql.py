"""Aggregates written as plain functions inside a correlated subquery, for PostgreSQL and
the SQLite demo alike.

Every report is ONE select over its rows, read through a server-side cursor: each fact
about a row (a count, a sum of hours, the names of the current mentors, the custom-field
answers) is a subquery of that select, never a query per row or per batch. Django's
`Aggregate` would add a GROUP BY to such a subquery; these are `Func`s, so the subquery
is `SELECT COUNT(…) FROM … WHERE … = outer.id`, exactly one row per outer row."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    DurationField,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce


class CountOf(Func):
    function = "COUNT"
    output_field = IntegerField()


class DurationSum(Func):
    """SUM(ends_at - starts_at): a duration (PostgreSQL interval, SQLite microseconds)."""

    function = "SUM"
    output_field = DurationField()


class FirstOf(Func):
    function = "MIN"


class LastOf(Func):
    function = "MAX"


class TextList(Func):
    """The texts joined by `separator`: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite
    (whose order is not guaranteed: the callers sort what they show)."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression: Any, separator: str, **extra: Any) -> None:
        super().__init__(expression, Value(separator, output_field=TextField()), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


class JsonObject(Func):
    """{key: value} of a member's JSON answers, keyed by field id."""

    function = "JSONB_OBJECT_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps JSON as text: JSON() makes each answer a JSON value, not a string.
        key, value = self.get_source_expressions()
        clone = self.copy()
        clone.set_source_expressions([key, Func(value, function="JSON")])
        return Func.as_sql(clone, compiler, connection, function="JSON_GROUP_OBJECT", **extra)

    def __init__(self, key: Any, value: Any, **extra: Any) -> None:
        super().__init__(key, value, **extra)


class JsonRows(Func):
    """A JSON array of [a, b, …] arrays, one per row of the subquery."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def __init__(self, *expressions: Any, **extra: Any) -> None:
        super().__init__(Func(*expressions, function="JSONB_BUILD_ARRAY"), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        inner = self.get_source_expressions()[0]
        clone = self.copy()
        clone.set_source_expressions([Func(*inner.get_source_expressions(), function="JSON_ARRAY")])
        return Func.as_sql(clone, compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def scalar(queryset: QuerySet[Any], expression: Func, *, default: Any = None) -> Any:
    """The one value `expression` gives over `queryset` (already filtered on OuterRef),
    as a subquery; `default` where it is NULL (a count of nothing is 0)."""
    inner = queryset.order_by().annotate(_value=expression).values("_value")[:1]
    sub = Subquery(inner, output_field=expression.output_field)
    if default is None:
        return sub
    return Coalesce(sub, Value(default), output_field=expression.output_field)


__all__ = [
    "CountOf",
    "DurationSum",
    "FirstOf",
    "JsonObject",
    "JsonRows",
    "LastOf",
    "OuterRef",
    "TextList",
    "scalar",
]
