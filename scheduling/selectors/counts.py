"""Tallies of meetings held and their hours: of a relationship, of a member, and by
member or relationship for a list page or a report.

"Held" meetings (for counts): a meeting that was not cancelled and whose end is past,
whether or not the follow-up job has already marked it completed. Scheduled meetings in
the future are "upcoming"; cancelled ones count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, DurationField, F, Q, QuerySet, Sum
from django.utils import timezone

from programs.compiled import CompiledOnce, id_array
from programs.models import Relationship, User
from programs.pagination import IdArray, among
from scheduling.models import Attendee, Meeting
from scheduling.selectors.common import ACTIVE_STATUSES


@dataclass(frozen=True)
class Tally:
    meetings: int
    hours: float


def _held(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.filter(status__in=ACTIVE_STATUSES, ends_at__lte=timezone.now())


def _tally(queryset: QuerySet[Meeting]) -> Tally:
    totals = _held(queryset).aggregate(
        meetings=Count("pk", distinct=True),
        held=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
    )
    return Tally(meetings=totals["meetings"] or 0, hours=_hours(totals["held"]))


def meeting_counts_for_relationship(*, relationship: Relationship) -> Tally:
    """Meetings held by the pair and their length in hours (see the module docstring)."""
    return _tally(Meeting.objects.filter(relationship=relationship))


def meeting_counts_for_member(*, user: User) -> Tally:
    """Meetings held by a member (as mentor or mentee) and their length in hours."""
    return _tally(
        Meeting.objects.filter(Q(relationship__mentor=user) | Q(relationship__mentee=user))
    )


def meeting_counts_by_member(*, organisation_id: int, user_ids: list[int]) -> dict[int, Tally]:
    """{member id: Tally} of meetings held as mentor or mentee, for a list page, in one
    query («Heures de mentorat»): the ids as one array parameter, the query compiled once
    on PostgreSQL (`programs.compiled`); none, no query."""
    if not user_ids:
        return {}
    rows = _member_tallies_query.rows(
        organisation_id=organisation_id, ids=id_array(user_ids), now=timezone.now()
    )
    return {user_id: Tally(meetings, _hours(held)) for user_id, meetings, held in rows}


def _member_tallies(
    organisation_id: int, ids: list[int] | IdArray, now: datetime
) -> QuerySet[Attendee, tuple[int, int, timedelta | None]]:
    return (
        Attendee.objects.filter(
            among("user_id", ids),
            meeting__organisation_id=organisation_id,
            meeting__status__in=ACTIVE_STATUSES,
            meeting__ends_at__lte=now,
            is_organiser=False,
        )
        .values("user_id")
        .annotate(
            meetings=Count("meeting_id", distinct=True),
            held=Sum(F("meeting__ends_at") - F("meeting__starts_at"), output_field=DurationField()),
        )
        .values_list("user_id", "meetings", "held")
    )


# `ids` arrives as `id_array` text, never empty (no query for an empty page).
_member_tallies_query = CompiledOnce(
    lambda organisation_id, ids, now: _member_tallies(
        organisation_id, IdArray(text=ids, count=ids.count(",") + 1), now
    ),
    organisation_id=-1,
    ids=id_array([-1]),
    now=datetime(1900, 1, 1, tzinfo=UTC),
)


def _hours(held: timedelta | None) -> float:
    # A duration sum works on PostgreSQL and on the demo's SQLite alike (an epoch
    # extract does not exist on SQLite).
    return round((held or timedelta()).total_seconds() / 3600, 2)


def meeting_counts_by_relationship(
    *, organisation_id: int, relationship_ids: Iterable[int] | None = None
) -> dict[int, Tally]:
    """{relationship id: Tally}, in one query: of the relationships `relationship_ids`
    (a list page's: read from the (relationship, starts_at) index, a few meetings each),
    or of every relationship of the organisation (a report) when None."""
    rows: Iterable[tuple[int, int, timedelta | None]]
    if relationship_ids is None:
        rows = _relationship_tallies(organisation_id, None, timezone.now())
    else:
        ids = list(relationship_ids)
        if not ids:
            return {}
        # A page's ids as one array, the query compiled once on PostgreSQL.
        rows = _relationship_tallies_query.rows(
            organisation_id=organisation_id, ids=id_array(ids), now=timezone.now()
        )
    return {pk: Tally(meetings, _hours(held)) for pk, meetings, held in rows}


def _relationship_tallies(
    organisation_id: int, ids: IdArray | None, now: datetime
) -> QuerySet[Meeting, tuple[int, int, timedelta | None]]:
    meetings = Meeting.objects.filter(organisation_id=organisation_id)
    if ids is not None:
        meetings = meetings.filter(among("relationship_id", ids))
    return (
        meetings.filter(status__in=ACTIVE_STATUSES, ends_at__lte=now)
        .values("relationship_id")
        .annotate(
            meetings=Count("pk"),
            held=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
        )
        .values_list("relationship_id", "meetings", "held")
    )


_relationship_tallies_query = CompiledOnce(
    lambda organisation_id, ids, now: _relationship_tallies(
        organisation_id, IdArray(text=ids, count=1), now
    ),
    organisation_id=-1,
    ids=id_array([-1]),
    now=datetime(1900, 1, 1, tzinfo=UTC),
)
