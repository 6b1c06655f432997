from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReleaseNote(models.Model):
    """Notes on a platform update, written by support staff in English and French.
    Publishing it notifies every administrator of every organisation (F1)."""

    date = models.DateField(_("date"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    body_en = models.TextField(_("sections (English)"))
    body_fr = models.TextField(_("sections (French)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("release note")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(
                fields=["-date"],
                name="releasenote_published_idx",
                condition=Q(published_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title_en}"

    @property
    def title(self) -> str:
        return self.title_fr if get_language() == "fr" and self.title_fr else self.title_en

    @property
    def body(self) -> str:
        return self.body_fr if get_language() == "fr" and self.body_fr else self.body_en


class Notification(models.Model):
    """One line of a person's bell («Notifications»), kept in both languages so it reads
    in whichever the person uses when they look."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title_en = models.CharField(max_length=300)
    title_fr = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    release_note = models.ForeignKey(
        ReleaseNote, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("notification")
        constraints = [
            # A retried delivery job never notifies anyone twice about one release note.
            models.UniqueConstraint(
                fields=["user", "release_note"],
                condition=Q(release_note__isnull=False),
                name="notification_once_per_release_note",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return self.title_fr if get_language() == "fr" else self.title_en
