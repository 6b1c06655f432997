"""Slots Michele (Edmonton) is offered when booking Anna (Toronto) with Charlotte (Paris).

Anna is free weekdays 12:00–20:00 Toronto time, Charlotte weekdays 17:00–23:00 Paris time.
Their common hours move on Michele's clock as each side changes to or from daylight time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from scheduling.recurrence import RecurrenceError
from scheduling.slots import (
    Busy,
    Person,
    Refusal,
    WeeklyRange,
    free_slots,
    is_free,
    slot_label,
    slot_refusal,
)

TORONTO = "America/Toronto"
PARIS = "Europe/Paris"
EDMONTON = "America/Edmonton"
HALF_HOUR = timedelta(minutes=30)
HOUR = timedelta(hours=1)
WEEKDAYS = range(5)
EVERY_DAY = [WeeklyRange(d, time(0), time(0)) for d in range(7)]


def weekdays(start: time, end: time) -> list[WeeklyRange]:
    return [WeeklyRange(d, start, end) for d in WEEKDAYS]


def anna(busy: list[Busy] | None = None) -> Person:
    return Person(TORONTO, weekdays(time(12), time(20)), busy or [])


def charlotte(busy: list[Busy] | None = None) -> Person:
    return Person(PARIS, weekdays(time(17), time(23)), busy or [])


def at(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)


def clock(slots: list[datetime]) -> list[str]:
    return [s.strftime("%H:%M") for s in slots]


def half_hours(first: str, last: str) -> list[str]:
    start = datetime.combine(date.min, time.fromisoformat(first))
    stop = datetime.combine(date.min, time.fromisoformat(last))
    out = []
    while start <= stop:
        out.append(start.strftime("%H:%M"))
        start += HALF_HOUR
    return out


def slots(
    day: date, people: list[Person], duration: timedelta = HALF_HOUR, **extra
) -> list[datetime]:
    return free_slots(day=day, viewer_zone=EDMONTON, duration=duration, people=people, **extra)


# -- the pair across the 2026 DST weeks -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first", "last", "why"),
    [
        (date(2026, 2, 16), "10:00", "14:30", "winter: common 17–22 UTC"),
        (date(2026, 3, 9), "10:00", "15:30", "only North America changed: common 16–22 UTC"),
        (date(2026, 3, 30), "10:00", "14:30", "both changed: common 16–21 UTC"),
        (date(2026, 7, 13), "10:00", "14:30", "summer: common 16–21 UTC"),
        (date(2026, 10, 26), "10:00", "15:30", "only Europe changed back: common 16–22 UTC"),
        (date(2026, 11, 2), "10:00", "14:30", "both changed back: common 17–22 UTC"),
    ],
)
def test_common_hours_follow_each_sides_dst_on_the_admins_clock(day, first, last, why):
    offered = slots(day, [anna(), charlotte()])
    assert clock(offered) == half_hours(first, last), why
    assert all(s.tzinfo == ZoneInfo(EDMONTON) and s.date() == day for s in offered)


def test_every_offered_slot_is_inside_both_peoples_own_hours():
    for s in slots(date(2026, 3, 9), [anna(), charlotte()]):
        toronto, paris = (
            s.astimezone(ZoneInfo(TORONTO)),
            (s + HALF_HOUR).astimezone(ZoneInfo(PARIS)),
        )
        assert time(12) <= toronto.time() and paris.time() <= time(23)


def test_no_slots_at_the_weekend():
    assert slots(date(2026, 2, 21), [anna(), charlotte()]) == []


def test_a_slot_is_offered_only_where_the_whole_90_minutes_fit():
    offered = slots(date(2026, 2, 16), [anna(), charlotte()], duration=timedelta(minutes=90))
    # Common time ends at 15:00 Edmonton: 13:30 is the last start that still fits.
    assert clock(offered) == half_hours("10:00", "13:30")


# -- busy intervals ---------------------------------------------------------------------


def test_slots_clashing_with_the_mentors_meetings_are_removed():
    busy = [Busy(at(EDMONTON, 2026, 2, 16, 11), at(EDMONTON, 2026, 2, 16, 12))]
    offered = slots(date(2026, 2, 16), [anna(busy), charlotte()])
    assert clock(offered) == ["10:00", "10:30", *half_hours("12:00", "14:30")]


def test_slots_clashing_with_the_mentees_meetings_are_removed_whatever_zone_they_are_in():
    # 20:15–21:00 in Paris is 12:15–13:00 in Edmonton.
    busy = [Busy(at(PARIS, 2026, 2, 16, 20, 15), at(PARIS, 2026, 2, 16, 21))]
    offered = slots(date(2026, 2, 16), [anna(), charlotte(busy)], duration=HOUR)
    # Back to back is fine: 11:00–12:00 and 13:00–14:00 stay.
    assert clock(offered) == ["10:00", "10:30", "11:00", "13:00", "13:30", "14:00"]


# -- no slots in the past ---------------------------------------------------------------


def test_no_slot_starts_in_the_past():
    now = at(EDMONTON, 2026, 2, 16, 12, 10)
    assert clock(slots(date(2026, 2, 16), [anna(), charlotte()], now=now)) == half_hours(
        "12:30", "14:30"
    )


def test_a_slot_starting_right_now_is_already_past():
    now = at(EDMONTON, 2026, 2, 16, 12).astimezone(UTC)
    assert clock(slots(date(2026, 2, 16), [anna(), charlotte()], now=now))[0] == "12:30"


def test_a_day_entirely_in_the_past_has_no_slots():
    now = at(EDMONTON, 2026, 2, 17, 8)
    assert slots(date(2026, 2, 16), [anna(), charlotte()], now=now) == []


# -- the admin's own DST days -----------------------------------------------------------


def test_spring_forward_day_has_46_slots_and_no_nonexistent_time():
    offered = slots(date(2026, 3, 8), [Person(TORONTO, EVERY_DAY, [])])
    assert len(offered) == 46
    assert "02:00" not in clock(offered) and "02:30" not in clock(offered)
    assert clock(offered)[3:5] == ["01:30", "03:00"]
    # 01:30 MST to 03:00 MDT is half an hour (subtract in UTC: same-zone subtraction is
    # wall-clock arithmetic in Python).
    assert offered[4].astimezone(UTC) - offered[3].astimezone(UTC) == HALF_HOUR


def test_fall_back_day_has_50_slots_with_the_repeated_hour_twice():
    offered = slots(date(2026, 11, 1), [Person(PARIS, EVERY_DAY, [])])
    assert len(offered) == 50
    assert clock(offered)[:8] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
    ]
    instants = [s.astimezone(UTC) for s in offered]
    assert len(set(instants)) == 50
    assert instants == sorted(instants)
    assert all(b - a == HALF_HOUR for a, b in zip(instants, instants[1:], strict=False))
    assert [s.fold for s in offered[2:6]] == [0, 0, 1, 1]


# -- availability that crosses midnight or DST on the person's side ---------------------


def test_a_range_running_past_midnight_continues_into_the_next_local_day():
    night_owl = Person(PARIS, [WeeklyRange(0, time(22), time(2))], [])  # Mon 22:00–Tue 02:00
    everyone = Person(TORONTO, EVERY_DAY, [])
    # Paris is 8 hours ahead of Edmonton in February.
    assert clock(slots(date(2026, 2, 16), [night_owl, everyone])) == half_hours("14:00", "17:30")
    assert slots(date(2026, 2, 17), [night_owl, everyone]) == []


def test_the_admins_day_can_span_two_of_the_persons_local_days():
    # Edmonton Monday 00:00–24:00 is Paris Monday 08:00 to Tuesday 08:00.
    split = Person(PARIS, [WeeklyRange(0, time(20), time(0)), WeeklyRange(1, time(0), time(3))], [])
    offered = slots(date(2026, 2, 16), [split], duration=HOUR)
    assert clock(offered) == half_hours("12:00", "18:00")
    assert "15:30" in clock(offered)  # 23:30–00:30 in Paris, across the two ranges


def test_a_range_across_the_spring_gap_is_an_hour_shorter():
    # Sunday 29 March 01:00–04:00 on a Paris clock lasts two real hours (00:00–02:00 UTC),
    # which is Saturday 18:00–20:00 in Edmonton.
    paris_night = Person(PARIS, [WeeklyRange(6, time(1), time(4))], [])
    assert clock(slots(date(2026, 3, 28), [paris_night])) == half_hours("18:00", "19:30")
    assert clock(slots(date(2026, 3, 28), [paris_night], duration=timedelta(minutes=90))) == [
        "18:00",
        "18:30",
    ]


def test_a_range_ending_inside_the_gap_ends_at_the_change():
    # Sunday 8 March 00:00–02:30 in Toronto: 02:00–03:00 never happens, so the range ends at
    # 02:00 EST = 07:00 UTC = 00:00 in Edmonton (still on MST that moment).
    toronto_night = Person(TORONTO, [WeeklyRange(6, time(0), time(2, 30))], [])
    assert clock(slots(date(2026, 3, 7), [toronto_night])) == half_hours("22:00", "23:30")


def test_a_range_across_the_fall_back_overlap_is_an_hour_longer():
    # Sunday 1 November 00:00–03:00 on a Toronto clock is four real hours, 04:00–08:00 UTC,
    # which is 05:00–09:00 in Paris.
    toronto_night = Person(TORONTO, [WeeklyRange(6, time(0), time(3))], [])
    offered = free_slots(
        day=date(2026, 11, 1), viewer_zone=PARIS, duration=HALF_HOUR, people=[toronto_night]
    )
    assert clock(offered) == half_hours("05:00", "08:30")


def test_touching_ranges_of_one_person_count_as_one_stretch():
    split_day = Person(
        TORONTO, [WeeklyRange(0, time(9), time(12)), WeeklyRange(0, time(12), time(17))], []
    )
    offered = free_slots(
        day=date(2026, 2, 16),
        viewer_zone=TORONTO,
        duration=timedelta(minutes=90),
        people=[split_day],
    )
    assert "11:30" in clock(offered) and clock(offered)[-1] == "15:30"


# -- server-side re-check ---------------------------------------------------------------


def check(start: datetime, people: list[Person], **extra) -> Refusal | None:
    return slot_refusal(start=start, viewer_zone=EDMONTON, duration=HOUR, people=people, **extra)


def test_is_free_accepts_an_offered_slot_given_in_any_zone():
    start = at(EDMONTON, 2026, 2, 16, 11)
    assert is_free(start=start, viewer_zone=EDMONTON, duration=HOUR, people=[anna(), charlotte()])
    assert is_free(
        start=start.astimezone(ZoneInfo(PARIS)),
        viewer_zone=EDMONTON,
        duration=HOUR,
        people=[anna(), charlotte()],
    )


def test_slot_refusal_says_why():
    people = [anna([Busy(at(TORONTO, 2026, 2, 16, 14), at(TORONTO, 2026, 2, 16, 15))]), charlotte()]
    now = at(EDMONTON, 2026, 2, 16, 10, 45)
    assert check(at(EDMONTON, 2026, 2, 16, 10, 30), people, now=now) is Refusal.PAST
    assert check(at(EDMONTON, 2026, 2, 16, 11, 15), people, now=now) is Refusal.MISALIGNED
    assert check(at(EDMONTON, 2026, 2, 16, 9), people) is Refusal.UNAVAILABLE
    assert (
        check(at(EDMONTON, 2026, 2, 16, 14, 30), people, now=now) is Refusal.UNAVAILABLE
    )  # ends 15:30
    assert check(at(EDMONTON, 2026, 2, 16, 12), people, now=now) is Refusal.BUSY  # 14:00 Toronto
    assert check(at(EDMONTON, 2026, 2, 16, 13), people, now=now) is None


@pytest.mark.parametrize(
    "day", [date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)]
)
def test_is_free_agrees_with_free_slots_on_every_dst_day(day):
    people = [
        Person(TORONTO, EVERY_DAY, [Busy(at(TORONTO, 2026, 1, 1), at(TORONTO, 2026, 1, 2))]),
        Person(PARIS, [WeeklyRange(6, time(0), time(10)), WeeklyRange(6, time(20), time(2))], []),
    ]
    offered = {s.astimezone(UTC) for s in slots(day, people, duration=HOUR)}
    midnight = at(EDMONTON, day.year, day.month, day.day).astimezone(UTC)
    assert offered
    for quarter in range(25 * 4):
        start = midnight + quarter * timedelta(minutes=15)
        if start.astimezone(ZoneInfo(EDMONTON)).date() != day:
            continue
        free = is_free(start=start, viewer_zone=EDMONTON, duration=HOUR, people=people)
        assert free == (start in offered), start


def test_the_second_0130_of_fall_back_night_is_its_own_slot():
    toronto_night = Person(TORONTO, [WeeklyRange(6, time(1, 0), time(2, 0))], [])
    # Toronto's clock reads 01:00–02:00 twice: 05:00–06:00 and 06:00–07:00 UTC.
    second = at(TORONTO, 2026, 11, 1, 1, 0, fold=1)
    assert is_free(start=second, viewer_zone=TORONTO, duration=HOUR, people=[toronto_night])
    offered = free_slots(
        day=date(2026, 11, 1), viewer_zone=TORONTO, duration=HOUR, people=[toronto_night]
    )
    # 01:00 first, 01:30 first (its hour ends at the second 01:30: the clock read 01:xx
    # throughout) and 01:00 second; the second 01:30 would run to 02:30.
    assert [s.astimezone(UTC).strftime("%H:%M") for s in offered] == ["05:00", "05:30", "06:00"]
    assert clock(offered) == ["01:00", "01:30", "01:00"]
    assert not is_free(
        start=at(TORONTO, 2026, 11, 1, 1, 30, fold=1),
        viewer_zone=TORONTO,
        duration=HOUR,
        people=[toronto_night],
    )


# -- bad input --------------------------------------------------------------------------


def test_bad_input_is_rejected_loudly():
    with pytest.raises(ValueError):
        WeeklyRange(7, time(9), time(10))
    with pytest.raises(ValueError):
        Busy(datetime(2026, 2, 16, 9), datetime(2026, 2, 16, 10))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError):
        Busy(at(PARIS, 2026, 2, 16, 10), at(PARIS, 2026, 2, 16, 9))
    with pytest.raises(TypeError):
        slots(date(2026, 2, 16), [anna()], now=datetime(2026, 2, 16, 9))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError):
        slots(date(2026, 2, 16), [anna()], duration=timedelta(0))
    with pytest.raises(RecurrenceError) as caught:
        free_slots(
            day=date(2026, 2, 16), viewer_zone="Nowhere/Town", duration=HOUR, people=[anna()]
        )
    assert caught.value.code == "zone"


# -- labels ------------------------------------------------------------------------------


def test_a_fall_back_nights_repeated_slots_are_labelled_apart_in_both_languages():
    # Sunday 1 November 2026: Edmonton's clock goes from 01:59 MDT back to 01:00 MST, so
    # 01:00 and 01:30 are offered twice.
    slots = free_slots(
        day=date(2026, 11, 1),
        viewer_zone=EDMONTON,
        duration=HALF_HOUR,
        people=[(TORONTO, EVERY_DAY, []), (PARIS, EVERY_DAY, [])],
    )
    assert len(slots) == 50
    with translation.override("en"):
        labels = [slot_label(s) for s in slots[:8]]
    assert labels == [
        "midnight",
        "12:30 a.m.",
        "1 a.m. (MDT, UTC-6)",
        "1:30 a.m. (MDT, UTC-6)",
        "1 a.m. (MST, UTC-7)",
        "1:30 a.m. (MST, UTC-7)",
        "2 a.m.",
        "2:30 a.m.",
    ]
    with translation.override("fr"):
        labels = [slot_label(s) for s in slots[:8]]
    assert labels == [
        "0\xa0h",
        "0\xa0h\xa030",
        "1\xa0h (heure MDT, UTC-6)",
        "1\xa0h\xa030 (heure MDT, UTC-6)",
        "1\xa0h (heure MST, UTC-7)",
        "1\xa0h\xa030 (heure MST, UTC-7)",
        "2\xa0h",
        "2\xa0h\xa030",
    ]
    # Every label of the day is different, as the form's select needs.
    with translation.override("en"):
        assert len({slot_label(s) for s in slots}) == 50


def test_a_zone_without_letters_is_told_by_its_offset_alone():
    # Chile falls back on 5 April 2026 at midnight (-03 to -04): 23:00 and 23:30 repeat.
    santiago = ZoneInfo("America/Santiago")
    first = datetime(2026, 4, 4, 23, 30, tzinfo=santiago, fold=0)
    second = first.replace(fold=1)
    with translation.override("fr"):
        assert (slot_label(first), slot_label(second)) == (
            "23\xa0h\xa030 (UTC-3)",
            "23\xa0h\xa030 (UTC-4)",
        )
        assert slot_label(datetime(2026, 4, 4, 22, 30, tzinfo=santiago)) == "22\xa0h\xa030"
