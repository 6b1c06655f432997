"""Meetings per relationship and meetings per member: counts held / upcoming /
cancelled, hours held, first and last meeting held and the next one planned.

"Held" is scheduling's definition (scheduling.selectors.counts): not cancelled and ended.
A member's meetings are those they attend, not as the organiser (an administrator who
booked it). One select each, every tally a subquery (see reports.sql)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Relationship, RelationshipStatus, Role, User
from reports import sql
from reports.files import iso_datetime
from reports.registry import Report, ReportContext, Row, register
from reports.relationships import held, hours
from scheduling.models import Meeting, MeetingStatus

BATCH = 2_000


def _tallies(meetings: QuerySet[Meeting], now: dt.datetime) -> dict[str, Any]:
    """The annotations of one row's meetings (`meetings` filtered on OuterRef)."""
    upcoming = meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    when: DateTimeField[object, object] = DateTimeField()
    return {
        "held_count": sql.scalar(held(meetings, now), sql.CountOf("pk"), default=0),
        "held_time": sql.scalar(
            held(meetings, now), sql.DurationSum(F("ends_at") - F("starts_at"))
        ),
        "upcoming_count": sql.scalar(upcoming, sql.CountOf("pk"), default=0),
        "cancelled_count": sql.scalar(
            meetings.filter(status=MeetingStatus.CANCELLED), sql.CountOf("pk"), default=0
        ),
        "first_held": sql.scalar(held(meetings, now), sql.FirstOf("starts_at", output_field=when)),
        "last_held": sql.scalar(held(meetings, now), sql.LastOf("starts_at", output_field=when)),
        "next_at": sql.scalar(upcoming, sql.FirstOf("starts_at", output_field=when)),
    }


TALLY_FIELDS = (
    "held_count",
    "held_time",
    "upcoming_count",
    "cancelled_count",
    "first_held",
    "last_held",
    "next_at",
)


def _tally_header() -> list[str]:
    return [
        _("Meetings held"),
        _("Hours held"),
        _("Upcoming meetings"),
        _("Cancelled meetings"),
        _("First meeting"),
        _("Last meeting"),
        _("Next meeting"),
    ]


def _tally_cells(row: dict[str, Any], zone: dt.tzinfo) -> list[object]:
    return [
        row["held_count"],
        hours(row["held_time"]),
        row["upcoming_count"],
        row["cancelled_count"],
        iso_datetime(row["first_held"], zone),
        iso_datetime(row["last_held"], zone),
        iso_datetime(row["next_at"], zone),
    ]


def _in_batches(rows: Iterator[list[object]], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# Meetings per relationship ------------------------------------------------------------


def _pair_header(context: ReportContext) -> list[str]:
    return [_("Mentor name"), _("Mentee name"), _("Relationship status"), *_tally_header()]


def _pair_batches(context: ReportContext) -> Iterator[list[Row]]:
    now = timezone.now()
    statuses = {str(value): str(label) for value, label in RelationshipStatus.choices}
    name = lambda person: Concat(  # noqa: E731
        F(f"{person}__first_name"), Value(" "), F(f"{person}__last_name")
    )
    rows = (
        Relationship.objects.filter(organisation_id=context.organisation.pk)
        .annotate(
            mentor_name=name("mentor"),
            mentee_name=name("mentee"),
            **_tallies(Meeting.objects.filter(relationship=OuterRef("pk")), now),
        )
        .order_by("-created_at", "-id")
        .values("mentor_name", "mentee_name", "status", *TALLY_FIELDS)
        .iterator(chunk_size=BATCH)
    )
    return _in_batches(
        (
            [
                row["mentor_name"],
                row["mentee_name"],
                statuses.get(row["status"], row["status"]),
                *_tally_cells(row, context.zone),
            ]
            for row in rows
        ),
        BATCH,
    )


def _pair_count(context: ReportContext) -> int:
    return Relationship.objects.filter(organisation_id=context.organisation.pk).count()


# Meetings per member ------------------------------------------------------------------


def _member_header(context: ReportContext) -> list[str]:
    return [
        _("Identifier"),
        _("First name"),
        _("Surname"),
        _("Email address"),
        _("Relationship role"),
        *_tally_header(),
    ]


def _member_batches(context: ReportContext) -> Iterator[list[Row]]:
    now = timezone.now()
    roles = {str(value): str(label) for value, label in Role.choices}
    # The meetings of the member's relationships (as mentor or mentee): a meeting belongs
    # to exactly one pair, so nothing is counted twice.
    theirs = Meeting.objects.filter(
        Q(relationship__mentor=OuterRef("pk")) | Q(relationship__mentee=OuterRef("pk"))
    )
    rows = (
        User.objects.filter(organisation_id=context.organisation.pk)
        .exclude(role=Role.ADMINISTRATOR)
        .annotate(**_tallies(theirs, now))
        .order_by("last_name", "first_name", "id")
        .values("id", "first_name", "last_name", "email", "role", *TALLY_FIELDS)
        .iterator(chunk_size=BATCH)
    )
    return _in_batches(
        (
            [
                row["id"],
                row["first_name"],
                row["last_name"],
                row["email"],
                roles.get(row["role"], row["role"]),
                *_tally_cells(row, context.zone),
            ]
            for row in rows
        ),
        BATCH,
    )


def _member_count(context: ReportContext) -> int:
    return (
        User.objects.filter(organisation_id=context.organisation.pk)
        .exclude(role=Role.ADMINISTRATOR)
        .count()
    )


register(
    Report(
        key="meetings_relationships",
        title=gettext_lazy("Meetings per relationship"),
        description=gettext_lazy(
            "For each relationship: meetings held, hours, upcoming and cancelled meetings."
        ),
        header=_pair_header,
        batches=_pair_batches,
        count=_pair_count,
    )
)

register(
    Report(
        key="meetings_members",
        title=gettext_lazy("Meetings per member"),
        description=gettext_lazy(
            "For each mentor and mentee: meetings held, hours, upcoming and cancelled meetings."
        ),
        header=_member_header,
        batches=_member_batches,
        count=_member_count,
    )
)
