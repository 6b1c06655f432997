"""The administrator's day (the dashboard): meetings today and this week, invitations
nobody answered yet, and the matched pairs who have gone quiet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.models import Relationship, RelationshipStatus, User
from scheduling.models import Attendee, Meeting, MeetingStatus, Response
from scheduling.selectors.common import ACTIVE_STATUSES

UPCOMING_LIMIT = 8


@dataclass(frozen=True)
class AdminDay:
    """What needs the administrator's attention, a few lines of each with the totals.
    Seven queries whatever the size of the organisation."""

    today: list[Meeting]
    week: list[Meeting]  # from tomorrow to the seventh day after today
    today_total: int
    week_total: int
    unanswered: list[Attendee]  # people who have not answered an invitation still to come
    unanswered_total: int
    invitations_waiting: int  # meetings still to come that someone has not answered
    quiet: Sequence[Relationship]  # each with `last_meeting` (None: never met)
    quiet_total: int
    quiet_days: int


def admin_day(
    *, organisation_id: int, viewer: User, quiet_days: int = 30, limit: int = UPCOMING_LIMIT
) -> AdminDay:
    """Meetings today and in the next seven days (days on the viewer's clock), invitations
    nobody answered yet, and matched pairs with no meeting in the last `quiet_days` days
    and none planned."""
    now = timezone.now()
    zone = ZoneInfo(viewer.time_zone)
    day = timezone.localtime(now, zone).date()
    # Midnights on the viewer's wall clock, whatever the clocks do in between.
    today_start, tomorrow, week_end = (
        datetime.combine(day + timedelta(days=n), time(0), tzinfo=zone) for n in (0, 1, 8)
    )

    scheduled = Meeting.objects.filter(
        organisation_id=organisation_id, status=MeetingStatus.SCHEDULED
    )
    totals = scheduled.filter(starts_at__gte=today_start, starts_at__lt=week_end).aggregate(
        today=Count("pk", filter=Q(starts_at__lt=tomorrow)),
        week=Count("pk", filter=Q(starts_at__gte=tomorrow)),
    )
    meetings = scheduled.select_related("relationship__mentor", "relationship__mentee").only(
        "relationship_id",
        "starts_at",
        "relationship__mentor",
        "relationship__mentee",
        *User.name_fields("relationship__mentor", "relationship__mentee"),
    )
    today = list(
        meetings.filter(starts_at__gte=today_start, starts_at__lt=tomorrow).order_by(
            "starts_at", "pk"
        )[:limit]
    )
    week = list(
        meetings.filter(starts_at__gte=tomorrow, starts_at__lt=week_end).order_by(
            "starts_at", "pk"
        )[:limit]
    )

    if connection.vendor == "postgresql":
        waiting_totals, unanswered, quiet_qs = _waiting_and_quiet_kept(
            organisation_id=organisation_id, now=now, quiet_days=quiet_days, limit=limit
        )
    else:  # SQLite (the demo): no triggers keep the values; counted from the meetings.
        waiting_totals, unanswered, quiet_qs = _waiting_and_quiet_counted(
            organisation_id=organisation_id, now=now, quiet_days=quiet_days, limit=limit
        )
    # Counted without the last meeting (no join, no grouping).
    quiet_total = quiet_qs.count()
    quiet = list(
        quiet_qs.select_related("mentor", "mentee")
        .only("mentor", "mentee", *User.name_fields("mentor", "mentee"))
        .order_by(F("last_meeting").asc(nulls_first=True), "started_at", "pk")[:limit]
    )
    return AdminDay(
        today=today,
        week=week,
        today_total=totals["today"],
        week_total=totals["week"],
        unanswered=unanswered,
        unanswered_total=waiting_totals["people"],
        invitations_waiting=waiting_totals["meetings"],
        quiet=quiet,
        quiet_total=quiet_total,
        quiet_days=quiet_days,
    )


def _unanswered_lines(pending: QuerySet[Attendee], limit: int) -> list[Attendee]:
    """The first `limit` invitations waiting, by start: the person and the meeting."""
    return list(
        pending.select_related("user", "meeting")
        .only("user", "meeting__relationship_id", "meeting__starts_at", *User.name_fields("user"))
        .order_by("meeting__starts_at", "pk")[:limit]
    )


def _pending_attendees(*, organisation_id: int, now: datetime) -> QuerySet[Attendee]:
    return Attendee.objects.filter(
        meeting__organisation_id=organisation_id,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gt=now,
        response=Response.PENDING,
        is_organiser=False,
    )


def _waiting_and_quiet_counted(
    *, organisation_id: int, now: datetime, quiet_days: int, limit: int
) -> tuple[dict[str, int], list[Attendee], QuerySet[Relationship]]:
    """Invitations waiting and quiet pairs read from every meeting of the organisation
    (SQLite; the oracle of the tests)."""
    pending = _pending_attendees(organisation_id=organisation_id, now=now)
    totals = pending.aggregate(people=Count("pk"), meetings=Count("meeting", distinct=True))
    unanswered = _unanswered_lines(pending, limit)
    cutoff = now - timedelta(days=quiet_days)
    quiet = (
        Relationship.objects.filter(
            organisation_id=organisation_id,
            status=RelationshipStatus.MATCHED,
            started_at__lt=cutoff,
        )
        .exclude(
            Exists(
                Meeting.objects.filter(
                    relationship=OuterRef("pk"),
                    status__in=ACTIVE_STATUSES,
                    starts_at__gte=cutoff,
                )
            )
        )
        .annotate(
            last_meeting=Subquery(
                Meeting.objects.filter(relationship=OuterRef("pk"), status__in=ACTIVE_STATUSES)
                .order_by("-starts_at")
                .values("starts_at")[:1]
            )
        )
    )
    return totals, unanswered, quiet


def _waiting_and_quiet_kept(
    *, organisation_id: int, now: datetime, quiet_days: int, limit: int
) -> tuple[dict[str, int], list[Attendee], QuerySet[Relationship]]:
    """The same from the values PostgreSQL triggers keep (scheduling.kept): the waiting
    meetings are a range of the partial index `meeting_org_pending_idx`, the quiet pairs
    one of `rel_org_status_last_idx` (a pair is quiet when its last meeting not cancelled
    started before the cutoff, or it has none)."""
    waiting = Meeting.objects.filter(
        organisation_id=organisation_id,
        status=MeetingStatus.SCHEDULED,
        pending_answers__gt=0,
        starts_at__gt=now,
    )
    totals = waiting.aggregate(
        people=Coalesce(Sum("pending_answers"), Value(0)), meetings=Count("pk")
    )
    # The first `limit` waiting meetings each have someone to list: the attendees to show
    # start no later than the `limit`-th of them (ties included), or the last if fewer.
    by_start = waiting.order_by("starts_at", "pk").values("starts_at")
    last_shown = Coalesce(
        Subquery(by_start[limit - 1 : limit]),
        Subquery(waiting.order_by("-starts_at", "-pk").values("starts_at")[:1]),
    )
    unanswered = _unanswered_lines(
        _pending_attendees(organisation_id=organisation_id, now=now).filter(
            meeting__pending_answers__gt=0, meeting__starts_at__lte=last_shown
        ),
        limit,
    )
    cutoff = now - timedelta(days=quiet_days)
    quiet = (
        Relationship.objects.filter(
            organisation_id=organisation_id,
            status=RelationshipStatus.MATCHED,
            started_at__lt=cutoff,
        )
        .filter(Q(last_meeting_at__isnull=True) | Q(last_meeting_at__lt=cutoff))
        .annotate(last_meeting=F("last_meeting_at"))
    )
    return totals, unanswered, quiet
