"""The LiveConsumer on the real router, real Redis channel layer, real sessions."""

from __future__ import annotations

import orjson
import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from programs import services
from realtime.groups import org_admins_group, user_group
from realtime.publish import acommand, apublish
from realtime.sockets.consumer import CLOSE_DEACTIVATED, CLOSE_UNAUTHENTICATED
from tests.realtime.helpers import communicator, past_ticket, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


async def receive(comm, timeout: float = 3) -> dict:
    return orjson.loads(await comm.receive_from(timeout=timeout))


async def connect(user, **kwargs):
    cookie = await database_sync_to_async(session_cookie_for)(user)
    comm = communicator(cookie, **kwargs)
    connected, code = await comm.connect(timeout=5)
    return comm, connected, code


async def connect_member(user):
    """A mentor's or mentee's socket, past the bell count every page gets on connect and
    the ticket for its next handshake."""
    comm, connected, _ = await connect(user)
    assert connected
    assert await receive(comm) == {"event": "bell.changed", "data": {"unread": 0}}
    await past_ticket(comm)
    return comm


async def connect_admin(user):
    """An administrator's socket, past the snapshot, counts, bell and ticket it gets on
    connect."""
    comm, connected, _ = await connect(user)
    assert connected
    names = [(await receive(comm))["event"] for _ in range(4)]
    assert names == ["presence.snapshot", "counts.changed", "bell.changed", "socket.ticket"]
    return comm


async def test_anonymous_socket_is_refused_with_a_code_the_page_understands():
    comm = communicator(None)
    connected, _ = await comm.connect(timeout=5)
    # Accepted then closed with 4401, so live.js stops retrying (a bare refusal is a 1006).
    assert connected
    assert await comm.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


async def test_foreign_origin_is_refused(admin):
    comm, connected, _code = await connect(admin, origin="https://evil.example")
    assert not connected


async def test_deactivated_user_is_refused(mentor):
    mentor.is_active = False
    await database_sync_to_async(mentor.save)()
    comm, connected, _ = await connect(mentor)
    assert connected
    closed = await comm.receive_output(timeout=3)
    # The session no longer authenticates an inactive user: refused as signed out.
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_admin_gets_a_presence_snapshot_and_transitions(admin, mentor):
    admin_ws, connected, _ = await connect(admin)
    assert connected
    snapshot = await receive(admin_ws)
    assert snapshot == {"event": "presence.snapshot", "data": {"online": [admin.pk]}}
    counts = await receive(admin_ws)
    assert counts == {
        "event": "counts.changed",
        "data": {"members": 1, "relationships": 0, "invitations": 0},
    }
    assert await receive(admin_ws) == {"event": "bell.changed", "data": {"unread": 0}}
    await past_ticket(admin_ws)

    mentor_ws = await connect_member(mentor)
    assert await receive(admin_ws) == {
        "event": "presence.changed",
        "data": {"online": [mentor.pk], "offline": []},
    }
    # A second tab of the same person is not a new transition.
    second_tab = await connect_member(mentor)
    assert await admin_ws.receive_nothing(timeout=0.5)

    await second_tab.disconnect()
    assert await admin_ws.receive_nothing(timeout=0.5)
    await mentor_ws.disconnect()
    assert await receive(admin_ws) == {
        "event": "presence.changed",
        "data": {"online": [], "offline": [mentor.pk]},
    }
    await admin_ws.disconnect()


async def test_heartbeat_is_acknowledged(mentor):
    ws = await connect_member(mentor)
    await ws.send_to(text_data='{"type": "heartbeat"}')
    assert await receive(ws) == {"event": "heartbeat.ack"}
    # Garbage is ignored, the socket stays open.
    await ws.send_to(text_data="not json")
    await ws.send_to(text_data='{"type": "heartbeat"}')
    assert await receive(ws) == {"event": "heartbeat.ack"}
    await ws.disconnect()


COUNTS = {"members": 3, "relationships": 1, "invitations": 0}


async def test_mentor_never_joins_the_admins_group(admin, mentor):
    ws = await connect_member(mentor)
    await apublish(org_admins_group(admin.organisation_id), "counts.changed", COUNTS)
    assert await ws.receive_nothing(timeout=0.5)
    # Their own group reaches them.
    await acommand(user_group(mentor.pk), "bell.set", unread=1, at=timezone.now().isoformat())
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 1}}
    await ws.disconnect()


async def test_outsider_socket_hears_nothing_of_our_organisation(admin, mentor, outsider):
    ws = await connect_admin(outsider)
    mentor_ws = await connect_member(mentor)
    await apublish(org_admins_group(admin.organisation_id), "counts.changed", COUNTS)
    await acommand(user_group(mentor.pk), "bell.set", unread=1, at=timezone.now().isoformat())
    assert await ws.receive_nothing(timeout=0.5)
    await mentor_ws.disconnect()
    await ws.disconnect()


async def test_deactivation_closes_open_sockets_and_takes_member_offline(admin, mentor):
    admin_ws = await connect_admin(admin)
    mentor_ws = await connect_member(mentor)
    assert (await receive(admin_ws))["data"]["online"] == [mentor.pk]

    await database_sync_to_async(services.member_set_active)(
        actor=admin, member=mentor, active=False
    )

    closed = await mentor_ws.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": CLOSE_DEACTIVATED}
    await mentor_ws.disconnect()  # the browser's side of the closing handshake
    events = [await receive(admin_ws), await receive(admin_ws), await receive(admin_ws)]
    names = {e["event"] for e in events}
    assert names == {"member.updated", "counts.changed", "presence.changed"}
    assert next(e for e in events if e["event"] == "member.updated")["data"] == {
        "id": mentor.pk,
        "active": False,
        "ended_on": timezone.localdate().isoformat(),
    }
    assert next(e for e in events if e["event"] == "presence.changed")["data"] == {
        "online": [],
        "offline": [mentor.pk],
    }
    await admin_ws.disconnect()


async def test_a_session_from_before_a_password_change_is_refused(mentor):
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    mentor.set_password("a completely new passphrase")
    await database_sync_to_async(mentor.save)()
    comm = communicator(cookie)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert await comm.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }
    await comm.disconnect()


async def test_a_forged_session_cookie_is_refused():
    comm = communicator("sessionid=not-a-real-session-key")
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert (await comm.receive_output(timeout=3))["code"] == CLOSE_UNAUTHENTICATED
    await comm.disconnect()
