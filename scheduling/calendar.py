"""Meetings as calendar events (ics.Event), for invitations and for the feed.

A series is one VEVENT with the RRULE it was booked with (its DTSTART on the series'
clock, the mentee's); an occurrence changed or cancelled on its own is a VEVENT with the
series' UID and a RECURRENCE-ID naming its original start. A one-off meeting is a plain VEVENT.

In the feed, an occurrence someone answered differently from the first one is such a
VEVENT too, so each person's PARTSTAT is the one they gave for that occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import translation
from django.utils.translation import gettext

from programs.models import User
from scheduling import ics
from scheduling.models import Attendee, Meeting, MeetingSeries, MeetingStatus, MeetingType

PARTSTAT = {"pending": "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED"}


def summary(series: MeetingSeries) -> str:
    """In the active language."""
    relationship = series.relationship
    return gettext("Mentoring meeting: %(mentor)s and %(mentee)s") % {
        "mentor": relationship.mentor.full_name,
        "mentee": relationship.mentee.full_name,
    }


def organizer(series: MeetingSeries) -> tuple[str, str]:
    if series.created_by is not None:
        return series.created_by.full_name, series.created_by.email
    organisation = series.organisation
    return organisation.name, organisation.support_email


def feed_name(user: User) -> str:
    with translation.override(user.language):
        return gettext("Mentoring meetings – %(name)s") % {"name": user.full_name}


def _attendees(attendees: Sequence[Attendee]) -> list[tuple[str, str, str]]:
    return [(a.user.full_name, a.user.email, PARTSTAT[a.response]) for a in attendees]


def _fields(series: MeetingSeries, meeting: Meeting, language: str) -> dict:
    with translation.override(language):
        title = summary(series)
        description = gettext("A mentoring meeting booked by %(organiser)s.") % {
            "organiser": organizer(series)[0]
        }
    video = meeting.meeting_type == MeetingType.VIDEO
    return {
        "uid": series.uid,
        "zone": series.time_zone,
        "summary": title,
        "description": description,
        "location": meeting.location,
        "url": meeting.location if video else "",
        "organizer": organizer(series),
        "attendees": _attendees(list(meeting.attendees.all())),
    }


def master_event(
    series: MeetingSeries, first: Meeting, *, language: str, sequence: int, cancelled: bool = False
) -> ics.Event:
    """The whole series as booked: DTSTART is the first occurrence's original start."""
    start = first.original_start
    return ics.Event(
        **_fields(series, first, language),
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=series.duration_minutes),
        rrule=series.rrule or None,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def occurrence_event(series: MeetingSeries, meeting: Meeting, *, language: str) -> ics.Event:
    """One meeting as it stands now; with a RECURRENCE-ID when it belongs to a series."""
    return ics.Event(
        **_fields(series, meeting, language),
        sequence=meeting.sequence,
        start=meeting.starts_at,
        end=meeting.ends_at,
        recurrence_id=meeting.original_start if series.rrule else None,
        status="CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED",
    )


def series_events(series: MeetingSeries, *, language: str) -> list[ics.Event]:
    """Everything a calendar needs to show the series as it stands (the feed)."""
    meetings = list(series.meetings.all())
    if not meetings:
        return []
    meetings.sort(key=lambda m: m.original_start)
    if not series.rrule:
        return [occurrence_event(series, meeting, language=language) for meeting in meetings]
    all_cancelled = all(m.status == MeetingStatus.CANCELLED for m in meetings)
    events = [
        master_event(
            series,
            meetings[0],
            language=language,
            sequence=max(m.sequence for m in meetings) if all_cancelled else 0,
            cancelled=all_cancelled,
        )
    ]
    if all_cancelled:
        return events
    # The master carries the first occurrence's answers, and a calendar shows them on
    # every occurrence it expands from the RRULE: any occurrence answered differently (by
    # anyone) needs its own VEVENT, or its attendees would see someone else's answer.
    answers = _answers(meetings[0])
    events.extend(
        occurrence_event(series, m, language=language)
        for m in meetings
        if m.sequence > 0 or m.starts_at != m.original_start or _answers(m) != answers
    )
    return events


def _answers(meeting: Meeting) -> set[tuple[str, str, str]]:
    return set(_attendees(list(meeting.attendees.all())))
