"""Presence across two real Daphne processes sharing PostgreSQL and Redis.

The administrator's socket lives on process B, the mentor's on process A: every
transition the administrator sees crossed the Redis channel layer. The sweeper runs in
this (third) process, as `manage.py presence_sweeper` would in production.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, connections
from websockets.asyncio.client import ClientConnection, connect

from presence.services import presence_sweep
from tests.realtime.helpers import session_cookie_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
RECEIVE_TIMEOUT = 10.0


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_servers() -> str:
    """The database pytest-django created, as DATABASE_URL for the server processes."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_servers(),
        REDIS_URL=settings.REDIS_URL,
        REDIS_PREFIX=settings.REDIS_PREFIX,
        TANDEM_TESTING="1",
        PRESENCE_WRITE_INTERVAL="0",
        DJANGO_SETTINGS_MODULE="server.settings",
        PYTHONUNBUFFERED="1",
    )
    # Sessions are signed: the servers must share this process's SECRET_KEY.
    env["SECRET_KEY"] = settings.SECRET_KEY
    return env


def start(name: str, log_dir: Path, env: dict[str, str]) -> Server:
    port = free_port()
    log = log_dir / f"daphne-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["server.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(name=name, port=port, process=process, log=log)


def wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"daphne {server.name} exited with {server.process.returncode}:\n" + server.output()
            )
        try:
            with urllib.request.urlopen(f"{server.origin}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"daphne {server.name} did not answer /healthz in time:\n{server.output()}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Processes A and B. Torn down before the database flush, even when a test fails."""
    env = server_env()
    started: list[Server] = []
    try:
        for name in ("A", "B"):
            started.append(start(name, tmp_path, env))
        for server in started:
            wait_healthy(server)
        yield tuple(started)
    finally:
        for server in started:
            stop(server)


@pytest.fixture
def cookies(admin, mentor) -> dict[str, str]:
    return {"admin": session_cookie_for(admin), "mentor": session_cookie_for(mentor)}


def sweep_as_the_sweeper(now: float) -> dict[int, dict[int, float]]:
    """presence_sweep() in a worker thread; its connection is closed after, or the test
    database could not be dropped at the end of the run."""
    try:
        return presence_sweep(now=now)
    finally:
        connections.close_all()


async def open_socket(server: Server, cookie: str) -> ClientConnection:
    return await asyncio.wait_for(
        connect(
            server.ws_url,
            additional_headers={"Cookie": cookie},
            origin=server.origin,
            open_timeout=RECEIVE_TIMEOUT,
        ),
        RECEIVE_TIMEOUT,
    )


async def receive(ws: ClientConnection) -> dict:
    return orjson.loads(await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT))


def presence(online=(), offline=()) -> dict:
    return {"event": "presence.changed", "data": {"online": list(online), "offline": list(offline)}}


async def test_presence_crosses_processes(servers, cookies, org, admin, mentor):
    server_a, server_b = servers

    admin_ws = await open_socket(server_b, cookies["admin"])
    mentor_ws = None
    try:
        assert await receive(admin_ws) == {
            "event": "presence.snapshot",
            "data": {"online": [admin.pk]},
        }
        # Members counts the mentor, not the administrator.
        assert await receive(admin_ws) == {
            "event": "counts.changed",
            "data": {"members": 1, "relationships": 0, "invitations": 0},
        }
        assert await receive(admin_ws) == {"event": "bell.changed", "data": {"unread": 0}}

        # The mentor connects to A; B's administrator hears of it.
        mentor_ws = await open_socket(server_a, cookies["mentor"])
        assert await receive(mentor_ws) == {"event": "bell.changed", "data": {"unread": 0}}
        assert await receive(admin_ws) == presence(online=[mentor.pk])

        # The sweeper (this process) finds everyone silent for two minutes.
        transitions = await sync_to_async(sweep_as_the_sweeper)(time.time() + 120)
        # (Other organisations may have leftovers from earlier tests; ours is exact.)
        assert set(transitions[org.pk]) == {admin.pk, mentor.pk}
        assert await receive(admin_ws) == presence(offline=sorted([admin.pk, mentor.pk]))

        # One heartbeat on A brings the mentor back online on B.
        await mentor_ws.send('{"type":"heartbeat"}')
        assert await receive(mentor_ws) == {"event": "heartbeat.ack"}
        assert await receive(admin_ws) == presence(online=[mentor.pk])

        # Her last socket closes on A: B sees her offline at once, no sweep needed.
        await asyncio.wait_for(mentor_ws.close(), RECEIVE_TIMEOUT)
        assert await receive(admin_ws) == presence(offline=[mentor.pk])
    finally:
        if mentor_ws is not None:
            await mentor_ws.close()
        await admin_ws.close()
