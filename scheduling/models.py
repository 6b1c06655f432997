"""Availability, meeting series, meetings, attendees (RSVP) and calendar feeds.

Instants are stored in UTC; a series also keeps the local wall time, zone and RRULE it was
made from, so the .ics we send and the rows we store expand the same way (see
recurrence.py). Every meeting row is one occurrence; a one-off meeting is a series of one.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Organisation, Relationship

DURATIONS = (15, 30, 45, 60, 90)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Availability(models.Model):
    """A weekly window on the member's own clock («Disponibilités»). An `end` of 00:00
    means midnight at the end of the day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=time(0)),
                name="availability_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "weekday"])]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"


class MeetingType(models.TextChoices):
    VIDEO = "video", _("Video call")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
    COMPLETED = "completed", pgettext_lazy("meeting status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Response(models.TextChoices):
    PENDING = "pending", _("No answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class MeetingSeries(models.Model):
    """What the admin booked: one or more occurrences sharing a UID in the .ics."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="meeting_series"
    )
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="meeting_series"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    meeting_type = models.CharField(_("meeting type"), max_length=10, choices=MeetingType.choices)
    location = models.CharField(_("location"), max_length=500, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration"))
    frequency = models.CharField(_("frequency"), max_length=10)
    occurrences = models.PositiveSmallIntegerField(_("occurrences"), default=1)
    # The wall time the series keeps, on the mentee's clock (selectors.series_zone).
    start_date = models.DateField()
    start_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    rrule = models.CharField(max_length=100, blank=True)
    fold = models.PositiveSmallIntegerField(null=True, blank=True)
    uid = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(
                condition=Q(occurrences__gte=1, occurrences__lte=52),
                name="series_occurrences_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__in=DURATIONS), name="series_duration_choices"
            ),
            # Lets meetings reference (series, organisation): see migration 0002.
            models.UniqueConstraint(fields=["id", "organisation"], name="series_id_org_unique"),
        ]

    def __str__(self) -> str:
        return self.uid


class Meeting(models.Model):
    """One occurrence. `sequence` is the iTIP SEQUENCE of this occurrence; `version` the
    optimistic lock a reschedule form carries; `original_start` the RECURRENCE-ID."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date"))
    ends_at = models.DateTimeField()
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )
    sequence = models.PositiveIntegerField(default=0)
    original_start = models.DateTimeField()
    location = models.CharField(_("location"), max_length=500, blank=True)
    meeting_type = models.CharField(_("meeting type"), max_length=10, choices=MeetingType.choices)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # How many invited people (not the organiser) have not answered. Kept by PostgreSQL
    # triggers (migration 0005), recomputed on every update of the row; the SQLite demo
    # has no triggers and never reads it.
    pending_answers = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("meeting")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends"),
        ]
        indexes = [
            # «Rencontres» by date, the id breaking ties (pages read from either end).
            models.Index(fields=["organisation", "starts_at", "id"], name="meeting_org_start_idx"),
            models.Index(fields=["relationship", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
            # The dashboard's invitations waiting for an answer.
            models.Index(
                fields=["organisation", "starts_at", "id"],
                include=["pending_answers"],
                condition=Q(status=MeetingStatus.SCHEDULED, pending_answers__gt=0),
                name="meeting_org_pending_idx",
            ),
            # The dashboard's meetings today and this week (its totals counted from the
            # index alone): without it PostgreSQL ANDed the organisation's dates with a
            # bitmap of every scheduled meeting of every organisation.
            models.Index(
                fields=["organisation", "starts_at", "id"],
                condition=Q(status=MeetingStatus.SCHEDULED),
                name="meeting_org_scheduled_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.uid} {self.starts_at.isoformat()}"

    @property
    def duration_minutes(self) -> int:
        return minutes_between(self.starts_at, self.ends_at)


class Attendee(models.Model):
    """One person invited to one meeting, with their answer."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances"
    )
    response = models.CharField(
        _("response"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    is_organiser = models.BooleanField(default=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    feedback_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendee_once_per_meeting")
        ]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.meeting_id}: {self.response}"


class CalendarFeed(models.Model):
    """The secret address of a member's calendar subscription."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"


def minutes_between(starts_at: datetime, ends_at: datetime) -> int:
    """A meeting's length in whole minutes (`Meeting.duration_minutes`)."""
    return int((ends_at - starts_at).total_seconds() // 60)
