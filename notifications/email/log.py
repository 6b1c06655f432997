"""The email log's reads («Registre des courriels», F2): keyset pages of one
organisation's log, for the page and its CSV download. Figures: docs/email.md."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

import psycopg
import psycopg.abc
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Field, QuerySet
from django.utils import timezone

from notifications.models import EmailLog, EmailStatus
from programs.compiled import CompiledObjects, CompiledOnce

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
    "language",  # the subject's language: the page marks it (lang="…")
)


class EmailLogRow(NamedTuple):
    """One line of the log as the page and the download show it (a tuple: a page, or a
    download batch of thousands, is built several times faster than model instances
    or dataclasses)."""

    id: int
    to_name: str
    to_email: str
    subject: str
    status: str
    status_at: datetime
    created_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    language: str = ""

    @property
    def pk(self) -> int:
        return self.id

    def get_status_display(self) -> str:
        try:
            return str(EmailStatus(self.status).label)
        except ValueError:  # a status this version no longer knows: show it as stored
            return self.status


# A row of the page's SELECT (its columns are EMAIL_LOG_COLUMNS, in order) as an
# EmailLogRow, without _make's per-row length check.
_row = functools.partial(tuple.__new__, EmailLogRow)


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


@functools.lru_cache(maxsize=512)
def _page_sql(vendor: str, members: int, statuses: int, start: bool, end: bool, keyset: str) -> str:
    """The statement for one shape of filter (how many members and statuses, which
    bounds, which direction), for this database; built once per shape."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def db_column(name: str) -> str:
        field = EmailLog._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return quote(field.column)

    column = {name: db_column(name) for name in EMAIL_LOG_COLUMNS}
    created, pk = column["created_at"], column["id"]
    where = [f"{db_column('organisation')} = %s"]
    if members:
        recipient = db_column("recipient")
        where.append(f"{recipient} IN ({', '.join(['%s'] * members)})")
    if statuses:
        where.append(f"{column['status']} IN ({', '.join(['%s'] * statuses)})")
    if start:
        where.append(f"{created} >= %s")
    if end:
        where.append(f"{created} < %s")
    # PostgreSQL turns no OR into an index range, so the plain bound is stated first: it
    # limits the scan, the OR only settles rows sharing that instant.
    order = "DESC"
    if keyset == "after":
        where.append(f"{created} >= %s AND ({created} > %s OR ({created} = %s AND {pk} > %s))")
        order = "ASC"
    elif keyset == "before":
        where.append(f"{created} <= %s AND ({created} < %s OR ({created} = %s AND {pk} < %s))")
    return (
        f"SELECT {', '.join(column[name] for name in EMAIL_LOG_COLUMNS)}"
        f" FROM {quote(EmailLog._meta.db_table)} WHERE {' AND '.join(where)}"
        f" ORDER BY {created} {order}, {pk} {order} LIMIT %s"
    )


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
    so a page is an index range scan whatever its depth. Every value is a parameter."""
    db = connections[DEFAULT_DB_ALIAS]
    # What DateTimeField.get_db_prep_value does: an aware datetime to the backend's form.
    moment = db.ops.adapt_datetimefield_value
    # Duplicates dropped, order kept: the same filter always gives the same statement.
    member_ids = list(dict.fromkeys(int(member_id) for member_id in member_ids))
    statuses = list(dict.fromkeys(str(status) for status in statuses))
    params: list[object] = [int(organisation_id), *member_ids, *statuses]
    if start is not None:
        params.append(moment(start))
    if end is not None:
        params.append(moment(end))
    keyset = ""
    if after is not None:
        params += [moment(after.created_at)] * 3 + [int(after.id)]
        keyset = "after"
    elif before is not None:
        params += [moment(before.created_at)] * 3 + [int(before.id)]
        keyset = "before"
    params.append(int(limit))
    sql = _page_sql(
        db.vendor, len(member_ids), len(statuses), start is not None, end is not None, keyset
    )
    return sql, params


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.queries_logged or db.execute_wrappers:
        # SQLite, or a query log to fill (DEBUG, a test counting queries), or wrappers
        # watching every query: Django's own cursor, which logs the statement as it ran.
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if settings.USE_TZ and db.vendor != "postgresql":
            # SQLite hands timestamps back naive (UTC): what the ORM's converters do.
            zone = db.timezone
            rows = [
                tuple(
                    value.replace(tzinfo=zone)
                    if isinstance(value, datetime) and value.tzinfo is None
                    else value
                    for value in row
                )
                for row in rows
            ]
        return rows
    # A server-binding cursor on Django's own connection (same transaction, same session
    # zone; errors translated as Django's are), whose statement is prepared: parsed and
    # planned once per connection and filter shape, and the pool keeps connections.
    # (DB_PREPARE_THRESHOLD=off turns preparing off: the query then runs planned each time.)
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = db.connection
    # The cursor is kept for the next page on the same connection: a new cursor looks up
    # its parameter dumpers and column loaders again, which costs more than the rest of
    # the page's Python. One per thread, like Django's connections, and replaced when the
    # thread's connection changes: nothing accumulates.
    prepared: _PreparedCursor | None = getattr(_kept, "cursor", None)
    if prepared is None or prepared.closed or prepared.connection is not raw:
        prepared = _kept.cursor = _PreparedCursor(raw)
    with db.wrap_database_errors:
        prepared.execute(sql, params)
        rows = prepared.fetchall()
    if len(rows) > _KEEP_RESULTS_UP_TO:
        # A download batch: don't keep its result alive until the next page.
        _kept.cursor = None
        prepared.close()
    return rows


_kept = threading.local()
_KEEP_RESULTS_UP_TO = 500


# psycopg's compiled timestamptz parser. Django's connections parse them in Python (a
# subclass pinning the zone), the largest cost of reading a page once the plan is cached;
# the compiled one gives the same instants in the session's zone, which Django sets.
_compiled_loader = psycopg.adapters.get_loader(
    psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT
)
assert _compiled_loader is not None
_TIMESTAMPTZ_LOADER: type[psycopg.abc.Loader] = _compiled_loader


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
    query = functools.partial(
        email_log_query,
        organisation_id=organisation_id,
        member_ids=member_ids,
        statuses=statuses,
        start=start,
        end=end,
        limit=size + 1,
    )
    if after is not None:
        rows = list(map(_row, _fetch(*query(after=after))))
        if rows:
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            return EmailLogPage(
                rows=rows,
                newer=EmailLogCursor.of(rows[0]) if more_newer else None,
                older=EmailLogCursor.of(rows[-1]),
            )
        before = None  # nothing newer any more (a stale link): show the newest rows
    rows = list(map(_row, _fetch(*query(before=before))))
    more_older = len(rows) > size
    rows = rows[:size]
    return EmailLogPage(
        rows=rows,
        newer=EmailLogCursor.of(rows[0]) if before is not None and rows else None,
        older=EmailLogCursor.of(rows[-1]) if more_older else None,
    )


PROBLEM_STATUSES = (EmailStatus.BOUNCED, EmailStatus.SPAM)


@dataclass(frozen=True)
class EmailProblems:
    rows: list[EmailLog]
    total: int
    since: datetime


def email_problems_recent(*, organisation_id: int, days: int = 7, limit: int = 8) -> EmailProblems:
    """The organisation's emails that bounced or were reported as spam in the last `days`
    days, newest first: the administrator's dashboard shows them so an address gets fixed.
    Two queries, each compiled once on PostgreSQL (programs.compiled: every dashboard
    asks)."""
    since = timezone.now() - timedelta(days=days)
    rows_query, total_query = _problem_queries(limit)
    rows = cast(list[EmailLog], rows_query.objects(organisation_id=organisation_id, since=since))
    total = total_query.rows(organisation_id=organisation_id, since=since)
    return EmailProblems(rows=rows, total=total[0][0] if total else 0, since=since)


def _problems(organisation_id: int, since: datetime) -> QuerySet[EmailLog]:
    return EmailLog.objects.filter(
        organisation_id=organisation_id, status__in=PROBLEM_STATUSES, status_at__gte=since
    )


def _problem_lines(organisation_id: int, since: datetime, *, limit: int) -> QuerySet[EmailLog]:
    return (
        _problems(organisation_id, since)
        .only("pk", "recipient_id", "to_name", "to_email", "subject", "status", "status_at")
        .order_by("-status_at", "-pk")[:limit]
    )


def _problem_total(organisation_id: int, since: datetime) -> QuerySet[EmailLog, Any]:
    """(problems,): one row, or none."""
    return (
        _problems(organisation_id, since)
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


@functools.cache
def _problem_queries(limit: int) -> tuple[CompiledObjects, CompiledOnce]:
    since = datetime(1, 1, 1, tzinfo=UTC)  # stand-ins no call uses
    return (
        CompiledObjects(
            functools.partial(_problem_lines, limit=limit), organisation_id=-1, since=since
        ),
        CompiledOnce(_problem_total, organisation_id=-1, since=since),
    )
