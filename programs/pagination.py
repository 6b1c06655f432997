"""Lists that page through a large organisation at a cost independent of its size.

An `IdPaged` is what a list selector hands to Django's Paginator instead of a queryset:

- `count()` is the total the database keeps (programs.totals) when the list is not
  filtered, else a plain count of the filtered rows (no joins, no aggregates);
- a slice `[start:stop]` reads, in one query, the ids of that page from the index that
  matches the list's order (a subquery with LIMIT/OFFSET; a page past the middle is read
  from the other end of the index, so the last page skips as few entries as the first),
  and only those few rows with their joins and per-row aggregates, in the list's order;
- iterating reads every row with the full queryset (a report, a test), as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.db.models import F, Lookup, Model, Q, QuerySet
from django.db.models.lookups import In

T = TypeVar("T", bound=Model)

# A searched list with at most this many rows is read as a list of ids once.
FEW_IDS = 10_000


class IdPaged(Generic[T]):
    """A sliceable, countable list for Paginator; see the module docstring.

    `filtered` is the filtered queryset without ordering, joins or annotations;
    `ordering` the list's order ending with a unique key (e.g. ("last_name", "pk"));
    `rows(ids)` reads the display rows of those ids (a list or a subquery of ids;
    in any order); `page(ids)`, when given, reads a page's rows instead, in the list's
    order (e.g. plain values rather than models); `total()`, when given, is the count kept by the database
    (programs.totals) for an unfiltered list, or None to count. A `searched` list
    (few rows expected: those of the people found) reads all its ids in order once, when
    there are at most FEW_IDS of them, and counts and pages them in memory — one read of
    the search instead of two (a count and a page); `ordered_ids()`, when given, reads
    those ids in order (None when there are too many to list) and how many there are in
    all, instead of the ORM (a query compiled once): past FEW_IDS, that total is the
    count."""

    def __init__(
        self,
        *,
        filtered: QuerySet[T],
        ordering: Sequence[str],
        rows: Callable[[Any], QuerySet[T]],
        total: Callable[[], int | None] | None = None,
        searched: bool = False,
        page: Callable[[Any], list[Any]] | None = None,
        ordered_ids: Callable[[], tuple[list[int] | None, int]] | None = None,
    ) -> None:
        self._filtered = filtered
        self._total = total
        self._searched = searched
        self._all_ids: list[int] | None = None
        self._ordering = tuple(ordering)
        self._rows = rows
        self._page = page
        self._ordered_ids = ordered_ids
        self._count: int | None = None

    @property
    def ordering(self) -> tuple[str, ...]:
        return self._ordering

    def count(self) -> int:
        if self._count is None and self._searched:
            ids: list[int] | None
            total = None
            if self._ordered_ids is not None:
                ids, total = self._ordered_ids()
            else:
                ordered = self._filtered.order_by(*self._ordering).values_list("pk", flat=True)
                ids = list(ordered[: FEW_IDS + 1])
            if ids is not None and len(ids) <= FEW_IDS:
                self._all_ids = ids
                self._count = len(ids)
            else:
                self._count = total  # read with the ids, or None: counted below
        if self._count is None:
            kept = self._total() if self._total is not None else None
            self._count = kept if kept is not None else self._filtered.order_by().count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def ids(self, start: int, stop: int) -> QuerySet[T, Any] | list[int] | None:
        """The ids of rows [start, stop) in the list's order, as a subquery (None when the
        range is empty). Past the middle they are read from the other end of the index."""
        total = self.count()
        stop = min(stop, total)
        if start >= stop:
            return None
        if self._all_ids is not None:
            return self._all_ids[start:stop]
        if start > total - stop:
            backwards = tuple(_reverse(field) for field in self._ordering)
            return self._filtered.order_by(*backwards).values("pk")[total - stop : total - start]
        return self._filtered.order_by(*self._ordering).values("pk")[start:stop]

    def page_rows(self, ids: QuerySet[T, Any] | list[int] | None) -> list[T]:
        """The rows of those ids in the list's order: one query (plus prefetches)."""
        if ids is None:
            return []
        if self._page is not None:
            return self._page(ids)
        return list(self._rows(ids).order_by(*self._ordering))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("IdPaged slices have no step")
            start = index.start or 0
            stop = index.stop if index.stop is not None else self.count()
            if start < 0 or stop < 0:
                raise ValueError("IdPaged slices are not negative")
            return self.page_rows(self.ids(start, stop))
        rows = self[index : index + 1]
        if not rows:
            raise IndexError(index)
        return rows[0]

    def all_rows(self) -> QuerySet[T]:
        """Every row, in order, in one read (plus its prefetches)."""
        return self._rows(self._filtered.values("pk")).order_by(*self._ordering)

    def __iter__(self) -> Iterator[T]:
        return iter(self.all_rows())

    def __bool__(self) -> bool:
        return self.count() > 0

    def __repr__(self) -> str:
        return f"<IdPaged {self._filtered.model.__name__} by {', '.join(self._ordering)}>"


def _reverse(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


@dataclass(frozen=True, slots=True)
class IdArray:
    """Ids as PostgreSQL writes an array, `{1,2,3}`: read from the database as that text
    and sent back as one parameter, with no Python int made, parsed or written for each
    (a search finds thousands of people by a common name). `count` is how many."""

    text: str
    count: int

    def __len__(self) -> int:
        return self.count

    def ids(self) -> list[int]:
        inside = self.text.strip("{}")
        return [int(pk) for pk in inside.split(",")] if inside else []


class AnyOf(Lookup):
    """`column = ANY(%s::bigint[])`: a list of ids sent as ONE array parameter on
    PostgreSQL. The ids a search found first (a thousand people named alike in a large
    organisation) would otherwise be a thousand placeholders, each prepared, hashed and
    quoted by Django and psycopg — longer than the query runs. Elsewhere (SQLite), IN."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":
            ids = self.rhs.ids() if isinstance(self.rhs, IdArray) else list(self.rhs)
            sql, params = In(self.lhs, ids).as_sql(compiler, connection)
            return sql, list(params)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, IdArray):
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.text]
        # The array as its text, '{1,2,3}': psycopg's list dumper adapts each element in
        # Python, several times slower for thousands of ids (int() refuses anything else).
        text = ",".join(str(int(pk)) for pk in self.rhs)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, f"{{{text}}}"]


def among(field: str, ids: Sequence[int] | IdArray | QuerySet[Any, Any]) -> Q:
    """`field` one of `ids`: a list or an `IdArray` as one array parameter (`AnyOf`), a
    subquery as IN."""
    if isinstance(ids, QuerySet):
        return Q(**{f"{field}__in": ids})
    return Q(AnyOf(F(field), ids if isinstance(ids, IdArray) else tuple(ids)))
