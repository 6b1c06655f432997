"""A deactivation file applied (programs.member_deactivation), on real sockets: both
listed people's open pages close, the unlisted one's stays, and an administrator's socket
gets the one `members.updated` event carrying both ids."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from programs import member_deactivation
from realtime.sockets.consumer import CLOSE_DEACTIVATED
from tests.conftest import make_member
from tests.realtime.test_consumers import connect_admin, connect_member, receive

pytestmark = pytest.mark.django_db(transaction=True)


def apply_file(admin, emails: list[str]) -> int:
    content = ("email\r\n" + "\r\n".join(emails) + "\r\n").encode()
    check, deactivation = member_deactivation.member_deactivation_prepare(
        actor=admin, file_name="f.csv", content=content, active=False
    )
    assert check.is_clean and deactivation is not None
    return member_deactivation.members_set_active_many(actor=admin, deactivation=deactivation)


async def test_listed_sockets_close_and_admins_hear_one_event(admin, mentor, mentee):
    stays = await database_sync_to_async(make_member)(
        admin.organisation, "yan@mentor.test", "Yan", "Ng", "mentee"
    )
    admin_ws = await connect_admin(admin)
    sockets = [await connect_member(person) for person in (mentor, mentee, stays)]
    await receive(admin_ws)  # presence.changed: they came online

    changed = await database_sync_to_async(apply_file)(admin, [mentor.email, mentee.email])
    assert changed == 2

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
    assert events["members.updated"] == {
        "ids": sorted([mentor.pk, mentee.pk]),
        "active": False,
        "ended_on": timezone.localdate().isoformat(),
    }
    await sockets[2].disconnect()
    await admin_ws.disconnect()
