"""Meetings for the demo program: availability for its members, and a weekly series for
Anna Carter and Charlotte Test booked by Michele Mantero, as in the source's screens."""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from programs.models import Relationship, RelationshipStatus, Role, User
from scheduling import selectors
from scheduling.models import MeetingSeries
from scheduling.services import availability_set, meeting_book

WEEKDAYS_9_TO_5 = [(weekday, time(9, 0), time(17, 0)) for weekday in range(5)]
EVENINGS = [(weekday, time(17, 0), time(21, 0)) for weekday in range(7)]


@transaction.atomic
def demo_meetings_load(*, admin_email: str, pairs: list[tuple[str, str]]) -> int:
    """Give every demo mentor and mentee an availability and book a weekly series for each
    pair that has none yet. Idempotent. Returns how many series it booked."""
    admin = User.objects.get(email__iexact=admin_email)
    members = User.objects.filter(organisation=admin.organisation).exclude(role=Role.ADMINISTRATOR)
    for member in members:
        if not member.availability.exists():
            availability_set(user=member, ranges=WEEKDAYS_9_TO_5 + EVENINGS)
    booked = 0
    for mentor_email, mentee_email in pairs:
        relationship = Relationship.objects.filter(
            mentor__email__iexact=mentor_email,
            mentee__email__iexact=mentee_email,
            status=RelationshipStatus.MATCHED,
        ).first()
        if relationship is None or MeetingSeries.objects.filter(relationship=relationship).exists():
            continue
        day = timezone.localdate() + timedelta(days=2)
        for _ in range(14):  # the first day both can meet
            slots = selectors.slots_for(
                relationship=relationship, day=day, viewer=admin, duration_minutes=30
            )
            if slots:
                meeting_book(
                    actor=admin,
                    relationship=relationship,
                    duration_minutes=30,
                    meeting_type="video",
                    start=slots[0],
                    frequency="weekly",
                    occurrences=4,
                )
                booked += 1
                break
            day += timedelta(days=1)
    return booked
