"""Every write of the scheduling domain. Each function is one use case: keyword
arguments, one transaction, a DomainError (nothing changed) on bad input."""

from __future__ import annotations

from scheduling.links import attendee_from_token, rsvp_token
from scheduling.services.availability import availability_set, availability_set_by_admin
from scheduling.services.booking import meeting_book
from scheduling.services.changes import meeting_cancel, meeting_reschedule, meetings_cancel_upcoming
from scheduling.services.feeds import calendar_feed_revoke, calendar_feed_token
from scheduling.services.followups import meeting_followups, meeting_reminders_send
from scheduling.services.rsvp import meeting_comment, meeting_respond

__all__ = [
    "attendee_from_token",
    "availability_set",
    "availability_set_by_admin",
    "calendar_feed_revoke",
    "calendar_feed_token",
    "meeting_book",
    "meeting_cancel",
    "meetings_cancel_upcoming",
    "meeting_comment",
    "meeting_followups",
    "meeting_reminders_send",
    "meeting_reschedule",
    "meeting_respond",
    "rsvp_token",
]
