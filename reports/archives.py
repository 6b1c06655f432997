"""«Exporter tous les rapports» (F12, docs/reports.md "The year's archive"): one ZIP of
every report listed on «Générer des rapports», as the same CSV files their single
downloads give, named after the program and its cohort years
(`Mentorat Canada 2025-2026.zip`).

- `archive_start()` checks the administrator, writes the `ReportArchive` row (queued) and
  the audit entry, and queues the job after commit. A second request while one is being
  prepared joins it.
- `archive_download()` hands a ready one out; the page reads `archives_recent()`.
- The job, its sweeper and the cleanup are in `reports.archive_job`.

The ZIP lives under MEDIA_ROOT (private, never served as /media/); only
`archive_download()` hands it out, to an administrator of its organisation.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs.audit import AuditAction, audit_record, current_source
from programs.errors import DomainError
from programs.models import Organisation, Relationship, User
from programs.permissions import NOT_FOUND, require_org_admin
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit
from reports import jobs
from reports.models import UNFINISHED_ARCHIVE, ArchiveStatus, ReportArchive
from reports.prepared import reports_listed

# Under MEDIA_ROOT: report-archives/<organisation id>/<archive id>.zip
ARCHIVE_DIR = "report-archives"
# The program year runs from 1 September to 31 August (a school year, as mentoring
# programs run): in June 2026 the cohort is 2025-2026, from September it is 2026-2027.
PROGRAM_YEAR_MONTH = 9
# Characters Windows and macOS refuse in a file name, and control characters.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def program_year(day: dt.date) -> int:
    """The start year of the program year `day` falls in (September to August)."""
    return day.year if day.month >= PROGRAM_YEAR_MONTH else day.year - 1


def cohort_years(*, organisation: Organisation, today: dt.date) -> list[int]:
    """The start years an administrator may name the archive after, newest first: from
    the program year of the program's first relationship (or its creation) — at least
    the year before, the cycle that just ended when archiving in September — to now."""
    current = program_year(today)
    first = Relationship.objects.filter(organisation_id=organisation.pk).aggregate(
        first=Min("created_at")
    )["first"]
    oldest = min(filter(None, [first, organisation.created_at]))
    start = max(min(program_year(oldest.date()), current - 1), current - 20)
    return list(range(current, start - 1, -1))


def safe_file_name(text: str) -> str:
    """`text` as a file name every system accepts (accents and spaces kept)."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return cleaned[:150] or "Tandem"


def archive_file_name(*, organisation: Organisation, language: str, start_year: int) -> str:
    with translation.override(language):
        name = organisation.name
    return f"{safe_file_name(name)} {start_year}-{start_year + 1}.zip"


def _today(zone_name: str) -> dt.date:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return timezone.localdate(timezone=zone)


def archive_start(*, actor: User, cohort_start_year: int | None = None) -> ReportArchive:
    """«Exporter tous les rapports»: queue the ZIP of every listed report, in the
    administrator's language and time zone, named after the program and the cohort years
    (`cohort_start_year`, by default the program year under way). Writes the archive row
    and a `report.archive` audit entry; the job is queued after commit and announces its
    progress as `job.progress` (kind `report_archive`). While the organisation's archive
    is being prepared, asking again for the same years joins it; other years are refused
    with a DomainError, as is a year not offered."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    with transaction.atomic():
        # One request at a time per organisation: the second sees the first's row.
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        years = cohort_years(organisation=organisation, today=_today(actor.time_zone))
        start_year = years[0] if cohort_start_year is None else cohort_start_year
        if start_year not in years:
            raise DomainError(_("Choose one of the cohort years offered."))
        unfinished = ReportArchive.objects.filter(
            organisation_id=organisation_id, status__in=UNFINISHED_ARCHIVE
        ).first()
        if unfinished is not None:
            if unfinished.cohort_start_year == start_year:
                return unfinished
            raise DomainError(
                _("An archive of your reports is already being prepared. Wait until it is ready.")
            )
        reports = reports_listed()
        archive = ReportArchive.objects.create(
            organisation=organisation,
            created_by=actor,
            cohort_start_year=start_year,
            language=actor.language,
            time_zone=actor.time_zone,
            file_name=archive_file_name(
                organisation=organisation, language=actor.language, start_year=start_year
            ),
            total=len(reports),
            source=current_source(),
        )
        audit_record(
            actor=actor,
            organisation_id=organisation_id,
            action=AuditAction.REPORT_ARCHIVE_REQUEST,
            target=archive,
            count=len(reports),
            details={
                "cohort": f"{start_year}-{start_year + 1}",
                "reports": [report.key for report in reports],
            },
        )
        progress_on_commit(archive)
        # Should the process die between this commit and the queue, the row stays
        # queued and archive_sweep() queues it once it is REPORT_ARCHIVE_GRACE old.
        transaction.on_commit(lambda: jobs.enqueue_report_archive(archive.pk))
    return archive


def archive_get(*, actor: User, archive_id: int) -> ReportArchive:
    """One archive of the administrator's own organisation; any other is not found."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    archive = ReportArchive.objects.filter(pk=archive_id, organisation_id=organisation_id).first()
    if archive is None:
        raise DomainError(NOT_FOUND, code="not_found")
    return archive


def archives_recent(*, actor: User, limit: int = 5) -> list[ReportArchive]:
    """The organisation's latest archives still of use (not expired), newest first."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    return list(
        ReportArchive.objects.filter(organisation_id=organisation_id)
        .exclude(status=ArchiveStatus.EXPIRED)
        .order_by("-created_at", "-pk")[:limit]
    )


def archive_is_available(archive: ReportArchive, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        archive.status == ArchiveStatus.DONE
        and archive.expires_at is not None
        and archive.expires_at > now
        and bool(archive.file_path)
    )


def archive_path(archive: ReportArchive) -> Path:
    return Path(settings.MEDIA_ROOT) / archive.file_path


@transaction.atomic
def archive_download(*, actor: User, archive_id: int) -> tuple[ReportArchive, Path]:
    """An administrator downloads a ready archive: checked (another organisation's, an
    expired or unfinished one is not found) and written to the audit log
    (`report.archive_download`, count: the rows in it). Returns the row and the file."""
    archive = archive_get(actor=actor, archive_id=archive_id)
    path = archive_path(archive)
    if not archive_is_available(archive) or not path.is_file():
        raise DomainError(NOT_FOUND, code="not_found")
    audit_record(
        actor=actor,
        organisation_id=archive.organisation_id,
        action=AuditAction.REPORT_ARCHIVE_DOWNLOAD,
        target=archive,
        count=sum(int(item.get("rows", 0)) for item in archive.contents),
        details={"file": archive.file_name, "size": archive.size},
    )
    return archive, path


def progress_state(archive: ReportArchive) -> str:
    return {ArchiveStatus.DONE: "done", ArchiveStatus.FAILED: "failed"}.get(
        ArchiveStatus(archive.status), "running"
    )


def progress_on_commit(archive: ReportArchive) -> None:
    publish_on_commit(
        org_admins_group(archive.organisation_id),
        "job.progress",
        {
            "kind": "report_archive",
            "id": archive.pk,
            "done": archive.done,
            "total": archive.total,
            "state": progress_state(archive),
        },
    )
