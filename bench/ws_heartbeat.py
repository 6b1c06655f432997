"""Heartbeat round trip over 1,000 open sockets: Tandem's LiveConsumer vs a bare echo.

One Daphne process serves bench.asgi:application (Tandem's ASGI app plus `/bench/echo/`,
a minimal AsyncWebsocketConsumer that answers every text frame with the heartbeat ack).
A load generator in its own (spawned) process opens SOCKETS sockets to `/ws/`, each
signed in as its own mentor (a session cookie, Origin http://127.0.0.1:<port>), and
SOCKETS sockets to `/bench/echo/`, whose handshakes carry the same cookies (a browser
sends them to any path of the site; the echo ignores them). All 2,000 stay open for the
whole run.

A window: every socket of one side sends one '{"type":"heartbeat"}' at a uniformly
random moment within WINDOW seconds and times the round trip to '{"event":"heartbeat.ack"}'
(SOCKETS / WINDOW = 500 beats/s offered). A round is one window per side, back to back,
the order alternating between rounds; one unmeasured round warms up first. Per round we
take p99 (and p50, the achieved beats/s, and Daphne's CPU time per beat, read from
/proc by the generator) over the sockets of each side; the line reports the medians over
ROUNDS rounds, ratio = ours ÷ echo of the p99 medians, and how long each side's 1,000
handshakes took (ours first, at most 50 in flight).

Server setup: PostgreSQL database tandem_bench (created when missing, migrated), one
organisation with SOCKETS mentors (bulk_create, one password hash) and one session each;
Redis db 11 under the prefix tandem-bench-ws; DEBUG=1; PRESENCE_WRITE_INTERVAL=0, so
every beat runs the full presence write (one Lua script of five commands) — the worst
case; production's 10 s throttle skips beats that come sooner than that (browsers beat
every 20 s, so in practice every beat writes there too). Before the sockets close, the
organisation's presence index must hold every member with a last-seen time from the
last measured window: proof that every measured beat wrote. Redis keys, sessions,
members and the Daphne process are removed even on failure. DB_CONN_MAX_AGE and other
settings in the environment reach Daphne unchanged (the default 0 makes each database
call of a handshake open a new PostgreSQL connection: it shows in ours_connect).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

from bench._live import (
    ECHO_PATH,
    LIVE_PATH,
    Daphne,
    Members,
    clean_redis,
    cleanup,
    close_many,
    create_members,
    delete_members,
    end_process,
    expect,
    heartbeat,
    open_many,
    org_scores,
    percentile,
    prepare,
    raise_nofile,
    spawn,
    start_daphne,
)

SOCKETS = 1_000
ROUNDS = 9
WINDOW = 2.0
ACK_TIMEOUT = 10.0
PAUSE = 0.5  # between two windows, so one side's tail does not overlap the next
PREFIX = "tandem-bench-ws"
SLUG = "bench-ws"
GENERATOR_TIMEOUT = 600.0


# --- load generator (child process) -----------------------------------------------------


def generator(
    conn: Connection, port: int, server_pid: int, cookies: list[str], rounds: int
) -> None:
    """Sends ("result", …) with every socket still open, closes them on "close", then
    sends ("closed", None)."""
    raise_nofile(2 * len(cookies) + 100)
    asyncio.run(drive(conn, port, psutil.Process(server_pid), cookies, rounds))


async def drive(
    conn: Connection, port: int, server: psutil.Process, cookies: list[str], rounds: int
) -> None:
    origin = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    live = await open_many(f"ws://127.0.0.1:{port}{LIVE_PATH}", origin, cookies)
    connected = time.perf_counter()
    echo = await open_many(f"ws://127.0.0.1:{port}{ECHO_PATH}", origin, list(cookies))
    connect_seconds = {"ours": connected - started, "echo": time.perf_counter() - connected}
    rng = random.Random(20)
    try:
        await window(live, rng, server)  # warm-up, unmeasured
        await window(echo, rng, server)
        results: dict[str, list[dict]] = {"ours": [], "echo": []}
        last_ours_start = 0.0
        for round_no in range(rounds):
            sides = [("ours", live), ("echo", echo)]
            if round_no % 2:
                sides.reverse()
            for name, sockets in sides:
                await asyncio.sleep(PAUSE)
                if name == "ours":
                    last_ours_start = time.time()
                results[name].append(await window(sockets, rng, server))
        conn.send(
            (
                "result",
                {
                    "rounds": results,
                    "connect_seconds": connect_seconds,
                    "last_ours": last_ours_start,
                },
            )
        )
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "close"
    finally:
        await close_many(live + echo)
    conn.send(("closed", None))


async def window(sockets: list, rng: random.Random, server: psutil.Process) -> dict:
    """Each socket beats once at a random moment in WINDOW seconds: RTT stats, and the
    server's CPU time per beat over the window."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    offsets = [rng.uniform(0, WINDOW) for _ in sockets]

    async def beat(ws, offset: float) -> tuple[float, float]:
        await asyncio.sleep(start + offset - loop.time())
        sent = time.perf_counter()
        await heartbeat(ws, ACK_TIMEOUT)
        return sent, time.perf_counter()

    cpu_before = sum(server.cpu_times()[:2])
    times = await asyncio.gather(*(beat(ws, off) for ws, off in zip(sockets, offsets, strict=True)))
    cpu = sum(server.cpu_times()[:2]) - cpu_before
    rtts = [done - sent for sent, done in times]
    span = max(done for _, done in times) - min(sent for sent, _ in times)
    return {
        "p50": statistics.median(rtts),
        "p99": percentile(rtts, 99),
        "rate": len(rtts) / span,
        "cpu_per_beat": cpu / len(rtts),
    }


# --- the bench (parent process) ---------------------------------------------------------


def run(server: Daphne, members: Members) -> dict:
    process, conn = spawn(generator, server.port, server.pid, members.cookies, ROUNDS)
    try:
        result = expect(conn, "result", GENERATOR_TIMEOUT)
        # Every socket is still open: each member must have been seen by the last window.
        scores = org_scores(PREFIX, members.organisation_id)
        assert len(scores) == SOCKETS, f"{len(scores)} members in the presence index"
        assert min(scores) >= result["last_ours"] - 1, "a measured beat did not write presence"
        conn.send("close")
        expect(conn, "closed", 120)
    finally:
        conn.close()
        end_process(process)
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}ms"


def report(result: dict) -> None:
    ours, echo = result["rounds"]["ours"], result["rounds"]["echo"]

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    ours_p99, echo_p99 = med(ours, "p99"), med(echo, "p99")
    print(
        f"ws_heartbeat_rtt_p99 ratio={ours_p99 / echo_p99:.3f} goal=1.5 better=lower "
        f"ours_p99={ms(ours_p99)} base_p99={ms(echo_p99)} "
        f"ours_p50={ms(med(ours, 'p50'))} base_p50={ms(med(echo, 'p50'))} "
        f"ours_rate={med(ours, 'rate'):.0f}beats/s base_rate={med(echo, 'rate'):.0f}beats/s "
        f"ours_cpu={med(ours, 'cpu_per_beat') * 1e6:.0f}us/beat "
        f"base_cpu={med(echo, 'cpu_per_beat') * 1e6:.0f}us/beat "
        f"sockets={SOCKETS}+{SOCKETS} rounds={len(ours)} window={WINDOW:g}s "
        f"write_interval=0 ours_connect={result['connect_seconds']['ours']:.1f}s "
        f"base_connect={result['connect_seconds']['echo']:.1f}s",
        flush=True,
    )


def main() -> None:
    env = prepare(PREFIX, SOCKETS, debug=True)
    members: Members | None = None
    server: Daphne | None = None
    with tempfile.TemporaryDirectory(prefix="tandem-bench-ws-") as log_dir:
        try:
            members = create_members(SLUG, SOCKETS)
            server = start_daphne("ws", env, Path(log_dir))
            result = run(server, members)
        except BaseException:
            if server is not None:
                print(f"--- daphne log (tail)\n{server.output()}", flush=True)
            raise
        finally:
            cleanup(
                *([server.stop] if server is not None else []),
                lambda: clean_redis(PREFIX),
                lambda: delete_members(SLUG, members),
            )
    report(result)


if __name__ == "__main__":
    main()
