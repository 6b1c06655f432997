"""Queries the ORM compiles once per process, for the hottest reads of the list pages.

Building and compiling a queryset costs Django ~0.5–2 ms of Python on every request —
on a list page more than PostgreSQL spends answering (bench/members_list.py). A
`CompiledQuery` is the SQL text and parameters of a queryset compiled once with a
stand-in for each value that changes per call (an organisation, a list of ids as one
array, a moment): each call puts its values in their places and sends the same text. The
text is exactly what the ORM would have sent for those values, so tests compare the two.
Only for queries whose shape never changes with the values (one array parameter for a
list of ids, `programs.pagination.among`), and on PostgreSQL: SQLite writes a list as
one placeholder per id. `CompiledObjects` does the same for a queryset of model
instances (its select_related included), built from the rows as the ORM builds them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]


def id_array(ids: Sequence[int]) -> str:
    """A list of ids as PostgreSQL writes an array, the way `among` sends it."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[Any, ...]
    places: dict[str, tuple[int, ...]]  # each stand-in's indexes among the parameters
    using: str

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows for these values, one per stand-in, as the database sends them
        (Django's own loaders; no model or field converters)."""
        params = list(self.params)
        for name, value in values.items():
            for place in self.places[name]:
                params[place] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


def compile_once(build: Callable[..., QuerySet[Any, Any]], **stand_ins: Any) -> CompiledQuery:
    """`build(**stand_ins)` compiled; each stand-in a value found among the compiled
    parameters — once, or in every place the query uses that value (an organisation
    named in a subquery too) — and no literal of the query: a value no real call uses
    (a negative id, a far-off date), each stand-in different from the others."""
    queryset = build(**stand_ins)
    sql, params = queryset.query.sql_with_params()
    return CompiledQuery(
        sql=sql, params=tuple(params), places=_places(params, stand_ins), using=queryset.db
    )


def _places(params: Sequence[Any], stand_ins: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    places = {}
    for name, stand_in in stand_ins.items():
        found = tuple(n for n, param in enumerate(params) if param == stand_in)
        if not found:
            raise ValueError(f"{name}'s stand-in is none of the parameters")
        places[name] = found
    claimed = [place for found in places.values() for place in found]
    if len(claimed) != len(set(claimed)):
        raise ValueError("two stand-ins are the same value")
    return places


class _Built:
    """A query given by `build(**values)`, compiled once on PostgreSQL at its first call
    with `stand_ins`; elsewhere (SQLite) `build` makes it on each call."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any, Any]],
        *,
        using: str = DEFAULT_DB_ALIAS,
        **stand_ins: Any,
    ) -> None:
        self._build = build
        self._using = using
        self._stand_ins = stand_ins


class CompiledOnce(_Built):
    """A query given by `build(**values)` (a queryset of plain rows, `values_list`): on
    PostgreSQL compiled once, at its first call, with `stand_ins` (`compile_once`); elsewhere
    (SQLite) built by the ORM on each call — the same rows either way. Each call's values
    must suit both (a list of ids as `id_array` text, which `build` wraps as an
    `IdArray`: one array parameter on PostgreSQL, IN elsewhere)."""

    @functools.cached_property
    def _compiled(self) -> CompiledQuery:
        return compile_once(self._build, **self._stand_ins)

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        if connections[self._using].vendor == "postgresql":
            return self._compiled.rows(**values)
        return list(self._build(**values))


class _ObjectsPlan:
    """What Django's ModelIterable works out for each run of a queryset, worked out once:
    the compiled query, where the model's columns are, the select_related populators, the
    annotations' columns, each column's converters (a JSON field's decoding, …)."""

    def __init__(self, queryset: QuerySet[Any, Any], stand_ins: dict[str, Any]) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        self.query = CompiledQuery(
            sql=sql, params=tuple(params), places=_places(params, stand_ins), using=queryset.db
        )
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("only a plain queryset of model instances compiles into objects")
        self.annotations = list((compiler.annotation_col_map or {}).items())
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, queryset.db)
        self.converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ).items()
        ]


class CompiledObjects(_Built):
    """Model instances of `build(**values)` (its select_related included), as the ORM
    makes them (`Model.from_db`, the same converters and related populators as
    `ModelIterable`): on PostgreSQL the query compiled once, at its first call, with
    `stand_ins` (`compile_once`); elsewhere the ORM's own queryset on each call. For the
    reads every request makes — the signed-in person with their organisation."""

    @functools.cached_property
    def _plan(self) -> _ObjectsPlan:
        return _ObjectsPlan(self._build(**self._stand_ins), self._stand_ins)

    def objects(self, **values: Any) -> list[Model]:
        connection = connections[self._using]
        if connection.vendor != "postgresql":
            return list(self._build(**values))
        plan = self._plan
        found = []
        for row in plan.query.rows(**values):
            if plan.converters:
                row = list(row)  # type: ignore[assignment]
                for position, functions, expression in plan.converters:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value  # type: ignore[index]
            obj = plan.model.from_db(self._using, plan.init_list, row[plan.start : plan.end])
            for populator in plan.related:
                populator.populate(row, obj)
            for name, position in plan.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found
