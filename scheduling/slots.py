"""Time slots for the admin's «Book Meeting» form, from both participants' availability.

Three clocks are involved: each participant states weekly availability on their own wall
clock (a mentor in Toronto, a mentee in Paris), and the admin picks a slot on theirs
(Edmonton). All comparisons therefore happen on UTC instants; wall clocks are used only to
turn "Monday 17:00–20:00 in Paris" into instants and to label the admin's slots.

Availability is the set of instants at which the person's clock reads a time inside one of
their ranges. Computing that per UTC-offset period of the zone (a "regime") makes the DST
corners exact instead of approximate: a range that spans the spring-forward gap is an hour
shorter in real time, one that spans the fall-back overlap an hour longer, and a range
ending inside the gap ends at the transition. Touching or overlapping ranges of one person
are merged, because "09:00–12:00" and "12:00–17:00" mean the person is free from 09:00 to
17:00 and a 90-minute meeting at 11:30 suits them.

The admin's slots are every `step` of *their* wall clock from midnight (so :00 and :30),
which on a spring-forward day skips the readings that do not exist (23 hours, 46 slots)
and on a fall-back day offers the repeated readings twice, as two distinct instants
(25 hours, 50 slots). Returned datetimes carry `fold` for that reason; compare or store
them in UTC (aware datetimes sharing a tzinfo compare by wall reading and ignore fold).

`free_slots` and `slot_refusal` apply one rule set, so a slot offered by the form is always
accepted by the booking service and vice versa.

`slot_label` is what the admin reads in the form. On a fall-back night the repeated
readings would otherwise show twice as the same "1:30 a.m.", so those slots (and only
those: the rest of the day is unambiguous and stays short) also name the zone's
abbreviation and UTC offset: "1:30 a.m. (MDT, UTC-6)", then "1:30 a.m. (MST, UTC-7)".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from programs import dates

from .recurrence import is_ambiguous, is_nonexistent, zone_info

STEP = timedelta(minutes=30)
# Offsets are sampled this often to find transitions; real zones never change twice
# within an hour.
_PROBE = timedelta(hours=1)
_MARGIN = timedelta(days=2)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class WeeklyRange:
    """A weekly availability window on the person's own wall clock.

    `weekday` is 0 for Monday. An `end` at or before `start` means the window runs past
    midnight into the next day (22:00–02:00; 18:00–00:00; 00:00–00:00 is the whole day).
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("availability times are wall-clock times without a zone")

    def on(self, day: date) -> tuple[datetime, datetime]:
        """Naive wall-clock bounds of this window starting on `day`."""
        end_day = day if self.end > self.start else day + timedelta(days=1)
        return datetime.combine(day, self.start), datetime.combine(end_day, self.end)


@dataclass(frozen=True)
class Busy:
    """An existing commitment (another meeting) as aware instants, end exclusive."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("busy intervals need time-zone aware datetimes")
        if self.end <= self.start:
            raise ValueError("a busy interval must end after it starts")


class Person(NamedTuple):
    """One participant: IANA zone, weekly ranges in that zone, existing meetings.

    A plain `(zone, ranges, busy)` tuple works everywhere a Person does.
    """

    zone: str
    ranges: Sequence[WeeklyRange]
    busy: Sequence[Busy]


class Refusal(StrEnum):
    """Why a chosen slot is not bookable; the booking service maps these to messages."""

    PAST = "past"
    MISALIGNED = "misaligned"
    UNAVAILABLE = "unavailable"
    BUSY = "busy"


def free_slots(
    *,
    day: date,
    viewer_zone: str,
    duration: timedelta,
    people: Sequence[tuple[str, Sequence[WeeklyRange], Sequence[Busy]]],
    step: timedelta = STEP,
    now: datetime | None = None,
) -> list[datetime]:
    """Start instants, on the viewer's `day` and clock, where everyone can meet.

    A start qualifies when, for every person, the whole [start, start + duration) lies in
    their availability, overlaps none of their busy intervals, and (given `now`) the start
    is strictly in the future. Results are aware datetimes in `viewer_zone`, in time order.
    """
    _check(duration=duration, step=step, now=now)
    viewer = zone_info(viewer_zone)
    candidates = _candidates(day, viewer, step)
    if not candidates:
        return []
    window = (candidates[0], candidates[-1] + duration)
    checks = _prepare(people, window)
    return [
        start.astimezone(viewer)
        for start in candidates
        if _refusal(start, duration, checks, now) is None
    ]


def slot_refusal(
    *,
    start: datetime,
    viewer_zone: str,
    duration: timedelta,
    people: Sequence[tuple[str, Sequence[WeeklyRange], Sequence[Busy]]],
    step: timedelta = STEP,
    now: datetime | None = None,
) -> Refusal | None:
    """Why `start` would not be offered by `free_slots`, or None when it would.

    The booking service re-checks the admin's choice server-side with this: the form may
    be stale (someone booked meanwhile) or forged.
    """
    if start.tzinfo is None:
        raise TypeError("start must be a time-zone aware datetime")
    _check(duration=duration, step=step, now=now)
    viewer = zone_info(viewer_zone)
    instant = start.astimezone(UTC)
    if instant not in _candidates(instant.astimezone(viewer).date(), viewer, step):
        return Refusal.MISALIGNED
    checks = _prepare(people, (instant, instant + duration))
    return _refusal(instant, duration, checks, now)


def is_free(
    *,
    start: datetime,
    viewer_zone: str,
    duration: timedelta,
    people: Sequence[tuple[str, Sequence[WeeklyRange], Sequence[Busy]]],
    step: timedelta = STEP,
    now: datetime | None = None,
) -> bool:
    """True when `free_slots` for that day would offer `start` (same rules, one slot)."""
    refusal = slot_refusal(
        start=start, viewer_zone=viewer_zone, duration=duration, people=people, step=step, now=now
    )
    return refusal is None


def slot_label(start: datetime) -> str:
    """The reading of `start` on its own clock (a slot from `free_slots`), in the active
    language; with the zone and UTC offset when that reading happens twice that night."""
    reading = dates.time_label(start)
    zone = start.tzinfo
    if not isinstance(zone, ZoneInfo) or not is_ambiguous(start.replace(tzinfo=None), zone):
        return reading
    offset = start.utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    offset_text = f"{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")
    abbreviation = start.tzname() or ""
    # The tz database has no letters for some zones ("-03"): the offset alone says it.
    if not abbreviation or abbreviation[0] in "+-0123456789":
        return gettext("%(time)s (UTC%(offset)s)") % {"time": reading, "offset": offset_text}
    return gettext("%(time)s (%(abbreviation)s, UTC%(offset)s)") % {
        "time": reading,
        "abbreviation": abbreviation,
        "offset": offset_text,
    }


# -- internals ---------------------------------------------------------------------------


class _Checks(NamedTuple):
    availability: list[list[Interval]]  # one merged list per person
    busy: list[Interval]  # everyone's, in UTC


def _check(*, duration: timedelta, step: timedelta, now: datetime | None) -> None:
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    if now is not None and now.tzinfo is None:
        raise TypeError("now must be a time-zone aware datetime")


def _candidates(day: date, viewer: ZoneInfo, step: timedelta) -> list[datetime]:
    """UTC instants at which the viewer's clock shows a step-aligned reading on `day`.

    Readings in a gap are skipped; readings in an overlap give both instants.
    """
    wall = datetime.combine(day, time(0))
    stop = wall + timedelta(days=1)
    found: set[datetime] = set()
    while wall < stop:
        if not is_nonexistent(wall, viewer):
            folds = (0, 1) if is_ambiguous(wall, viewer) else (0,)
            for fold in folds:
                found.add(wall.replace(tzinfo=viewer, fold=fold).astimezone(UTC))
        wall += step
    return sorted(found)


def _prepare(
    people: Iterable[tuple[str, Sequence[WeeklyRange], Sequence[Busy]]], window: Interval
) -> _Checks:
    availability: list[list[Interval]] = []
    busy: list[Interval] = []
    for zone, ranges, commitments in people:
        availability.append(_availability(zone_info(zone), ranges, window))
        busy.extend((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in commitments)
    return _Checks(availability, busy)


def _refusal(
    start: datetime, duration: timedelta, checks: _Checks, now: datetime | None
) -> Refusal | None:
    if now is not None and start <= now:
        return Refusal.PAST
    end = start + duration
    for intervals in checks.availability:
        if not any(lo <= start and end <= hi for lo, hi in intervals):
            return Refusal.UNAVAILABLE
    if any(start < b_end and b_start < end for b_start, b_end in checks.busy):
        return Refusal.BUSY
    return None


def _availability(
    zone: ZoneInfo, ranges: Iterable[WeeklyRange], window: Interval
) -> list[Interval]:
    """Merged UTC intervals during which the person's clock reads inside a range.

    Each range occurrence is intersected with every offset regime: within a regime the
    clock is just UTC plus a constant, so the instants are [wall_start - offset,
    wall_end - offset) clipped to the regime.
    """
    ranges = list(ranges)
    if not ranges:
        return []
    regimes = _regimes(zone, window[0] - _MARGIN, window[1] + _MARGIN)
    # A window that started the previous local day can run past midnight into this one.
    day = window[0].astimezone(zone).date() - timedelta(days=1)
    last = window[1].astimezone(zone).date()
    pieces: list[Interval] = []
    while day <= last:
        for weekly in ranges:
            if weekly.weekday != day.weekday():
                continue
            wall_start, wall_end = weekly.on(day)
            for regime_start, regime_end, offset in regimes:
                lo = max((wall_start - offset).replace(tzinfo=UTC), regime_start)
                hi = min((wall_end - offset).replace(tzinfo=UTC), regime_end)
                if lo < hi:
                    pieces.append((lo, hi))
        day += timedelta(days=1)
    return _merge(pieces)


def _regimes(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """Split [start, end) into periods of constant UTC offset: (from, to, offset)."""
    first = int(start.timestamp())
    stop = int(end.timestamp()) + 1
    probe = int(_PROBE.total_seconds())
    regimes: list[tuple[datetime, datetime, timedelta]] = []
    regime_from, offset = first, _offset(zone, first)
    cursor = first
    while cursor < stop:
        ahead = min(cursor + probe, stop)
        if _offset(zone, ahead) != offset:
            change = _transition(zone, cursor, ahead, offset)
            regimes.append((_utc(regime_from), _utc(change), offset))
            regime_from, offset = change, _offset(zone, change)
        cursor = ahead
    regimes.append((_utc(regime_from), _utc(stop), offset))
    return regimes


def _transition(zone: ZoneInfo, before: int, after: int, offset: timedelta) -> int:
    """First epoch second after `before` whose offset is no longer `offset` (bisection)."""
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(zone, middle) == offset:
            before = middle
        else:
            after = middle
    return after


def _offset(zone: ZoneInfo, epoch: int) -> timedelta:
    offset = datetime.fromtimestamp(epoch, zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _merge(pieces: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for lo, hi in sorted(pieces):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
