"""A member's weekly availability («Disponibilités»)."""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import User
from programs.permissions import require_org_admin
from scheduling.models import Availability

MIDNIGHT = time(0)


def _minutes(value: time, *, end: bool = False) -> int:
    if end and value == MIDNIGHT:
        return 24 * 60
    return value.hour * 60 + value.minute


@transaction.atomic
def availability_set(*, user: User, ranges: list[tuple[int, time, time]]) -> list[Availability]:
    """Replace the member's weekly availability with `ranges` (weekday 0 = Monday, start,
    end on their own clock; an end of 00:00 means midnight).

    Overlapping or touching ranges of one day are merged, not refused: 09:00–12:00 and
    11:00–14:00 become 09:00–14:00, which is what the person meant. Bad ranges are
    refused and the previous availability stays as it was."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in ranges:
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise DomainError(
                gettext("“%(day)s” is not a day of the week.") % {"day": weekday}, code="weekday"
            )
        if not isinstance(start, time) or not isinstance(end, time):
            raise DomainError(gettext("Give a start and an end time."), code="time")
        if start.tzinfo is not None or end.tzinfo is not None or start.second or end.second:
            raise DomainError(gettext("Give times in hours and minutes."), code="time")
        if _minutes(end, end=True) <= _minutes(start):
            raise DomainError(
                gettext("%(day)s: the end (%(end)s) must be after the start (%(start)s).")
                % {
                    "day": WEEKDAYS[weekday],
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                },
                code="order",
            )
        by_day.setdefault(weekday, []).append((_minutes(start), _minutes(end, end=True)))
    rows: list[Availability] = []
    for weekday, pieces in sorted(by_day.items()):
        merged: list[list[int]] = []
        for lo, hi in sorted(pieces):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            rows.append(
                Availability(
                    user=user,
                    weekday=weekday,
                    start=time(lo // 60, lo % 60),
                    end=MIDNIGHT if hi == 24 * 60 else time(hi // 60, hi % 60),
                )
            )
    Availability.objects.filter(user=user).delete()
    return Availability.objects.bulk_create(rows)


@transaction.atomic
def availability_set_by_admin(
    *, actor: User, user: User, ranges: list[tuple[int, time, time]]
) -> list[Availability]:
    """An administrator edits a member's availability (the relationship dashboard's ✎):
    the same rules as the member's own edit, checked and audited."""
    require_org_admin(actor, organisation_id=user.organisation_id)
    saved = availability_set(user=user, ranges=ranges)
    audit_record(
        actor=actor,
        organisation_id=user.organisation_id,
        action=AuditAction.AVAILABILITY_EDIT,
        target=user,
        count=len(saved),
    )
    return saved
