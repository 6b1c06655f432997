"""A selection on the members list deactivated (programs.member_selection), on real
sockets: the ticked people's open pages close, the others' stay, and an administrator's
socket gets the one `members.updated` event carrying both ids — the file tool's path."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from programs import member_selection
from realtime.sockets.consumer import CLOSE_DEACTIVATED
from tests.conftest import make_member
from tests.realtime.test_consumers import connect_admin, connect_member, receive

pytestmark = pytest.mark.django_db(transaction=True)


def deactivate(admin, people) -> int:
    selection = member_selection.member_selection_prepare(
        actor=admin, action="deactivate", member_ids=[p.pk for p in people]
    )
    return member_selection.member_selection_apply(actor=admin, selection=selection).applied


async def test_ticked_sockets_close_and_admins_hear_one_event(admin, mentor, mentee):
    stays = await database_sync_to_async(make_member)(
        admin.organisation, "yan@mentor.test", "Yan", "Ng", "mentee"
    )
    admin_ws = await connect_admin(admin)
    sockets = [await connect_member(person) for person in (mentor, mentee, stays)]
    await receive(admin_ws)  # presence.changed: they came online

    assert await database_sync_to_async(deactivate)(admin, [mentor, mentee]) == 2

    for ws in sockets[:2]:
        assert await ws.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": CLOSE_DEACTIVATED,
        }
        await ws.disconnect()
    assert await sockets[2].receive_nothing(timeout=0.5)
    events: dict[str, dict] = {}
    for _ in range(3):
        event = await receive(admin_ws)
        events.setdefault(event["event"], event["data"])
    assert events["members.updated"]["ids"] == sorted([mentor.pk, mentee.pk])
    assert events["members.updated"]["active"] is False
    await sockets[2].disconnect()
    await admin_ws.disconnect()
