"""The email log («Registre des courriels», F2): every email sent to this organisation's
members with its delivery status, filtered, paged by keyset, and downloaded as CSV."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Field
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from notifications.email import log as log_queries
from notifications.models import EmailLog, EmailStatus
from reports.files import BOM, csv_line, csv_lines, excel_delimiter
from web.access import admin_required
from web.forms.email_log import EmailLogFilterForm
from web.typing import MemberRequest

PAGE_SIZE = 50
# Rows per database round trip while a download streams: memory stays at one batch.
CSV_BATCH = 2_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
OPENED_PATTERN_CONTEXT = "email status with the time it was first opened"


def cursor_token(cursor: log_queries.EmailLogCursor) -> str:
    """A page link's position: microseconds since the epoch (exact, unlike a float) and id."""
    return f"{(cursor.created_at - EPOCH) // dt.timedelta(microseconds=1)}-{cursor.id}"


def cursor_parse(token: str | None) -> log_queries.EmailLogCursor | None:
    """A cursor from a link, or None (the first page) for anything malformed."""
    try:
        micros, _sep, pk = (token or "").partition("-")
        return log_queries.EmailLogCursor(
            created_at=EPOCH + dt.timedelta(microseconds=int(micros)), id=int(pk)
        )
    except (ValueError, OverflowError):
        return None


def status_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in EmailStatus.choices}


def opened_pattern() -> str:
    # The same msgid as the template's {% blocktranslate %}: one translation for both.
    return pgettext(OPENED_PATTERN_CONTEXT, "%(status)s (%(opened_at)s)")


def _render(
    request: MemberRequest,
    form: EmailLogFilterForm,
    page: log_queries.EmailLogPage,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    base = query.urlencode()
    prefix = f"?{base}&" if base else "?"
    return render(
        request,
        "web/email_log.html",
        {
            "form": form,
            "page": page,
            "newer_url": f"{prefix}after={cursor_token(page.newer)}" if page.newer else "",
            "older_url": f"{prefix}before={cursor_token(page.older)}" if page.older else "",
            "newest_url": f"?{base}" if "before" in request.GET or "after" in request.GET else "",
            "live_labels": {"statuses": status_labels(), "opened": opened_pattern()},
        },
        status=status,
    )


@admin_required
def email_log(request: MemberRequest) -> HttpResponse:
    form = EmailLogFilterForm(request.GET or None, organisation_id=request.user.organisation_id)
    if form.is_bound and not form.is_valid():
        # Never widen an invalid filter to "everything": say what is wrong, show nothing.
        return _render(request, form, log_queries.EmailLogPage(rows=[], newer=None, older=None))
    page = log_queries.email_log_page(
        organisation_id=request.user.organisation_id,
        **(form.filters() if form.is_bound else {}),
        before=cursor_parse(request.GET.get("before")),
        after=cursor_parse(request.GET.get("after")),
        size=PAGE_SIZE,
    )
    return _render(request, form, page)


# web/access.py types its views as returning HttpResponse; a streamed download is an
# HttpResponseBase, which the decorator passes through untouched.
@admin_required  # type: ignore[arg-type]
def email_log_download(request: MemberRequest) -> HttpResponse | StreamingHttpResponse:
    """«Télécharger»: exactly the filtered rows, as a CSV that streams."""
    form = EmailLogFilterForm(request.GET or None, organisation_id=request.user.organisation_id)
    if form.is_bound and not form.is_valid():
        page = log_queries.EmailLogPage(rows=[], newer=None, older=None)
        return _render(request, form, page, status=400)
    # The stream runs after this view returns, outside the middleware that set the
    # viewer's language and zone: hand them over explicitly.
    stream = csv_stream(
        organisation_id=request.user.organisation_id,
        filters=form.filters() if form.is_bound else {},
        language=translation.get_language() or "en",
        zone=timezone.get_current_timezone_name(),
    )
    # An async iterator: Daphne sends each batch as it comes. Over a sync iterator
    # Django's ASGI handler would read the whole file into memory first.
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    filename = f"email-log-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _column(name: str) -> str:
    field = EmailLog._meta.get_field(name)
    assert isinstance(field, Field), name
    return capfirst(str(field.verbose_name))


def csv_header() -> list[str]:
    return [
        _column("subject"),
        _("Sent to"),
        _("Email"),
        _column("sent_at"),
        _column("status"),
        _("First opened"),
        _column("status_at"),
    ]


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_batch(
    *,
    organisation_id: int,
    filters: dict[str, Any],
    before: log_queries.EmailLogCursor | None,
    language: str,
    zone: str,
) -> tuple[str, log_queries.EmailLogCursor | None]:
    """The CSV text of the next CSV_BATCH rows older than `before` (the header first),
    and where the next batch starts (None: that was the last)."""
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        page = log_queries.email_log_page(
            organisation_id=organisation_id, **filters, before=before, size=CSV_BATCH
        )
        delimiter = excel_delimiter(language)
        head = BOM + csv_line(csv_header(), delimiter=delimiter) if before is None else ""
        text = csv_lines(
            (
                (
                    log.subject,
                    log.to_name,
                    log.to_email,
                    _local(log.sent_at or log.created_at),
                    log.get_status_display(),
                    _local(log.opened_at),
                    _local(log.status_at),
                )
                for log in page.rows
            ),
            delimiter=delimiter,
        )
    return head + text, page.older


async def csv_stream(
    *, organisation_id: int, filters: dict[str, Any], language: str, zone: str
) -> AsyncIterator[bytes]:
    """The download, batch by batch (keyset, like the page), encoded as it goes."""
    # thread_sensitive: inside the request every batch runs on the request's own thread,
    # so the stream reuses one database connection, closed when the response ends.
    fetch = sync_to_async(csv_batch, thread_sensitive=True)
    before: log_queries.EmailLogCursor | None = None
    while True:
        text, before = await fetch(
            organisation_id=organisation_id,
            filters=filters,
            before=before,
            language=language,
            zone=zone,
        )
        yield text.encode("utf-8")
        if before is None:
            return
