"""What the scheduling readers share: the statuses a meeting counts with, and a meeting
list's people read in one go."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from scheduling.models import Attendee, Meeting, MeetingStatus

ACTIVE_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED)


def _with_people(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.select_related(
        "series__created_by", "relationship__mentor", "relationship__mentee"
    ).prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.select_related("user").order_by("-is_organiser", "pk"),
        )
    )
