"""4,000 sockets over two Daphne processes sharing one Redis: ours vs bare Channels.

The way Tandem grows past one core or one machine: stateless Daphne processes behind a
load balancer, sharing Redis (channel layer and presence) and PostgreSQL. Here two
processes, A and B, serve SOCKETS_PER_PROCESS sockets each of ours (`/ws/`, the
LiveConsumer, each socket signed in as its own member), and two more, A' and B', serve
the same number of bare consumers (`/bench/bare/` in bench/asgi.py: an
AsyncWebsocketConsumer that joins the same groups a LiveConsumer of that person would —
`bare.user.<id>`, and for an administrator `bare.org.<n>.admins` and
`bare.platform.admins` — forwards `live.event` payloads and answers heartbeats; no
session, no presence). The same browsers: each bare socket's handshake carries its
person's session cookie too (a browser sends it to any path of the site; the bare
consumer ignores it). All four share Redis db 11 (BENCH_LIVE_REDIS_URL).

People: ORGS organisations of PEOPLE_PER_ORG members, the first ADMINS_PER_ORG of each
administrators, the others mentors; every organisation's sockets are spread over both
processes of a side (alternately), so an organisation's fan-out always crosses processes.
One load generator process (spawned) holds all 8,000 sockets. Its own garbage collector
runs between measurements only (its full collections, a few hundred ms with 8,000 sockets,
fell at the same point of every round and counted against whichever side was measured
then: the side measured second in a round read 30–60 ms at p99, the first 5–9 ms, so
with the order alternating over an odd number of rounds one side had one slow round
more than the other).

Measured, every round on both sides, the order alternating between rounds (one
unmeasured warm-up round first):
- heartbeat RTT: every socket of the side sends one heartbeat at a random moment within
  WINDOW seconds and times the ack (PRESENCE_WRITE_INTERVAL=0: every beat writes presence,
  as in production where browsers beat every 20 s and the throttle is 10 s); p99;
- RSVP fan-out: one `rsvp.updated` per organisation to its administrators — ours through
  `realtime.publish.apublish()` (the catalogue check, one orjson encoding, one group_send:
  what `meeting_respond` sends after commit; bench/fanout.py measures the transaction
  too), base a bare `group_send` of the same payload — p99 of (arrival − send) over every
  administrator socket; `lost=` counts deliveries missing after LOST_AFTER seconds;
- RSS per socket: each process' RSS after every socket connected, minus its RSS before,
  over its sockets (read after each round; the median is reported).

Lines: `scale_4000_rtt_p99`, `scale_4000_fanout_p99` and `scale_4000_rss`, ratio = ours ÷
base of the medians over ROUNDS rounds, absolute figures beside.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson
import psutil

from bench._live import (
    ACK,
    HEARTBEAT,
    Daphne,
    Members,
    cleanup_run,
    create_members,
    end_process,
    expect,
    percentile,
    prepare,
    raise_nofile,
    spawn,
    start_daphne,
)

ORGS = 20
PEOPLE_PER_ORG = 200
ADMINS_PER_ORG = 10
SOCKETS = ORGS * PEOPLE_PER_ORG  # per side, over two processes
ROUNDS = 5
WINDOW = 10.0  # 400 beats/s offered per side: twice the rate of browsers beating every 20 s
ACK_TIMEOUT = 15.0
LOST_AFTER = 10.0
PAUSE = 1.0
CONNECT_AT_ONCE = 100
PREFIX = "tandem-bench-scale"
SLUG = "bench-scale"
BARE_PATH = "/bench/bare/"  # bench.asgi.BARE_PATH (not imported: that sets up Django)
GENERATOR_TIMEOUT = 1800.0


@dataclass
class Plan:
    """One socket: its side, server port, path (with query) and cookie."""

    side: str
    port: int
    path: str
    cookie: str | None
    org: int  # index of the organisation, 0..ORGS-1
    admin: bool


@dataclass
class Sock:
    plan: Plan
    ws: Any = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    acks: asyncio.Queue = field(default_factory=asyncio.Queue)
    rsvps: list[tuple[float, int]] = field(default_factory=list)


# --- load generator (child process) -----------------------------------------------------


def generator(conn: Connection, plans: list[Plan]) -> None:
    raise_nofile(len(plans) + 500)
    asyncio.run(drive(conn, plans))


async def reader(sock: Sock) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in sock.ws:
            arrived = time.time()
            if raw == ACK:
                sock.acks.put_nowait(time.perf_counter())
                continue
            message = orjson.loads(raw)
            event = message.get("event")
            if event == "rsvp.updated":
                sock.rsvps.append((arrived, message["data"]["meeting_id"]))
            elif event == "bell.changed":
                sock.ready.set()
    except ConnectionClosed:
        pass


async def open_all(socks: list[Sock]) -> None:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one(sock: Sock) -> None:
        plan = sock.plan
        async with gate:
            sock.ws = await connect(
                f"ws://127.0.0.1:{plan.port}{plan.path}",
                origin=Origin(f"http://127.0.0.1:{plan.port}"),
                additional_headers={"Cookie": plan.cookie} if plan.cookie else None,
                compression=None,
                proxy=None,
                ping_interval=None,
                max_queue=1024,
                open_timeout=120,
            )
            asyncio.get_running_loop().create_task(reader(sock))
            if plan.side == "ours":  # its connect sequence ends with bell.changed
                async with asyncio.timeout(60):
                    await sock.ready.wait()

    await asyncio.gather(*(one(sock) for sock in socks))


async def beat_window(socks: list[Sock], rng: random.Random) -> tuple[float, float]:
    """Each socket beats once at a random moment in WINDOW seconds; the RTTs' p99, p50."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def beat(sock: Sock, offset: float) -> float:
        await asyncio.sleep(start + offset - loop.time())
        while not sock.acks.empty():
            sock.acks.get_nowait()
        sent = time.perf_counter()
        await sock.ws.send(HEARTBEAT)
        async with asyncio.timeout(ACK_TIMEOUT):
            done = await sock.acks.get()
        return done - sent

    rtts = await asyncio.gather(*(beat(sock, rng.uniform(0, WINDOW)) for sock in socks))
    return percentile(rtts, 99), statistics.median(rtts)


async def drive(conn: Connection, plans: list[Plan]) -> None:
    socks = [Sock(plan) for plan in plans]
    by_side = {side: [s for s in socks if s.plan.side == side] for side in ("ours", "base")}
    started = time.perf_counter()
    await open_all(socks)
    conn.send(("connected", time.perf_counter() - started))
    # This process times every ack and every delivery of both sides, and holds 8,000
    # sockets: its own full collections (a few hundred ms, at whatever point of a round
    # its allocations reach the threshold — the same point every round) would count
    # against whichever side is measured then. Collected between measurements instead.
    gc.collect()
    gc.freeze()
    gc.disable()
    rng = random.Random(4000)
    loop = asyncio.get_running_loop()
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command in ("beat", "arm"):
            gc.collect()  # before a measurement starts (automatic collection is off)
        if command == "beat":
            await asyncio.sleep(PAUSE)
            conn.send(("beat", await beat_window(by_side[arg], rng)))
        elif command == "arm":
            for sock in socks:
                sock.rsvps.clear()
            conn.send(("armed", None))
        elif command == "collect":
            side, sent = arg  # {meeting id: (org, send time)}
            admins = [s for s in by_side[side] if s.plan.admin]
            expected = sum(1 for s in admins for org, _ in sent.values() if org == s.plan.org)
            deadline = time.time() + LOST_AFTER
            while time.time() < deadline:
                got = sum(len(s.rsvps) for s in admins)
                if got >= expected:
                    break
                await asyncio.sleep(0.02)
            latencies = [
                at - sent[meeting_id][1]
                for s in admins
                for at, meeting_id in s.rsvps
                if sent[meeting_id][0] == s.plan.org
            ]
            conn.send(("collected", (latencies, expected - len(latencies))))
        elif command == "close":
            await asyncio.gather(*(s.ws.close() for s in socks), return_exceptions=True)
            conn.send(("closed", None))
            return


# --- the bench (parent process) ---------------------------------------------------------


def plans_for(orgs: list[Members], servers: dict[str, list[Daphne]]) -> list[Plan]:
    plans: list[Plan] = []
    for index, org in enumerate(orgs):
        for n, (user_id, cookie) in enumerate(zip(org.user_ids, org.cookies, strict=True)):
            admin = n < org.admins
            ours, base = servers["ours"][n % 2], servers["base"][n % 2]
            plans.append(Plan("ours", ours.port, "/ws/", cookie, index, admin))
            groups = [f"bare.user.{user_id}"]
            if admin:
                groups += [f"bare.org.{index}.admins", "bare.platform.admins"]
            path = f"{BARE_PATH}?groups={','.join(groups)}"
            plans.append(Plan("base", base.port, path, cookie, index, admin))
    return plans


def rss_kib(server: Daphne) -> int:
    return psutil.Process(server.pid).memory_info().rss // 1024


async def fan_out(side: str, orgs: list[Members], round_no: int) -> dict[int, tuple[int, float]]:
    """One rsvp.updated per organisation to its administrators; {meeting id: (org, sent)}."""
    from channels.layers import get_channel_layer

    from realtime.groups import org_admins_group
    from realtime.publish import apublish

    layer: Any = get_channel_layer()  # channels-redis' RedisChannelLayer
    sent: dict[int, tuple[int, float]] = {}
    for index, org in enumerate(orgs):
        meeting_id = round_no * 1000 + index
        data = {"meeting_id": meeting_id, "user_id": org.user_ids[-1], "response": "accepted"}
        sent[meeting_id] = (index, time.time())
        if side == "ours":
            await apublish(org_admins_group(org.organisation_id), "rsvp.updated", data)
        else:
            payload = orjson.dumps({"event": "rsvp.updated", "data": data}).decode()
            await layer.group_send(
                f"bare.org.{index}.admins", {"type": "live.event", "payload": payload}
            )
    await layer.close_pools()
    return sent


def run(orgs: list[Members], servers: dict[str, list[Daphne]]) -> dict:
    before = {side: [rss_kib(s) for s in group] for side, group in servers.items()}
    plans = plans_for(orgs, servers)
    process, conn = spawn(generator, plans)
    results: dict[str, dict[str, list]] = {
        side: {"rtt": [], "rtt_p50": [], "fanout": [], "rss": [], "lost": []}
        for side in ("ours", "base")
    }
    try:
        connect_seconds = expect(conn, "connected", GENERATOR_TIMEOUT)
        time.sleep(2)
        for round_no in range(ROUNDS + 1):
            sides = ["ours", "base"] if round_no % 2 == 0 else ["base", "ours"]
            for side in sides:
                conn.send(("beat", side))
                rtt, rtt_p50 = expect(conn, "beat", 120)
                conn.send(("arm", None))
                expect(conn, "armed", 30)
                sent = asyncio.run(fan_out(side, orgs, round_no))
                conn.send(("collect", (side, sent)))
                latencies, lost = expect(conn, "collected", LOST_AFTER + 30)
                per_socket = [
                    (rss_kib(s) - b) / (SOCKETS / 2)
                    for s, b in zip(servers[side], before[side], strict=True)
                ]
                if round_no == 0:
                    continue  # warm-up
                row = results[side]
                row["rtt"].append(rtt)
                row["rtt_p50"].append(rtt_p50)
                row["fanout"].append(percentile(latencies, 99) if latencies else LOST_AFTER)
                row["rss"].append(statistics.mean(per_socket))
                row["lost"].append(lost)
        conn.send(("close", None))
        expect(conn, "closed", 120)
    finally:
        conn.close()
        end_process(process)
    return {"rounds": results, "connect_seconds": connect_seconds}


def report(result: dict) -> None:
    ours, base = result["rounds"]["ours"], result["rounds"]["base"]

    def med(rows: dict, key: str) -> float:
        return statistics.median(rows[key])

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f}ms"

    spread = (
        f"sockets={SOCKETS}+{SOCKETS} processes=2+2 orgs={ORGS} "
        f"admins={ORGS * ADMINS_PER_ORG} rounds={len(ours['rtt'])}"
    )
    print(
        f"scale_4000_rtt_p99 ratio={med(ours, 'rtt') / med(base, 'rtt'):.3f} goal=1.5 "
        f"better=lower ours_p99={ms(med(ours, 'rtt'))} base_p99={ms(med(base, 'rtt'))} "
        f"ours_p50={ms(med(ours, 'rtt_p50'))} base_p50={ms(med(base, 'rtt_p50'))} "
        f"window={WINDOW:g}s {spread} ours/base_p99_per_round_ms="
        + " ".join(
            f"{o * 1000:.0f}/{b * 1000:.0f}" for o, b in zip(ours["rtt"], base["rtt"], strict=True)
        ),
        flush=True,
    )
    lost = sum(ours["lost"]) + sum(base["lost"])
    print(
        f"scale_4000_fanout_p99 ratio={med(ours, 'fanout') / med(base, 'fanout'):.3f} "
        f"goal=1.5 better=lower lost={lost} ours_p99={ms(med(ours, 'fanout'))} "
        f"base_p99={ms(med(base, 'fanout'))} events_per_round={ORGS} {spread}",
        flush=True,
    )
    print(
        f"scale_4000_rss ratio={med(ours, 'rss') / med(base, 'rss'):.3f} goal=1.2 "
        f"better=lower ours={med(ours, 'rss'):.1f}KiB/socket "
        f"base={med(base, 'rss'):.1f}KiB/socket "
        f"connect_all={result['connect_seconds']:.1f}s {spread}",
        flush=True,
    )


def main() -> None:
    env = prepare(PREFIX, 2 * SOCKETS, debug=False)
    orgs: list[Members] = []
    servers: dict[str, list[Daphne]] = {"ours": [], "base": []}
    with tempfile.TemporaryDirectory(prefix="tandem-bench-scale-") as log_dir:
        try:
            for n in range(ORGS):
                orgs.append(create_members(f"{SLUG}-{n}", PEOPLE_PER_ORG, admins=ADMINS_PER_ORG))
            for side in ("ours", "base"):
                for name in ("A", "B"):
                    servers[side].append(start_daphne(f"{side}-{name}", env, Path(log_dir)))
            result = run(orgs, servers)
        except BaseException:
            for server in servers["ours"] + servers["base"]:
                print(f"--- daphne {server.name} log (tail)\n{server.output()}", flush=True)
            raise
        finally:
            cleanup_run(servers["ours"] + servers["base"], PREFIX, SLUG, orgs)
    report(result)


if __name__ == "__main__":
    main()
