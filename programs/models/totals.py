"""Totals the administrator lists show, kept by PostgreSQL triggers (programs.totals)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListTotal(models.Model):
    """A total the administrator lists show (an organisation's members, its relationships
    of one status, its meetings, …), kept exact by PostgreSQL statement triggers on the
    counted tables (programs.totals; programs migration 0013, scheduling migration 0004)
    so a page reads one row instead of counting the organisation. SQLite (the demo) has
    no triggers: there the lists count (programs.totals.stored_total says None)."""

    organisation_id = models.BigIntegerField()
    kind = models.CharField(max_length=40)
    n = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("list total")
        constraints = [
            models.UniqueConstraint(fields=["organisation_id", "kind"], name="list_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind}: {self.n}"
