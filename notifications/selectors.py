from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import EmailLog, EmailStatus, Notification, ReleaseNote


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notification_list(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).order_by("-created_at", "-pk")


def notification_get(*, user_id: int, notification_id: int) -> Notification:
    """One of this person's notifications, or 404 — never someone else's."""
    return get_object_or_404(Notification, pk=notification_id, user_id=user_id)


def release_notes_published() -> QuerySet[ReleaseNote]:
    return ReleaseNote.objects.filter(published_at__isnull=False).order_by("-date", "-pk")


def release_note_published_get(*, note_id: int) -> ReleaseNote:
    return get_object_or_404(ReleaseNote, pk=note_id, published_at__isnull=False)


def release_note_get(*, note_id: int) -> ReleaseNote:
    return get_object_or_404(ReleaseNote, pk=note_id)


def release_notes_all() -> QuerySet[ReleaseNote]:
    return ReleaseNote.objects.select_related("created_by").order_by("-date", "-pk")


# --- Email log («Registre des courriels», F2) -------------------------------------------
#
# The log page is the one read that runs over a million-row table on every filter click,
# so it skips the queryset machinery: its SQL is assembled from a few fixed pieces (no
# per-call query building and compiling, which cost more than the index scan itself),
# run as a prepared statement on PostgreSQL (parsed and planned once per connection and
# shape), and read into small row objects instead of model instances.

# What the log page and its CSV show. Never the bodies: they can weigh kilobytes a row.
EMAIL_LOG_COLUMNS = (
    "id",
    "to_name",
    "to_email",
    "subject",
    "status",
    "status_at",
    "created_at",
    "sent_at",
    "opened_at",
)


@dataclass(frozen=True, slots=True)
class EmailLogRow:
    """One line of the log as the page and the download show it."""

    id: int
    to_name: str
    to_email: str
    subject: str
    status: str
    status_at: datetime
    created_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None

    @property
    def pk(self) -> int:
        return self.id

    def get_status_display(self) -> str:
        try:
            return str(EmailStatus(self.status).label)
        except ValueError:  # a status this version no longer knows: show it as stored
            return self.status


@dataclass(frozen=True)
class EmailLogCursor:
    """A position in the log: the (created_at, id) of a row, unique and index-ordered."""

    created_at: datetime
    id: int

    @classmethod
    def of(cls, row: EmailLogRow) -> EmailLogCursor:
        return cls(created_at=row.created_at, id=row.id)


@dataclass(frozen=True)
class EmailLogPage:
    rows: list[EmailLogRow]
    newer: EmailLogCursor | None  # set when newer rows exist: the first row's position
    older: EmailLogCursor | None  # set when older rows exist: the last row's position


@functools.cache
def _names(vendor: str) -> dict[str, str]:
    """The log's table and column names, quoted for this database (computed once)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    names = {name: quote(EmailLog._meta.get_field(name).column) for name in EMAIL_LOG_COLUMNS}
    names.update(
        table=quote(EmailLog._meta.db_table),
        organisation=quote(EmailLog._meta.get_field("organisation").column),
        recipient=quote(EmailLog._meta.get_field("recipient").column),
        columns=", ".join(names[name] for name in EMAIL_LOG_COLUMNS),
    )
    return names


def email_log_query(
    *,
    organisation_id: int,
    member_ids: Iterable[int] = (),
    statuses: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    before: EmailLogCursor | None = None,
    after: EmailLogCursor | None = None,
    limit: int,
) -> tuple[str, list[object]]:
    """The SQL and parameters of one page: one organisation's log narrowed to these
    recipients and statuses and to emails created in [start, end) (aware datetimes; `end`
    excluded); the rows just older than `before` (newest first) or just newer than
    `after` (oldest first); at most `limit`. The order (created_at, id) is the index's,
    so a page is an index range scan whatever its depth."""
    db = connections[DEFAULT_DB_ALIAS]
    # What DateTimeField.get_db_prep_value does: an aware datetime to the backend's form.
    moment = db.ops.adapt_datetimefield_value
    names = _names(db.vendor)
    created, pk = names["created_at"], names["id"]
    where = [f"{names['organisation']} = %s"]
    params: list[object] = [int(organisation_id)]
    # Duplicates dropped, order kept: the same filter always gives the same statement.
    member_ids = list(dict.fromkeys(int(member_id) for member_id in member_ids))
    statuses = list(dict.fromkeys(str(status) for status in statuses))
    if member_ids:
        where.append(f"{names['recipient']} IN ({', '.join(['%s'] * len(member_ids))})")
        params += member_ids
    if statuses:
        where.append(f"{names['status']} IN ({', '.join(['%s'] * len(statuses))})")
        params += statuses
    if start is not None:
        where.append(f"{created} >= %s")
        params.append(moment(start))
    if end is not None:
        where.append(f"{created} < %s")
        params.append(moment(end))
    # PostgreSQL turns no OR into an index range, so the plain bound is stated first: it
    # limits the scan, the OR only settles rows sharing that instant.
    order = "DESC"
    if after is not None:
        where.append(f"{created} >= %s AND ({created} > %s OR ({created} = %s AND {pk} > %s))")
        params += [moment(after.created_at)] * 3 + [int(after.id)]
        order = "ASC"
    elif before is not None:
        where.append(f"{created} <= %s AND ({created} < %s OR ({created} = %s AND {pk} < %s))")
        params += [moment(before.created_at)] * 3 + [int(before.id)]
    sql = (
        f"SELECT {names['columns']} FROM {names['table']} WHERE {' AND '.join(where)}"
        f" ORDER BY {created} {order}, {pk} {order} LIMIT %s"
    )
    params.append(int(limit))
    return sql, params


def _fetch(sql: str, params: list[object]) -> list[tuple]:
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.queries_logged:
        # SQLite, or a query log to fill (DEBUG, a test counting queries): Django's own
        # cursor, which logs the statement as it ran.
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # A server-binding cursor on Django's own connection (same transaction, same session
    # zone), wrapped like Django's cursors (error translation, execute wrappers), whose
    # statement is prepared: parsed and planned once per connection and filter shape, and
    # the pool keeps connections. (DB_PREPARE_THRESHOLD=off turns preparing off; the
    # query then still runs, planned each time.)
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = _PreparedCursor(db.connection)
    with db.make_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# psycopg's compiled timestamptz parser. Django's connections parse them in Python (a
# subclass pinning the zone), the largest cost of reading a page once the plan is cached;
# the compiled one gives the same instants in the session's zone, which Django sets.
_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(
    psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)


class _PreparedCursor(psycopg.Cursor):
    def __init__(self, connection: psycopg.Connection, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        self.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


def email_log_page(
    *,
    organisation_id: int,
    member_ids: Iterable[int] = (),
    statuses: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    before: EmailLogCursor | None = None,
    after: EmailLogCursor | None = None,
    size: int = 50,
) -> EmailLogPage:
    """`size` rows of the filtered log: the newest, or those just older than `before`,
    or just newer than `after`. Keyset paging: one query of size + 1 rows (the extra row
    says whether another page follows), the same cost on page 1 and page 1,000, and no
    count(*) over the organisation's whole log."""
    filters = {
        "organisation_id": organisation_id,
        "member_ids": member_ids,
        "statuses": statuses,
        "start": start,
        "end": end,
    }
    if after is not None:
        rows = [
            EmailLogRow(*values)
            for values in _fetch(*email_log_query(**filters, after=after, limit=size + 1))
        ]
        if rows:
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            return EmailLogPage(
                rows=rows,
                newer=EmailLogCursor.of(rows[0]) if more_newer else None,
                older=EmailLogCursor.of(rows[-1]),
            )
        before = None  # nothing newer any more (a stale link): show the newest rows
    rows = [
        EmailLogRow(*values)
        for values in _fetch(*email_log_query(**filters, before=before, limit=size + 1))
    ]
    more_older = len(rows) > size
    rows = rows[:size]
    return EmailLogPage(
        rows=rows,
        newer=EmailLogCursor.of(rows[0]) if before is not None and rows else None,
        older=EmailLogCursor.of(rows[-1]) if more_older else None,
    )
