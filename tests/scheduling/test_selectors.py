"""Slots, the «Rencontres» list, the pair's dashboard and the counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Calendar

from scheduling import selectors, services
from scheduling.models import Attendee
from tests.meetings import EDMONTON, START


def test_slots_are_both_peoples_common_hours_on_the_admins_clock_minus_meetings(
    frozen, available, book, admin, relationship
):
    day = date(2026, 3, 5)
    slots = selectors.slots_for(
        relationship=relationship, day=day, viewer=admin, duration_minutes=60
    )
    # Anna 09–17 Toronto = 07–15 Edmonton; Charlotte 17–21 Paris = 09–13 Edmonton.
    assert [s.strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
    ]
    assert all(str(s.tzinfo) == "America/Edmonton" for s in slots)

    book()
    slots = selectors.slots_for(
        relationship=relationship, day=day, viewer=admin, duration_minutes=60
    )
    assert [s.strftime("%H:%M") for s in slots] == ["09:00", "09:30", "10:00", "12:00"]


def test_slot_choices_tell_a_fall_back_nights_repeated_times_apart(
    frozen, always_available, admin, relationship
):
    # Sunday 1 November 2026 on Michele's clock (Edmonton): 01:00 and 01:30 happen twice.
    choices = selectors.slot_choices(
        relationship=relationship, day=date(2026, 11, 1), viewer=admin, duration_minutes=30
    )
    assert len(choices) == 50
    assert choices[2:6] == [
        ("2026-11-01T01:00:00-06:00", "1 a.m. (MDT, UTC-6)"),
        ("2026-11-01T01:30:00-06:00", "1:30 a.m. (MDT, UTC-6)"),
        ("2026-11-01T01:00:00-07:00", "1 a.m. (MST, UTC-7)"),
        ("2026-11-01T01:30:00-07:00", "1:30 a.m. (MST, UTC-7)"),
    ]
    assert len({label for _value, label in choices}) == 50
    # Any other day's labels are the time alone.
    choices = selectors.slot_choices(
        relationship=relationship, day=date(2026, 11, 2), viewer=admin, duration_minutes=30
    )
    assert [label for _value, label in choices[2:4]] == ["1 a.m.", "1:30 a.m."]


def test_the_admin_list_costs_the_same_number_of_queries_however_long(
    frozen, available, book, org, mentor, django_assert_num_queries
):
    book()

    def read():
        return [
            selectors.admin_row(m)
            for m in selectors.meetings_for_admin_list(organisation_id=org.pk)
        ]

    with django_assert_num_queries(2):
        (row,) = read()
    book(frequency="weekly", occurrences=4, start=START + timedelta(days=1))
    services.meeting_respond(
        attendee=Attendee.objects.get(meeting=row.meeting, user=mentor),
        accepted=True,
        comment="Ok!",
    )
    with django_assert_num_queries(2):
        rows = read()
    assert len(rows) == 5
    last = rows[-1]
    assert last.mentor_comment == "Ok!" and last.mentee_comment == ""
    assert last.sent_by.full_name == "Michele Mantero"
    assert [a.response for a in last.attendees] == ["accepted", "accepted", "pending"]
    assert rows[0].meeting.starts_at > rows[-1].meeting.starts_at


def test_search_and_tenancy(frozen, available, book, org, other_org):
    book()
    assert selectors.meetings_for_admin_list(organisation_id=org.pk, search="charl").count() == 1
    assert selectors.meetings_for_admin_list(organisation_id=org.pk, search="nobody").count() == 0
    assert selectors.meetings_for_admin_list(organisation_id=other_org.pk).count() == 0


def test_dashboard_split_and_counts(frozen, available, book, admin, relationship, mentor):
    series = book(frequency="weekly", occurrences=3)
    first, second, third = series.meetings.order_by("starts_at")
    services.meeting_cancel(actor=admin, meeting=third)
    frozen.move_to(second.ends_at + timedelta(minutes=1))

    split = selectors.meetings_for_relationship(relationship=relationship)
    assert [m.pk for m in split.upcoming] == [third.pk]
    assert [m.pk for m in split.past] == [second.pk, first.pk]
    assert [m.pk for m in selectors.meetings_for_member(user=mentor).past] == [second.pk, first.pk]

    held = selectors.meeting_counts_for_relationship(relationship=relationship)
    assert (held.meetings, held.hours) == (2, 2.0)
    assert selectors.meeting_counts_for_member(user=mentor).meetings == 2
    assert (
        selectors.meeting_counts_by_relationship(organisation_id=relationship.organisation_id)[
            relationship.pk
        ].hours
        == 2.0
    )
    assert first.starts_at.astimezone(EDMONTON).hour == 11


def test_members_list_shows_mentoring_hours(admin_client, admin, mentor, mentee, relationship):
    from datetime import time as clock
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from scheduling.selectors import meeting_counts_by_member, slots_for
    from scheduling.services import availability_set, meeting_book

    for person in (mentor, mentee):
        availability_set(user=person, ranges=[(day, clock(0, 0), clock(0, 0)) for day in range(7)])
    day = timezone.localdate() + timedelta(days=2)
    start = slots_for(relationship=relationship, day=day, viewer=admin, duration_minutes=90)[0]
    meeting_book(
        actor=admin,
        relationship=relationship,
        duration_minutes=90,
        meeting_type="video",
        start=start,
    )
    with time_machine.travel(start + timedelta(hours=3)):
        tallies = meeting_counts_by_member(
            organisation_id=admin.organisation_id, user_ids=[mentor.pk, mentee.pk, admin.pk]
        )
        assert tallies[mentor.pk].hours == 1.5 and tallies[mentee.pk].meetings == 1
        assert admin.pk not in tallies  # the organiser is not a participant
        page = admin_client.get("/manage/members/").content.decode()
        assert "Mentoring hours" in page and "01:30" in page


# -- calendar feed -----------------------------------------------------------------------


def moment(event: Any, name: str) -> datetime:
    value = event[name].dt
    assert isinstance(value, datetime) and value.tzinfo is not None, (name, value)
    return value


def _partstats_by_occurrence(body: bytes, email: str) -> dict[datetime, str]:
    """{occurrence start (UTC): this person's PARTSTAT} as a calendar application reads
    the feed with icalendar: the master's RRULE expanded, then each RECURRENCE-ID
    override replacing the occurrence it names."""
    calendar = Calendar.from_ical(body)
    # icalendar's property types are a wide union: read them as a client would, untyped.
    events: list[Any] = [c for c in calendar.walk() if c.name == "VEVENT"]
    (master,) = [e for e in events if "RECURRENCE-ID" not in e]
    dtstart = moment(master, "DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=dtstart.replace(tzinfo=None))
    starts = [wall.replace(tzinfo=dtstart.tzinfo).astimezone(UTC) for wall in rule]

    def partstat(event) -> str:
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        (mine,) = [a for a in attendees if str(a).lower() == f"mailto:{email}".lower()]
        return str(mine.params["PARTSTAT"])

    shown = {start: partstat(master) for start in starts}
    for override in events:
        if "RECURRENCE-ID" in override:
            recurrence = moment(override, "RECURRENCE-ID").astimezone(UTC)
            assert recurrence in shown, "an override must name an occurrence of the series"
            assert moment(override, "DTSTART").astimezone(UTC) == recurrence  # not moved
            shown[recurrence] = partstat(override)
    return shown


def test_each_members_feed_shows_their_own_answer_for_each_occurrence(
    frozen, available, book, mentor, mentee
):
    series = book(frequency="weekly", occurrences=4)
    first, second, third, fourth = series.meetings.order_by("original_start")
    mine = {
        (a.meeting_id, a.user_id): a
        for a in Attendee.objects.filter(meeting__series=series, is_organiser=False)
    }
    services.meeting_respond(attendee=mine[second.pk, mentor.pk], accepted=True)
    services.meeting_respond(attendee=mine[third.pk, mentor.pk], accepted=False)
    services.meeting_respond(attendee=mine[third.pk, mentee.pk], accepted=True)

    starts = [m.original_start.astimezone(UTC) for m in (first, second, third, fourth)]
    expected = {
        mentor.email: ["NEEDS-ACTION", "ACCEPTED", "DECLINED", "NEEDS-ACTION"],
        mentee.email: ["NEEDS-ACTION", "NEEDS-ACTION", "ACCEPTED", "NEEDS-ACTION"],
    }
    for person in (mentor, mentee):
        body = selectors.feed_events(token=services.calendar_feed_token(user=person))
        assert body is not None
        for reader in (mentor, mentee):
            # What this feed says each person answered, occurrence by occurrence.
            assert _partstats_by_occurrence(body, reader.email) == dict(
                zip(starts, expected[reader.email], strict=True)
            ), (person.email, reader.email)

    # An answer to the first occurrence (the one the series' master is made from) stays
    # on that occurrence too.
    services.meeting_respond(attendee=mine[first.pk, mentee.pk], accepted=False)
    body = selectors.feed_events(token=services.calendar_feed_token(user=mentee))
    assert body is not None
    assert list(_partstats_by_occurrence(body, mentee.email).values()) == [
        "DECLINED",
        "NEEDS-ACTION",
        "ACCEPTED",
        "NEEDS-ACTION",
    ]
    assert list(_partstats_by_occurrence(body, mentor.email).values()) == expected[mentor.email]
