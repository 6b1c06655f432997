"""Recurring meetings expanded in local wall time.

A weekly 18:00 meeting in Toronto must stay at 18:00 on the Toronto clock when Toronto
changes to or from daylight time, which means it moves by an hour in UTC (and for the
mentee in Paris). So the series is expanded on *naive wall-clock* datetimes with
`dateutil.rrule` (the same RFC 5545 rules calendar applications apply to the RRULE we put in
the .ics), and only then is each occurrence attached to the zone with `zoneinfo`.

Attaching a wall time to a zone can fail in two ways, and we refuse rather than guess:

- the wall time does not exist (the spring-forward gap, e.g. 02:30 on 8 March 2026 in
  Toronto): code ``"nonexistent"``;
- the wall time happens twice (the fall-back overlap, e.g. 01:30 on 1 November 2026 in
  Toronto) and the caller did not say which one with ``fold``: code ``"ambiguous"``.

Every occurrence is checked, not just the first: a weekly 02:30 series that starts in
February walks into the gap in March.

Months without the start's day of month, and 29 February in common years, are skipped, as
RFC 5545 specifies (``BYMONTHDAY=31`` with ``COUNT`` counts only real dates) and as Google
Calendar and Apple Calendar do. We cannot choose "last day of the month" instead: the
invitation carries ``RRULE:FREQ=MONTHLY;COUNT=n`` and the participants' calendar
applications expand it themselves, so our list of occurrences must match theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from django.utils.translation import gettext

MIN_OCCURRENCES = 1
MAX_OCCURRENCES = 52


class Frequency(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class RecurrenceError(ValueError):
    """The requested series cannot be scheduled as asked.

    `code` is stable for callers and tests ("frequency", "occurrences", "zone",
    "nonexistent", "ambiguous"); `message` is a translated sentence the admin can act on.
    `wall_time` names the offending occurrence when there is one.
    """

    def __init__(self, code: str, message: str, *, wall_time: datetime | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.wall_time = wall_time


def parse_frequency(frequency: Frequency | str) -> Frequency:
    """Accept the enum or its form value; anything else is the admin's bad input."""
    try:
        return Frequency(frequency)
    except ValueError:
        raise RecurrenceError(
            "frequency",
            gettext("“%(frequency)s” is not a meeting frequency.") % {"frequency": frequency},
        ) from None


def zone_info(zone: str) -> ZoneInfo:
    """Resolve an IANA zone name, turning an unknown one into a user-facing error."""
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(
            "zone", gettext("“%(zone)s” is not a known time zone.") % {"zone": zone}
        ) from None


def build_rrule(frequency: Frequency | str, occurrences: int) -> str | None:
    """RFC 5545 RRULE value for the form's frequency and number of occurrences.

    COUNT is always present, so a series is finite and every client expands it to the same
    list. None for a one-off meeting. The occurrence bound (1–52) is checked even for a
    one-off so bad form input is refused the same way whatever the frequency.
    """
    freq = parse_frequency(frequency)
    if (
        isinstance(occurrences, bool)
        or not isinstance(occurrences, int)
        or not MIN_OCCURRENCES <= occurrences <= MAX_OCCURRENCES
    ):
        raise RecurrenceError(
            "occurrences",
            gettext("The number of occurrences must be between %(min)d and %(max)d.")
            % {"min": MIN_OCCURRENCES, "max": MAX_OCCURRENCES},
        )
    if freq is Frequency.NONE:
        return None
    return f"FREQ={freq.value.upper()};COUNT={occurrences}"


def is_nonexistent(wall: datetime, zone: ZoneInfo) -> bool:
    """True when the naive wall time is skipped by the zone (spring-forward gap).

    zoneinfo happily attaches such a time; a round trip through UTC reveals it, because the
    clock reading that comes back differs from the one that went in.
    """
    back = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back != wall.replace(tzinfo=None)


def is_ambiguous(wall: datetime, zone: ZoneInfo) -> bool:
    """True when the naive wall time happens twice in the zone (fall-back overlap).

    Both folds give different UTC offsets only in a gap or an overlap; excluding the gap
    leaves the overlap.
    """
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    return first != second and not is_nonexistent(wall, zone)


def localise(wall: datetime, zone: ZoneInfo, *, fold: int | None = None) -> datetime:
    """Attach a naive wall time to a zone, refusing gaps and unresolved overlaps.

    `fold` follows PEP 495: 0 is the first time the clock shows the reading (still daylight
    time on a fall-back night), 1 the second. It only matters for ambiguous readings.
    """
    if wall.tzinfo is not None:
        raise TypeError("localise() expects a naive wall-clock datetime")
    if fold not in (None, 0, 1):
        raise ValueError("fold must be None, 0 or 1")
    values = {"date": wall.date().isoformat(), "time": wall.strftime("%H:%M"), "zone": zone.key}
    if is_nonexistent(wall, zone):
        raise RecurrenceError(
            "nonexistent",
            gettext(
                "%(time)s on %(date)s does not exist in %(zone)s: the clocks jump forward "
                "that night. Choose another time."
            )
            % values,
            wall_time=wall,
        )
    if is_ambiguous(wall, zone):
        if fold is None:
            raise RecurrenceError(
                "ambiguous",
                gettext(
                    "%(time)s on %(date)s happens twice in %(zone)s: the clocks go back "
                    "that night. Choose another time, or say which of the two is meant."
                )
                % values,
                wall_time=wall,
            )
        return wall.replace(tzinfo=zone, fold=fold)
    return wall.replace(tzinfo=zone, fold=0)


def wall_times(
    *, local_start: datetime, frequency: Frequency | str, occurrences: int
) -> list[datetime]:
    """Naive wall-clock datetimes of every occurrence, exactly as the RRULE defines them.

    Expanding the very RRULE text we publish keeps our list and the participants' calendars
    in agreement (month-end and leap-day skipping included).
    """
    if local_start.tzinfo is not None:
        raise TypeError("local_start must be a naive wall-clock datetime")
    rule = build_rrule(frequency, occurrences)
    if rule is None:
        return [local_start]
    return list(rrulestr(rule, dtstart=local_start))


def expand(
    *,
    local_start: datetime,
    zone: str,
    frequency: Frequency | str,
    occurrences: int,
    fold: int | None = None,
) -> list[datetime]:
    """Aware UTC start of every occurrence of a series that keeps its local wall time.

    `local_start` is what the admin picked on the series' clock (naive); `zone` is that
    clock. `fold` resolves an ambiguous reading for every occurrence that falls in an
    overlap. Raises RecurrenceError on the first occurrence that cannot be placed, naming
    its date and time.
    """
    tz = zone_info(zone)
    return [
        localise(wall, tz, fold=fold).astimezone(UTC)
        for wall in wall_times(
            local_start=local_start, frequency=frequency, occurrences=occurrences
        )
    ]
