"""The .ics files Anna and Charlotte's calendar applications receive, parsed back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Timezone

from scheduling.ics import PRODID, Event, feed, invitation
from scheduling.recurrence import build_rrule, expand

TORONTO = "America/Toronto"
PARIS = "Europe/Paris"
STAMP = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)
MICHELE = ("Michele Mantero", "michele@mentor.test")
ANNA = ("Anna Carter", "anna@mentor.test", "ACCEPTED")
CHARLOTTE = ("Charlotte Test", "charlotte@mentor.test", "NEEDS-ACTION")


def wall(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime.combine(date(year, month, day), time(hour))


def meeting(**changes) -> Event:
    """Weekly 18:00 Toronto meeting, six times from Monday 2 March 2026 (over the DST change)."""
    start = datetime(2026, 3, 2, 18, tzinfo=ZoneInfo(TORONTO))
    values: dict[str, Any] = {
        "uid": "meeting-42@tandem.test",
        "sequence": 0,
        "start": start,
        "end": start + timedelta(hours=1),
        "zone": TORONTO,
        "summary": "Mentoring meeting: Anna Carter and Charlotte Test",
        "description": "Booked by Michele Mantero.",
        "location": "https://meet.tandem.test/r/abc123",
        "url": "https://tandem.test/meetings/42",
        "organizer": MICHELE,
        "attendees": [ANNA, CHARLOTTE],
        "rrule": build_rrule("weekly", 6),
    }
    values.update(changes)
    return Event(**values)


def parse(data: bytes) -> tuple[Calendar, list]:
    cal = Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


def attendees(vevent) -> list:
    found = vevent.get("ATTENDEE")
    return found if isinstance(found, list) else [found]


def test_request_carries_everything_an_invitation_needs():
    data = invitation([meeting()], stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    cal, (vevent,) = parse(data)

    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal["PRODID"]) == PRODID == "-//Tandem//Mentoring//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [TORONTO]

    assert str(vevent["UID"]) == "meeting-42@tandem.test"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent.decoded("DTSTAMP") == STAMP
    assert b"DTSTART;TZID=America/Toronto:20260302T180000" in data
    assert b"DTEND;TZID=America/Toronto:20260302T190000" in data
    assert vevent.decoded("DTSTART") == datetime(2026, 3, 2, 23, tzinfo=UTC)
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["SUMMARY"]).startswith("Mentoring meeting")
    assert str(vevent["LOCATION"]) == "https://meet.tandem.test/r/abc123"
    assert str(vevent["URL"]) == "https://tandem.test/meetings/42"

    organizer = vevent["ORGANIZER"]
    assert str(organizer) == "mailto:michele@mentor.test"
    assert organizer.params["CN"] == "Michele Mantero"

    people = attendees(vevent)
    assert [str(a) for a in people] == ["mailto:anna@mentor.test", "mailto:charlotte@mentor.test"]
    assert [a.params["CN"] for a in people] == ["Anna Carter", "Charlotte Test"]
    assert [a.params["PARTSTAT"] for a in people] == ["ACCEPTED", "NEEDS-ACTION"]
    assert {a.params["ROLE"] for a in people} == {"REQ-PARTICIPANT"}
    assert {a.params["RSVP"] for a in people} == {"TRUE"}


def test_vtimezone_describes_the_change_the_series_crosses():
    cal, _ = parse(invitation([meeting()], stamp=STAMP))
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert isinstance(vtimezone, Timezone)
    daylight = [c for c in vtimezone.walk("DAYLIGHT")]
    assert any(c.decoded("DTSTART") == wall(2026, 3, 8, 3) for c in daylight)
    assert vtimezone.to_tz().utcoffset(wall(2026, 3, 9, 18)) == timedelta(hours=-4)


def test_a_client_expanding_our_rrule_gets_our_occurrences():
    """What Charlotte's calendar computes from DTSTART;TZID + RRULE matches `expand`."""
    for local_start, frequency in [
        (wall(2026, 3, 2, 18), "weekly"),
        (wall(2026, 1, 31, 18), "monthly"),
    ]:
        ours = expand(local_start=local_start, zone=TORONTO, frequency=frequency, occurrences=6)
        start = ours[0].astimezone(ZoneInfo(TORONTO))
        event = meeting(
            start=start, end=start + timedelta(hours=1), rrule=build_rrule(frequency, 6)
        )
        _, (vevent,) = parse(invitation([event], stamp=STAMP))
        dtstart = vevent.decoded("DTSTART")
        theirs = list(rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=dtstart))
        assert [t.astimezone(UTC) for t in theirs] == ours


def test_one_vtimezone_per_zone_used():
    paris_start = datetime(2026, 3, 3, 18, tzinfo=ZoneInfo(PARIS))
    other = meeting(
        uid="meeting-43@tandem.test",
        zone=PARIS,
        start=paris_start,
        end=paris_start + timedelta(hours=1),
    )
    cal, vevents = parse(invitation([meeting(), other], stamp=STAMP))
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == [TORONTO, PARIS]
    assert b"DTSTART;TZID=Europe/Paris:20260303T180000" in invitation([other], stamp=STAMP)
    assert len(vevents) == 2


def test_one_off_meeting_has_no_rrule():
    _, (vevent,) = parse(invitation([meeting(rrule=None)], stamp=STAMP))
    assert "RRULE" not in vevent


def test_cancel_keeps_the_uid_with_the_next_sequence():
    cal, (vevent,) = parse(invitation([meeting(sequence=1)], method="CANCEL", stamp=STAMP))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(vevent["UID"]) == "meeting-42@tandem.test"
    assert int(vevent["SEQUENCE"]) == 1
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert {a.params["RSVP"] for a in attendees(vevent)} == {"FALSE"}


def test_rescheduled_single_occurrence_names_the_original_with_recurrence_id():
    original = datetime(2026, 3, 16, 18, tzinfo=ZoneInfo(TORONTO))  # third occurrence
    moved = datetime(2026, 3, 17, 19, tzinfo=ZoneInfo(TORONTO))
    override = meeting(
        sequence=1, start=moved, end=moved + timedelta(hours=1), recurrence_id=original
    )
    data = invitation([meeting(sequence=1), override], stamp=STAMP)
    _, (master, changed) = parse(data)

    assert str(master["UID"]) == str(changed["UID"]) == "meeting-42@tandem.test"
    assert "RRULE" in master and "RECURRENCE-ID" not in master
    assert "RRULE" not in changed
    assert changed.decoded("RECURRENCE-ID") == original
    assert b"RECURRENCE-ID;TZID=America/Toronto:20260316T180000" in data
    assert changed.decoded("DTSTART") == moved


def test_cancelling_one_occurrence_sends_cancel_with_recurrence_id():
    original = datetime(2026, 3, 16, 18, tzinfo=ZoneInfo(TORONTO))
    single = meeting(
        sequence=2, start=original, end=original + timedelta(hours=1), recurrence_id=original
    )
    cal, (vevent,) = parse(invitation([single], method="CANCEL", stamp=STAMP))
    assert str(cal["METHOD"]) == "CANCEL"
    assert int(vevent["SEQUENCE"]) == 2
    assert vevent.decoded("RECURRENCE-ID") == original
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_the_second_0130_of_fall_back_night_is_written_in_utc():
    second = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo(TORONTO), fold=1)
    data = invitation(
        [meeting(rrule=None, start=second, end=second + timedelta(hours=1))], stamp=STAMP
    )
    _, (vevent,) = parse(data)
    assert b"DTSTART:20261101T063000Z" in data
    assert vevent.decoded("DTSTART") == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_feed_is_a_named_calendar_without_method():
    cancelled = meeting(uid="meeting-7@tandem.test", rrule=None, status="CANCELLED")
    cal, vevents = parse(feed([meeting(), cancelled], "Tandem — Anna Carter", stamp=STAMP))
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "Tandem — Anna Carter"
    assert [str(v["STATUS"]) for v in vevents] == ["CONFIRMED", "CANCELLED"]
    assert len(cal.walk("VTIMEZONE")) == 1


def test_bad_events_are_refused():
    with pytest.raises(ValueError):
        invitation([meeting()], method="PUBLISH")
    with pytest.raises(ValueError):
        meeting(start=datetime(2026, 3, 2, 18))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError):
        meeting(attendees=[("Anna Carter", "anna@mentor.test", "MAYBE")])
    with pytest.raises(ValueError):
        meeting(status="TENTATIVE")
