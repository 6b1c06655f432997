"""«members.added» on real sockets: a sign-up through an invitation link reaches this
organisation's administrators, and nobody else."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from programs import invitations
from tests.realtime.test_consumers import connect_admin, connect_member, receive

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_up(admin) -> int:
    link = invitations.invitation_links(actor=admin)[0]
    user = invitations.member_sign_up(
        token=link.token,
        email="new.person@example.org",
        first_name="New",
        last_name="Person",
        password="a long walk by the river 42",
        language="en",
        time_zone="America/Toronto",
    )
    return user.pk


async def test_a_sign_up_reaches_only_this_organisations_administrators(admin, mentor, outsider):
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)
    mentor_ws = await connect_member(mentor)

    new_id = await database_sync_to_async(_sign_up)(admin)

    events: dict[str, dict] = {}
    while not {"members.added", "counts.changed"} <= events.keys():
        message = await receive(admin_ws)  # also presence.changed: Anna came online
        events[message["event"]] = message["data"]
    assert events["members.added"] == {"ids": [new_id]}
    assert events["counts.changed"]["members"] == 2  # Anna and the newcomer
    assert await outsider_ws.receive_nothing(timeout=0.5)
    assert await mentor_ws.receive_nothing(timeout=0.3)
    for ws in (admin_ws, outsider_ws, mentor_ws):
        await ws.disconnect()
