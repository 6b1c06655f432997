"""django-q2 entry points of reports: thin and idempotent (the ORM broker delivers at
least once). They are queued by `reports.jobs` or run by the schedules made in migration
reports 0003."""

from __future__ import annotations

from reports import archive_job


def report_archive_run(archive_id: int) -> str:
    return archive_job.archive_run(archive_id=archive_id)


def report_archives_sweep() -> int:
    """Every minute: archives whose job was lost are queued again."""
    return archive_job.archive_sweep()


def report_archives_cleanup() -> int:
    """Every hour: archives kept REPORT_ARCHIVE_DAYS are deleted."""
    return archive_job.archive_cleanup()
