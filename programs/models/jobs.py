"""Background jobs' own rows: «Recalculer valeur du profil» and member imports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models.organisations import Organisation, User


class RecalculationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked")
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


UNFINISHED_RECALCULATION = [RecalculationStatus.QUEUED, RecalculationStatus.RUNNING]


class CompletionRecalculation(models.Model):
    """One run of «Recalculer valeur du profil» (programs.completion_recalculation): the job's
    own row, so a second click joins the run under way, the members page shows its
    progress, and the sweeper finds a run whose job was lost. `last_id` is the job's
    cursor: members are recomputed in id order, so a job run again resumes after it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="completion_recalculations"
    )
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RecalculationStatus.choices, default=RecalculationStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Moved on by the job after each batch: a running row whose heartbeat is old has lost
    # its worker, and the sweeper queues it again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=UNFINISHED_RECALCULATION),
                name="one_unfinished_recalculation_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"recalculation {self.pk} ({self.status} {self.done}/{self.total})"


class MemberImport(models.Model):
    """One member-import file («Importer des membres»), checked and waiting for the
    administrator's confirmation, then applied in batches by a background job
    (programs.imports). `rows` holds the file's rows normalised and validated; `done`
    counts the rows applied so far — a retried job starts from there."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="member_imports"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10,
        choices=ImportStatus.choices,
        default=ImportStatus.VALIDATED,
        db_default=ImportStatus.VALIDATED,
    )
    rows = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0, db_default=0)
    done = models.PositiveIntegerField(default=0, db_default=0)
    created = models.PositiveIntegerField(default=0, db_default=0)
    # Rows not applied because their address was taken after the check: {line, email}.
    skipped = models.JSONField(default=list, db_default=[])
    error = models.TextField(blank=True, default="", db_default="")
    # Where the confirmation came from (an IP address, a command), for the audit entry.
    source = models.CharField(max_length=100, blank=True, default="", db_default="")
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        indexes = [models.Index(fields=["status", "updated_at"], name="member_import_status")]

    def __str__(self) -> str:
        return self.file_name or f"import {self.pk}"


class BulkStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked")
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MemberDeactivation(models.Model):
    """«Désactiver les membres» (F9): a checked CSV file of addresses waiting for the
    administrator's confirmation (programs.member_deactivation). `member_ids` and `emails`
    are exactly what the preview showed; confirming moves `status` from validated to done
    with one conditional UPDATE, so a second confirmation changes nothing."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="member_deactivations"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255, blank=True)
    # False: deactivate the listed members; True: reactivate them.
    active = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=BulkStatus.choices, default=BulkStatus.VALIDATED
    )
    member_ids = models.JSONField(default=list)
    emails = models.JSONField(default=list)
    # Rows already in the wanted state (a notice on the preview, nothing to do).
    unchanged = models.JSONField(default=list)
    applied = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member deactivation")

    def __str__(self) -> str:
        return self.file_name or f"deactivation {self.pk}"


class RelationshipEnding(models.Model):
    """«Terminer toutes les relations»: the matched relationships previewed (all, or the
    relationships page's search), then ended by a background job in batches
    (programs.relationships_end_all). `relationship_ids` is the preview; `done` the job's
    cursor in it, committed with each batch, so a retried job never ends or tells twice."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="relationship_endings"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    search = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=BulkStatus.choices, default=BulkStatus.VALIDATED
    )
    relationship_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=100, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("end of all relationships")

    def __str__(self) -> str:
        return f"relationship ending {self.pk} ({self.status} {self.done}/{self.total})"
