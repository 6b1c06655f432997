"""A reconnect storm: 1,000 pages reconnecting at once to our consumer vs a bare one.

After a deploy or a Redis failover every open page reconnects together. One Daphne
process serves bench.asgi:application (Tandem's ASGI app plus `/bench/echo/`, a minimal
AsyncWebsocketConsumer that answers every text frame with the heartbeat ack). A load
generator in its own (spawned) process plays the storm:

- ours: SOCKETS sockets to `/ws/` all opened at the same moment (no client-side pacing),
  each signed in as its own member: ORGS organisations of SOCKETS / ORGS people, the
  first ADMINS of each organisation administrators, the others mentors. Timed from the
  first handshake until every socket has its whole connect sequence (an administrator's
  `presence.snapshot`, `counts.changed`, then everyone's `bell.changed`). Each page
  reconnects as live.js does, with the socket ticket its previous socket handed it
  (realtime/sockets/tickets.py: the warm-up storm reads everyone from the database and
  hands the tickets out); `ours_database_reads=` counts the handshakes of a storm that
  read the person from the database all the same (a new ticket each).
- base: SOCKETS sockets to `/bench/echo/` opened at the same moment, each sending one
  frame; timed until every one has its answer.

A handshake the server drops (Daphne gives one 5 s) is tried again as live.js does, after
a jittered backoff of 1 s doubling: the time counts it, `*_retries=` says how many.

Each round is one storm per side, the order alternating between rounds; one unmeasured
round warms up first. Between two storms every socket is closed and the next one waits
until presence is empty (everyone went offline), so every connection of the next storm
is a transition — the worst case for presence. The line reports the medians over ROUNDS
rounds, ratio = ours ÷ base, and `presence_frames`: how many `presence.changed` frames
the administrators received during a storm (median) — each transition sent to every
administrator already connected would be about ADMINS × SOCKETS / 2 (N²/2).

After each of our storms, once no frame has come for QUIET seconds, every
administrator's view (its snapshot, then each `presence.changed` applied in order) must
be exactly the members of its organisation, every one connected: `stale=` counts those
that are not (must be 0), and each administrator must have had exactly one snapshot.

Server setup: PostgreSQL database tandem_bench (BENCH_LIVE_DATABASE), Redis db 11
(BENCH_LIVE_REDIS_URL) under the prefix tandem-bench-reconnect; DEBUG=0; the database
pool and every other setting as in production.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode

import orjson
import psutil
from redis.asyncio import Redis as AsyncRedis
from websockets.exceptions import WebSocketException

from bench._live import (
    ACK,
    ECHO_PATH,
    HEARTBEAT,
    LIVE_PATH,
    REDIS_URL,
    Daphne,
    Members,
    cleanup_run,
    create_members,
    end_process,
    expect,
    open_socket,
    prepare,
    raise_nofile,
    spawn,
    start_daphne,
)

SOCKETS = 1_000
ORGS = 2
ADMINS = 50  # per organisation
ROUNDS = 5
QUIET = 1.0  # no frame for this long: the storm is over
STORM_TIMEOUT = 120.0
EMPTY_TIMEOUT = 60.0
PREFIX = "tandem-bench-reconnect"
SLUG = "bench-reconnect"
GENERATOR_TIMEOUT = 1800.0


@dataclass
class Person:
    cookie: str
    user_id: int
    organisation_id: int
    admin: bool
    # The page's socket ticket, as live.js keeps it between its sockets.
    ticket: str | None = None


@dataclass
class Page:
    """One reconnected page: what it received, as the browser's live.js would apply it."""

    person: Person
    ready_at: float = 0.0
    snapshots: int = 0
    presence_frames: int = 0
    new_tickets: int = 0
    online: set[int] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


# --- load generator (child process) -----------------------------------------------------


def generator(
    conn: Connection, port: int, server_pid: int, people: list[Person], rounds: int
) -> None:
    raise_nofile(2 * len(people) + 100)
    asyncio.run(drive(conn, port, psutil.Process(server_pid), people, rounds))


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def drive(
    conn: Connection, port: int, server: psutil.Process, people: list[Person], rounds: int
) -> None:
    redis = AsyncRedis.from_url(REDIS_URL)
    try:
        await storm_ours(port, people, redis)  # warm-up, unmeasured
        await storm_base(port, len(people))
        results: dict[str, list[dict]] = {"ours": [], "base": []}
        for round_no in range(rounds):
            sides = ["ours", "base"] if round_no % 2 == 0 else ["base", "ours"]
            for side in sides:
                cpu = cpu_seconds(server)
                if side == "ours":
                    row = await storm_ours(port, people, redis)
                else:
                    row = await storm_base(port, len(people))
                # The server's CPU for the storm, its settling and every socket's close.
                row["server_cpu"] = cpu_seconds(server) - cpu
                results[side].append(row)
    finally:
        await redis.aclose()
    conn.send(("result", results))


async def reconnect(url: str, origin: str, cookie: str | None, retries: list[int]):
    """Open a socket as live.js does: a refused or timed-out handshake is tried again
    after a jittered backoff (1 s doubling, up to 30 s)."""
    for attempt in range(20):
        try:
            return await open_socket(url, origin, cookie)
        except (OSError, TimeoutError, WebSocketException):
            retries[0] += 1
            ceiling = min(30.0, 2.0**attempt)
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)
    raise TimeoutError(f"no handshake after 20 attempts: {url}")


async def read_page(ws, page: Page, last_frame: list[float]) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in ws:
            last_frame[0] = time.perf_counter()
            message = orjson.loads(raw)
            event, data = message.get("event"), message.get("data")
            if event == "presence.snapshot":
                page.snapshots += 1
                page.online = set(data["online"])
            elif event == "presence.changed":
                page.presence_frames += 1
                page.online |= set(data["online"])
                page.online -= set(data["offline"])
            elif event == "bell.changed" and not page.ready.is_set():
                page.ready_at = time.perf_counter()
                page.ready.set()
            elif event == "socket.ticket":
                page.new_tickets += 1
                page.person.ticket = data["ticket"]
    except ConnectionClosed:
        pass


async def storm_ours(port: int, people: list[Person], redis: AsyncRedis) -> dict:
    origin, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}{LIVE_PATH}"
    pages = [Page(person) for person in people]
    last_frame = [0.0]
    readers: list[asyncio.Task] = []
    sockets = []

    retries = [0]

    async def one(page: Page) -> None:
        while True:
            ticket = page.person.ticket
            address = url if ticket is None else f"{url}?{urlencode({'ticket': ticket})}"
            ws = await reconnect(address, origin, page.person.cookie, retries)
            sockets.append(ws)
            reader = asyncio.create_task(read_page(ws, page, last_frame))
            readers.append(reader)
            ready = asyncio.create_task(page.ready.wait())
            await asyncio.wait([ready, reader], return_when=asyncio.FIRST_COMPLETED)
            if page.ready.is_set():
                return
            # Closed by the server before its connect sequence ended: live.js reconnects.
            ready.cancel()
            retries[0] += 1
            page.snapshots = 0
            await asyncio.sleep(0.5 + random.random() * 0.5)

    started = time.perf_counter()
    async with asyncio.timeout(STORM_TIMEOUT):
        await asyncio.gather(*(one(page) for page in pages))
    seconds = max(page.ready_at for page in pages) - started
    while time.perf_counter() - last_frame[0] < QUIET:
        await asyncio.sleep(QUIET / 4)

    members: dict[int, set[int]] = {}
    for person in people:
        members.setdefault(person.organisation_id, set()).add(person.user_id)
    admins = [page for page in pages if page.person.admin]
    stale = sum(page.online != members[page.person.organisation_id] for page in admins)
    snapshots_wrong = sum(page.snapshots != 1 for page in admins)
    frames = sum(page.presence_frames for page in admins)
    # Handshakes that read the person from the database (each hands out a new ticket).
    database_reads = sum(page.new_tickets for page in pages)

    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)
    await wait_presence_empty(redis, members)
    return {
        "seconds": seconds,
        "frames": frames,
        "stale": stale,
        "snapshots_wrong": snapshots_wrong,
        "retries": retries[0],
        "database_reads": database_reads,
    }


async def wait_presence_empty(redis: AsyncRedis, members: dict[int, set[int]]) -> None:
    """Until every closed socket has been taken offline, so the next storm starts from
    nobody online."""
    deadline = time.monotonic() + EMPTY_TIMEOUT
    keys = [f"{PREFIX}:presence:online:{org}" for org in members]
    while sum([await redis.scard(key) for key in keys]):
        if time.monotonic() > deadline:
            raise TimeoutError("presence still lists members after every socket closed")
        await asyncio.sleep(0.1)


async def storm_base(port: int, count: int) -> dict:
    origin, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}{ECHO_PATH}"
    sockets = []
    retries = [0]

    async def one() -> float:
        ws = await reconnect(url, origin, None, retries)
        sockets.append(ws)
        await ws.send(HEARTBEAT)
        while await ws.recv() != ACK:
            pass
        return time.perf_counter()

    started = time.perf_counter()
    async with asyncio.timeout(STORM_TIMEOUT):
        answered = await asyncio.gather(*(one() for _ in range(count)))
    seconds = max(answered) - started
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    await asyncio.sleep(QUIET)
    return {"seconds": seconds, "retries": retries[0]}


# --- the bench (parent process) ---------------------------------------------------------


def people_of(organisations: list[Members]) -> list[Person]:
    """Everyone, administrators and mentors of every organisation interleaved, as a real
    storm mixes them."""
    rows = [
        [
            Person(
                cookie=cookie,
                user_id=user_id,
                organisation_id=org.organisation_id,
                admin=n < org.admins,
            )
            for n, (cookie, user_id) in enumerate(zip(org.cookies, org.user_ids, strict=True))
        ]
        for org in organisations
    ]
    mixed = [person for group in zip(*rows, strict=True) for person in group]
    return mixed


def run(server: Daphne, people: list[Person]) -> dict:
    process, conn = spawn(generator, server.port, server.pid, people, ROUNDS)
    try:
        return expect(conn, "result", GENERATOR_TIMEOUT)
    finally:
        conn.close()
        end_process(process)


def report(result: dict) -> None:
    ours, base = result["ours"], result["base"]
    ours_s = statistics.median(row["seconds"] for row in ours)
    base_s = statistics.median(row["seconds"] for row in base)
    frames = statistics.median(row["frames"] for row in ours)
    stale = max(row["stale"] for row in ours)
    snapshots_wrong = max(row["snapshots_wrong"] for row in ours)
    ours_cpu = statistics.median(row["server_cpu"] for row in ours)
    base_cpu = statistics.median(row["server_cpu"] for row in base)
    retries = statistics.median(row["retries"] for row in ours)
    database_reads = statistics.median(row["database_reads"] for row in ours)
    base_retries = statistics.median(row["retries"] for row in base)
    per_round = " ".join(
        f"{o['seconds']:.2f}/{b['seconds']:.2f}" for o, b in zip(ours, base, strict=True)
    )
    admins = ORGS * ADMINS
    print(
        f"reconnect_{SOCKETS} ratio={ours_s / base_s:.3f} goal=2.0 better=lower "
        f"ours={ours_s:.2f}s base={base_s:.2f}s ours_server_cpu={ours_cpu:.2f}s "
        f"base_server_cpu={base_cpu:.2f}s presence_frames={frames:.0f} "
        f"n2_frames~{ADMINS * (SOCKETS // ORGS) // 2 * ORGS} stale={stale} "
        f"snapshots_wrong={snapshots_wrong} ours_retries={retries:.0f} "
        f"base_retries={base_retries:.0f} ours_database_reads={database_reads:.0f} "
        f"sockets={SOCKETS} orgs={ORGS} admins={admins} "
        f"rounds={len(ours)} ours/base_per_round={per_round}",
        flush=True,
    )


def main() -> None:
    env = prepare(PREFIX, SOCKETS, debug=False)
    organisations: list[Members] = []
    server: Daphne | None = None
    with tempfile.TemporaryDirectory(prefix="tandem-bench-reconnect-") as log_dir:
        try:
            for n in range(ORGS):
                organisations.append(create_members(f"{SLUG}-{n}", SOCKETS // ORGS, admins=ADMINS))
            server = start_daphne("reconnect", env, Path(log_dir))
            result = run(server, people_of(organisations))
        except BaseException:
            if server is not None:
                print(f"--- daphne log (tail)\n{server.output()}", flush=True)
            raise
        finally:
            cleanup_run([server] if server is not None else [], PREFIX, SLUG, organisations)
    report(result)


if __name__ == "__main__":
    main()
