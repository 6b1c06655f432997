"""Queueing background jobs: the only module of reports that talks to django-q2.

Services queue `reports.tasks.<entry point>` by its dotted path (after commit), so a
service never imports the module that imports it back. Every job is idempotent: the ORM
broker delivers at least once.
"""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue_report_archive(archive_id: int) -> None:
    """Queue «Exporter tous les rapports»' job for archive `archive_id`."""
    async_task(
        "reports.tasks.report_archive_run",
        archive_id,
        task_name=f"report-archive-{archive_id}",
        group="report-archives",
    )
