"""Custom profile fields and members' answers to them (F11)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programs.models.organisations import Organisation, Role, User


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    DATE = "date", _("Date")


class ProfileField(models.Model):
    """A custom profile field an organisation adds («Gérer les champs personnalisés», F11).

    `options` (choice kinds only) is a list of {"id": str, "en": str, "fr": str}; a value
    names options by id, so renaming or reordering options keeps the answers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="profile_fields"
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    hint_en = models.CharField(_("hint (English)"), max_length=200, blank=True)
    hint_fr = models.CharField(_("hint (French)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=FieldKind.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    for_mentors = models.BooleanField(_("mentors"), default=True)
    for_mentees = models.BooleanField(_("mentees"), default=True)
    required = models.BooleanField(_("required"), default=False)
    in_search = models.BooleanField(_("appears in search"), default=False)
    admin_only = models.BooleanField(_("administrators only"), default=False)
    in_profile = models.BooleanField(_("shown in profile"), default=True)
    in_reports = models.BooleanField(_("shown in reports"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("custom field")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_mentors=True) | Q(for_mentees=True),
                name="profile_field_has_a_role",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "position"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "fr" and self.name_fr:
            return self.name_fr
        return self.name_en

    def applies_to(self, role: str) -> bool:
        return (role == Role.MENTOR and self.for_mentors) or (
            role == Role.MENTEE and self.for_mentees
        )


class ProfileFieldValue(models.Model):
    """One member's answer to one custom field. `value`: a string (text, long text, date
    as YYYY-MM-DD, single choice's option id), a list of option ids (multiple) or a bool."""

    field = models.ForeignKey(ProfileField, on_delete=models.CASCADE, related_name="values")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="field_values")
    value = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["field", "user"], name="profile_value_one_per_field"),
        ]
        indexes = [models.Index(fields=["user", "field"])]

    def __str__(self) -> str:
        return f"{self.field_id}={self.value!r}"
