"""Mentor–mentee relationships and member groups («Groupes»)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models.organisations import Organisation, User


class MemberGroup(models.Model):
    """A named group of members («Groupes») inside one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(User, related_name="member_groups", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="group_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RelationshipStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    MATCHED = "matched", _("Matched")
    COMPLETED = "completed", _("Completed")


OPEN_STATUSES = [RelationshipStatus.REQUESTED, RelationshipStatus.MATCHED]


class Relationship(models.Model):
    """A mentor–mentee pair. Both people and the relationship share one organisation,
    enforced in PostgreSQL by composite foreign keys (see migration 0002)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="relationships"
    )
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentor_relationships")
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentee_relationships")
    status = models.CharField(
        _("status"), max_length=10, choices=RelationshipStatus.choices, db_index=True
    )
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    relationship_administrator = models.ForeignKey(
        User,
        verbose_name=_("relationship administrator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administered_relationships",
    )
    # The start of the pair's latest meeting not cancelled (None: none). Kept by
    # PostgreSQL triggers installed by scheduling migration 0005: a save from Python
    # cannot make it wrong (a trigger recomputes it on every update). The SQLite demo has
    # no triggers and never reads it.
    last_meeting_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("relationship")
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="relationship_no_self"),
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status__in=OPEN_STATUSES),
                name="relationship_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status=RelationshipStatus.COMPLETED, ended_at__isnull=False)
                | (~Q(status=RelationshipStatus.COMPLETED) & Q(ended_at__isnull=True)),
                name="relationship_ended_iff_completed",
            ),
        ]
        indexes = [
            # The relationships list's order, on the «Tous» tab and on a status tab.
            models.Index(fields=["organisation", "-created_at", "-id"], name="rel_org_created_idx"),
            models.Index(
                fields=["organisation", "status", "-created_at", "-id"],
                name="rel_org_status_created_idx",
            ),
            # The dashboard's «quiet pairs»: matched pairs by their last meeting.
            models.Index(
                F("organisation"),
                F("status"),
                F("last_meeting_at").asc(nulls_first=True),
                F("started_at"),
                F("id"),
                name="rel_org_status_last_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} – {self.mentee}"
