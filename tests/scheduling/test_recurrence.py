"""Recurring meetings keep their wall-clock time across DST, on both sides of the Atlantic.

2026 changes: North America 8 March (spring) and 1 November (fall); Europe 29 March and
25 October. Anna mentors from Toronto, Charlotte is mentored from Paris, Michele books
from Edmonton.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduling.recurrence import (
    Frequency,
    RecurrenceError,
    build_rrule,
    expand,
    is_ambiguous,
    is_nonexistent,
    localise,
    wall_times,
)

TORONTO = "America/Toronto"
PARIS = "Europe/Paris"
EDMONTON = "America/Edmonton"


def on_clock(instants: list[datetime], zone: str) -> list[str]:
    return [i.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") for i in instants]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A naive wall-clock reading, which is what the admin picks on the series' clock."""
    return datetime.combine(date(year, month, day), time(hour, minute))


# -- build_rrule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "occurrences", "rule"),
    [
        (Frequency.DAILY, 5, "FREQ=DAILY;COUNT=5"),
        ("weekly", 6, "FREQ=WEEKLY;COUNT=6"),
        (Frequency.MONTHLY, 1, "FREQ=MONTHLY;COUNT=1"),
        ("yearly", 52, "FREQ=YEARLY;COUNT=52"),
        ("none", 1, None),
    ],
)
def test_build_rrule_text(frequency, occurrences, rule):
    assert build_rrule(frequency, occurrences) == rule


@pytest.mark.parametrize("occurrences", [0, 53, -1, 100])
@pytest.mark.parametrize("frequency", ["none", "weekly"])
def test_occurrences_outside_1_to_52_are_refused(frequency, occurrences):
    with pytest.raises(RecurrenceError) as caught:
        build_rrule(frequency, occurrences)
    assert caught.value.code == "occurrences"
    assert "1" in caught.value.message and "52" in caught.value.message


def test_expand_refuses_bad_occurrences_before_computing_anything():
    with pytest.raises(RecurrenceError) as caught:
        expand(local_start=wall(2026, 2, 2, 18), zone=TORONTO, frequency="weekly", occurrences=53)
    assert caught.value.code == "occurrences"


def test_unknown_frequency_is_refused():
    with pytest.raises(RecurrenceError) as caught:
        build_rrule("fortnightly", 3)
    assert caught.value.code == "frequency"


def test_unknown_zone_is_refused():
    with pytest.raises(RecurrenceError) as caught:
        expand(
            local_start=wall(2026, 2, 2, 18),
            zone="Mars/Olympus",
            frequency="none",
            occurrences=1,
        )
    assert caught.value.code == "zone"


def test_aware_local_start_is_a_programming_error():
    with pytest.raises(TypeError):
        expand(
            local_start=utc(2026, 2, 2, 18),
            zone=TORONTO,
            frequency="none",
            occurrences=1,
        )


# -- weekly keeps local wall time -------------------------------------------------------


def test_one_off_meeting_is_a_single_utc_instant():
    assert expand(
        local_start=wall(2026, 2, 16, 18), zone=TORONTO, frequency="none", occurrences=1
    ) == [utc(2026, 2, 16, 23)]


def test_weekly_toronto_meeting_stays_at_1800_across_both_spring_changes():
    starts = expand(
        local_start=wall(2026, 3, 2, 18), zone=TORONTO, frequency="weekly", occurrences=6
    )
    assert all(s.tzinfo is UTC for s in starts)
    assert on_clock(starts, TORONTO) == [
        "2026-03-02 18:00",
        "2026-03-09 18:00",
        "2026-03-16 18:00",
        "2026-03-23 18:00",
        "2026-03-30 18:00",
        "2026-04-06 18:00",
    ]
    # In UTC it moves an hour earlier once Toronto is on daylight time...
    assert [s.hour for s in starts] == [23, 22, 22, 22, 22, 22]
    # ...and for Charlotte in Paris it is midnight, then 23:00 for the three weeks only
    # North America has changed, then midnight again once Europe has changed too.
    assert on_clock(starts, PARIS) == [
        "2026-03-03 00:00",
        "2026-03-09 23:00",
        "2026-03-16 23:00",
        "2026-03-23 23:00",
        "2026-03-31 00:00",
        "2026-04-07 00:00",
    ]


def test_weekly_paris_meeting_stays_at_1800_across_both_autumn_changes():
    starts = expand(
        local_start=wall(2026, 10, 19, 18), zone=PARIS, frequency="weekly", occurrences=3
    )
    assert on_clock(starts, PARIS) == ["2026-10-19 18:00", "2026-10-26 18:00", "2026-11-02 18:00"]
    # Anna in Toronto sees it at 12:00, then 13:00 the week only Europe has changed, then 12:00.
    assert on_clock(starts, TORONTO) == ["2026-10-19 12:00", "2026-10-26 13:00", "2026-11-02 12:00"]


def test_daily_edmonton_meeting_keeps_0900_over_the_spring_change():
    starts = expand(
        local_start=wall(2026, 3, 6, 9), zone=EDMONTON, frequency="daily", occurrences=5
    )
    assert on_clock(starts, EDMONTON) == [f"2026-03-{day:02d} 09:00" for day in range(6, 11)]
    assert [s.hour for s in starts] == [16, 16, 15, 15, 15]


# -- month ends and leap days -----------------------------------------------------------


def test_monthly_on_the_31st_skips_short_months_and_still_counts_six():
    starts = expand(
        local_start=wall(2026, 1, 31, 18), zone=TORONTO, frequency="monthly", occurrences=6
    )
    assert on_clock(starts, TORONTO) == [
        "2026-01-31 18:00",
        "2026-03-31 18:00",
        "2026-05-31 18:00",
        "2026-07-31 18:00",
        "2026-08-31 18:00",
        "2026-10-31 18:00",
    ]


def test_monthly_on_the_30th_skips_only_february():
    walls = wall_times(local_start=wall(2026, 1, 30, 9), frequency="monthly", occurrences=3)
    assert [w.date().isoformat() for w in walls] == ["2026-01-30", "2026-03-30", "2026-04-30"]


def test_yearly_on_29_february_happens_in_leap_years_only():
    walls = wall_times(local_start=wall(2028, 2, 29, 9), frequency="yearly", occurrences=3)
    assert [w.date().isoformat() for w in walls] == ["2028-02-29", "2032-02-29", "2036-02-29"]


# -- nonexistent times ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        (TORONTO, wall(2026, 3, 8, 2, 30)),
        (EDMONTON, wall(2026, 3, 8, 2, 0)),
        (PARIS, wall(2026, 3, 29, 2, 15)),
    ],
)
def test_a_start_in_the_spring_gap_is_refused(zone, wall):
    with pytest.raises(RecurrenceError) as caught:
        expand(local_start=wall, zone=zone, frequency="none", occurrences=1)
    assert caught.value.code == "nonexistent"
    assert caught.value.wall_time == wall
    assert wall.date().isoformat() in caught.value.message
    assert wall.strftime("%H:%M") in caught.value.message


def test_a_later_occurrence_in_the_gap_refuses_the_whole_series():
    with pytest.raises(RecurrenceError) as caught:
        expand(
            local_start=wall(2026, 2, 22, 2, 30),
            zone=TORONTO,
            frequency="weekly",
            occurrences=4,
        )
    assert caught.value.code == "nonexistent"
    assert caught.value.wall_time == wall(2026, 3, 8, 2, 30)
    assert "2026-03-08" in caught.value.message


def test_the_same_wall_time_is_fine_in_a_zone_that_has_not_changed_yet():
    # 02:30 on 8 March does not exist in Toronto but does in Paris.
    assert expand(
        local_start=wall(2026, 3, 8, 2, 30), zone=PARIS, frequency="none", occurrences=1
    ) == [utc(2026, 3, 8, 1, 30)]


# -- ambiguous times --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "wall", "first", "second"),
    [
        (TORONTO, wall(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        (EDMONTON, wall(2026, 11, 1, 1, 0), utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)),
        (PARIS, wall(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
    ],
)
def test_a_repeated_fall_back_time_needs_a_fold(zone, wall, first, second):
    with pytest.raises(RecurrenceError) as caught:
        expand(local_start=wall, zone=zone, frequency="none", occurrences=1)
    assert caught.value.code == "ambiguous"
    assert wall.strftime("%H:%M") in caught.value.message
    assert expand(local_start=wall, zone=zone, frequency="none", occurrences=1, fold=0) == [first]
    assert expand(local_start=wall, zone=zone, frequency="none", occurrences=1, fold=1) == [second]


def test_a_later_ambiguous_occurrence_is_caught_and_fold_resolves_it():
    kwargs: dict[str, Any] = {
        "local_start": wall(2026, 10, 30, 1, 30),
        "zone": TORONTO,
        "frequency": "daily",
    }
    with pytest.raises(RecurrenceError) as caught:
        expand(occurrences=4, **kwargs)
    assert caught.value.code == "ambiguous"
    assert caught.value.wall_time == wall(2026, 11, 1, 1, 30)

    starts = expand(occurrences=4, fold=1, **kwargs)
    assert starts == [
        utc(2026, 10, 30, 5, 30),
        utc(2026, 10, 31, 5, 30),
        utc(2026, 11, 1, 6, 30),  # the second 01:30, on standard time
        utc(2026, 11, 2, 6, 30),
    ]
    assert on_clock(starts, TORONTO) == [
        f"2026-{md} 01:30" for md in ("10-30", "10-31", "11-01", "11-02")
    ]


def test_helpers_tell_gap_overlap_and_ordinary_times_apart():
    toronto = ZoneInfo(TORONTO)
    gap, overlap, ordinary = (
        wall(2026, 3, 8, 2, 30),
        wall(2026, 11, 1, 1, 30),
        wall(2026, 3, 8, 3, 0),
    )
    assert (is_nonexistent(gap, toronto), is_ambiguous(gap, toronto)) == (True, False)
    assert (is_nonexistent(overlap, toronto), is_ambiguous(overlap, toronto)) == (False, True)
    assert (is_nonexistent(ordinary, toronto), is_ambiguous(ordinary, toronto)) == (False, False)
    assert localise(ordinary, toronto) == utc(2026, 3, 8, 7)
