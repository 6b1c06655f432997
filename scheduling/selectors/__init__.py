"""Every read of the scheduling domain, by sub-domain. Every public name is imported here,
so `from scheduling.selectors import X` works for all of them; the sub-modules import
each other directly, never this package.

- common: `ACTIVE_STATUSES` and a meeting list's people read in one go;
- availability: weekly ranges, busy times, the slots a pair can meet at, `series_zone`;
- meetings: a relationship's and a member's meetings, and `MyMeeting` (a meeting as one
  of its participants sees it);
- lists: the administrators' «Rencontres» tab (and «Appels téléphoniques»), its total,
  and the next meeting of each relationship on a list page;
- counts: `Tally` — meetings held and their hours (what "held" means is there);
- feed: a member's calendar feed;
- day: the administrator's day (the dashboard)."""

from __future__ import annotations

from scheduling.selectors.availability import (
    availability_for,
    availability_week,
    busy_for,
    person_for,
    series_zone,
    slot_choices,
    slots_for,
    weekly_ranges,
)
from scheduling.selectors.common import ACTIVE_STATUSES
from scheduling.selectors.counts import (
    Tally,
    meeting_counts_by_member,
    meeting_counts_by_relationship,
    meeting_counts_for_member,
    meeting_counts_for_relationship,
)
from scheduling.selectors.day import (
    UPCOMING_LIMIT,
    AdminDay,
    admin_day,
)

# The tests compare the dashboard's two ways of reading the same values.
from scheduling.selectors.day import (
    _admin_day_counted as _admin_day_counted,
)
from scheduling.selectors.day import (
    _admin_day_kept as _admin_day_kept,
)
from scheduling.selectors.feed import feed_events
from scheduling.selectors.lists import (
    MEETING_ORDER,
    MeetingRow,
    admin_row,
    meeting_count,
    meetings_for_admin_list,
    next_meetings_by_relationship,
)
from scheduling.selectors.meetings import (
    MyMeeting,
    MySplit,
    Split,
    attendee_for,
    meeting_get,
    meetings_for_member,
    meetings_for_relationship,
    member_meetings_summary,
    my_invited_meeting,
    my_meeting,
    my_meetings,
)

__all__ = [
    "ACTIVE_STATUSES",
    "MEETING_ORDER",
    "UPCOMING_LIMIT",
    "AdminDay",
    "MeetingRow",
    "MyMeeting",
    "MySplit",
    "Split",
    "Tally",
    "admin_day",
    "admin_row",
    "attendee_for",
    "availability_for",
    "availability_week",
    "busy_for",
    "feed_events",
    "meeting_count",
    "meeting_counts_by_member",
    "meeting_counts_by_relationship",
    "meeting_counts_for_member",
    "meeting_counts_for_relationship",
    "meeting_get",
    "meetings_for_admin_list",
    "meetings_for_member",
    "meetings_for_relationship",
    "member_meetings_summary",
    "my_invited_meeting",
    "my_meeting",
    "my_meetings",
    "next_meetings_by_relationship",
    "person_for",
    "series_zone",
    "slot_choices",
    "slots_for",
    "weekly_ranges",
]
