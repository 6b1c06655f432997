"""The «Rencontres» tab's live tick: the organisation's admins, and only them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from realtime.groups import org_admins_group
from realtime.testing import capture_events
from scheduling import services
from scheduling.models import Attendee
from tests.realtime.test_consumers import connect_admin, receive

pytestmark = pytest.mark.django_db(transaction=True)


def _book(admin, relationship, mentor, mentee):
    for person in (mentor, mentee):
        services.availability_set(user=person, ranges=[(d, time(0), time(0)) for d in range(7)])
    zone = ZoneInfo(admin.time_zone)
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    series = services.meeting_book(
        actor=admin,
        relationship=relationship,
        duration_minutes=30,
        meeting_type="video",
        start=datetime.combine(day, time(12), tzinfo=zone),
    )
    return Attendee.objects.get(meeting__series=series, user=mentee)


async def test_admins_of_the_organisation_see_the_answer_and_no_one_else(
    admin, outsider, relationship, mentor, mentee
):
    attendee = await database_sync_to_async(_book)(admin, relationship, mentor, mentee)
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)

    await database_sync_to_async(services.meeting_respond)(attendee=attendee, accepted=True)

    assert await receive(admin_ws) == {
        "event": "rsvp.updated",
        "data": {"meeting_id": attendee.meeting_id, "user_id": mentee.pk, "response": "accepted"},
    }
    assert await outsider_ws.receive_nothing(timeout=0.5)
    await admin_ws.disconnect()
    await outsider_ws.disconnect()


async def test_a_refused_answer_publishes_nothing(admin, relationship, mentor, mentee):
    attendee = await database_sync_to_async(_book)(admin, relationship, mentor, mentee)
    admin_ws = await connect_admin(admin)
    meeting = await database_sync_to_async(lambda: attendee.meeting)()
    await database_sync_to_async(services.meeting_cancel)(actor=admin, meeting=meeting)
    names = []
    while not await admin_ws.receive_nothing(timeout=0.5):
        names.append((await receive(admin_ws))["event"])
    # The cancellation emails' delivery statuses come too ("email.updated").
    assert "meeting.updated" in names

    with pytest.raises(Exception, match="cancelled"):
        await database_sync_to_async(services.meeting_respond)(attendee=attendee, accepted=True)
    assert await admin_ws.receive_nothing(timeout=0.5)
    await admin_ws.disconnect()


def test_answering_publishes_the_tick_to_the_organisations_admins_only(
    admin, relationship, mentor, mentee
):
    """What meeting_book and meeting_respond announce, without a socket."""
    admins = org_admins_group(admin.organisation_id)
    with capture_events() as booked:
        attendee = _book(admin, relationship, mentor, mentee)
    assert (
        admins,
        "meeting.booked",
        {"meeting_ids": [attendee.meeting_id], "relationship_id": relationship.pk},
    ) in booked

    with capture_events() as sent:
        services.meeting_respond(attendee=attendee, accepted=False)
    assert sent == [
        (
            admins,
            "rsvp.updated",
            {"meeting_id": attendee.meeting_id, "user_id": mentee.pk, "response": "declined"},
        )
    ]
