"""Participants answering an invitation (accept / decline) and commenting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from programs.errors import DomainError
from scheduling import events
from scheduling.models import Attendee, Meeting, MeetingStatus, Response

COMMENT_MAX = 2000


def _lock(attendee: Attendee) -> Attendee:
    # The meeting before the invitation: the order in which moving a meeting locks them
    # (an answer changes the count of pending answers kept on the meeting row by a
    # trigger, scheduling.kept; the opposite order could deadlock with a move).
    list(Meeting.objects.select_for_update().filter(pk=attendee.meeting_id).values("pk"))
    locked = (
        Attendee.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .filter(pk=attendee.pk)
        .first()
    )
    if locked is None:
        raise DomainError(gettext("This invitation was not found."), code="not_found")
    return locked


def _check_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            gettext("The comment is too long (%(max)d characters at most).") % {"max": COMMENT_MAX},
            code="comment",
        )
    return comment


@transaction.atomic
def meeting_respond(
    *, attendee: Attendee, accepted: bool, comment: str = "", rest_of_series: bool = False
) -> Attendee:
    """Accept or decline an invitation (with an optional comment, kept when empty).

    With `rest_of_series`, the same answer goes to the person's later upcoming occurrences
    of the series (one invitation email covers the whole series). The organisation's admins
    see each tick change live ("rsvp.updated")."""
    attendee = _lock(attendee)
    meeting = attendee.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(gettext("This meeting was cancelled."), code="cancelled")
    now = timezone.now()
    if meeting.status == MeetingStatus.COMPLETED or meeting.starts_at <= now:
        raise DomainError(
            gettext("This meeting has already taken place; it can no longer be answered."),
            code="past",
        )
    comment = _check_comment(comment)
    response = Response.ACCEPTED if accepted else Response.DECLINED
    targets = [attendee]
    if rest_of_series:
        later = Q(
            series_id=meeting.series_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            original_start__gt=meeting.original_start,
        )
        # Their meetings first, in the order a move of the rest of the series takes.
        list(
            Meeting.objects.select_for_update()
            .filter(later)
            .order_by("original_start")
            .values("pk")
        )
        targets += list(
            Attendee.objects.select_for_update(of=("self",))
            .select_related("meeting")
            .filter(
                user_id=attendee.user_id,
                meeting__series_id=meeting.series_id,
                meeting__status=MeetingStatus.SCHEDULED,
                meeting__starts_at__gt=now,
                meeting__original_start__gt=meeting.original_start,
            )
            .order_by("meeting__original_start")
        )
    for target in targets:
        target.response = response
        target.responded_at = now
        fields = ["response", "responded_at"]
        if comment and target.pk == attendee.pk:
            target.comment = comment
            fields.append("comment")
        target.save(update_fields=fields)
        events.rsvp_updated_on_commit(target, organisation_id=target.meeting.organisation_id)
    return attendee


@transaction.atomic
def meeting_comment(*, attendee: Attendee, comment: str) -> Attendee:
    """Set (or clear, with an empty comment) a participant's comment on a meeting, shown
    in the «Rencontres» tab; the admins' row refreshes live ("rsvp.updated")."""
    attendee = _lock(attendee)
    if attendee.meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(gettext("This meeting was cancelled."), code="cancelled")
    attendee.comment = _check_comment(comment)
    attendee.save(update_fields=["comment"])
    events.rsvp_updated_on_commit(attendee, organisation_id=attendee.meeting.organisation_id)
    return attendee
