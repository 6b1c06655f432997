"""«Notes»: each person's own notes on a relationship, one text per person. Only their
author ever sees the text; administrators at most that it exists and when it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Relationship

NOTE_MAX = 20000


class PrivateNote(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("private note")
        constraints = [
            models.UniqueConstraint(fields=["relationship", "author"], name="private_note_once")
        ]

    def __str__(self) -> str:
        return f"notes of {self.author_id} on {self.relationship_id}"  # never the text
