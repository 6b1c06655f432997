"""Idle cost of 1,000 open sockets: Tandem's LiveConsumer vs a bare echo consumer.

Each side gets its own fresh Daphne process (`python -m daphne bench.asgi:application`)
per round, so the process' CPU time and RSS belong to that side alone:

- ours: SOCKETS sockets to `/ws/`, each signed in as its own mentor;
- echo: SOCKETS sockets to `/bench/echo/` (bench.asgi: accept, answer each text frame
  with the heartbeat ack, nothing else).

Both sides' handshakes carry the same bytes: the same browsers' session cookies (a browser
sends its cookies with every handshake to the site, whatever the path; the echo ignores
them) — Daphne keeps each handshake's request headers for the socket's life.

A load generator per side, in its own (spawned) process, opens the sockets, then each
socket sends '{"type":"heartbeat"}' every INTERVAL (20 s, the browser's period) from a
random start in the first INTERVAL, and waits for its ack; nothing else is sent. Daphne
pings every socket every 20 s as in production; the client sends no pings and negotiates
no compression, like a browser. PRESENCE_WRITE_INTERVAL=0 (with the default 10 s every
beat would write too: beats are 20 s apart). DEBUG=0, as in production: with DEBUG=1
Django keeps the last 9,000 SQL queries of the database connection in memory, and the
5 queries of each LiveConsumer handshake (session, user, member check, last_seen update,
unread count) showed up as ~4 KiB per socket of ours' RSS.

Per side and round: RSS before any socket (the fresh process, /healthz answered, SETTLE
seconds later), RSS once every socket is connected (and SETTLE seconds for the last
handshakes' work), then an idle window of BENCH_IDLE_SECONDS (default 60) during which
RSS is sampled; CPU time (user + system, all threads) over the window, as a percentage of
one core; RSS at the end. Per socket: (rss_end − rss_before) / SOCKETS.

Rounds: BENCH_IDLE_ROUNDS (default 5). By default the two sides of a round idle at the
same time, each on its own Daphne: the figures are per process, the idle load is a few
per cent of a core, and it halves the run: the defaults take ~7.5 minutes (five rounds
of a 60 s window plus ~20-25 s to connect 1,000 signed-in sockets); sequential sides would
take ~11.
BENCH_IDLE_SEQUENTIAL=1 runs one side after the other instead, the order alternating.
The lines report medians over the rounds; ratio = ours ÷ echo (CPU %, RSS KiB/socket).

Growth: the issue asks for no growth over 10 minutes, so run with BENCH_IDLE_SECONDS=600
for that. The `info idle_1000_growth` line gives ours' rss_end − rss_connected (median
over rounds), the echo's for comparison, and the least-squares slope of ours' samples;
check=ok when ours grew by at most GROWTH_ALLOWANCE_KIB more than the echo, else
check=GROWING.

Checks: every beat must be acked; ours' presence index must hold every member at the
start of the window and, at its end, only last-seen times younger than INTERVAL + slack
(the sockets beat and wrote all along). Redis keys (prefix tandem-bench-idle), sessions,
members and every Daphne process are removed even on failure.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
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
    prepare,
    raise_nofile,
    spawn,
    start_daphne,
)

SOCKETS = 1_000
INTERVAL = 20.0
ACK_TIMEOUT = 10.0
SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "60"))
ROUNDS = int(os.environ.get("BENCH_IDLE_ROUNDS", "5"))
SEQUENTIAL = os.environ.get("BENCH_IDLE_SEQUENTIAL", "") == "1"
SAMPLES = 12  # RSS samples per window (plus the first)
SETTLE = 2.0
CONNECT_TIMEOUT = 300.0
GROWTH_ALLOWANCE_KIB = 1024
PREFIX = "tandem-bench-idle"
SLUG = "bench-idle"
SIDES = ("ours", "echo")


# --- load generator (child process) -----------------------------------------------------


def generator(
    conn: Connection, url: str, origin: str, cookies: list[str | None], seed: int
) -> None:
    """Sends ("connected", seconds), beats until "stop", closes, sends ("stats", …)."""
    raise_nofile(len(cookies) + 100)
    asyncio.run(idle(conn, url, origin, cookies, seed))


async def idle(
    conn: Connection, url: str, origin: str, cookies: list[str | None], seed: int
) -> None:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    sockets = await open_many(url, origin, cookies)
    conn.send(("connected", time.perf_counter() - started))
    stats = {"beats": 0, "acks": 0, "errors": 0, "rtt_max": 0.0}
    rng = random.Random(seed)

    async def beat_forever(ws, first: float) -> None:
        await asyncio.sleep(first)
        while True:
            sent = loop.time()
            stats["beats"] += 1
            try:
                await heartbeat(ws, ACK_TIMEOUT)
            except Exception:  # noqa: BLE001 - counted; the check below fails the bench
                stats["errors"] += 1
                return
            stats["acks"] += 1
            stats["rtt_max"] = max(stats["rtt_max"], loop.time() - sent)
            await asyncio.sleep(sent + INTERVAL - loop.time())

    tasks = [asyncio.create_task(beat_forever(ws, rng.uniform(0, INTERVAL))) for ws in sockets]
    try:
        await loop.run_in_executor(None, conn.recv)  # "stop"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_many(sockets)
    conn.send(("stats", stats))


# --- the bench (parent process) ---------------------------------------------------------


@dataclass
class Sample:
    side: str
    rss_before: int = 0  # KiB
    rss_connected: int = 0
    rss_end: int = 0
    cpu_seconds: float = 0.0
    window: float = 0.0
    connect_seconds: float = 0.0
    series: list[tuple[float, int]] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_seconds / self.window

    @property
    def rss_per_socket(self) -> float:
        return (self.rss_end - self.rss_before) / SOCKETS

    @property
    def growth(self) -> int:
        return self.rss_end - self.rss_connected

    @property
    def slope(self) -> float:
        """Least-squares RSS slope over the window, KiB per minute."""
        xs = [t for t, _ in self.series]
        ys = [r for _, r in self.series]
        return statistics.linear_regression(xs, ys).slope * 60


def rss_kib(process: psutil.Process) -> int:
    return process.memory_info().rss // 1024


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def run_round(sides: list[str], env: dict, log_dir: Path, members: Members, seed: int) -> list:
    """The given sides idle at the same time, each on a fresh Daphne; one Sample each."""
    servers: dict[str, Daphne] = {}
    children: dict[str, tuple] = {}
    samples = {side: Sample(side) for side in sides}
    try:
        for side in sides:
            servers[side] = start_daphne(side, env, log_dir)
        procs = {side: psutil.Process(servers[side].pid) for side in sides}
        time.sleep(SETTLE)
        for side in sides:
            samples[side].rss_before = rss_kib(procs[side])
        for side in sides:
            server = servers[side]
            cookies: list[str | None] = list(members.cookies)  # both sides (docstring)
            path = LIVE_PATH if side == "ours" else ECHO_PATH
            children[side] = spawn(generator, server.url(path), server.origin, cookies, seed)
        for side in sides:
            samples[side].connect_seconds = expect(children[side][1], "connected", CONNECT_TIMEOUT)
        time.sleep(SETTLE)
        if "ours" in sides:
            scores = org_scores(PREFIX, members.organisation_id)
            assert len(scores) == SOCKETS, f"{len(scores)} members online after connecting"

        start = time.monotonic()
        cpu_start = {side: cpu_seconds(procs[side]) for side in sides}
        for side in sides:
            samples[side].rss_connected = rss_kib(procs[side])
            samples[side].series.append((0.0, samples[side].rss_connected))
        for n in range(1, SAMPLES + 1):
            time.sleep(max(0.0, start + SECONDS * n / SAMPLES - time.monotonic()))
            for side in sides:
                samples[side].series.append((time.monotonic() - start, rss_kib(procs[side])))
        window = time.monotonic() - start
        for side in sides:
            samples[side].cpu_seconds = cpu_seconds(procs[side]) - cpu_start[side]
            samples[side].window = window
            samples[side].rss_end = samples[side].series[-1][1]
        if "ours" in sides:
            scores = org_scores(PREFIX, members.organisation_id)
            assert len(scores) == SOCKETS, f"{len(scores)} members online at the end"
            stale = time.time() - min(scores)
            assert stale < INTERVAL + ACK_TIMEOUT, f"a member was last seen {stale:.0f}s ago"

        for side in sides:
            conn = children[side][1]
            conn.send("stop")
            stats = expect(conn, "stats", 120)
            assert stats["errors"] == 0 and stats["acks"] > 0, (side, stats)
            samples[side].stats = stats
    except BaseException:
        for server in servers.values():
            print(f"--- daphne {server.name} log (tail)\n{server.output()}", flush=True)
        raise
    finally:
        for process, conn in children.values():
            conn.close()
            end_process(process)
        cleanup(*(server.stop for server in servers.values()), lambda: clean_redis(PREFIX))
    return [samples[side] for side in sides]


def report(results: dict[str, list[Sample]]) -> None:
    ours, echo = results["ours"], results["echo"]

    def med(rows: list[Sample], attr: str) -> float:
        return statistics.median(getattr(row, attr) for row in rows)

    mode = "sequential" if SEQUENTIAL else "concurrent"
    common = f"sockets={SOCKETS} window={SECONDS:g}s rounds={len(ours)} sides={mode}"
    ours_cpu, echo_cpu = med(ours, "cpu_percent"), med(echo, "cpu_percent")
    print(
        f"idle_1000_cpu ratio={ours_cpu / echo_cpu:.3f} goal=1.3 better=lower "
        f"ours_cpu={ours_cpu:.2f}% base_cpu={echo_cpu:.2f}% "
        f"ours_cpu_s={med(ours, 'cpu_seconds'):.2f} base_cpu_s={med(echo, 'cpu_seconds'):.2f} "
        f"{common}",
        flush=True,
    )
    ours_rss, echo_rss = med(ours, "rss_per_socket"), med(echo, "rss_per_socket")
    print(
        f"idle_1000_rss ratio={ours_rss / echo_rss:.3f} goal=1.2 better=lower "
        f"ours_rss={ours_rss:.1f}KiB/socket base_rss={echo_rss:.1f}KiB/socket "
        f"ours_rss_end={med(ours, 'rss_end') / 1024:.1f}MiB "
        f"base_rss_end={med(echo, 'rss_end') / 1024:.1f}MiB "
        f"ours_rss_idle={med(ours, 'rss_before') / 1024:.1f}MiB "
        f"base_rss_idle={med(echo, 'rss_before') / 1024:.1f}MiB {common}",
        flush=True,
    )
    ours_growth, echo_growth = med(ours, "growth"), med(echo, "growth")
    check = "ok" if ours_growth <= echo_growth + GROWTH_ALLOWANCE_KIB else "GROWING"
    print(
        f"info idle_1000_growth ours={ours_growth:+.0f} KiB over {SECONDS:g}s "
        f"base={echo_growth:+.0f} KiB ours_slope={med(ours, 'slope'):+.1f}KiB/min "
        f"allowance={GROWTH_ALLOWANCE_KIB}KiB check={check} "
        f"ours_connect={med(ours, 'connect_seconds'):.1f}s "
        f"base_connect={med(echo, 'connect_seconds'):.1f}s",
        flush=True,
    )


def main() -> None:
    env = prepare(PREFIX, SOCKETS, debug=False)
    results: dict[str, list[Sample]] = {side: [] for side in SIDES}
    members: Members | None = None
    with tempfile.TemporaryDirectory(prefix="tandem-bench-idle-") as log_dir:
        try:
            members = create_members(SLUG, SOCKETS)
            for round_no in range(ROUNDS):
                order = list(SIDES) if round_no % 2 == 0 else list(reversed(SIDES))
                groups = [[side] for side in order] if SEQUENTIAL else [order]
                for sides in groups:
                    for sample in run_round(sides, env, Path(log_dir), members, round_no):
                        results[sample.side].append(sample)
        finally:
            cleanup(lambda: clean_redis(PREFIX), lambda: delete_members(SLUG, members))
    report(results)


if __name__ == "__main__":
    main()
