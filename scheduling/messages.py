"""What the participants are told: catalogue emails with an .ics, and a bell line.

Called by the services inside their transaction: the email log rows and notifications are
written with the change and delivered after commit (the email pipeline queues its job on
commit; the bell count is pushed on commit). Dates and times are written on each
recipient's clock, in their language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext_noop

from notifications.bell.services import notification_send_translated
from notifications.models import EmailLog, EmailStatus
from notifications.system_messages.services import email_send_system
from programs import dates
from programs.models import User
from scheduling import ics
from scheduling.calendar import master_event, occurrence_event
from scheduling.links import feedback_url, meeting_path, rsvp_path, rsvp_url
from scheduling.models import Attendee, Meeting, MeetingSeries

ICS_NAME = "invite.ics"

INVITED = gettext_noop("You have been invited to a Mentoring Meeting from %(name)s")
CANCELLED = gettext_noop(
    "Your mentoring meeting on %(meeting_date)s at %(meeting_time)s was cancelled"
)
RESCHEDULED = gettext_noop(
    "Your mentoring meeting has moved to %(meeting_date)s at %(meeting_time)s"
)


def when(user: User, moment: datetime) -> dict[str, str]:
    """{meeting_date, meeting_time} on the user's clock, in their language."""
    return when_in(user, moment, user.language)


def when_in(user: User, moment: datetime, language: str) -> dict[str, str]:
    local = moment.astimezone(ZoneInfo(user.time_zone))
    with translation.override(language):
        return {
            "meeting_date": dates.date_label(local),
            "meeting_time": dates.time_label(local),
        }


def _bell(user: User, title: str, values: Callable[[str], dict[str, str]], url: str) -> None:
    notification_send_translated(user=user, title=title, values=values, url=url)


def _ics(events: Sequence[ics.Event], method: str) -> tuple[str, bytes, str]:
    # The iTIP method in the part's Content-Type too (RFC 5545 §3.7.2): without it
    # Outlook shows a plain attachment instead of an invitation to accept.
    return ICS_NAME, ics.invitation(events, method), f"text/calendar; method={method}"


@dataclass(frozen=True)
class Told:
    """What the participants of one change were sent. Each got a bell line; `emailed` also
    got the `key` email, `not_emailed` did not (the organisation turned it off) — as the
    email log rows written with the change say."""

    key: str
    emailed: tuple[User, ...] = ()
    not_emailed: tuple[User, ...] = ()

    @classmethod
    def of(cls, key: str, logs: Sequence[EmailLog]) -> Told:
        def people(rows: list[EmailLog]) -> tuple[User, ...]:
            # One email per meeting of a series: each person once, in order.
            found: dict[int, User] = {}
            for row in rows:
                if row.recipient is not None:
                    found.setdefault(row.recipient.pk, row.recipient)
            return tuple(found.values())

        return cls(
            key=key,
            emailed=people([row for row in logs if row.status != EmailStatus.SUPPRESSED]),
            not_emailed=people([row for row in logs if row.status == EmailStatus.SUPPRESSED]),
        )


def _send(*, key: str, attendee: Attendee, values: dict[str, str], attachment=None) -> EmailLog:
    return email_send_system(
        key=key,
        recipient=attendee.user,
        values=values,
        attachments=[attachment] if attachment else [],
    )


def _invitees(meeting: Meeting) -> list[Attendee]:
    """The people told about a meeting: everyone invited but the organiser."""
    return [a for a in meeting.attendees.all() if not a.is_organiser and a.user.is_active]


def invitation(series: MeetingSeries, first: Meeting) -> Told:
    """Each invitee gets meeting_invitation with the whole series as one REQUEST."""
    organiser_name = series.created_by.full_name if series.created_by else ""
    logs = []
    for attendee in _invitees(first):
        user = attendee.user
        event = (
            master_event(series, first, language=user.language, sequence=0)
            if series.rrule
            else occurrence_event(series, first, language=user.language)
        )
        logs.append(
            _send(
                key="meeting_invitation",
                attendee=attendee,
                values={
                    **when(user, first.starts_at),
                    "organiser_name": organiser_name,
                    "here": rsvp_url(attendee),
                },
                attachment=_ics([event], "REQUEST"),
            )
        )
        _bell(user, INVITED, lambda _language: {"name": organiser_name}, rsvp_path(attendee))
    return Told.of("meeting_invitation", logs)


def cancellation(series: MeetingSeries, meetings: Sequence[Meeting], *, whole: bool) -> Told:
    """Each invitee gets meeting_cancelled with a CANCEL: the series' master when the whole
    series goes, otherwise one VEVENT per cancelled occurrence (RECURRENCE-ID)."""
    first = meetings[0]
    logs = []
    for attendee in _invitees(first):
        user = attendee.user
        if whole:
            events = [
                master_event(
                    series,
                    first,
                    language=user.language,
                    sequence=max(m.sequence for m in meetings),
                    cancelled=True,
                )
            ]
        else:
            events = [occurrence_event(series, m, language=user.language) for m in meetings]
        logs.append(
            _send(
                key="meeting_cancelled",
                attendee=attendee,
                values=when(user, first.starts_at),
                attachment=_ics(events, "CANCEL"),
            )
        )
        _bell(
            user,
            CANCELLED,
            partial(when_in, user, first.starts_at),
            meeting_path(first.pk),
        )
    return Told.of("meeting_cancelled", logs)


def rescheduled(series: MeetingSeries, meeting: Meeting) -> Told:
    """Each invitee gets meeting_rescheduled with a REQUEST for the moved occurrence."""
    logs = []
    for attendee in _invitees(meeting):
        user = attendee.user
        event = occurrence_event(series, meeting, language=user.language)
        logs.append(
            _send(
                key="meeting_rescheduled",
                attendee=attendee,
                values={**when(user, meeting.starts_at), "here": rsvp_url(attendee)},
                attachment=_ics([event], "REQUEST"),
            )
        )
        _bell(
            user,
            RESCHEDULED,
            partial(when_in, user, meeting.starts_at),
            rsvp_path(attendee),
        )
    return Told.of("meeting_rescheduled", logs)


def reminder(attendee: Attendee) -> None:
    meeting = attendee.meeting
    _send(
        key="meeting_reminder",
        attendee=attendee,
        values={**when(attendee.user, meeting.starts_at), "here": rsvp_url(attendee)},
    )


def feedback(attendee: Attendee) -> None:
    meeting = attendee.meeting
    values = when(attendee.user, meeting.starts_at)
    _send(
        key="meeting_feedback",
        attendee=attendee,
        values={"meeting_date": values["meeting_date"], "here": feedback_url(attendee)},
    )
