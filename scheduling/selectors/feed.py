"""A member's subscribable calendar feed (.ics) read from its token."""

from __future__ import annotations

from django.db.models import Prefetch

from scheduling import ics
from scheduling.calendar import feed_name, series_events
from scheduling.models import Attendee, CalendarFeed, Meeting, MeetingSeries


def feed_events(*, token: str) -> bytes | None:
    """The member's calendar (every meeting they are invited to) for a valid feed token,
    or None for an unknown or revoked one."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    user = feed.user
    series_list = (
        MeetingSeries.objects.filter(meetings__attendees__user=user)
        .distinct()
        .select_related("created_by", "relationship__mentor", "relationship__mentee")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("original_start")),
            Prefetch("meetings__attendees", queryset=Attendee.objects.select_related("user")),
        )
        .order_by("pk")
    )
    events: list[ics.Event] = []
    for series in series_list:
        events.extend(series_events(series, language=user.language))
    return ics.feed(events, feed_name(user))
