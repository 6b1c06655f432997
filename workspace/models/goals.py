"""«Objectifs»: the pair's shared list of goals, edited by either person with optimistic
concurrency (every edit names the `version` it was based on)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Relationship

TITLE_MAX = 200


class GoalStatus(models.TextChoices):
    TODO = "todo", pgettext_lazy("goal status", "To do")
    IN_PROGRESS = "in_progress", pgettext_lazy("goal status", "In progress")
    DONE = "done", pgettext_lazy("goal status", "Done")


class Goal(models.Model):
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=GoalStatus.choices,
        default=GoalStatus.TODO,
        db_default=GoalStatus.TODO,
    )
    position = models.IntegerField(default=0, db_default=0)
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("goal")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["relationship", "position"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="goal_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="goal_completed_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return self.title
