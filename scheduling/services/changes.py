"""Cancelling and rescheduling meetings (F5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from programs.errors import DomainError
from programs.models import Relationship, User
from programs.permissions import require_org_admin
from scheduling import events, messages
from scheduling.models import Attendee, Meeting, MeetingSeries, MeetingStatus, Response
from scheduling.services.checks import (
    check_slots,
    local_today,
    lock,
    require_aware,
    require_bookable,
    require_open,
    with_attendees,
)

# -- cancelling --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingsCancelled:
    meetings: list[Meeting]
    told: messages.Told


@dataclass(frozen=True)
class MeetingMoved:
    meeting: Meeting
    told: messages.Told


@transaction.atomic
def meeting_cancel(
    *, actor: User, meeting: Meeting, rest_of_series: bool = False
) -> MeetingsCancelled:
    """Cancel one meeting, or it and the later occurrences of its series.

    Each cancelled meeting gets SEQUENCE+1; the participants get meeting_cancelled with an
    .ics CANCEL (the series' UID; a RECURRENCE-ID per occurrence unless the whole series
    goes) and a bell line; the admins see "meeting.updated". Returns the cancelled meetings
    and what their participants were sent."""
    meeting = lock(meeting)
    require_org_admin(
        actor,
        organisation_id=meeting.organisation_id,
        not_found=gettext("This meeting was not found."),
    )
    now = timezone.now()
    require_open(meeting, now=now)
    series = meeting.series
    targets = [meeting]
    if rest_of_series:
        targets += list(
            Meeting.objects.select_for_update()
            .filter(
                series=series,
                status=MeetingStatus.SCHEDULED,
                original_start__gt=meeting.original_start,
                starts_at__gt=now,
            )
            .order_by("original_start")
        )
    whole = (
        bool(series.rrule)
        and rest_of_series
        and not series.meetings.filter(original_start__lt=meeting.original_start)
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    )
    return _cancel(series, targets, now=now, whole=whole)


def _cancel(
    series: MeetingSeries, targets: list[Meeting], *, now: datetime, whole: bool
) -> MeetingsCancelled:
    """Mark these locked meetings of one series cancelled and tell their participants
    once (one CANCEL each, the series' master when `whole`)."""
    for target in targets:
        target.status = MeetingStatus.CANCELLED
        target.sequence += 1
        target.version += 1
        target.updated_at = now
        target.save(update_fields=["status", "sequence", "version", "updated_at"])
    cancelled = list(
        with_attendees(Meeting.objects.filter(pk__in=[t.pk for t in targets])).order_by(
            "original_start"
        )
    )
    told = messages.cancellation(series, cancelled, whole=whole)
    for target in cancelled:
        events.meeting_updated_on_commit(target)
    return MeetingsCancelled(meetings=cancelled, told=told)


@transaction.atomic
def meetings_cancel_upcoming(*, relationship: Relationship) -> list[Meeting]:
    """A relationship ended: its meetings still to come are cancelled, series by series,
    each participant told once per series (the whole series' CANCEL when nothing of it
    is left). Meetings already begun or past stay as they were. Idempotent."""
    now = timezone.now()
    upcoming = list(
        Meeting.objects.select_for_update()
        .filter(relationship=relationship, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .select_related("series")
        .order_by("series_id", "original_start")
    )
    cancelled: list[Meeting] = []
    for _series_id, group in groupby(upcoming, key=attrgetter("series_id")):
        targets = list(group)
        series = targets[0].series
        whole = (
            bool(series.rrule)
            and not series.meetings.exclude(pk__in=[t.pk for t in targets])
            .exclude(status=MeetingStatus.CANCELLED)
            .exists()
        )
        cancelled += _cancel(series, targets, now=now, whole=whole).meetings
    return cancelled


# -- rescheduling ------------------------------------------------------------------------


@transaction.atomic
def meeting_reschedule(
    *, actor: User, meeting: Meeting, start: datetime, version: int
) -> MeetingMoved:
    """Move one meeting (one occurrence of a series) to another slot, same rules as booking.

    `version` is the one the form was shown: if someone changed the meeting since, nothing
    changes (code "stale"). Otherwise SEQUENCE and version go up, the participants' answers
    go back to pending (the organiser stays accepted), they get meeting_rescheduled with an
    .ics REQUEST (RECURRENCE-ID for an occurrence of a series) and a bell line, and the
    admins see "meeting.updated". Returns the moved meeting and what was sent."""
    meeting = lock(meeting)
    require_org_admin(
        actor,
        organisation_id=meeting.organisation_id,
        not_found=gettext("This meeting was not found."),
    )
    if meeting.version != version:
        raise DomainError(
            gettext(
                "Someone else changed this meeting while you were looking at it. "
                "Reload the page to see the changes."
            ),
            code="stale",
        )
    now = timezone.now()
    require_open(meeting, now=now)
    relationship = meeting.relationship
    require_bookable(relationship)
    require_aware(start)
    start = start.astimezone(ZoneInfo("UTC"))
    if start == meeting.starts_at:
        raise DomainError(gettext("The meeting is already at that time."), code="unchanged")
    duration = meeting.ends_at - meeting.starts_at
    check_slots(
        viewer_zone=actor.time_zone,
        relationship=relationship,
        starts=[start],
        duration=duration,
        exclude_meeting_ids=[meeting.pk],
    )
    meeting.starts_at = start
    meeting.ends_at = start + duration
    meeting.sequence += 1
    meeting.version += 1
    meeting.updated_at = now
    meeting.save(update_fields=["starts_at", "ends_at", "sequence", "version", "updated_at"])
    for attendee in Attendee.objects.select_related("user").filter(
        meeting=meeting, is_organiser=False
    ):
        attendee.response = Response.PENDING
        attendee.responded_at = None
        attendee.reminded_on = local_today(attendee.user)
        attendee.save(update_fields=["response", "responded_at", "reminded_on"])
    moved = with_attendees(Meeting.objects.filter(pk=meeting.pk)).get()
    told = messages.rescheduled(moved.series, moved)
    events.meeting_updated_on_commit(moved)
    return MeetingMoved(meeting=moved, told=told)
