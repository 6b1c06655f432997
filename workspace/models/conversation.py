"""The conversation of a relationship: its posts, each person's read mark, and the row that
batches the «new message» emails (one per conversation per quiet period)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Relationship, User

POST_MAX_LENGTH = 5000


class Post(models.Model):
    """One message of the pair. Its id is the order and the catch-up cursor; a deleted post
    keeps its row (text emptied, `deleted_at` set) so a page catching up learns it went."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(_("message"), max_length=POST_MAX_LENGTH)
    created_at = models.DateTimeField(_("posted on"), default=timezone.now, db_default=Now())
    edited_at = models.DateTimeField(_("edited on"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted on"), null=True, blank=True)
    # Bumped by every change: a catch-up asks for posts created *or changed* after a point.
    changed_at = models.DateTimeField(default=timezone.now, db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("post")
        indexes = [models.Index(fields=["relationship", "-id"])]

    def __str__(self) -> str:
        return f"post {self.pk} of relationship {self.relationship_id}"


class ReadMark(models.Model):
    """How far a person has read a conversation (the «Lu» receipt the other one sees)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="read_marks"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="read_marks")
    last_read_post_id = models.BigIntegerField(db_default=0)
    at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user"], name="read_mark_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} read {self.relationship_id} to {self.last_read_post_id}"


class ConversationEmail(models.Model):
    """When a person was last emailed about a conversation: a conditional UPDATE of this
    row is what lets exactly one post of a burst send the email."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="conversation_emails"
    )
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_emailed_at = models.DateTimeField(null=True, blank=True)
    emails = models.PositiveIntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "recipient"], name="conversation_email_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"emails to {self.recipient_id} about {self.relationship_id}"
