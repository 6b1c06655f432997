"""Availability and slots: a member's weekly ranges, their busy times, the start times a
pair can meet at, and the clock a series keeps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from programs.models import Relationship, User
from scheduling.models import Availability, Meeting
from scheduling.selectors.common import ACTIVE_STATUSES
from scheduling.slots import Busy, Person, WeeklyRange, free_slots, slot_label


def weekly_ranges(*, user: User) -> list[WeeklyRange]:
    return [
        WeeklyRange(a.weekday, a.start, a.end)
        for a in Availability.objects.filter(user=user).order_by("weekday", "start")
    ]


def busy_for(
    *,
    user: User,
    start: datetime,
    end: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[Busy]:
    """The person's non-cancelled meetings overlapping [start, end)."""
    rows = (
        Meeting.objects.filter(
            attendees__user=user,
            status__in=ACTIVE_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .exclude(pk__in=list(exclude_meeting_ids))
        .values_list("starts_at", "ends_at")
    )
    return [Busy(s, e) for s, e in rows]


def person_for(
    *,
    user: User,
    start: datetime,
    end: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> Person:
    """A participant as slots.py sees them, over the window [start, end)."""
    return Person(
        user.time_zone,
        weekly_ranges(user=user),
        busy_for(user=user, start=start, end=end, exclude_meeting_ids=exclude_meeting_ids),
    )


def slots_for(
    *,
    relationship: Relationship,
    day: date,
    viewer: User,
    duration_minutes: int,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[datetime]:
    """Start times offered to `viewer` (on their clock) on `day` for the pair: inside both
    people's availability, clear of both people's meetings, in the future."""
    duration = timedelta(minutes=duration_minutes)
    # Wide enough for any zone's idea of `day`, plus the meeting's length.
    window_start = timezone.make_aware(datetime.combine(day, datetime.min.time())) - timedelta(
        days=2
    )
    window_end = window_start + timedelta(days=5)
    excluded = list(exclude_meeting_ids)
    people = [
        person_for(user=person, start=window_start, end=window_end, exclude_meeting_ids=excluded)
        for person in (relationship.mentor, relationship.mentee)
    ]
    return free_slots(
        day=day,
        viewer_zone=viewer.time_zone,
        duration=duration,
        people=people,
        now=timezone.now(),
    )


def slot_choices(
    *,
    relationship: Relationship,
    day: date,
    viewer: User,
    duration_minutes: int,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[tuple[str, str]]:
    """`slots_for` as the form's options: (ISO 8601 instant, label on the viewer's clock in
    the active language). The label names the zone and offset on a fall-back night's
    repeated readings, whose values differ only by their offset (see `slot_label`)."""
    return [
        (slot.isoformat(), slot_label(slot))
        for slot in slots_for(
            relationship=relationship,
            day=day,
            viewer=viewer,
            duration_minutes=duration_minutes,
            exclude_meeting_ids=exclude_meeting_ids,
        )
    ]


def series_zone(*, relationship: Relationship) -> str:
    """The clock a recurring series keeps its wall time on: the mentee's.

    The pair are the ones who meet, so a weekly meeting must not move for them because the
    booking administrator's clock changed. When the mentor's and mentee's zones change on
    different dates (Toronto on 8 March, Paris on 29 March) one of them has to see the time
    move for those weeks; it is the mentor's, because the program exists for the mentee,
    whose week is usually the fixed one (school, family), while mentors are volunteers who
    fit the meeting in. The same rule whoever books keeps a series predictable."""
    return relationship.mentee.time_zone


def availability_for(*, user: User) -> QuerySet[Availability]:
    return Availability.objects.filter(user=user).order_by("weekday", "start")


def availability_week(*, user: User) -> list[dict]:
    """The member's ranges day by day, Monday first, for the relationship dashboard."""
    ranges = list(availability_for(user=user))
    return [
        {"day": WEEKDAYS[weekday], "ranges": [r for r in ranges if r.weekday == weekday]}
        for weekday in range(7)
    ]
