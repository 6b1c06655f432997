"""The email log's page query («Registre des courriels», F2). It is assembled by hand and
run as a prepared statement for speed, so it is checked here against the ORM's reading of
the same filters, page by page in both directions, on the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from notifications.email.log import (
    EMAIL_LOG_COLUMNS,
    EmailLogCursor,
    EmailLogRow,
    email_log_page,
    email_log_query,
)
from notifications.models import EmailLog, EmailStatus

BASE = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
STATUSES = [EmailStatus.DELIVERED, EmailStatus.OPENED, EmailStatus.BOUNCED, EmailStatus.SENT]


@pytest.fixture
def logs(org, mentor, mentee, admin, outsider_mentor):
    """60 rows over three people of the organisation and 20 of another one; every
    third instant is shared by two rows, so the id has to settle the order."""
    rng = random.Random(5)
    rows = []
    for n in range(80):
        person = outsider_mentor if n % 4 == 3 else (mentor, mentee, admin)[n % 3]
        at = BASE + dt.timedelta(minutes=(n // 2) * 7 if n % 3 == 0 else n * 7)
        rows.append(
            EmailLog(
                organisation_id=person.organisation_id,
                recipient=person,
                to_name=person.full_name,
                to_email=person.email,
                language=person.language,
                subject=f"Subject {n}",
                status=rng.choice(STATUSES),
                status_at=at + dt.timedelta(minutes=3),
                created_at=at,
                sent_at=at if n % 5 else None,
                opened_at=at + dt.timedelta(hours=1) if n % 2 else None,
            )
        )
    EmailLog.objects.bulk_create(rows)
    shared = EmailLog.objects.filter(organisation=org).values("created_at").annotate(n=Count("id"))
    assert shared.filter(n__gt=1).exists()
    return rows


def orm_ids(org, *, member_ids=(), statuses=(), start=None, end=None) -> list[int]:
    rows = EmailLog.objects.filter(organisation=org)
    if member_ids:
        rows = rows.filter(recipient_id__in=member_ids)
    if statuses:
        rows = rows.filter(status__in=statuses)
    if start:
        rows = rows.filter(created_at__gte=start)
    if end:
        rows = rows.filter(created_at__lt=end)
    return list(rows.order_by("-created_at", "-id").values_list("id", flat=True))


def filter_cases(mentor, mentee):
    members = [(), (mentor.pk,), (mentor.pk, mentee.pk, mentor.pk)]  # a repeated id too
    statuses = [(), (EmailStatus.OPENED,), (EmailStatus.DELIVERED, EmailStatus.BOUNCED)]
    windows = [
        (None, None),
        (BASE + dt.timedelta(hours=1), None),
        (None, BASE + dt.timedelta(hours=3)),
        (BASE + dt.timedelta(minutes=35), BASE + dt.timedelta(hours=4)),
    ]
    for member_ids, status_set, (start, end) in itertools.product(members, statuses, windows):
        yield {"member_ids": member_ids, "statuses": status_set, "start": start, "end": end}


@pytest.mark.django_db
def test_pages_walked_both_ways_are_exactly_the_orm_rows(org, mentor, mentee, logs):
    for filters in filter_cases(mentor, mentee):
        expected = orm_ids(org, **filters)
        # Older and older, three at a time, to the end.
        pages, before = [], None
        while True:
            page = email_log_page(organisation_id=org.pk, **filters, before=before, size=3)
            pages.append([row.id for row in page.rows])
            assert (page.newer is None) == (before is None or not page.rows)
            if page.older is None:
                break
            before = page.older
        assert list(itertools.chain(*pages)) == expected, filters
        assert all(len(ids) == 3 for ids in pages[:-1])
        # And back up from the last page with the "newer" links: the same pages.
        page = email_log_page(organisation_id=org.pk, **filters, before=before, size=3)
        back = [[row.id for row in page.rows]]
        while page.newer is not None:
            page = email_log_page(organisation_id=org.pk, **filters, after=page.newer, size=3)
            back.append([row.id for row in page.rows])
        if expected:
            assert back[::-1] == pages, filters


@pytest.mark.django_db
def test_rows_carry_the_stored_values(org, mentor, mentee, logs):
    page = email_log_page(organisation_id=org.pk, size=100)
    stored = {log.pk: log for log in EmailLog.objects.filter(organisation=org)}
    assert {row.id for row in page.rows} == set(stored)
    for row in page.rows:
        log = stored[row.pk]
        assert isinstance(row, EmailLogRow)
        assert (row.to_name, row.to_email, row.subject, row.status) == (
            log.to_name,
            log.to_email,
            log.subject,
            log.status,
        )
        # Aware, and the same instants as the ORM reads (the compiled parser is used).
        for name in ("status_at", "created_at", "sent_at", "opened_at"):
            value = getattr(row, name)
            assert value == getattr(log, name)
            assert value is None or value.utcoffset() == dt.timedelta(0)


@pytest.mark.django_db
def test_another_organisations_rows_never_appear(org, other_org, mentor, outsider_mentor, logs):
    theirs = set(EmailLog.objects.filter(organisation=other_org).values_list("id", flat=True))
    assert theirs
    # Even when asked for by its member's id: the organisation bounds the query.
    page = email_log_page(organisation_id=org.pk, member_ids=[outsider_mentor.pk], size=100)
    assert page.rows == []
    mine = email_log_page(organisation_id=org.pk, size=100)
    assert not theirs & {row.id for row in mine.rows}


@pytest.mark.django_db
def test_a_stale_newer_link_shows_the_newest_page(org, mentor, mentee, logs):
    newest = email_log_page(organisation_id=org.pk, size=5)
    beyond = EmailLogCursor(created_at=BASE + dt.timedelta(days=400), id=10**9)
    page = email_log_page(organisation_id=org.pk, after=beyond, size=5)
    assert [row.id for row in page.rows] == [row.id for row in newest.rows]
    assert page.newer is None


@pytest.mark.django_db
def test_the_statement_is_prepared_once_per_shape_and_connection(org, mentor, mentee, logs):
    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%notifications_emaillog%"],
            )
            return [row[0] for row in cursor.fetchall()]

    assert prepared() == []
    for member in (mentor, mentee, mentor):
        email_log_page(organisation_id=org.pk, member_ids=[member.pk], size=10)
    assert len(prepared()) == 1  # the same statement, whoever the member
    email_log_page(organisation_id=org.pk, statuses=[EmailStatus.OPENED], size=10)
    assert len(prepared()) == 2  # another shape of filter, another statement


@pytest.mark.django_db
def test_a_logged_connection_records_the_query(org, mentor, logs):
    with CaptureQueriesContext(connection) as captured:
        page = email_log_page(organisation_id=org.pk, member_ids=[mentor.pk], size=10)
    assert len(page.rows) == 10
    [query] = captured.captured_queries
    assert "notifications_emaillog" in query["sql"] and str(mentor.pk) in query["sql"]


def test_the_query_binds_every_value():
    """Values never reach the SQL text: ids are made integers, everything else is bound."""
    sql, params = email_log_query(
        organisation_id=3,
        member_ids=["7", 8, 7],  # type: ignore[list-item]  # as a form may post them
        statuses=["opened'; DROP TABLE x; --"],
        start=BASE,
        before=EmailLogCursor(created_at=BASE, id=9),
        limit=51,
    )
    assert "DROP" not in sql and "7" not in sql
    assert params[:4] == [3, 7, 8, "opened'; DROP TABLE x; --"]
    assert params[-2:] == [9, 51]
    with pytest.raises(ValueError):
        email_log_query(organisation_id=3, member_ids=["7 OR 1=1"], limit=5)  # type: ignore[list-item]


def test_status_labels_follow_the_language():
    row = EmailLogRow(
        id=1,
        to_name="Anna",
        to_email="anna@example.org",
        subject="Hello",
        status=EmailStatus.OPENED,
        status_at=BASE,
        created_at=BASE,
        sent_at=None,
        opened_at=None,
    )
    with translation.override("fr"):
        assert row.get_status_display() == "Ouvert"
    with translation.override("en"):
        assert row.get_status_display() == "Opened"
    # A status an older version wrote and this one no longer knows: shown as stored.
    assert row._replace(status="archived").get_status_display() == "archived"


@pytest.mark.django_db(transaction=True)
def test_a_page_keeps_its_cursor_and_a_download_batch_does_not(org, mentor, mentee, logs):
    from notifications.email import log as selectors

    first = email_log_page(organisation_id=org.pk, size=10)
    kept = selectors._kept.cursor
    assert kept.connection is connection.connection and not kept.closed
    again = email_log_page(organisation_id=org.pk, before=first.older, size=10)
    assert selectors._kept.cursor is kept
    assert {row.id for row in first.rows}.isdisjoint(row.id for row in again.rows)
    # A batch larger than a page closes its cursor instead of keeping its rows alive.
    EmailLog.objects.bulk_create(
        EmailLog(
            organisation=org,
            recipient=mentor,
            to_name="Anna",
            to_email=mentor.email,
            language="en",
            subject=f"Bulk {n}",
            status=EmailStatus.SENT,
            created_at=BASE - dt.timedelta(days=1, seconds=n),
        )
        for n in range(selectors._KEEP_RESULTS_UP_TO + 10)
    )
    batch = email_log_page(organisation_id=org.pk, size=selectors._KEEP_RESULTS_UP_TO + 5)
    assert len(batch.rows) == selectors._KEEP_RESULTS_UP_TO + 5
    assert kept.closed and selectors._kept.cursor is None
    # Each new connection (the old one closed, as at the end of a request) replaces the
    # kept cursor: one per thread, however many connections came and went.
    for _ in range(3):
        email_log_page(organisation_id=org.pk, size=10)
        previous = selectors._kept.cursor
        connection.close()
        assert len(email_log_page(organisation_id=org.pk, size=10).rows) == 10
        assert selectors._kept.cursor is not previous
        assert selectors._kept.cursor.connection is connection.connection
    # Another thread has its own.
    seen: list[object] = []

    def other_thread() -> None:
        seen.append(len(email_log_page(organisation_id=org.pk, size=5).rows))
        seen.append(selectors._kept.cursor)
        connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen[0] == 5 and seen[1] is not selectors._kept.cursor


def test_the_row_has_the_selected_columns_in_order():
    # Rows are built straight from the SELECT's tuples: the two must never drift apart.
    assert EmailLogRow._fields == EMAIL_LOG_COLUMNS
