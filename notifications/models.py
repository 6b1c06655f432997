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


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred")
    DELIVERED = "delivered", _("Delivered")
    OPENED = "opened", _("Opened")
    BOUNCED = "bounced", _("Bounced")
    SPAM = "spam", _("Spam report")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent (message turned off)")


# A status only moves forward: a late "delivered" never overwrites "opened" (F2).
STATUS_RANK: dict[str, int] = {
    EmailStatus.SUPPRESSED: 0,
    EmailStatus.QUEUED: 0,
    EmailStatus.SENDING: 5,
    EmailStatus.SENT: 10,
    EmailStatus.DEFERRED: 20,
    EmailStatus.DELIVERED: 30,
    EmailStatus.OPENED: 40,
    EmailStatus.FAILED: 50,
    EmailStatus.BOUNCED: 50,
    EmailStatus.SPAM: 60,
}


class EmailLog(models.Model):
    """One email to one person («Registre des courriels»). Written before sending (the
    outbox row a worker claims), then updated by the provider's tracking events."""

    organisation = models.ForeignKey(
        "programs.Organisation", on_delete=models.CASCADE, null=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_name = models.CharField(max_length=300)
    to_email = models.EmailField()
    language = models.CharField(max_length=2)
    # What was sent: a system message of the catalogue, or a community message.
    message_key = models.CharField(max_length=60, blank=True)
    community_message = models.ForeignKey(
        "notifications.CommunityMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logs",
    )
    subject = models.CharField(_("name"), max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # Small generated files sent with it (a calendar invitation): name, type, base64.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    status_at = models.DateTimeField(_("status time"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.TextField(blank=True)
    # The outbox (notifications.email.outbox): sending attempts so far; not to be claimed
    # before `retry_at` (a transient failure's backoff); when its job was last queued; and
    # the Message-ID fixed at the first claim, which a re-send after a crash keeps. The
    # database defaults let the previous release's processes, still running during an
    # upgrade, keep writing rows.
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("email")
        indexes = [
            # The log page: one organisation, newest first, optionally by person/status/date.
            models.Index(fields=["organisation", "-created_at", "-id"], name="emaillog_org_idx"),
            models.Index(
                fields=["organisation", "recipient", "-created_at"], name="emaillog_rcpt_idx"
            ),
            models.Index(
                fields=["organisation", "status", "-created_at"], name="emaillog_status_idx"
            ),
            # The outbox sweep: only the rows still waiting or being sent, however big the log.
            models.Index(
                fields=["status", "status_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="emaillog_outbox_idx",
            ),
        ]
        constraints = [
            # A retried community-message dispatch never emails anyone twice (F8).
            models.UniqueConstraint(
                fields=["community_message", "recipient"],
                condition=Q(community_message__isnull=False, recipient__isnull=False),
                name="emaillog_once_per_community_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


class EmailEvent(models.Model):
    """A provider tracking event already applied: a repeated delivery of the same event
    (webhooks are retried) changes nothing."""

    provider = models.CharField(max_length=40)
    event_id = models.CharField(max_length=255)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="emailevent_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class SystemMessage(models.Model):
    """An organisation's own copy of a message of the catalogue (F10): its wording in both
    languages and whether it is sent at all. Absent row = the shipped default, active."""

    organisation = models.ForeignKey(
        "programs.Organisation", on_delete=models.CASCADE, related_name="system_messages"
    )
    key = models.CharField(max_length=60)
    active = models.BooleanField(_("active"), default=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    body_en = models.TextField(_("body (English)"))
    subject_fr = models.CharField(_("subject (French)"), max_length=300)
    body_fr = models.TextField(_("body (French)"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="systemmessage_once")
        ]

    def __str__(self) -> str:
        return self.key


class Audience(models.TextChoices):
    ALL = "all", _("All members")
    MENTORS = "mentors", _("Mentors")
    MENTEES = "mentees", _("Mentees")
    MENTORS_AND_MENTEES = "mentors_mentees", _("Mentors and mentees")
    UNMATCHED = "unmatched", _("Unmatched members")
    GROUP = "group", _("A group")
    CHOSEN = "chosen", _("Chosen people")


class CommunityMessageStatus(models.TextChoices):
    DRAFT = "draft", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class CommunityMessage(models.Model):
    """A message an administrator writes to their community (F8), in English and French."""

    organisation = models.ForeignKey(
        "programs.Organisation", on_delete=models.CASCADE, related_name="community_messages"
    )
    audience = models.CharField(_("recipients"), max_length=20, choices=Audience.choices)
    group = models.ForeignKey(
        "programs.MemberGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    body_en = models.TextField(_("message (English)"), blank=True)
    subject_fr = models.CharField(_("subject (French)"), max_length=300, blank=True)
    body_fr = models.TextField(_("message (French)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommunityMessageStatus.choices,
        default=CommunityMessageStatus.DRAFT,
    )
    send_at = models.DateTimeField(_("send on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    # Every recipient's email is in the outbox: «Envoyé» once none of them waits any more.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("community message")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="community_org_idx")]

    def __str__(self) -> str:
        return self.subject_en or self.subject_fr


def attachment_path(instance: CommunityAttachment, filename: str) -> str:
    return f"attachments/{instance.message.organisation_id}/{instance.message_id}/{filename}"


class CommunityAttachment(models.Model):
    message = models.ForeignKey(
        CommunityMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name
