"""The email log page («Registre des courriels», F2): filters, keyset pages, the CSV
download streamed through the real ASGI application, and tenancy."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zoneinfo

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import ApplicationCommunicator
from django.utils import timezone, translation

from notifications.models import EmailLog, EmailStatus
from reports.files import BOM, csv_line, excel_safe
from server.asgi import application
from tests.realtime.helpers import session_cookie_for
from web.views.email_log import CSV_BATCH, csv_header

URL = "/manage/email-log/"
DOWNLOAD = "/manage/email-log/download/"
UTC = dt.UTC
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
BASE = dt.datetime(2023, 11, 15, 15, 0, tzinfo=UTC)


def log_row(
    person,
    *,
    subject: str = "Reminder: Mentoring Meeting Invitation",
    status: str = EmailStatus.DELIVERED,
    at: dt.datetime = BASE,
    opened_at: dt.datetime | None = None,
    to_name: str | None = None,
    save: bool = True,
) -> EmailLog:
    row = EmailLog(
        organisation_id=person.organisation_id,
        recipient=person,
        to_name=person.full_name if to_name is None else to_name,
        to_email=person.email,
        language=person.language,
        subject=subject,
        status=status,
        status_at=opened_at or at + dt.timedelta(minutes=5),
        created_at=at,
        sent_at=at,
        opened_at=opened_at,
    )
    if save:
        row.save()
    return row


def streamed(response) -> bytes:
    """The body of a streamed response read by the sync test client (the download is an
    async iterator, as Daphne wants it)."""

    async def collect() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(collect)()


def ids_on(text: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-email="(\d+)"', text)]


def link(text: str, name: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)"[^>]* data-page="{name}"', text)
    return match.group(1).replace("&amp;", "&") if match else None


def link_on(text: str, name: str) -> str:
    """The page's «name» link, which must be there."""
    found = link(text, name)
    assert found is not None, f"no {name} link"
    return found


def first_group(pattern: str, text: str, flags: int = 0) -> str:
    """What the pattern's first group matched in the text, which it must match."""
    found = re.search(pattern, text, flags)
    assert found is not None, pattern
    return found.group(1)


@pytest.fixture
def rows(org, mentor, mentee, outsider_mentor):
    """Anna (mentor) and Charlotte (mentee) in November 2023, and one of the other
    organisation's emails that must never show."""
    return {
        "anna_delivered": log_row(mentor, subject="Welcome Anna", at=BASE),
        "anna_opened": log_row(
            mentor,
            subject="How was your meeting?",
            status=EmailStatus.OPENED,
            at=BASE + dt.timedelta(days=1),
            opened_at=dt.datetime(2023, 12, 19, 15, 50, tzinfo=UTC),
        ),
        "anna_bounced": log_row(
            mentor, subject="Bounced for Anna", status=EmailStatus.BOUNCED, at=BASE
        ),
        "charlotte_delivered": log_row(mentee, subject="Bonjour Charlotte", at=BASE),
        "charlotte_spam": log_row(
            mentee, subject="Spam for Charlotte", status=EmailStatus.SPAM, at=BASE
        ),
        "elsewhere": log_row(outsider_mentor, subject="Secret elsewhere", at=BASE),
    }


# --- the page ------------------------------------------------------------------------------


def test_page_shows_the_columns_and_the_organisations_emails_newest_first(admin_client, rows):
    response = admin_client.get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Email log</h1>" in text
    for heading in ("Name", "Sent to", "Sent at", "Status", "Status time"):
        assert re.search(rf"<th[^>]*>{heading}</th>", text), heading
    assert "Enter a member to see the notifications sent to them" in text
    for button in ("Search", "Show all", "Download"):
        assert button in text
    assert "Anna Carter (anna@mentor.test)" in text
    # Opened shows when it was first opened, in the viewer's zone (Toronto: 10:50 a.m.).
    assert "Opened (Dec. 19, 2023, 10:50 a.m.)" in text
    assert ">Bounced<" in text and ">Spam report<" in text
    assert ids_on(text)[0] == rows["anna_opened"].pk  # the newest first
    assert rows["elsewhere"].pk not in ids_on(text)
    assert "Secret elsewhere" not in text
    # What the live script needs: the row ids, the labels, the viewer's zone.
    assert 'data-live-table="email_log"' in text
    assert 'data-time-zone="America/Toronto"' in text
    labels = json.loads(first_group(r'id="email-log-labels"[^>]*>(.*?)</script>', text, re.S))
    assert labels["statuses"]["delivered"] == "Delivered"
    assert labels["opened"] == "%(status)s (%(opened_at)s)"


def test_filters_by_member(admin_client, rows, mentee):
    text = admin_client.get(URL, {"members": [mentee.pk]}).content.decode()
    assert set(ids_on(text)) == {rows["charlotte_delivered"].pk, rows["charlotte_spam"].pk}


def test_filters_by_several_statuses(admin_client, rows):
    text = admin_client.get(URL, {"statuses": ["bounced", "spam"]}).content.decode()
    assert set(ids_on(text)) == {rows["anna_bounced"].pk, rows["charlotte_spam"].pk}


def test_date_range_is_whole_days_in_the_viewers_time_zone(admin_client, mentor):
    # Toronto: EDT (UTC-4) until 5 November 2023, EST (UTC-5) after.
    before = log_row(mentor, at=dt.datetime(2023, 11, 1, 3, 30, tzinfo=UTC))  # 31 Oct 23:30
    first = log_row(mentor, at=dt.datetime(2023, 11, 1, 4, 30, tzinfo=UTC))  # 1 Nov 00:30
    last = log_row(mentor, at=dt.datetime(2023, 12, 1, 4, 30, tzinfo=UTC))  # 30 Nov 23:30
    after = log_row(mentor, at=dt.datetime(2023, 12, 1, 5, 30, tzinfo=UTC))  # 1 Dec 00:30
    text = admin_client.get(URL, {"start": "2023-11-01", "end": "2023-11-30"}).content.decode()
    assert ids_on(text) == [last.pk, first.pk]
    text = admin_client.get(URL, {"start": "2023-12-01"}).content.decode()
    assert ids_on(text) == [after.pk]
    text = admin_client.get(URL, {"end": "2023-10-31"}).content.decode()
    assert ids_on(text) == [before.pk]
    # The dates come back in the form, ISO for <input type=date>.
    assert 'value="2023-10-31"' in text


def test_filters_combine(admin_client, rows, mentor, mentee):
    log_row(mentor, subject="Too early", at=dt.datetime(2023, 10, 2, tzinfo=UTC))
    text = admin_client.get(
        URL,
        {
            "members": [mentor.pk, mentee.pk],
            "statuses": ["delivered", "opened"],
            "start": "2023-11-01",
            "end": "2023-11-15",
        },
    ).content.decode()
    # Same instant: the later id first.
    assert ids_on(text) == [rows["charlotte_delivered"].pk, rows["anna_delivered"].pk]
    assert "selected>Anna Carter (anna@mentor.test)</option>" in text


def test_show_all_clears_the_filters(admin_client, rows, mentee):
    text = admin_client.get(URL, {"members": [mentee.pk], "statuses": ["spam"]}).content.decode()
    assert ids_on(text) == [rows["charlotte_spam"].pk]
    show_all = first_group(r'<a class="button" href="([^"]+)">Show all</a>', text)
    assert show_all == URL
    text = admin_client.get(show_all).content.decode()
    assert len(ids_on(text)) == 5


def test_keyset_pages_walk_every_row_once_in_order(admin_client, mentor):
    # 120 emails, three at a time sharing one instant: the id settles their order.
    made = EmailLog.objects.bulk_create(
        log_row(mentor, at=BASE + dt.timedelta(minutes=n // 3), save=False) for n in range(120)
    )
    expected = [row.pk for row in sorted(made, key=lambda r: (r.created_at, r.pk), reverse=True)]
    pages: list[list[int]] = []
    url: str | None = URL
    while url:
        text = admin_client.get(url if url.startswith("/") else URL + url).content.decode()
        pages.append(ids_on(text))
        url = link(text, "older")
    assert [len(page) for page in pages] == [50, 50, 20]
    assert sum(pages, []) == expected
    # And back: «Newer» from the last page gives the middle page again, exactly.
    assert link(text, "newest") is not None
    text = admin_client.get(URL + link_on(text, "newer")).content.decode()
    assert ids_on(text) == pages[1]
    text = admin_client.get(URL + link_on(text, "newer")).content.decode()
    assert ids_on(text) == pages[0]
    assert link(text, "newer") is None


def test_paging_keeps_the_filters(admin_client, mentor, mentee):
    EmailLog.objects.bulk_create(
        log_row(person, at=BASE + dt.timedelta(minutes=n), save=False)
        for n in range(60)
        for person in (mentor, mentee)
    )
    text = admin_client.get(URL, {"members": [mentee.pk]}).content.decode()
    older = link_on(text, "older")
    assert f"members={mentee.pk}" in older
    text = admin_client.get(URL + older).content.decode()
    assert len(ids_on(text)) == 10
    assert "Anna Carter (" not in text


def test_list_uses_a_bounded_number_of_queries_and_no_count(
    admin_client, mentor, mentee, django_assert_max_num_queries
):
    EmailLog.objects.bulk_create(
        log_row(person, at=BASE + dt.timedelta(minutes=n), save=False)
        for n in range(80)
        for person in (mentor, mentee)
    )
    with django_assert_max_num_queries(6) as captured:
        text = admin_client.get(URL).content.decode()
    assert len(ids_on(text)) == 50
    with django_assert_max_num_queries(7) as captured_filtered:
        text = admin_client.get(
            URL + link_on(text, "older") + f"&members={mentor.pk}&statuses=delivered"
        ).content.decode()
    assert len(ids_on(text)) == 50
    log_queries = [
        query["sql"]
        for query in captured.captured_queries + captured_filtered.captured_queries
        if "notifications_emaillog" in query["sql"]
    ]
    assert len(log_queries) == 2  # one per page, and never a count(*) of the log
    assert not any("COUNT(" in sql.upper() for sql in log_queries)


@pytest.mark.parametrize(
    "params, error",
    [
        ({"start": "2023-13-45"}, "Enter a valid date."),
        ({"end": "yesterday"}, "Enter a valid date."),
        ({"statuses": ["lost"]}, "Select a valid choice. lost is not one of the available"),
        ({"members": ["abc"]}, "“abc” is not a valid value."),
        ({"members": ["999999999"]}, "Select a valid choice. 999999999 is not one of"),
        (
            {"start": "2023-11-30", "end": "2023-11-01"},
            "The start date must be on or before the end date.",
        ),
    ],
)
def test_bad_filters_say_what_is_wrong_and_show_nothing(admin_client, rows, params, error):
    response = admin_client.get(URL, params)
    text = response.content.decode()
    assert response.status_code == 200
    assert error in text
    assert ids_on(text) == []
    response = admin_client.get(DOWNLOAD, params)
    assert response.status_code == 400
    assert error in response.content.decode()


def test_odd_but_valid_input_never_crashes(admin_client, rows):
    text = admin_client.get(URL, {"start": "0001-01-01", "end": "9999-12-31"}).content.decode()
    assert len(ids_on(text)) == 5
    for cursor in ("nonsense", "-", "99999999999999999999999-1", "1-x", ""):
        response = admin_client.get(URL, {"before": cursor, "after": cursor})
        assert response.status_code == 200
        assert len(ids_on(response.content.decode())) == 5
    # A cursor pointing past every row: an empty page with a way back to the newest.
    text = admin_client.get(URL, {"before": "0-0"}).content.decode()
    assert ids_on(text) == [] and link(text, "newest") is not None


def test_french_page_uses_the_source_labels(client, admin, rows):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    text = client.get(URL).content.decode()
    assert "Rechercher" in text
    with translation.override("fr"):
        assert translation.gettext("Email log") in text


# --- tenancy -------------------------------------------------------------------------------


def test_outsider_sees_none_of_our_rows(outsider_client, rows, mentor, mentee):
    text = outsider_client.get(URL).content.decode()
    assert ids_on(text) == [rows["elsewhere"].pk]
    assert "Anna Carter" not in text and "Charlotte" not in text
    # Our members' ids in their filter: not one of their choices, and still nothing of ours.
    response = outsider_client.get(URL, {"members": [mentor.pk, mentee.pk]})
    text = response.content.decode()
    assert "is not one of the available choices" in text
    assert ids_on(text) == [] and "Anna" not in text
    body = streamed(outsider_client.get(DOWNLOAD)).decode("utf-8-sig")
    assert "Secret elsewhere" in body
    assert "anna@mentor.test" not in body and "charlotte@mentor.test" not in body
    response = outsider_client.get(DOWNLOAD, {"members": [mentor.pk]})
    assert response.status_code == 400
    assert "anna@mentor.test" not in response.content.decode()


def test_mentor_and_mentee_get_404_and_strangers_sign_in(client, mentor, mentee, rows):
    for person in (mentor, mentee):
        client.force_login(person)
        assert client.get(URL).status_code == 404
        assert client.get(DOWNLOAD).status_code == 404
    client.logout()
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_menu_links_to_the_log_and_marks_it(admin_client, rows):
    text = admin_client.get("/manage/").content.decode()
    assert re.search(rf'<a href="{URL}"[^>]*data-nav="email_log"[^>]*>Email log</a>', text)
    text = admin_client.get(URL).content.decode()
    assert re.search(r'class="active" data-nav="email_log"', text)


# --- CSV -----------------------------------------------------------------------------------


def test_excel_safe_escapes_formula_cells():
    for dangerous in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert excel_safe(dangerous) == "'" + dangerous
    assert excel_safe("Élodie") == "Élodie"
    assert excel_safe(None) == ""
    assert excel_safe(42) == "42"
    assert csv_line(["a,b", 'say "hi"', "=x"]) == '"a,b","say ""hi""",\'=x\r\n'
    assert csv_line(["a;b", "c"], delimiter=";") == '"a;b";c\r\n'


async def asgi_get(user, path: str) -> tuple[int, dict[bytes, bytes], list[bytes]]:
    """GET through the real ASGI application as `user`'s browser: status, headers and
    the body parts as the server sent them."""
    cookie = await database_sync_to_async(session_cookie_for)(user)
    path, _, query = path.partition("?")
    comm = ApplicationCommunicator(
        application,
        {
            "type": "http",
            "http_version": "1.1",
            "method": "GET",
            "path": path,
            "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
        },
    )
    await comm.send_input({"type": "http.request", "body": b""})
    start = await comm.receive_output(timeout=10)
    assert start["type"] == "http.response.start"
    parts = []
    while True:
        message = await comm.receive_output(timeout=10)
        assert message["type"] == "http.response.body", message
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    await comm.wait()
    return start["status"], {k.lower(): v for k, v in start["headers"]}, parts


@pytest.mark.django_db(transaction=True)
async def test_download_streams_exactly_the_filtered_rows_excel_safe(admin, mentor, mentee):
    def seed() -> set[int]:
        kept = EmailLog.objects.bulk_create(
            log_row(mentor, subject=f"Delivered {n}", at=BASE + dt.timedelta(seconds=n), save=False)
            for n in range(CSV_BATCH + 50)
        )
        formula = log_row(
            mentor,
            subject='=HYPERLINK("http://evil.test","Click")',
            to_name="+1",
            at=BASE - dt.timedelta(days=1),
        )
        log_row(mentor, subject="Bounced, not asked for", status=EmailStatus.BOUNCED)
        log_row(mentee, subject="Charlotte's, not asked for")
        return {row.pk for row in kept} | {formula.pk}

    await database_sync_to_async(seed)()
    status, headers, parts = await asgi_get(
        admin, f"{DOWNLOAD}?members={mentor.pk}&statuses=delivered"
    )
    assert status == 200
    assert headers[b"content-type"] == b"text/csv; charset=utf-8"
    today = timezone.now().astimezone(TORONTO).date()
    assert headers[b"content-disposition"] == (
        f'attachment; filename="email-log-{today:%Y-%m-%d}.csv"'.encode()
    )
    # Streamed batch by batch: the body parts break exactly after the first 2,000 rows
    # (a buffered body would only be cut in 64 KiB pieces, anywhere in a line).
    prefixes = [b"".join(parts[: n + 1]) for n in range(len(parts))]
    assert any(
        prefix.endswith(b"\r\n") and prefix.count(b"\r\n") == 1 + CSV_BATCH for prefix in prefixes
    )
    body = b"".join(parts)
    assert body.startswith(BOM.encode("utf-8"))
    text = body.decode("utf-8")[1:]
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "Name",
        "Sent to",
        "Email",
        "Sent at",
        "Status",
        "First opened",
        "Status time",
    ]
    data = lines[1:]
    assert len(data) == CSV_BATCH + 51
    subjects = {row[0] for row in data}
    assert "Bounced, not asked for" not in subjects
    assert "Charlotte's, not asked for" not in subjects
    assert {row[2] for row in data} == {"anna@mentor.test"}
    assert {row[4] for row in data} == {"Delivered"}
    # Newest first, times in the admin's zone (Toronto, EST in mid-November).
    assert data[0][0] == f"Delivered {CSV_BATCH + 49}"
    assert data[-1] == [
        '\'=HYPERLINK("http://evil.test","Click")',
        "'+1",
        "anna@mentor.test",
        "2023-11-14 10:00",
        "Delivered",
        "",
        "2023-11-14 10:05",
    ]
    assert "\r\n" in text


def test_download_headers_follow_the_admins_language(client, admin, rows):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    response = client.get(DOWNLOAD, {"statuses": ["opened"]})
    assert response.status_code == 200
    body = streamed(response).decode("utf-8")
    assert body.startswith(BOM)
    # French Excel splits on semicolons (the comma is its decimal mark).
    lines = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    with translation.override("fr"):
        assert lines[0] == csv_header()
    assert "Statut" in lines[0] and "Courriel" in lines[0]
    assert len(lines) == 2 and lines[1][0] == "How was your meeting?"
    assert lines[1][5] == "2023-12-19 10:50"  # first opened, Toronto time


def test_download_of_nothing_is_just_the_header(admin_client, org):
    response = admin_client.get(DOWNLOAD)
    body = streamed(response).decode("utf-8")
    assert body == BOM + csv_line(
        ["Name", "Sent to", "Email", "Sent at", "Status", "First opened", "Status time"]
    )
