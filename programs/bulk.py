"""Writing many new rows at once with PostgreSQL COPY (the member import's batches and
their invitations, docs/members.md "Speed").

`copy_create(model, objs)` is `bulk_create(objs)` for rows that are all new: each object's
id is taken from the table's sequence first (one query, so the objects know their ids
as bulk_create leaves them), then the rows are streamed with COPY — no INSERT statement
with thousands of parameters to build, quote and plan. The values are those bulk_create
would write (each field's `pre_save` and `get_db_prep_save`). Elsewhere than on
PostgreSQL (the SQLite demo) it is bulk_create. No signals, as with bulk_create.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)


def _passes_str_through(field: models.Field) -> bool:
    """A text column whose str value Django writes as it is (CharField/TextField and their
    subclasses that do not change how a value is prepared, such as EmailField)."""
    kind = type(field)
    for base in (models.CharField, models.TextField):
        if isinstance(field, base):
            return (
                kind.get_db_prep_save is models.Field.get_db_prep_save
                and kind.get_db_prep_value is models.Field.get_db_prep_value
                and kind.get_prep_value is base.get_prep_value
                and kind.pre_save is models.Field.pre_save
            )
    return False


def sequence_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids from the table's id sequence (one query)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_create(model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert new `objs` (none may exist yet) and give them their ids; returns them."""
    objs = list(objs)
    connection = connections[DEFAULT_DB_ALIAS]  # the object itself, not the proxy: faster
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    missing = [obj for obj in objs if obj.pk is None]
    for obj, new_id in zip(missing, sequence_ids(model, len(missing)), strict=True):
        obj.pk = new_id
    fields = list(model._meta.concrete_fields)
    plain = [_passes_str_through(field) for field in fields]

    def prepared(field: models.Field, is_plain: bool, obj: M) -> object:
        if is_plain:
            value = getattr(obj, field.attname)
            if type(value) is str:
                return value
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    pairs = list(zip(fields, plain, strict=True))
    rows = [[prepared(field, is_plain, obj) for field, is_plain in pairs] for obj in objs]
    # A column left to its database default (db_default) on every row is left out of COPY;
    # one left to it on some rows only: bulk_create, which knows how to mix them.
    keep: list[int] = []
    for n in range(len(fields)):
        defaulted = sum(1 for row in rows if hasattr(row[n], "as_sql"))
        if defaulted == 0:
            keep.append(n)
        elif defaulted != len(rows):
            return model._default_manager.bulk_create(objs)
    columns = ", ".join(connection.ops.quote_name(fields[n].column) for n in keep)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.wrap_database_errors,  # IntegrityError etc. as Django raises them
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[n] for n in keep])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
