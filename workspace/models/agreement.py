"""«L'accord mentorat»: the organisation's template (sections of questions, English and
French) and each relationship's agreement — its answers, one row per question, versioned
like goals — with each person's signature."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organisation, Relationship


class AgreementTemplate(models.Model):
    """`sections` is a list of {"title_en", "title_fr", "questions": [{"key", "text_en",
    "text_fr"}]}; a question's key is stable so answers follow it through edits. An
    organisation without a row uses workspace.agreement.DEFAULT_SECTIONS."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="agreement_template"
    )
    sections = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement template")

    def __str__(self) -> str:
        return f"agreement template {self.organisation_id}"


class Agreement(models.Model):
    """One per relationship, created with the first answer. `sections` is the template
    as it was then, so later template edits never move an agreement's questions."""

    relationship = models.OneToOneField(
        Relationship, on_delete=models.CASCADE, related_name="agreement"
    )
    sections = models.JSONField(default=list)
    mentor_signed_at = models.DateTimeField(null=True, blank=True)
    mentee_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mentoring agreement")

    def __str__(self) -> str:
        return f"agreement {self.relationship_id}"

    @property
    def signed_on(self) -> datetime | None:
        """When the second signature was made; None until both signed."""
        return signed_on_of(self.mentor_signed_at, self.mentee_signed_at)


def signed_on_of(
    mentor_signed_at: datetime | None, mentee_signed_at: datetime | None
) -> datetime | None:
    """`Agreement.signed_on` from its two signatures (a list that reads plain values)."""
    if mentor_signed_at and mentee_signed_at:
        return max(mentor_signed_at, mentee_signed_at)
    return None


class AgreementAnswer(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="answers")
    key = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement answer")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="agreement_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.key}"
