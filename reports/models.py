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
