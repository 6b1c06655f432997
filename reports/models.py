"""What the reports keep: each administrator's columns of the custom member report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportColumnChoice(models.Model):
    """«Rapport personnalisé»: the column keys one administrator saved, in the order of
    the report's catalogue (reports.members). Keys that no longer exist (a custom field
    deleted or taken out of reports) are dropped when read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_columns"
    )
    columns = models.JSONField(_("columns"), default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("custom report columns")

    def __str__(self) -> str:
        return f"report columns of {self.user_id}"


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Preparing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


UNFINISHED_ARCHIVE = [ArchiveStatus.QUEUED, ArchiveStatus.RUNNING]


class ReportArchive(models.Model):
    """«Exporter tous les rapports»: one ZIP of every listed report, written by a
    background job (reports.archives) into private storage and kept for
    REPORT_ARCHIVE_DAYS. `done` counts the reports written so far; `updated_at` is the
    job's heartbeat (the sweeper queues again a row that stopped moving); `attempt` names
    the run allowed to finish it, so an older run still going gives up."""

    organisation = models.ForeignKey(
        "programs.Organisation", on_delete=models.CASCADE, related_name="report_archives"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED
    )
    # The program year the file is named after: `cohort_start_year`-(+1).
    cohort_start_year = models.PositiveSmallIntegerField()
    # Fixed when asked for: the job writes in the administrator's language and zone.
    language = models.CharField(max_length=10)
    time_zone = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    # Relative to MEDIA_ROOT (private, never served as /media/); empty until done.
    file_path = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # What the ZIP holds, once done: [{"key", "file", "rows"}, ...].
    contents = models.JSONField(default=list)
    attempt = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report archive")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status__in=UNFINISHED_ARCHIVE),
                name="one_unfinished_report_archive_per_org",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="report_archive_status")]

    def __str__(self) -> str:
        return self.file_name
