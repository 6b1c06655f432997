"""Meetings of a relationship and of a member, and the view-models a participant sees
them through (their answer, the other person, what they may still do)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from programs.models import Relationship, User
from scheduling.models import Attendee, Meeting, MeetingStatus, MeetingType, Response
from scheduling.selectors.common import _with_people


@dataclass(frozen=True)
class Split:
    upcoming: list[Meeting]
    past: list[Meeting]

    @property
    def planned(self) -> int:
        """Meetings still to come and not cancelled (beside the tally of those held)."""
        return sum(1 for m in self.upcoming if m.status == MeetingStatus.SCHEDULED)


def meetings_for_relationship(*, relationship: Relationship) -> Split:
    """The pair's meetings: upcoming (not ended, soonest first) and past (latest first).
    Cancelled meetings stay in the list they belong to by date."""
    now = timezone.now()
    meetings = list(_with_people(relationship.meetings.order_by("starts_at", "pk")))
    upcoming = [m for m in meetings if m.ends_at > now]
    past = [m for m in meetings if m.ends_at <= now]
    past.reverse()
    return Split(upcoming=upcoming, past=past)


def meetings_for_member(*, user: User) -> Split:
    """Meetings a member is invited to, split like `meetings_for_relationship`."""
    now = timezone.now()
    meetings = list(
        _with_people(Meeting.objects.filter(attendees__user=user).order_by("starts_at", "pk"))
    )
    upcoming = [m for m in meetings if m.ends_at > now]
    past = [m for m in meetings if m.ends_at <= now]
    past.reverse()
    return Split(upcoming=upcoming, past=past)


def attendee_for(*, meeting: Meeting, user: User) -> Attendee | None:
    return Attendee.objects.filter(meeting=meeting, user=user).select_related("meeting").first()


def meeting_get(*, organisation_id: int, meeting_id: int) -> Meeting | None:
    """A meeting of this organisation, or None (another organisation's is not found)."""
    return (
        _with_people(Meeting.objects.filter(organisation_id=organisation_id, pk=meeting_id))
        .select_related("series", "organisation")
        .first()
    )


# -- a participant's view ----------------------------------------------------------------


@dataclass(frozen=True)
class MyMeeting:
    """A meeting as one of its participants sees it."""

    meeting: Meeting
    mine: Attendee
    other: User | None

    @property
    def is_series(self) -> bool:
        return self.meeting.series.occurrences > 1

    @property
    def video_url(self) -> str:
        location = self.meeting.location
        if self.meeting.meeting_type == MeetingType.VIDEO and location.startswith(
            ("https://", "http://")
        ):
            return location
        return ""

    @property
    def can_answer(self) -> bool:
        return (
            self.meeting.status == MeetingStatus.SCHEDULED
            and self.meeting.starts_at > timezone.now()
        )

    @property
    def can_comment(self) -> bool:
        return self.meeting.status != MeetingStatus.CANCELLED

    @property
    def is_pending(self) -> bool:
        return self.mine.response == Response.PENDING


def my_meeting(*, meeting: Meeting, user: User, attendee: Attendee | None = None) -> MyMeeting:
    """`meeting` (from a selector here, its attendees prefetched) as `user` sees it."""
    if attendee is None:
        # The attendees were prefetched: no query here.
        attendee = next(a for a in meeting.attendees.all() if a.user_id == user.pk)
    relationship = meeting.relationship
    if user.pk == relationship.mentor_id:
        other = relationship.mentee
    elif user.pk == relationship.mentee_id:
        other = relationship.mentor
    else:
        other = None
    return MyMeeting(meeting=meeting, mine=attendee, other=other)


@dataclass(frozen=True)
class MySplit:
    upcoming: list[MyMeeting]
    past: list[MyMeeting]


def my_meetings(*, user: User) -> MySplit:
    """The member's «Rencontres»: `meetings_for_member` as they see each meeting."""
    split = meetings_for_member(user=user)
    return MySplit(
        upcoming=[my_meeting(meeting=m, user=user) for m in split.upcoming],
        past=[my_meeting(meeting=m, user=user) for m in split.past],
    )


def my_invited_meeting(*, attendee: Attendee) -> MyMeeting | None:
    """The meeting an invitation (from an email's signed link) is for, as its invitee
    sees it; None if it is gone."""
    meeting = meeting_get(
        organisation_id=attendee.meeting.organisation_id, meeting_id=attendee.meeting_id
    )
    if meeting is None:
        return None
    return my_meeting(meeting=meeting, user=attendee.user, attendee=attendee)


def member_meetings_summary(*, user: User, limit: int = 3) -> dict[str, list[MyMeeting]]:
    """The home tile: the next meetings and the invitations still waiting for an answer."""
    upcoming = [
        my_meeting(meeting=m, user=user)
        for m in meetings_for_member(user=user).upcoming
        if m.status == MeetingStatus.SCHEDULED
    ]
    return {
        "next_meetings": upcoming[:limit],
        "pending": [row for row in upcoming if row.is_pending and row.can_answer],
    }
