"""«Recherches récentes»: the members list filters an administrator saved under a name."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models.organisations import Organisation, User

SAVED_FILTER_NAME_MAX = 100
SAVED_FILTER_QUERY_MAX = 2000


class SavedMemberFilter(models.Model):
    """One administrator's filter of the members list, kept as the list's query string
    (the same the list's links and the report downloads carry), so it is read back by
    the list's own form: a value that no longer holds (a field deleted) shows the
    form's error instead of filtering by it."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_member_filters")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="saved_member_filters"
    )
    name = models.CharField(_("name"), max_length=SAVED_FILTER_NAME_MAX)
    query = models.TextField(_("query"), max_length=SAVED_FILTER_QUERY_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved filter")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_one_per_name"),
        ]
        indexes = [
            models.Index(fields=["owner", "-last_used_at"], name="saved_filter_owner_used"),
        ]

    def __str__(self) -> str:
        return self.name
