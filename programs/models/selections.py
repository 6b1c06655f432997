"""Selection actions on the members list (docs/members.md, "Selection actions"): the
members an administrator ticked (or every member matching the list's filter), checked and
previewed, waiting for the confirmation (programs.member_selection)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models.jobs import BulkStatus
from programs.models.organisations import Organisation, User
from programs.models.relationships import MemberGroup


class SelectionAction(models.TextChoices):
    DEACTIVATE = "deactivate", _("Deactivate")
    REACTIVATE = "reactivate", _("Reactivate")
    GROUP = "group", _("Add to group")
    MESSAGE = "message", _("Send a message")
    DELETE = "delete", _("Delete permanently")


class MemberSelection(models.Model):
    """What an action will do, stored when it is previewed: `member_ids` are exactly the
    people the preview lists (by name) and the only ones the confirmation acts on, so a
    stale or forged form cannot widen it; "all N matching the filter" was resolved to ids
    here. `refused` holds [id, reason] pairs the preview explains. Confirming moves
    `status` from validated to done with one conditional UPDATE: a second confirmation
    changes nothing."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="member_selections"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=12, choices=SelectionAction.choices)
    # «Ajouter au groupe»: the group chosen; gone if the group is deleted meanwhile.
    group = models.ForeignKey(
        MemberGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The members list's filter when the selection was made (its query string), to go
    # back to the same list; `everyone_matching`: the selection is all it matched.
    list_query = models.TextField(blank=True, default="")
    everyone_matching = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=BulkStatus.choices, default=BulkStatus.VALIDATED
    )
    member_ids = models.JSONField(default=list)
    refused = models.JSONField(default=list)
    applied = models.PositiveIntegerField(default=0)
    # Deletions: who was deleted, and [id, reason] for those the service refused.
    applied_ids = models.JSONField(default=list)
    failures = models.JSONField(default=list)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member selection")

    def __str__(self) -> str:
        return f"selection {self.pk} ({self.action}, {len(self.member_ids)})"
