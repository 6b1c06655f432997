"""Running an export: the permission check and the audit entries (`report_export_start`),
then the file as a stream — CSV text batch by batch, or an .xlsx written to a temporary
file and read back in pieces.

The rows come from the report's sync generator (one select through a server-side
cursor); the async streams below step it with `sync_to_async(thread_sensitive=True)`, so
every step runs on the request's own thread and database connection. They are async
iterators because Django's ASGI handler reads a sync iterator whole before sending the
first byte; Daphne sends each piece of an async one as it comes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import User
from programs.permissions import NOT_FOUND, require_org_admin
from programs.selectors import MemberFilters
from reports.files import BOM, XlsxFile, csv_line, csv_lines, excel_delimiter
from reports.prepared import report_get
from reports.registry import Report, ReportContext

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Export:
    report: Report
    context: ReportContext
    format: str
    rows: int

    @property
    def filename(self) -> str:
        day = timezone.localdate(timezone=self.context.zone)
        return f"{self.report.key.replace('_', '-')}-{day:%Y-%m-%d}.{self.format}"

    @property
    def content_type(self) -> str:
        if self.format == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"


@transaction.atomic
def report_export_start(
    *,
    actor: User,
    report_key: str,
    file_format: str = "csv",
    filters: MemberFilters | None = None,
    columns: tuple[str, ...] | None = None,
    language: str,
    zone: dt.tzinfo,
) -> Export:
    """An administrator starts downloading a report: checked, counted, and written to the
    audit log (REPORT_EXPORT with the report, the format and the number of rows; a report
    that shows conversations or private notes also records those reads). Unknown report
    or format: DomainError `not_found`; no column chosen: DomainError."""
    organisation_id = actor.organisation_id
    require_org_admin(actor, organisation_id=organisation_id or 0, not_found=NOT_FOUND)
    report = report_get(report_key)
    if report is None or file_format not in FORMATS:
        raise DomainError(_("This report does not exist."), code="not_found")
    if columns is not None and not columns:
        raise DomainError(_("Choose at least one column for your custom report."))
    assert actor.organisation is not None
    context = ReportContext(
        organisation=actor.organisation,
        actor=actor,
        language=language,
        zone=zone,
        filters=filters or MemberFilters(),
        columns=columns,
    )
    rows = report.count(context)
    details: dict[str, Any] = {"report": report.key, "format": file_format}
    if columns is not None:
        details["columns"] = list(columns)
    if report.member_filtered and filters is not None:
        details["filters"] = {
            "search": filters.search,
            "role": filters.role,
            "active": filters.active,
        }
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.REPORT_EXPORT,
        target_label=str(report.title),
        count=rows,
        details=details,
    )
    for action in report.reads(context):
        audit_record(
            actor=actor,
            organisation_id=organisation_id,
            action=action,
            target_label=str(report.title),
            count=rows,
            details={"report": report.key},
        )
    return Export(report=report, context=context, format=file_format, rows=rows)


class _Steps:
    """The report's pieces, one `step()` at a time, each inside the reader's language and
    zone (activated per step: a generator holding them across yields would leak them
    into whatever else runs on the thread)."""

    def __init__(self, export: Export, pieces: Iterator[Any]) -> None:
        self.export = export
        self.pieces = pieces

    def step(self) -> Any:
        context = self.export.context
        with translation.override(context.language), timezone.override(context.zone):
            return next(self.pieces, None)


def csv_pieces(export: Export) -> Iterator[str]:
    """The CSV text: the BOM and header, then one piece per batch of rows."""
    report, context = export.report, export.context
    delimiter = excel_delimiter(context.language)
    yield BOM + csv_line(report.header(context), delimiter=delimiter)
    for batch in report.batches(context):
        yield csv_lines(batch, delimiter=delimiter)


async def csv_stream(export: Export) -> AsyncIterator[bytes]:
    steps = _Steps(export, csv_pieces(export))
    step = sync_to_async(steps.step, thread_sensitive=True)
    while (text := await step()) is not None:
        yield text.encode("utf-8")


def xlsx_write(export: Export) -> XlsxFile:
    """The whole report written to a temporary .xlsx (constant memory), closed."""
    report, context = export.report, export.context
    with translation.override(context.language), timezone.override(context.zone):
        file = XlsxFile(sheet_name=str(report.title))
        try:
            file.header(report.header(context))
            for batch in report.batches(context):
                file.rows(batch)
            file.finish()
        except BaseException:
            file.close()
            raise
    return file


async def xlsx_stream(export: Export) -> AsyncIterator[bytes]:
    file = await sync_to_async(xlsx_write, thread_sensitive=True)(export)
    try:
        chunks = file.chunks()
        read = sync_to_async(lambda: next(chunks, None), thread_sensitive=False)
        while (chunk := await read()) is not None:
            yield chunk
    finally:
        file.close()


def export_stream(export: Export) -> AsyncIterator[bytes]:
    return xlsx_stream(export) if export.format == "xlsx" else csv_stream(export)
