"""django-q2 entry points: thin and idempotent (the ORM broker delivers at least once).
Scheduled by migration scheduling 0003."""

from __future__ import annotations

from scheduling import services


def meeting_reminders_send() -> int:
    """Hourly; each person gets at most one reminder per series per day."""
    return services.meeting_reminders_send()


def meeting_followups() -> int:
    """Every 15 minutes: completes ended meetings and sends the follow-up email once."""
    return services.meeting_followups()
