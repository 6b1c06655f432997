"""What scheduling announces, after commit, to the organisation's administrators.

Payloads are ids, codes and ISO times only. The «Rencontres» tab and the relationship
dashboard re-read what they show from these.
"""

from __future__ import annotations

from collections.abc import Sequence

from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit
from scheduling.models import Attendee, Meeting


def meeting_booked_on_commit(
    *, organisation_id: int, relationship_id: int, meeting_ids: Sequence[int]
) -> None:
    publish_on_commit(
        org_admins_group(organisation_id),
        "meeting.booked",
        {"meeting_ids": list(meeting_ids), "relationship_id": relationship_id},
    )


def rsvp_updated_on_commit(attendee: Attendee, *, organisation_id: int) -> None:
    """The live tick of the «Rencontres» tab: ✓ accepted, ✗ declined, ? no answer."""
    publish_on_commit(
        org_admins_group(organisation_id),
        "rsvp.updated",
        {
            "meeting_id": attendee.meeting_id,
            "user_id": attendee.user_id,
            "response": attendee.response,
        },
    )


def meeting_updated_on_commit(meeting: Meeting) -> None:
    """A meeting was cancelled or moved."""
    publish_on_commit(
        org_admins_group(meeting.organisation_id),
        "meeting.updated",
        {
            "meeting_id": meeting.pk,
            "relationship_id": meeting.relationship_id,
            "status": meeting.status,
            "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(),
            "sequence": meeting.sequence,
            "version": meeting.version,
        },
    )
