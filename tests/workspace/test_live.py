"""Real sockets: the partner's page hears a goal or agreement change, a third member and
another organisation's administrator hear nothing; the pair's administrators hear
counts and states only."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from programs.models import Role
from tests.conftest import make_member
from tests.realtime.helpers import past_ticket
from tests.realtime.test_consumers import connect, connect_admin, receive
from workspace import services

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_member(user):
    """A member's socket past its bell count (the pair have the «matched» bell line)."""
    comm, connected, _ = await connect(user)
    assert connected
    assert (await receive(comm))["event"] == "bell.changed"
    await past_ticket(comm)
    return comm


async def _events(comm, wanted: set[str], timeout: float = 3) -> list[dict]:
    """The frames named in `wanted` until the socket goes quiet (presence skipped)."""
    found = []
    while not await comm.receive_nothing(timeout=0.5):
        frame = await receive(comm, timeout)
        if frame["event"] in wanted:
            found.append(frame)
    return found


async def test_the_partner_hears_goals_and_agreement_and_nobody_else_does(
    admin, outsider, relationship, mentor, mentee
):
    third = await database_sync_to_async(make_member)(
        mentor.organisation, "tom@mentor.test", "Tom", "Third", Role.MENTOR
    )
    mentor_ws = await connect_member(mentor)
    third_ws = await connect_member(third)
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)

    goal = await database_sync_to_async(services.goal_add)(
        actor=mentee, relationship=relationship, title="Secret title"
    )
    assert await receive(mentor_ws) == {
        "event": "goal.changed",
        "data": {
            "relationship_id": relationship.pk,
            "goal_id": goal.pk,
            "version": 1,
            "action": "added",
        },
    }
    await database_sync_to_async(services.agreement_answer)(
        actor=mentee, relationship=relationship, key="goals", text="Private words", version=0
    )
    assert await receive(mentor_ws) == {
        "event": "agreement.changed",
        "data": {
            "relationship_id": relationship.pk,
            "key": "goals",
            "version": 1,
            "state": "in_progress",
        },
    }
    admin_frames = await _events(admin_ws, {"goals.counted", "agreement.state"})
    assert [f["data"] for f in admin_frames] == [
        {"relationship_id": relationship.pk, "done": 0, "total": 1},
        {"relationship_id": relationship.pk, "state": "in_progress", "signed_on": None},
    ]
    assert "Secret" not in str(admin_frames) and "Private" not in str(admin_frames)
    assert await third_ws.receive_nothing(timeout=0.5)
    assert await _events(outsider_ws, {"goal.changed", "goals.counted", "agreement.state"}) == []
    # Private notes: nothing to anyone.
    await database_sync_to_async(services.note_save)(
        actor=mentee, relationship=relationship, text="Never sent"
    )
    assert await mentor_ws.receive_nothing(timeout=0.5)
    assert await _events(admin_ws, {"goal.changed", "goals.counted", "agreement.state"}) == []
    for comm in (mentor_ws, third_ws, admin_ws, outsider_ws):
        await comm.disconnect()
