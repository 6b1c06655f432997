"""A browser that vanishes without closing (a laptop lid shut, a dropped network) is found
by the server's pings: its socket is closed and its owner goes offline at once."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest

from tests.live.processes import open_socket, receive, server_env, start, stop, wait_healthy
from tests.realtime.helpers import session_cookie_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def daphne(transactional_db, tmp_path):
    # Production pings every 20 s and gives 30 s to answer (Procfile); seconds here.
    server = start(
        "A", tmp_path, server_env(), extra=("--ping-interval", "1", "--ping-timeout", "2")
    )
    try:
        wait_healthy(server)
        yield server
    finally:
        stop(server)


@pytest.fixture
def cookies(admin, mentor) -> dict[str, str]:
    return {"admin": session_cookie_for(admin), "mentor": session_cookie_for(mentor)}


async def silent_browser(
    port: int, cookie: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a WebSocket by hand and then never answer anything — not even a ping."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    assert b"101" in status, status
    return reader, writer


async def test_a_vanished_browser_is_closed_by_pings_and_goes_offline(
    daphne, cookies, admin, mentor
):
    admin_ws = await open_socket(daphne, cookies["admin"])
    for _ in range(4):
        await receive(admin_ws)  # snapshot, counts, bell, ticket
    reader, writer = await silent_browser(daphne.port, cookies["mentor"])
    assert await receive(admin_ws) == {
        "event": "presence.changed",
        "data": {"online": [mentor.pk], "offline": []},
    }
    # The mentor's browser never answers the server's pings: closed, and offline at once
    # (the admin's own client answers pings and stays).
    assert await asyncio.wait_for(receive(admin_ws), 15) == {
        "event": "presence.changed",
        "data": {"online": [], "offline": [mentor.pk]},
    }
    writer.close()
    await admin_ws.close()
