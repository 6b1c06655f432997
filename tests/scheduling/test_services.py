"""Booking, answering, cancelling and rescheduling meetings (F3, F5)."""

from __future__ import annotations

import email
from datetime import UTC, datetime, time, timedelta
from email import policy
from email.utils import parseaddr

import pytest
from dateutil.rrule import rrulestr
from django.core import mail
from django.utils import timezone
from icalendar import Calendar, Event

from notifications.models import EmailLog, Notification
from programs import services as programs_services
from programs.errors import DomainError
from programs.models import RelationshipStatus, Role
from scheduling import services
from scheduling.models import (
    Attendee,
    Availability,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Response,
)
from tests.conftest import make_member
from tests.meetings import EDMONTON, PARIS, START, TORONTO


def rows() -> tuple[int, ...]:
    return (
        MeetingSeries.objects.count(),
        Meeting.objects.count(),
        Attendee.objects.count(),
        EmailLog.objects.count(),
        Notification.objects.count(),
    )


def refused(code: str, call, *args, **kwargs) -> DomainError:
    before = rows()
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert rows() == before
    return caught.value


def calendar_of(message) -> Calendar:
    """The email's calendar part, read as a mail client reads the sent bytes: a
    text/calendar attachment whose Content-Type names the same iTIP method as its
    content (RFC 5545 §3.7.2; Outlook needs it to show an invitation)."""
    received = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    (attachment,) = list(received.iter_attachments())
    assert (attachment.get_filename() or "").endswith(".ics")
    assert attachment.get_content_type() == "text/calendar"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    assert attachment.get_param("method") == str(calendar["METHOD"])
    return calendar


def outbox_by_address() -> dict:
    return {parseaddr(m.to[0])[1]: m for m in mail.outbox}


def vevents(calendar: Calendar) -> list:
    return [c for c in calendar.walk() if c.name == "VEVENT"]


# -- booking -----------------------------------------------------------------------------


def test_weekly_series_keeps_the_mentees_wall_time_across_both_dst_changes(
    frozen, available, book, admin, mentor, mentee
):
    # Booked from Edmonton at 11:00 = 19:00 in Paris (Charlotte, the mentee). North
    # America changes on 8 March, Europe on 29 March.
    series = book(frequency="weekly", occurrences=5)

    meetings = list(series.meetings.order_by("starts_at"))
    assert [m.starts_at.astimezone(PARIS).time() for m in meetings] == [time(19)] * 5
    assert [m.starts_at.date().isoformat() for m in meetings] == [
        "2026-03-05",
        "2026-03-12",
        "2026-03-19",
        "2026-03-26",
        "2026-04-02",
    ]
    assert [m.starts_at.astimezone(UTC).hour for m in meetings] == [18, 18, 18, 18, 17]
    # Between the two changes the mentor's (and the admin's) clock shows an hour later.
    assert [m.starts_at.astimezone(TORONTO).hour for m in meetings] == [13, 14, 14, 14, 13]
    assert [m.starts_at.astimezone(EDMONTON).hour for m in meetings] == [11, 12, 12, 12, 11]
    assert series.rrule == "FREQ=WEEKLY;COUNT=5"
    assert series.time_zone == "Europe/Paris"
    assert (series.start_date.isoformat(), series.start_time) == ("2026-03-05", time(19))
    assert series.location == f"https://meet.jit.si/tandem-{series.uid}"
    responses = {
        (a.user_id, a.response, a.is_organiser)
        for a in Attendee.objects.filter(meeting=meetings[0])
    }
    assert responses == {
        (mentor.pk, Response.PENDING, False),
        (mentee.pk, Response.PENDING, False),
        (admin.pk, Response.ACCEPTED, True),
    }
    assert Attendee.objects.filter(meeting__series=series).count() == 15


@pytest.mark.django_db(transaction=True)
def test_each_participant_is_invited_in_their_language_with_the_series_ics(
    frozen, available, book, mentor, mentee
):
    mail.outbox.clear()
    series = book(frequency="weekly", occurrences=5)

    by_to = outbox_by_address()
    assert set(by_to) == {mentor.email, mentee.email}
    anna, charlotte = by_to[mentor.email], by_to[mentee.email]
    assert anna.subject == "Mentoring Meeting Invitation"
    assert "March 5, 2026 at 1 p.m." in anna.body
    assert "Michele Mantero" in anna.body
    assert charlotte.subject == "Invitation à une réunion de mentorat"
    assert "5 mars 2026 à 19\xa0h." in charlotte.body
    assert "/meetings/rsvp/" in charlotte.body

    for message in (anna, charlotte):
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        # The series is on the mentee's clock: one VTIMEZONE, Paris, with both of its
        # 2026 offsets; DTSTART on that clock, so a client expands the RRULE in Paris time.
        (vtimezone,) = [c for c in calendar.walk() if c.name == "VTIMEZONE"]
        assert str(vtimezone["TZID"]) == "Europe/Paris"
        (event,) = vevents(calendar)
        assert str(event["UID"]) == series.uid
        assert event["SEQUENCE"] == 0
        assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["COUNT"] == [5]
        assert event["DTSTART"].dt == START
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        expanded = [
            wall.replace(tzinfo=PARIS)
            for wall in rrulestr(
                event["RRULE"].to_ical().decode(),
                dtstart=event["DTSTART"].dt.replace(tzinfo=None),
            )
        ]
        assert {moment.time() for moment in expanded} == {time(19)}
        assert [m.astimezone(TORONTO).hour for m in expanded] == [13, 14, 14, 14, 13]
        assert expanded == [m.starts_at for m in series.meetings.order_by("starts_at")]
        attendees = {str(a) for a in event["ATTENDEE"]}
        assert {f"mailto:{mentor.email}", f"mailto:{mentee.email}"} <= attendees

    bell = Notification.objects.get(user=mentor, title_en__startswith="You have been invited")
    assert bell.title_en == "You have been invited to a Mentoring Meeting from Michele Mantero"
    assert Notification.objects.filter(user=mentee, url__startswith="/meetings/rsvp/").exists()


def test_in_person_and_phone_need_a_place(frozen, available, book):
    refused("location", book, meeting_type="in_person", location="  ")
    refused("location", book, meeting_type="phone", location="call me")
    refused("location", book, meeting_type="video", location="not a url")
    series = book(meeting_type="phone", location="+1 416 555 0100")
    assert series.meetings.get().location == "+1 416 555 0100"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"occurrences": 0, "frequency": "weekly"}, "occurrences"),
        ({"occurrences": 53, "frequency": "weekly"}, "occurrences"),
        ({"frequency": "fortnightly"}, "frequency"),
        ({"meeting_type": "zoom"}, "meeting_type"),
        ({"duration_minutes": 20}, "duration"),
        ({"start": START.replace(minute=10)}, "misaligned"),
        ({"start": START - timedelta(days=4)}, "past"),
    ],
)
def test_bad_booking_input_is_refused_and_nothing_is_created(
    frozen, available, book, overrides, code
):
    refused(code, book, **overrides)


def test_a_slot_outside_someones_availability_names_them(frozen, available, book):
    error = refused("unavailable", book, start=START.replace(hour=7))
    assert "Charlotte Test" in str(error.message)


def test_every_occurrence_is_checked_and_the_first_bad_date_is_named(frozen, available, book):
    # Daily from Thursday: Saturday 7 March is outside both people's week.
    error = refused("unavailable", book, frequency="daily", occurrences=5)
    assert "March 7, 2026" in str(error.message)


def test_a_clash_with_either_persons_meetings_is_refused_even_in_a_later_occurrence(
    frozen, available, book, admin, org, mentor
):
    book(start=START + timedelta(weeks=2, minutes=30))
    error = refused("busy", book, frequency="weekly", occurrences=3, start=START)
    assert "Anna Carter" in str(error.message)


def test_a_disallowed_meeting_type_is_refused(frozen, available, book, org):
    org.allow_phone = False
    org.save()
    refused("meeting_type", book, meeting_type="phone", location="+1 416 555 0100")


def test_an_inactive_member_or_an_ended_relationship_is_refused(
    frozen, available, book, mentee, relationship
):
    mentee.is_active = False
    mentee.save()
    refused("inactive", book)
    mentee.is_active = True
    mentee.save()
    relationship.status = "completed"
    relationship.ended_at = timezone.now()
    relationship.save()
    refused("not_matched", book)


def test_another_organisations_relationship_is_not_found(
    frozen, available, book, outsider, outsider_mentor, other_org, mentor
):
    refused("not_found", book, actor=outsider)
    mentee = make_member(other_org, "omar@elsewhere.test", "Omar", "Other", Role.MENTEE)
    theirs = programs_services.relationship_match(
        actor=outsider, mentor=outsider_mentor, mentee=mentee
    )
    refused("not_found", book, relationship=theirs)


def test_only_an_administrator_books(frozen, available, book, mentor):
    refused("forbidden", book, actor=mentor)


def test_a_time_that_does_not_exist_in_a_later_week_is_refused(frozen, always_available, book):
    # 02:30 on Sunday 29 March does not exist on the mentee's clock (Paris).
    start = datetime(2026, 3, 27, 2, 30, tzinfo=PARIS)
    error = refused("nonexistent", book, start=start, frequency="daily", occurrences=3)
    assert "2026-03-29" in str(error.message) and "Europe/Paris" in str(error.message)
    # 02:30 on 8 March does not exist in Edmonton or Toronto, but the series is on Paris
    # time, where it is 09:30: booked.
    start = datetime(2026, 3, 6, 9, 30, tzinfo=PARIS)
    series = book(start=start, frequency="daily", occurrences=3)
    assert {m.starts_at.astimezone(PARIS).time() for m in series.meetings.all()} == {time(9, 30)}


def test_the_series_keeps_the_mentees_time_only_while_it_suits_the_mentor(
    frozen, zones, book, mentor, mentee
):
    # Anna (Toronto) is free until 15:00; 20:00 in Paris is 14:00 in Toronto until North
    # America changes on 8 March, then 15:00: the second week no longer suits her.
    services.availability_set(user=mentor, ranges=[(d, time(9), time(15)) for d in range(5)])
    services.availability_set(user=mentee, ranges=[(d, time(17), time(21)) for d in range(5)])
    start = datetime(2026, 3, 5, 20, 0, tzinfo=PARIS)
    error = refused("unavailable", book, start=start, frequency="weekly", occurrences=3)
    # Named on the admin's clock (Edmonton): 13:00 on 12 March.
    assert "March 12, 2026" in str(error.message) and "Anna Carter" in str(error.message)
    assert book(start=start).meetings.get().starts_at.astimezone(TORONTO).hour == 14


# -- answering ---------------------------------------------------------------------------


def test_accepting_and_declining(frozen, available, book, mentor, mentee):
    series = book(frequency="weekly", occurrences=3)
    first = series.meetings.order_by("starts_at").first()
    anna = Attendee.objects.get(meeting=first, user=mentor)
    services.meeting_respond(attendee=anna, accepted=True, comment="See you then")
    anna.refresh_from_db()
    assert anna.response == Response.ACCEPTED
    assert anna.comment == "See you then"
    assert anna.responded_at is not None
    # Only this occurrence unless asked.
    assert Attendee.objects.filter(user=mentor, response=Response.PENDING).count() == 2

    charlotte = Attendee.objects.get(meeting=first, user=mentee)
    services.meeting_respond(attendee=charlotte, accepted=False, rest_of_series=True)
    assert set(Attendee.objects.filter(user=mentee).values_list("response", flat=True)) == {
        Response.DECLINED
    }

    services.meeting_comment(attendee=charlotte, comment="Désolée")
    charlotte.refresh_from_db()
    assert charlotte.comment == "Désolée"


def test_a_cancelled_or_past_meeting_cannot_be_answered(frozen, available, book, admin, mentor):
    series = book(frequency="weekly", occurrences=2)
    first, second = series.meetings.order_by("starts_at")
    services.meeting_cancel(actor=admin, meeting=first, rest_of_series=False)
    refused(
        "cancelled",
        services.meeting_respond,
        attendee=Attendee.objects.get(meeting=first, user=mentor),
        accepted=True,
    )
    frozen.move_to(second.starts_at + timedelta(minutes=1))
    refused(
        "past",
        services.meeting_respond,
        attendee=Attendee.objects.get(meeting=second, user=mentor),
        accepted=True,
    )


# -- cancelling --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cancelling_one_occurrence_sends_a_cancel_with_its_recurrence_id(
    frozen, available, book, admin, mentor, mentee
):
    series = book(frequency="weekly", occurrences=3)
    second = series.meetings.order_by("starts_at")[1]
    mail.outbox.clear()

    result = services.meeting_cancel(actor=admin, meeting=second)
    (cancelled,) = result.meetings
    assert {u.email for u in result.told.emailed} == {mentor.email, mentee.email}
    assert result.told.not_emailed == ()

    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.sequence == 1
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 2
    by_to = outbox_by_address()
    assert set(by_to) == {mentor.email, mentee.email}
    assert by_to[mentee.email].subject == "Réunion de mentorat annulée"
    calendar = calendar_of(by_to[mentor.email])
    assert calendar["METHOD"] == "CANCEL"
    (event,) = vevents(calendar)
    assert str(event["UID"]) == series.uid
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"
    assert event["RECURRENCE-ID"].dt == second.original_start
    assert Notification.objects.filter(user=mentor, title_en__contains="was cancelled").exists()

    refused("cancelled", services.meeting_cancel, actor=admin, meeting=second)


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_whole_series_cancels_the_master_event(frozen, available, book, admin, mentor):
    series = book(frequency="weekly", occurrences=3)
    first = series.meetings.order_by("starts_at").first()
    mail.outbox.clear()

    cancelled = services.meeting_cancel(actor=admin, meeting=first, rest_of_series=True).meetings

    assert len(cancelled) == 3
    assert not series.meetings.exclude(status=MeetingStatus.CANCELLED).exists()
    message = outbox_by_address()[mentor.email]
    (event,) = vevents(calendar_of(message))
    assert "RECURRENCE-ID" not in event
    assert "RRULE" in event
    assert event["SEQUENCE"] == 1


def test_another_organisation_cannot_cancel(frozen, available, book, outsider):
    meeting = book().meetings.get()
    refused("not_found", services.meeting_cancel, actor=outsider, meeting=meeting)


# -- rescheduling ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rescheduling_moves_the_meeting_and_asks_again(
    frozen, available, book, admin, mentor, mentee
):
    series = book(frequency="weekly", occurrences=2)
    first = series.meetings.order_by("starts_at").first()
    services.meeting_respond(
        attendee=Attendee.objects.get(meeting=first, user=mentor), accepted=True
    )
    mail.outbox.clear()
    # 30 minutes later overlaps the meeting itself, which must not count as a clash.
    new_start = START + timedelta(minutes=30)

    moved = services.meeting_reschedule(
        actor=admin, meeting=first, start=new_start, version=first.version
    ).meeting

    assert moved.starts_at == new_start
    assert moved.ends_at == new_start + timedelta(hours=1)
    assert (moved.sequence, moved.version) == (1, 2)
    assert moved.original_start == START
    answers = dict(Attendee.objects.filter(meeting=first).values_list("user_id", "response"))
    assert answers == {
        mentor.pk: Response.PENDING,
        mentee.pk: Response.PENDING,
        admin.pk: Response.ACCEPTED,
    }
    by_to = outbox_by_address()
    assert by_to[mentee.email].subject == "Réunion de mentorat reportée"
    assert "5 mars 2026 à 19\xa0h\xa030" in by_to[mentee.email].body
    calendar = calendar_of(by_to[mentor.email])
    assert calendar["METHOD"] == "REQUEST"
    (event,) = vevents(calendar)
    assert str(event["UID"]) == series.uid
    assert event["SEQUENCE"] == 1
    assert event["RECURRENCE-ID"].dt == START
    assert event["DTSTART"].dt == new_start


def test_a_stale_version_changes_nothing(frozen, available, book, admin):
    meeting = book().meetings.get()
    services.meeting_reschedule(
        actor=admin, meeting=meeting, start=START + timedelta(hours=1), version=1
    )
    error = refused(
        "stale",
        services.meeting_reschedule,
        actor=admin,
        meeting=meeting,
        start=START + timedelta(hours=2),
        version=1,
    )
    assert "Someone else changed this meeting" in str(error.message)
    meeting.refresh_from_db()
    assert meeting.starts_at == START + timedelta(hours=1)
    assert meeting.version == 2


def test_rescheduling_follows_the_booking_rules(frozen, available, book, admin):
    meeting = book().meetings.get()
    other = book(start=START + timedelta(hours=1)).meetings.get()
    reschedule = services.meeting_reschedule
    refused("busy", reschedule, actor=admin, meeting=meeting, start=other.starts_at, version=1)
    refused(
        "unavailable",
        reschedule,
        actor=admin,
        meeting=meeting,
        start=START.replace(hour=7),
        version=1,
    )
    refused(
        "past", reschedule, actor=admin, meeting=meeting, start=START - timedelta(days=4), version=1
    )


# -- availability ------------------------------------------------------------------------


def test_availability_overlaps_are_merged_and_bad_ranges_change_nothing(zones, mentor):
    services.availability_set(
        user=mentor,
        ranges=[(0, time(9), time(12)), (0, time(11), time(14)), (1, time(18), time(0))],
    )
    assert list(
        Availability.objects.filter(user=mentor).values_list("weekday", "start", "end")
    ) == [
        (0, time(9), time(14)),
        (1, time(18), time(0)),
    ]
    for bad in ([(7, time(9), time(10))], [(2, time(10), time(9))]):
        with pytest.raises(DomainError):
            services.availability_set(user=mentor, ranges=bad)
    assert Availability.objects.filter(user=mentor).count() == 2


# -- feed --------------------------------------------------------------------------------


def test_feed_token_works_and_a_revoked_one_does_not(frozen, available, book, mentor):
    from scheduling.selectors import feed_events

    series = book(frequency="weekly", occurrences=2)
    token = services.calendar_feed_token(user=mentor)
    assert services.calendar_feed_token(user=mentor) == token
    body = feed_events(token=token)
    assert body is not None
    calendar = Calendar.from_ical(body)
    assert [str(e["UID"]) for e in vevents(calendar)] == [series.uid]

    new = services.calendar_feed_revoke(user=mentor)
    assert new != token
    assert feed_events(token=token) is None
    assert feed_events(token=new) is not None


def test_rsvp_token_round_trip(frozen, available, book, mentee):
    attendee = Attendee.objects.get(meeting__series=book(), user=mentee)
    token = services.rsvp_token(attendee)
    assert services.attendee_from_token(token) == attendee
    assert services.attendee_from_token(token + "x") is None


# -- a relationship ends -----------------------------------------------------------------


def cancellations_to(address: str) -> list:
    return [
        message
        for message in mail.outbox
        if parseaddr(message.to[0])[1] == address and message.attachments
    ]


@pytest.mark.django_db(transaction=True)
def test_ending_a_relationship_cancels_its_meetings_still_to_come(
    frozen, always_available, book, admin, mentor, mentee, relationship
):
    weekly = book(frequency="weekly", occurrences=3)  # 5, 12 and 19 March
    single = book(start=START + timedelta(days=8))  # Friday 13 March
    frozen.move_to(START + timedelta(days=1))  # the first weekly meeting took place
    mail.outbox.clear()

    programs_services.relationship_end(actor=admin, relationship=relationship)

    held, *later = weekly.meetings.order_by("starts_at")
    assert held.status == MeetingStatus.SCHEDULED and held.sequence == 0
    assert [(m.status, m.sequence) for m in later] == [(MeetingStatus.CANCELLED, 1)] * 2
    assert single.meetings.get().status == MeetingStatus.CANCELLED
    # Each of the pair: one cancellation per series (not one per meeting).
    for person in (mentor, mentee):
        messages = cancellations_to(person.email)
        assert len(messages) == 2
        by_uid: dict[str, list[Event]] = {}
        for message in messages:
            calendar = calendar_of(message)
            assert calendar["METHOD"] == "CANCEL"
            for event in vevents(calendar):
                by_uid.setdefault(str(event["UID"]), []).append(event)
        # Part of the weekly series was held: only its later occurrences are cancelled.
        assert sorted(e.decoded("RECURRENCE-ID") for e in by_uid[weekly.uid]) == [
            m.original_start for m in later
        ]
        assert set(by_uid) == {weekly.uid, single.uid}
    assert services.meetings_cancel_upcoming(relationship=relationship) == []  # idempotent


@pytest.mark.django_db(transaction=True)
def test_ending_before_a_series_begins_cancels_the_whole_series(
    frozen, always_available, book, admin, mentor, relationship
):
    weekly = book(frequency="weekly", occurrences=3)
    mail.outbox.clear()

    programs_services.relationship_end(actor=admin, relationship=relationship)

    assert not weekly.meetings.exclude(status=MeetingStatus.CANCELLED).exists()
    (message,) = cancellations_to(mentor.email)
    (event,) = vevents(calendar_of(message))
    assert "RECURRENCE-ID" not in event and "RRULE" in event


@pytest.mark.django_db(transaction=True)
def test_meetings_stay_when_ending_the_relationship_fails(
    frozen, always_available, book, admin, outsider, relationship
):
    weekly = book(frequency="weekly", occurrences=2)
    mail.outbox.clear()
    with pytest.raises(DomainError):
        programs_services.relationship_end(actor=outsider, relationship=relationship)
    programs_services.relationship_end(actor=admin, relationship=relationship)
    cancelled = set(weekly.meetings.values_list("status", flat=True))
    assert cancelled == {MeetingStatus.CANCELLED}
    mail.outbox.clear()
    # Ending it again is refused, and nothing more is cancelled or sent.
    with pytest.raises(DomainError):
        programs_services.relationship_end(actor=admin, relationship=relationship)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_cancellations_roll_back_with_the_end(
    frozen, always_available, book, admin, mentor, relationship
):
    from django.db import transaction

    weekly = book(frequency="weekly", occurrences=2)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        programs_services.relationship_end(actor=admin, relationship=relationship)
        raise RuntimeError("something after it failed")
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.MATCHED
    assert set(weekly.meetings.values_list("status", flat=True)) == {MeetingStatus.SCHEDULED}
    assert not EmailLog.objects.filter(to_email=mentor.email, message_key="meeting_cancelled")
