"""Calendar files: iTIP invitations (REQUEST / CANCEL) and a subscribable feed.

Times are written on the series' own clock (``DTSTART;TZID=America/Toronto``) with a
matching VTIMEZONE, never as UTC: a recurring meeting is expanded by the participants'
calendar applications in that zone's wall time, which is what keeps a weekly 18:00
Toronto meeting at 18:00 after the clocks change. The VTIMEZONE is generated from the same
tz database as `zoneinfo`, limited to the years the events span so the file stays small.

One exception: a repeated fall-back reading (PEP 495 ``fold=1``, e.g. the second 01:30 on
1 November 2026 in Toronto) cannot be written with TZID, because RFC 5545 §3.3.5 says a
repeated local time means its first occurrence. A one-off start, any end and any
RECURRENCE-ID in that hour are written in UTC instead, which is exact. A recurring series'
DTSTART keeps TZID regardless (UTC would make clients expand it in UTC and drift an hour
at every DST change); callers should not start a series on the second reading.

Updates keep the UID and raise SEQUENCE (the caller owns both numbers: it stores them). A
single changed or cancelled occurrence is a VEVENT with the series' UID and a
RECURRENCE-ID naming the original start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils import timezone
from icalendar import Calendar, Timezone, vCalAddress, vRecur
from icalendar import Event as VEvent

from .recurrence import is_ambiguous, zone_info

PRODID = "-//Tandem//Mentoring//EN"
METHODS = ("REQUEST", "CANCEL")
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "DECLINED")
STATUSES = ("CONFIRMED", "CANCELLED")
# Enough to find the end of any series we create (COUNT ≤ 52) without looping forever on
# a hand-written open-ended RRULE.
_MAX_EXPANSION = 1000


@dataclass(kw_only=True)
class Event:
    """One VEVENT: a one-off meeting, a series master (with `rrule`), or one occurrence
    of a series changed or cancelled on its own (with `recurrence_id`)."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    zone: str
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: tuple[str, str]
    attendees: list[tuple[str, str, str]] = field(default_factory=list)
    rrule: str | None = None
    status: str = "CONFIRMED"
    recurrence_id: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "recurrence_id"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Event.{name} must be a time-zone aware datetime")
        if self.end <= self.start:
            raise ValueError("Event.end must be after Event.start")
        if self.status not in STATUSES:
            raise ValueError(f"Event.status must be one of {STATUSES}")
        for _name, _email, partstat in self.attendees:
            if partstat not in PARTSTATS:
                raise ValueError(f"attendee PARTSTAT must be one of {PARTSTATS}")


def invitation(
    events: Sequence[Event], method: str = "REQUEST", *, stamp: datetime | None = None
) -> bytes:
    """An iTIP message (RFC 5546) to attach to the invitation or cancellation email.

    REQUEST invites or updates (same UID, higher SEQUENCE); CANCEL withdraws the whole
    series, or one occurrence when the event has a RECURRENCE-ID. Under CANCEL every event
    is marked STATUS:CANCELLED, as RFC 5546 requires.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    return _calendar(events, method=method, name=None, stamp=stamp).to_ical()


def feed(events: Sequence[Event], name: str, *, stamp: datetime | None = None) -> bytes:
    """A METHOD-less calendar for subscription URLs; X-WR-CALNAME labels it in clients."""
    return _calendar(events, method=None, name=name, stamp=stamp).to_ical()


def _calendar(
    events: Sequence[Event], *, method: str | None, name: str | None, stamp: datetime | None
) -> Calendar:
    stamp = (stamp or timezone.now()).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for vtimezone in _timezones(events):
        cal.add_component(vtimezone)
    for event in events:
        cal.add_component(_vevent(event, method=method, stamp=stamp))
    return cal


def _vevent(event: Event, *, method: str | None, stamp: datetime) -> VEvent:
    tz = zone_info(event.zone)
    rrule = event.rrule if event.recurrence_id is None else None
    recurring = bool(rrule)
    vevent = VEvent()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _on_clock(event.start, tz, allow_utc=not recurring))
    vevent.add("dtend", _on_clock(event.end, tz))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _on_clock(event.recurrence_id, tz))
    if rrule:
        vevent.add("rrule", vRecur.from_ical(rrule))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("organizer", _address(*event.organizer))
    for attendee_name, email, partstat in event.attendees:
        attendee = _address(attendee_name, email)
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = partstat
        # Only a request asks for an answer; a cancellation is final.
        attendee.params["RSVP"] = "TRUE" if method == "REQUEST" else "FALSE"
        vevent.add("attendee", attendee, encode=False)
    status = "CANCELLED" if method == "CANCEL" else event.status
    vevent.add("status", status)
    # A cancelled meeting must not keep blocking the participants' free/busy time.
    vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    return vevent


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    return address


def _on_clock(moment: datetime, tz: ZoneInfo, *, allow_utc: bool = True) -> datetime:
    """The moment on the series' clock, or in UTC when TZID cannot say which of two
    repeated readings is meant (see the module docstring)."""
    local = moment.astimezone(tz)
    if allow_utc and local.fold == 1 and is_ambiguous(local.replace(tzinfo=None), tz):
        return moment.astimezone(UTC)
    return local


def _timezones(events: Sequence[Event]) -> list[Timezone]:
    """One VTIMEZONE per zone used, covering the years its events (and series) span."""
    spans: dict[str, tuple[date, date]] = {}
    for event in events:
        tz = zone_info(event.zone)
        moments = [event.start, event.end]
        if event.recurrence_id is not None:
            moments.append(event.recurrence_id)
        days = [m.astimezone(tz).date() for m in moments]
        if event.rrule and event.recurrence_id is None:
            days.append(_last_occurrence(event, tz))
        low, high = min(days), max(days)
        if event.zone in spans:
            low, high = min(low, spans[event.zone][0]), max(high, spans[event.zone][1])
        spans[event.zone] = (low, high)
    return [
        Timezone.from_tzid(
            zone, first_date=date(low.year, 1, 1), last_date=date(high.year + 1, 1, 1)
        )
        for zone, (low, high) in spans.items()
    ]


def _last_occurrence(event: Event, tz: ZoneInfo) -> date:
    assert event.rrule is not None
    local_start = event.start.astimezone(tz).replace(tzinfo=None)
    occurrences = list(islice(rrulestr(event.rrule, dtstart=local_start), _MAX_EXPANSION))
    last = occurrences[-1] if occurrences else local_start
    return (last + (event.end - event.start)).date()
