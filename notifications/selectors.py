from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import EmailLog, Notification, ReleaseNote


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


def email_log_list(
    *,
    organisation_id: int,
    member_ids: Iterable[int] = (),
    statuses: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[EmailLog]:
    """One organisation's email log, newest first, narrowed to these recipients and
    statuses and to emails created in [start, end) (aware datetimes; `end` excluded).
    The order (-created_at, -id) is the index's, so a page is an index range scan."""
    conditions: dict[str, object] = {"organisation_id": organisation_id}
    member_ids, statuses = list(member_ids), list(statuses)
    if member_ids:
        conditions["recipient_id__in"] = member_ids
    if statuses:
        conditions["status__in"] = statuses
    if start is not None:
        conditions["created_at__gte"] = start
    if end is not None:
        conditions["created_at__lt"] = end
    # One filter() call: each call clones the queryset, and this runs on every page view.
    return (
        EmailLog.objects.filter(**conditions)
        .only(*EMAIL_LOG_COLUMNS)
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class EmailLogCursor:
    """A position in the log: the (created_at, id) of a row, unique and index-ordered."""

    created_at: datetime
    id: int

    @classmethod
    def of(cls, log: EmailLog) -> EmailLogCursor:
        return cls(created_at=log.created_at, id=log.pk)


@dataclass(frozen=True)
class EmailLogPage:
    rows: list[EmailLog]
    newer: EmailLogCursor | None  # set when newer rows exist: the first row's position
    older: EmailLogCursor | None  # set when older rows exist: the last row's position


def _older_than(cursor: EmailLogCursor) -> Q:
    # PostgreSQL turns no OR into an index range, so the plain `created_at <= c` is
    # repeated: it bounds the scan, the OR only settles rows sharing that instant.
    return Q(created_at__lte=cursor.created_at) & (
        Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)
    )


def _newer_than(cursor: EmailLogCursor) -> Q:
    return Q(created_at__gte=cursor.created_at) & (
        Q(created_at__gt=cursor.created_at) | Q(created_at=cursor.created_at, id__gt=cursor.id)
    )


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
    rows_qs = email_log_list(
        organisation_id=organisation_id,
        member_ids=member_ids,
        statuses=statuses,
        start=start,
        end=end,
    )
    if after is not None:
        rows = list(rows_qs.filter(_newer_than(after)).order_by("created_at", "id")[: size + 1])
        if rows:
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            return EmailLogPage(
                rows=rows,
                newer=EmailLogCursor.of(rows[0]) if more_newer else None,
                older=EmailLogCursor.of(rows[-1]),
            )
        before = None  # nothing newer any more (a stale link): show the newest rows
    if before is not None:
        rows_qs = rows_qs.filter(_older_than(before))
    rows = list(rows_qs[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return EmailLogPage(
        rows=rows,
        newer=EmailLogCursor.of(rows[0]) if before is not None and rows else None,
        older=EmailLogCursor.of(rows[-1]) if more_older else None,
    )
