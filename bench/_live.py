"""Shared pieces of the live benchmarks (ws_heartbeat, idle); not a benchmark (no main()).

- the environment every process of a live bench runs with (bench database, Redis db 11,
  one fixed SECRET_KEY so that the sessions this process signs are valid in Daphne);
- a benchmark's database (created when missing, migrated) and its members and sessions;
- Daphne subprocesses serving bench.asgi:application (Tandem + the bare echo consumer),
  started and stopped with tests/live/daphne.py, as the live tests start theirs;
- the load generator's side: websockets client options, opening many sockets, and a
  child-process runner (spawn) that hands back a result or the child's traceback.

Nothing here imports Django at module level: the generator children import this module
and never configure Django.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, cast

from redis import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.live.daphne import daphne_command, free_port, terminate, wait_healthy

PROJECT_DIR = Path(__file__).resolve().parent.parent
# BENCH_LIVE_DATABASE and BENCH_LIVE_REDIS_URL move the live benches to another database
# and Redis db (e.g. one per engineer, when several runs share the machine).
REDIS_URL = os.environ.get("BENCH_LIVE_REDIS_URL", "redis://127.0.0.1:6379/11")
DATABASE_NAME = os.environ.get("BENCH_LIVE_DATABASE", "tandem_bench")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
SERVER_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# The bench signs session cookies and Daphne verifies them: one key for both.
SECRET_KEY = "tandem-bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

LIVE_PATH = "/ws/"
ECHO_PATH = "/bench/echo/"  # bench.asgi.ECHO_PATH (not imported: that sets up Django)
HEARTBEAT = '{"type":"heartbeat"}'
ACK = '{"event":"heartbeat.ack"}'

START_TIMEOUT = 60.0
OPEN_TIMEOUT = 120.0
_ACCESS_LINE = re.compile(r'"(WSCONNECTING|WSCONNECT|WSDISCONNECT|WSREJECT|GET|HEAD) ')


# --- processes and limits -------------------------------------------------------------


def raise_nofile(needed: int) -> int:
    """Raise this process' open-file limit to the hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft < needed:
        raise SystemExit(f"RLIMIT_NOFILE is {soft} (hard {hard}); this bench needs {needed}")
    return soft


def server_env(prefix: str, *, debug: bool = True) -> dict[str, str]:
    """Environment of Daphne and of this process (which must share SECRET_KEY)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        REDIS_PREFIX=prefix,
        SECRET_KEY=SECRET_KEY,
        # Every beat writes Redis: the worst case for the server.
        PRESENCE_WRITE_INTERVAL="0",
        DEBUG="1" if debug else "0",
        PYTHONUNBUFFERED="1",
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare(prefix: str, sockets: int, *, debug: bool) -> dict[str, str]:
    """The start of a live bench's main(): open files for `sockets` sockets a side, the
    environment (returned), Django, the machine line, the database, and no Redis key left
    under `prefix` by an earlier run."""
    raise_nofile(2 * sockets + 200)
    env = server_env(prefix, debug=debug)
    setup_django(env)
    from bench._common import machine_line

    print(machine_line(), flush=True)
    ensure_database(env)
    clean_redis(prefix)
    return env


@dataclass
class Daphne:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def output(self, tail: int = 4000) -> str:
        """The log without its access lines (one per handshake and per close)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        lines = [line for line in text.splitlines() if not _ACCESS_LINE.search(line)]
        return "\n".join(lines)[-tail:]

    def stop(self) -> None:
        terminate(self.process, timeout=15)


def start_daphne(name: str, env: dict[str, str], log_dir: Path) -> Daphne:
    """`python -m daphne -b 127.0.0.1 -p <free port> bench.asgi:application`, as the
    Procfile runs server.asgi; returns once /healthz answers."""
    port = free_port()
    log = log_dir / f"daphne-{name}-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            daphne_command(port, "bench.asgi:application"),
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Daphne(name=name, port=port, process=process, log=log)
    try:
        wait_healthy(name, server.origin, process, server.output, timeout=START_TIMEOUT)
    except BaseException:
        server.stop()
        raise
    return server


def _child(conn: Connection, target: Callable[..., Any], args: tuple) -> None:
    try:
        target(conn, *args)
    except BaseException:  # noqa: BLE001 - the parent gets the traceback
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def spawn(target: Callable[..., Any], *args: Any) -> tuple[BaseProcess, Connection]:
    """Run target(conn, *args) in a fresh (spawned) process; talk to it over the pipe.
    The child sends ("error", traceback) when target raises."""
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    process = ctx.Process(target=_child, args=(child_end, target, args), daemon=True)
    process.start()
    child_end.close()
    return process, parent_end


def expect(conn: Connection, kind: str, timeout: float) -> Any:
    """The next message of a spawned child, which must be (kind, payload)."""
    if not conn.poll(timeout):
        raise TimeoutError(f"no {kind!r} from the load generator within {timeout:.0f}s")
    try:
        got, payload = conn.recv()
    except EOFError:
        raise RuntimeError(f"the load generator exited before sending {kind!r}") from None
    if got == "error":
        raise RuntimeError(f"load generator failed:\n{payload}")
    if got != kind:
        raise RuntimeError(f"expected {kind!r} from the load generator, got {got!r}")
    return payload


def end_process(process: BaseProcess) -> None:
    process.join(timeout=30)
    if process.is_alive():
        process.kill()
        process.join(timeout=10)


# --- database: members and sessions ----------------------------------------------------


def ensure_database(env: dict[str, str], name: str = DATABASE_NAME) -> None:
    """Create the benchmark's database when missing, then migrate it (a subprocess with
    `env`, whose DATABASE_URL must name it)."""
    import psycopg

    with psycopg.connect(SERVER_DSN, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )


@dataclass
class Members:
    organisation_id: int
    user_ids: list[int]
    cookies: list[str]
    session_keys: list[str]
    # The first `admins` of user_ids (and cookies) are the organisation's administrators.
    admins: int = 0


def create_members(slug: str, count: int, *, admins: int = 0) -> Members:
    """One organisation (recreated) with `count` members, each signed in once: a session
    row with the auth keys, as tests/realtime/helpers.session_cookie_for makes it. The
    first `admins` are administrators, the others mentors."""
    from django.contrib.auth.hashers import make_password

    from programs.models import Organisation, Role, User

    delete_members(slug, None)  # an earlier run's, should its cleanup have failed
    org = Organisation.objects.create(
        slug=slug,
        name_en=f"Bench {slug}",
        name_fr=f"Bench {slug}",
        support_email=f"{slug}@bench.test",
    )
    password = make_password("bench password, never used to sign in")
    users = User.objects.bulk_create(
        User(
            email=f"mentor{n}@{slug}.bench.test",
            first_name="Mentor",
            last_name=f"{n:04d}",
            organisation=org,
            role=Role.ADMINISTRATOR if n < admins else Role.MENTOR,
            password=password,
        )
        for n in range(count)
    )
    keys = sign_in(users)
    return Members(
        organisation_id=org.pk,
        user_ids=[user.pk for user in users],
        cookies=session_cookies(keys),
        session_keys=keys,
        admins=admins,
    )


def sign_in(users: Iterable[Any]) -> list[str]:
    """One session row per user (programs.models.User), as django.contrib.auth.login
    writes it, in one bulk insert; returns the session keys, in the users' order."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    users = list(users)
    store = SessionStore()
    model = SessionStore.get_model_class()
    # A day is plenty; sessions of a run killed before its cleanup expire soon.
    expire = timezone.now() + timedelta(days=1)
    keys = [get_random_string(32, VALID_KEY_CHARS) for _ in users]
    model.objects.bulk_create(
        model(
            session_key=key,
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "programs.accounts.MemberBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expire,
        )
        for key, user in zip(keys, users, strict=True)
    )
    return keys


def session_cookies(keys: Iterable[str]) -> list[str]:
    """The Cookie header of a browser holding each session."""
    from django.conf import settings

    return [f"{settings.SESSION_COOKIE_NAME}={key}" for key in keys]


def delete_members(slug: str, members: Members | None) -> None:
    """Remove the organisation, its members and their sessions with plain SQL, so that a
    model being added to the app meanwhile (and its cascade) cannot break the cleanup."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction

    from programs.models import Organisation, User

    sessions = SessionStore.get_model_class()._meta.db_table
    users, orgs = User._meta.db_table, Organisation._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if members is not None:
            cursor.execute(
                f"DELETE FROM {sessions} WHERE session_key = ANY(%s)", [members.session_keys]
            )
        cursor.execute(
            f"DELETE FROM {users} WHERE organisation_id IN (SELECT id FROM {orgs} WHERE slug = %s)",
            [slug],
        )
        cursor.execute(f"DELETE FROM {orgs} WHERE slug = %s", [slug])


def cleanup(*steps: Callable[[], object]) -> None:
    """Run every step; a failing one is reported on stderr and does not stop the others
    nor hide the bench's own outcome."""
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001
            print(f"cleanup step failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)


def cleanup_run(
    servers: Iterable[Daphne], prefix: str, slug: str, organisations: Sequence[Members]
) -> None:
    """After a bench with organisations `<slug>-0`, `<slug>-1`…: stop its servers, forget
    its Redis keys, delete its members — each step whatever the others do (`cleanup`)."""
    cleanup(
        *(server.stop for server in servers),
        lambda: clean_redis(prefix),
        *(
            (lambda n=n, org=org: delete_members(f"{slug}-{n}", org))
            for n, org in enumerate(organisations)
        ),
    )


# --- Redis ------------------------------------------------------------------------------


def clean_redis(prefix: str, redis_url: str = REDIS_URL) -> None:
    """Delete every key under `<prefix>:` (presence and channel layer), in db 11 unless
    `redis_url` names another."""
    client = Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for i in range(0, len(keys), 1000):
            client.delete(*keys[i : i + 1000])
    finally:
        client.close()


def org_scores(prefix: str, organisation_id: int) -> list[float]:
    """Last-seen times in `<prefix>:presence:org:<id>` (the who-is-online index)."""
    client = Redis.from_url(REDIS_URL)
    try:
        # redis-py's return type covers every option; withscores=True gives pairs.
        pairs = cast(
            "list[tuple[bytes, float]]",
            client.zrange(f"{prefix}:presence:org:{organisation_id}", 0, -1, withscores=True),
        )
        return [score for _member, score in pairs]
    finally:
        client.close()


# --- the load generator's side ---------------------------------------------------------


async def open_socket(url: str, origin: str, cookie: str | None) -> ClientConnection:
    # Browser-like: no client pings (Daphne pings every 20 s and the client answers),
    # no compression (Daphne does not negotiate it).
    return await connect(
        url,
        origin=Origin(origin),
        additional_headers={"Cookie": cookie} if cookie else None,
        compression=None,
        max_size=2**22,
        ping_interval=None,
        open_timeout=OPEN_TIMEOUT,
        close_timeout=10,
    )


async def open_many(
    url: str, origin: str, cookies: Sequence[str | None], concurrency: int = 50
) -> list[ClientConnection]:
    """One socket per cookie, at most `concurrency` handshakes in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(cookie: str | None) -> ClientConnection:
        async with gate:
            return await open_socket(url, origin, cookie)

    return list(await asyncio.gather(*(one(cookie) for cookie in cookies)))


async def close_many(sockets: Sequence[ClientConnection]) -> None:
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def heartbeat(ws: ClientConnection, timeout: float) -> None:
    """Send one heartbeat and wait for its ack; anything else that comes first (e.g.
    bell.changed after connect) is skipped. TimeoutError after `timeout` seconds."""
    await ws.send(HEARTBEAT)
    async with asyncio.timeout(timeout):
        while await ws.recv() != ACK:
            pass


# --- statistics -------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
