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


class CycleMethod(models.TextChoices):
    """The source manual's three ways to end a cycle («Actualisation»)."""

    FULL = "full", _("Full refresh")
    KEEP = "keep", _("Keep some members")
    REIMPORT = "reimport", _("Refresh and quick re-import")


class CycleStep(models.TextChoices):
    ARCHIVE = "archive", _("Archive the year")
    END = "end", _("End every current relationship")
    STAY = "stay", _("Choose who stays")
    REMOVE = "remove", _("Deactivate or delete the others")
    REIMPORT = "reimport", _("Re-import the members")


class StepState(models.TextChoices):
    TODO = "todo", _("To do")
    PREVIEWED = "previewed", _("Previewed")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CycleRun(models.Model):
    """«Terminer le cycle» (reports.cycle): one guided end of cycle, tying together the
    rows its steps created — the year's archive, the relationships' ending, the
    selection that deactivates or deletes the others — so reopening the page resumes
    where it stopped and a step done is never done again. `states` maps each step to
    its StepState; `keep_ids` are the members chosen to stay. One unfinished run per
    organisation (finished_at null)."""

    organisation = models.ForeignKey(
        "programs.Organisation", on_delete=models.CASCADE, related_name="cycle_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(max_length=10, choices=CycleMethod.choices)
    step = models.CharField(max_length=10, choices=CycleStep.choices, default=CycleStep.ARCHIVE)
    states = models.JSONField(default=dict)
    archive = models.ForeignKey(
        ReportArchive, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ending = models.ForeignKey(
        "programs.RelationshipEnding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    selection = models.ForeignKey(
        "programs.MemberSelection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    keep_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("end of cycle")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(finished_at__isnull=True),
                name="one_unfinished_cycle_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"cycle {self.pk} ({self.method}, {self.step})"
