"""The audit log's rows (written by programs.audit)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One administrator action on people or settings («who, when, what, how many, from
    where»), append-only: PostgreSQL refuses to update or delete a row (migration 0007).

    Deliberately no foreign keys: an entry outlives the member, actor or organisation it
    names (a permanently deleted member's deletion stays recorded), so the ids are plain
    integers and the names are copied in when the entry is written."""

    organisation_id = models.BigIntegerField(null=True, db_index=False)
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=60)  # programs.audit.AuditAction
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True)
    target_label = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(null=True)
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=100, blank=True)  # an IP address or "manage.py …"
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit log entry")
        indexes = [
            models.Index(fields=["organisation_id", "-at", "-id"], name="audit_org_at"),
            models.Index(fields=["organisation_id", "action", "-at"], name="audit_org_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
