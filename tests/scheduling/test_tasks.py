"""Daily reminders for unanswered invitations and the after-meeting follow-up."""

from __future__ import annotations

from datetime import timedelta

from django_q.models import Schedule

from notifications.models import EmailLog
from scheduling import services, tasks
from scheduling.models import Attendee, MeetingStatus


def sent(key: str) -> list[str]:
    return sorted(EmailLog.objects.filter(message_key=key).values_list("to_email", flat=True))


def test_reminders_go_once_a_day_per_series_until_answered(frozen, available, book, mentor, mentee):
    series = book(frequency="weekly", occurrences=4)
    # The invitation was today's message.
    assert tasks.meeting_reminders_send() == 0

    frozen.shift(timedelta(days=1))
    assert tasks.meeting_reminders_send() == 2
    assert tasks.meeting_reminders_send() == 0
    assert sent("meeting_reminder") == [mentor.email, mentee.email]
    french = EmailLog.objects.get(message_key="meeting_reminder", to_email=mentee.email)
    assert french.subject == "Rappel\xa0: invitation à une réunion de mentorat"

    first = series.meetings.order_by("starts_at").first()
    services.meeting_respond(
        attendee=Attendee.objects.get(meeting=first, user=mentor),
        accepted=True,
        rest_of_series=True,
    )
    frozen.shift(timedelta(days=1))
    assert tasks.meeting_reminders_send() == 1
    assert sent("meeting_reminder") == [mentor.email, mentee.email, mentee.email]


def test_followups_complete_the_meeting_and_ask_once(frozen, available, book, mentor, mentee):
    meeting = book().meetings.get()
    assert tasks.meeting_followups() == 0
    frozen.move_to(meeting.ends_at + timedelta(minutes=5))

    assert tasks.meeting_followups() == 2
    assert tasks.meeting_followups() == 0
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.COMPLETED
    assert sent("meeting_feedback") == [mentor.email, mentee.email]
    english = EmailLog.objects.get(message_key="meeting_feedback", to_email=mentor.email)
    assert english.subject == "How was your meeting?"


def test_the_jobs_are_scheduled_by_a_migration(db):
    assert set(
        Schedule.objects.filter(func__startswith="scheduling.tasks.").values_list("func", flat=True)
    ) == {"scheduling.tasks.meeting_reminders_send", "scheduling.tasks.meeting_followups"}
