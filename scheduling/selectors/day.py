"""The administrator's day (the dashboard): meetings today and this week, invitations
nobody answered yet, and the matched pairs who have gone quiet."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
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
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from programs.compiled import CompiledObjects, CompiledOnce
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
    read = _admin_day_kept if connection.vendor == "postgresql" else _admin_day_counted
    return read(
        organisation_id=organisation_id,
        now=timezone.now(),
        zone=ZoneInfo(viewer.time_zone),
        quiet_days=quiet_days,
        limit=limit,
    )


def _days(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """Midnights on the viewer's wall clock, whatever the clocks do in between: today's,
    tomorrow's, and the eighth day's (the end of the week shown)."""
    day = timezone.localtime(now, zone).date()
    start, tomorrow, week_end = (
        datetime.combine(day + timedelta(days=n), time(0), tzinfo=zone) for n in (0, 1, 8)
    )
    return start, tomorrow, week_end


def _scheduled(organisation_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organisation_id=organisation_id, status=MeetingStatus.SCHEDULED)


def _week_totals(
    organisation_id: int, start: datetime, tomorrow: datetime, end: datetime
) -> QuerySet[Meeting, Any]:
    """(meetings today, meetings from tomorrow to the week's end): one row, or none when
    there are none."""
    return (
        _scheduled(organisation_id)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values("organisation_id")
        .annotate(
            today=Count("pk", filter=Q(starts_at__lt=tomorrow)),
            week=Count("pk", filter=Q(starts_at__gte=tomorrow)),
        )
        .values_list("today", "week")
    )


def _meetings_between(
    organisation_id: int, start: datetime, end: datetime, *, limit: int
) -> QuerySet[Meeting]:
    """The first `limit` scheduled meetings from `start` to `end`, with their pair's names."""
    return (
        _scheduled(organisation_id)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("relationship__mentor", "relationship__mentee")
        .only(
            "relationship_id",
            "starts_at",
            "relationship__mentor",
            "relationship__mentee",
            *User.name_fields("relationship__mentor", "relationship__mentee"),
        )
        .order_by("starts_at", "pk")[:limit]
    )


def _quiet_lines(quiet: QuerySet[Relationship], limit: int) -> QuerySet[Relationship]:
    """The first `limit` quiet pairs, the longest quiet first (never met: first of all)."""
    return (
        quiet.select_related("mentor", "mentee")
        .only("mentor", "mentee", *User.name_fields("mentor", "mentee"))
        .order_by(F("last_meeting").asc(nulls_first=True), "started_at", "pk")[:limit]
    )


def _admin_day_counted(
    *, organisation_id: int, now: datetime, zone: ZoneInfo, quiet_days: int, limit: int
) -> AdminDay:
    """The day read through the ORM, invitations waiting and quiet pairs counted from
    every meeting of the organisation (SQLite, which has no triggers to keep them; the
    oracle of the tests)."""
    start, tomorrow, week_end = _days(now, zone)
    totals = list(_week_totals(organisation_id, start, tomorrow, week_end)) or [(0, 0)]
    waiting_totals, unanswered, quiet_qs = _waiting_and_quiet_counted(
        organisation_id=organisation_id, now=now, quiet_days=quiet_days, limit=limit
    )
    return AdminDay(
        today=list(_meetings_between(organisation_id, start, tomorrow, limit=limit)),
        week=list(_meetings_between(organisation_id, tomorrow, week_end, limit=limit)),
        today_total=totals[0][0],
        week_total=totals[0][1],
        unanswered=unanswered,
        unanswered_total=waiting_totals["people"],
        invitations_waiting=waiting_totals["meetings"],
        # Counted without the last meeting (no join, no grouping).
        quiet_total=quiet_qs.count(),
        quiet=list(_quiet_lines(quiet_qs, limit)),
        quiet_days=quiet_days,
    )


def _unanswered_lines(pending: QuerySet[Attendee], limit: int) -> QuerySet[Attendee]:
    """The first `limit` invitations waiting, by start: the person and the meeting."""
    return (
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
    unanswered = list(_unanswered_lines(pending, limit))
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


def _waiting(organisation_id: int, now: datetime) -> QuerySet[Meeting]:
    """Meetings still to come that someone has not answered, from the values PostgreSQL
    triggers keep (scheduling.kept): a range of the partial index `meeting_org_pending_idx`."""
    return Meeting.objects.filter(
        organisation_id=organisation_id,
        status=MeetingStatus.SCHEDULED,
        pending_answers__gt=0,
        starts_at__gt=now,
    )


def _waiting_totals(organisation_id: int, now: datetime) -> QuerySet[Meeting, Any]:
    """(people who have not answered, meetings waiting): one row, or none."""
    return (
        _waiting(organisation_id, now)
        .order_by()
        .values("organisation_id")
        .annotate(people=Sum("pending_answers"), meetings=Count("pk"))
        .values_list("people", "meetings")
    )


def _unanswered_kept(organisation_id: int, now: datetime, *, limit: int) -> QuerySet[Attendee]:
    """The first `limit` invitations waiting. The first `limit` waiting meetings each have
    someone to list: the attendees to show start no later than the `limit`-th of them
    (ties included), or the last if fewer."""
    waiting = _waiting(organisation_id, now)
    by_start = waiting.order_by("starts_at", "pk").values("starts_at")
    last_shown = Coalesce(
        Subquery(by_start[limit - 1 : limit]),
        Subquery(waiting.order_by("-starts_at", "-pk").values("starts_at")[:1]),
    )
    return _unanswered_lines(
        _pending_attendees(organisation_id=organisation_id, now=now).filter(
            meeting__pending_answers__gt=0, meeting__starts_at__lte=last_shown
        ),
        limit,
    )


def _quiet_pairs(organisation_id: int, cutoff: datetime) -> QuerySet[Relationship]:
    """Matched pairs started before the cutoff whose last meeting not cancelled started
    before it, or who have none: a range of `rel_org_status_last_idx`."""
    return Relationship.objects.filter(
        organisation_id=organisation_id,
        status=RelationshipStatus.MATCHED,
        started_at__lt=cutoff,
    ).filter(Q(last_meeting_at__isnull=True) | Q(last_meeting_at__lt=cutoff))


def _quiet_kept(organisation_id: int, cutoff: datetime) -> QuerySet[Relationship]:
    """The quiet pairs, each with its `last_meeting`."""
    return _quiet_pairs(organisation_id, cutoff).annotate(last_meeting=F("last_meeting_at"))


def _quiet_total(organisation_id: int, cutoff: datetime) -> QuerySet[Relationship, Any]:
    """(quiet pairs,): one row, or none."""
    return (
        _quiet_pairs(organisation_id, cutoff)
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


# The dashboard's seven queries, each compiled once per process on PostgreSQL
# (programs.compiled): building them through the ORM cost the dashboard ~15 ms of Python a
# request, more than PostgreSQL spent answering them. Stand-ins: values no call uses.
_ORG = -1
_MOMENTS = [datetime(1, 1, n, tzinfo=UTC) for n in range(1, 4)]
_week_totals_query = CompiledOnce(
    _week_totals, organisation_id=_ORG, start=_MOMENTS[0], tomorrow=_MOMENTS[1], end=_MOMENTS[2]
)
_waiting_totals_query = CompiledOnce(_waiting_totals, organisation_id=_ORG, now=_MOMENTS[0])
_quiet_total_query = CompiledOnce(_quiet_total, organisation_id=_ORG, cutoff=_MOMENTS[0])


@functools.cache
def _lines_queries(limit: int) -> tuple[CompiledObjects, CompiledObjects, CompiledObjects]:
    """The three lists of `limit` lines (a LIMIT is part of a query's text)."""
    return (
        CompiledObjects(
            functools.partial(_meetings_between, limit=limit),
            organisation_id=_ORG,
            start=_MOMENTS[0],
            end=_MOMENTS[1],
        ),
        CompiledObjects(
            functools.partial(_unanswered_kept, limit=limit), organisation_id=_ORG, now=_MOMENTS[0]
        ),
        CompiledObjects(
            lambda organisation_id, cutoff: _quiet_lines(
                _quiet_kept(organisation_id, cutoff), limit
            ),
            organisation_id=_ORG,
            cutoff=_MOMENTS[0],
        ),
    )


def _admin_day_kept(
    *, organisation_id: int, now: datetime, zone: ZoneInfo, quiet_days: int, limit: int
) -> AdminDay:
    """The day from the values PostgreSQL triggers keep (scheduling.kept), each query
    compiled once: the same lines and totals as `_admin_day_counted`."""
    start, tomorrow, week_end = _days(now, zone)
    cutoff = now - timedelta(days=quiet_days)
    meetings, unanswered, quiet = _lines_queries(limit)
    org = organisation_id
    today, week = (
        _week_totals_query.rows(organisation_id=org, start=start, tomorrow=tomorrow, end=week_end)
        or [(0, 0)]
    )[0]
    people, waiting = (_waiting_totals_query.rows(organisation_id=org, now=now) or [(0, 0)])[0]
    quiet_total = (_quiet_total_query.rows(organisation_id=org, cutoff=cutoff) or [(0,)])[0][0]
    return AdminDay(
        today=cast(list[Meeting], meetings.objects(organisation_id=org, start=start, end=tomorrow)),
        week=cast(
            list[Meeting], meetings.objects(organisation_id=org, start=tomorrow, end=week_end)
        ),
        today_total=today,
        week_total=week,
        unanswered=cast(list[Attendee], unanswered.objects(organisation_id=org, now=now)),
        unanswered_total=people,
        invitations_waiting=waiting,
        quiet=cast(list[Relationship], quiet.objects(organisation_id=org, cutoff=cutoff)),
        quiet_total=quiet_total,
        quiet_days=quiet_days,
    )
