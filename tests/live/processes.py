"""Real server processes for the live tests: Daphne and the django-q2 worker, started
against the test database and Redis, and the browser's side of a socket."""

from __future__ import annotations

import asyncio
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import orjson
import pytest
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.live.daphne import daphne_command, free_port, terminate
from tests.live.daphne import wait_healthy as wait_answers

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
RECEIVE_TIMEOUT = 10.0


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


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
        PRESENCE_WRITE_INTERVAL="0",
        # The suite's settings: fast hashes, no pool, as in this process.
        DJANGO_SETTINGS_MODULE="server.settings_test",
        PYTHONUNBUFFERED="1",
    )
    # Sessions are signed: the servers must share this process's SECRET_KEY.
    env["SECRET_KEY"] = settings.SECRET_KEY
    return env


def spawn(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child in its own process group, so a test can kill it with all its children."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start(name: str, log_dir: Path, env: dict[str, str], extra: tuple[str, ...] = ()) -> Server:
    port = free_port()
    log = log_dir / f"daphne-{name}.log"
    process = spawn(daphne_command(port, "server.asgi:application", *extra), log, env)
    return Server(name=name, port=port, process=process, log=log)


def wait_healthy(server: Server) -> None:
    try:
        wait_answers(
            server.name, server.origin, server.process, server.output, timeout=START_TIMEOUT
        )
    except RuntimeError as error:
        pytest.fail(str(error))


def stop(server: Server) -> None:
    terminate(server.process)


async def open_socket(server: Server, cookie: str, ticket: str | None = None) -> ClientConnection:
    """A page's socket with its session cookie (and, as live.js sends it after its first
    connection, its socket ticket)."""
    url = server.ws_url if ticket is None else f"{server.ws_url}?{urlencode({'ticket': ticket})}"
    return await asyncio.wait_for(
        connect(
            url,
            additional_headers={"Cookie": cookie},
            origin=Origin(server.origin),
            open_timeout=RECEIVE_TIMEOUT,
        ),
        RECEIVE_TIMEOUT,
    )


async def receive(ws: ClientConnection) -> dict:
    return orjson.loads(await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT))
