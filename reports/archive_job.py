"""The job of «Exporter tous les rapports» (reports.archives), its sweeper and cleanup.

- `archive_run()` claims the row (a new `attempt`), writes the ZIP from scratch into a
  part file of its own, report by report, rows streamed from each report's server-side
  cursor straight into the ZIP entry (memory holds one batch), moves `done` and the
  heartbeat `updated_at` as it goes, then — under the row's lock, once — renames the
  file into place and marks the row done. A run that finds another attempt has taken
  over gives up, so a retried job ends done once.
- `archive_sweep()` queues again a row that stopped moving: its job was lost between the
  commit and the queue, or its worker died.
- `archive_cleanup()` deletes the files whose REPORT_ARCHIVE_DAYS are over and marks their
  rows expired.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import zipfile
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from programs.audit import audit_record, audit_source
from reports import jobs
from reports.archives import ARCHIVE_DIR, archive_path, progress_on_commit, safe_file_name
from reports.files import BOM, csv_line, csv_lines, excel_delimiter
from reports.models import UNFINISHED_ARCHIVE, ArchiveStatus, ReportArchive
from reports.prepared import reports_listed
from reports.registry import Report, ReportContext

# The job moves its heartbeat at most this often (one UPDATE per few seconds).
HEARTBEAT_SECONDS = 5.0
MAX_ATTEMPTS = 5


class Superseded(Exception):
    """Another attempt took the archive over: this run stops writing."""


def _entry_names(reports: list[Report]) -> Iterator[str]:
    """Each report's file name inside the ZIP: its title (in the active language)."""
    seen: set[str] = set()
    for report in reports:
        base = safe_file_name(str(report.title))
        name, number = f"{base}.csv", 2
        while name.casefold() in seen:
            name, number = f"{base} ({number}).csv", number + 1
        seen.add(name.casefold())
        yield name


class _Heartbeat:
    """Moves the row's `updated_at` every few seconds while this attempt owns it."""

    def __init__(self, archive_id: int, attempt: int) -> None:
        self.archive_id = archive_id
        self.attempt = attempt
        self.last = time.monotonic()

    def owned(self, **fields: object) -> None:
        moved = ReportArchive.objects.filter(
            pk=self.archive_id, attempt=self.attempt, status=ArchiveStatus.RUNNING
        ).update(updated_at=timezone.now(), **fields)
        if not moved:
            raise Superseded
        self.last = time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.last >= HEARTBEAT_SECONDS:
            self.owned()


def _write(
    archive: ReportArchive, context: ReportContext, part: Path, heartbeat: _Heartbeat
) -> list[dict[str, object]]:
    """Every listed report into the ZIP at `part`; what it holds."""
    contents: list[dict[str, object]] = []
    delimiter = excel_delimiter(context.language)
    with (
        translation.override(context.language),
        timezone.override(context.zone),
        zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zip_file,
    ):
        reports = reports_listed()
        for index, (report, name) in enumerate(zip(reports, _entry_names(reports), strict=True)):
            rows = 0
            # force_zip64: the entry's size is unknown until its last row.
            with zip_file.open(name, "w", force_zip64=True) as entry:
                header = BOM + csv_line(report.header(context), delimiter=delimiter)
                entry.write(header.encode("utf-8"))
                for batch in report.batches(context):
                    entry.write(csv_lines(batch, delimiter=delimiter).encode("utf-8"))
                    rows += len(batch)
                    heartbeat.beat()
            contents.append({"key": report.key, "file": name, "rows": rows})
            heartbeat.owned(done=index + 1)
            archive.done = index + 1
            progress_on_commit(archive)
    return contents


def _parts(folder: Path, archive_id: int) -> list[Path]:
    return list(folder.glob(f"{archive_id}.*.part"))


def _fail(archive_id: int) -> str:
    with transaction.atomic():
        ReportArchive.objects.filter(pk=archive_id, status__in=UNFINISHED_ARCHIVE).update(
            status=ArchiveStatus.FAILED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        archive = ReportArchive.objects.get(pk=archive_id)
        progress_on_commit(archive)
    return str(archive.status)


def archive_run(*, archive_id: int) -> str:
    """The job: idempotent — see the module docstring. Returns the row's status."""
    archive = (
        ReportArchive.objects.select_related("organisation", "created_by")
        .filter(pk=archive_id)
        .first()
    )
    if archive is None or archive.status not in UNFINISHED_ARCHIVE:
        return archive.status if archive else "missing"
    if archive.attempt >= MAX_ATTEMPTS or archive.created_by is None:
        return _fail(archive_id)
    attempt = archive.attempt + 1
    claimed = ReportArchive.objects.filter(
        pk=archive_id, attempt=archive.attempt, status__in=UNFINISHED_ARCHIVE
    ).update(attempt=attempt, status=ArchiveStatus.RUNNING, done=0, updated_at=timezone.now())
    if not claimed:
        return "taken"
    archive.attempt, archive.status, archive.done = attempt, ArchiveStatus.RUNNING, 0
    progress_on_commit(archive)
    folder = Path(settings.MEDIA_ROOT) / ARCHIVE_DIR / str(archive.organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{archive.pk}.{attempt}.part"
    context = ReportContext(
        organisation=archive.organisation,
        actor=archive.created_by,
        language=archive.language,
        zone=zoneinfo.ZoneInfo(archive.time_zone),
    )
    try:
        with audit_source(archive.source):
            contents = _write(archive, context, part, _Heartbeat(archive.pk, attempt))
            return _finish(archive, context, part, contents)
    except Superseded:
        return "superseded"
    finally:
        # Whatever happened, this attempt's part file is not needed any more (on success
        # it has been renamed into place).
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def _finish(
    archive: ReportArchive, context: ReportContext, part: Path, contents: list[dict[str, object]]
) -> str:
    """Put the file in place and mark the row done, once: under the row's lock, only if
    this attempt still owns it."""
    with transaction.atomic():
        locked = ReportArchive.objects.select_for_update().get(pk=archive.pk)
        if locked.status != ArchiveStatus.RUNNING or locked.attempt != archive.attempt:
            raise Superseded
        final = part.with_name(f"{archive.pk}.zip")
        part.replace(final)
        for stale in _parts(final.parent, archive.pk):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        now = timezone.now()
        locked.status = ArchiveStatus.DONE
        locked.done = locked.total
        locked.file_path = str(final.relative_to(settings.MEDIA_ROOT))
        locked.size = final.stat().st_size
        locked.contents = contents
        locked.finished_at = locked.updated_at = now
        locked.expires_at = now + dt.timedelta(days=settings.REPORT_ARCHIVE_DAYS)
        locked.save()
        # A report that shows conversations or private notes counts as reading them, as
        # its single download does — written here, with the done row, exactly once.
        rows = {str(item["key"]): int(str(item["rows"])) for item in contents}
        for report in reports_listed():
            for action in report.reads(context):
                audit_record(
                    actor=archive.created_by,
                    organisation_id=archive.organisation_id,
                    action=action,
                    target_label=str(report.title),
                    count=rows.get(report.key, 0),
                    details={"report": report.key, "archive": archive.pk},
                )
        progress_on_commit(locked)
    return ArchiveStatus.DONE


# -- the schedules -----------------------------------------------------------------------


def archive_sweep() -> int:
    """Every minute: an archive queued or running that has not moved for
    REPORT_ARCHIVE_GRACE seconds (its job was lost between commit and queue, or its worker
    died) is queued again; the job starts the file over. Returns how many were queued."""
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_ARCHIVE_GRACE)
    ids = list(
        ReportArchive.objects.filter(
            status__in=UNFINISHED_ARCHIVE, updated_at__lt=stale
        ).values_list("pk", flat=True)
    )
    ReportArchive.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    for archive_id in ids:
        jobs.enqueue_report_archive(archive_id)
    return len(ids)


def archive_cleanup(*, now: dt.datetime | None = None) -> int:
    """Every hour: the ready archives whose time is over lose their file and become
    expired (their page and download answer 404); failed ones lose any part file left
    by a killed worker. Returns how many expired."""
    now = now or timezone.now()
    expired = list(ReportArchive.objects.filter(status=ArchiveStatus.DONE, expires_at__lte=now))
    for archive in expired:
        ReportArchive.objects.filter(pk=archive.pk, status=ArchiveStatus.DONE).update(
            status=ArchiveStatus.EXPIRED, file_path="", updated_at=now
        )
        if archive.file_path:
            with contextlib.suppress(FileNotFoundError):
                archive_path(archive).unlink()
    root = Path(settings.MEDIA_ROOT) / ARCHIVE_DIR
    for failed in ReportArchive.objects.filter(status=ArchiveStatus.FAILED).values(
        "pk", "organisation_id"
    ):
        for part in _parts(root / str(failed["organisation_id"]), failed["pk"]):
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
    return len(expired)
