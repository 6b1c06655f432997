"""The daily invitation reminders and the after-meeting follow-ups (run by django-q2).

Both claim each email with a conditional UPDATE before writing it, in one transaction, so a
job retried by the at-least-once broker, or two workers running it at once, never send
the same reminder or follow-up twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from programs.models import RelationshipStatus
from scheduling import messages
from scheduling.models import Attendee, Meeting, MeetingStatus, Response

# A follow-up is only worth sending soon after the meeting (not for a backlog found when
# the schedule is first installed or after an outage).
FOLLOWUP_WINDOW = timedelta(days=3)


def meeting_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each person who has not answered an upcoming invitation, at most once a day
    (their day, on their clock) per series: a weekly series gets one reminder a day, not
    one per occurrence. Returns the number of reminders written."""
    now = now or timezone.now()
    pending = (
        Attendee.objects.filter(
            response=Response.PENDING,
            is_organiser=False,
            user__is_active=True,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gt=now,
            meeting__relationship__status=RelationshipStatus.MATCHED,
        )
        .select_related("user", "meeting")
        .order_by("meeting__starts_at", "pk")
    )
    seen: set[tuple[int, int]] = set()
    sent = 0
    for attendee in pending:
        key = (attendee.user_id, attendee.meeting.series_id)
        if key in seen:
            continue
        seen.add(key)
        today = now.astimezone(ZoneInfo(attendee.user.time_zone)).date()
        if attendee.reminded_on is not None and attendee.reminded_on >= today:
            continue
        with transaction.atomic():
            claimed = (
                Attendee.objects.filter(pk=attendee.pk)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            # The rest of the series is covered by this reminder.
            Attendee.objects.filter(
                user_id=attendee.user_id,
                meeting__series_id=attendee.meeting.series_id,
                response=Response.PENDING,
            ).exclude(pk=attendee.pk).update(reminded_on=today)
            messages.reminder(attendee)
            sent += 1
    return sent


def meeting_followups(*, now: datetime | None = None) -> int:
    """Mark the meetings that ended as completed, then send each participant who did not
    decline one «How was your meeting?» email. Returns the number of emails written."""
    now = now or timezone.now()
    Meeting.objects.filter(status=MeetingStatus.SCHEDULED, ends_at__lte=now).update(
        status=MeetingStatus.COMPLETED, updated_at=now
    )
    due = (
        Attendee.objects.filter(
            is_organiser=False,
            feedback_sent_at__isnull=True,
            user__is_active=True,
            meeting__status=MeetingStatus.COMPLETED,
            meeting__ends_at__lte=now,
            meeting__ends_at__gt=now - FOLLOWUP_WINDOW,
        )
        .exclude(response=Response.DECLINED)
        .select_related("user", "meeting")
        .order_by("pk")
    )
    sent = 0
    for attendee in due:
        with transaction.atomic():
            claimed = Attendee.objects.filter(pk=attendee.pk, feedback_sent_at__isnull=True).update(
                feedback_sent_at=now
            )
            if claimed:
                messages.feedback(attendee)
                sent += 1
    return sent
