"""What the two fan-out benchmarks share (bench/fanout.py: RSVP ticks; bench/fanout_release.py:
release-note bells): the load-generator process (its handle here, its command loop there),
one Daphne started for the run with every socket connected, the alternating rounds, and
the database and Redis db each benchmark owns."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import _live
from bench._fleet import Fleet, drain, open_sockets
from tests.live.daphne import daphne_command, free_port, terminate, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
CONNECT_CONCURRENCY = 20


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Generator:
    """The bench process' handle on the load-generator process, which runs
    `target(port, cookies, conn)` (no Django there) and answers commands on `conn`."""

    def __init__(
        self, target: Callable[[int, list[str], Connection], None], port: int, cookies: list[str]
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(port, cookies, child), daemon=True)
        self.process.start()
        child.close()

    def ask(self, *command: Any, timeout: float = 120.0) -> dict[str, Any]:
        self.conn.send(command)
        if not self.conn.poll(timeout):
            raise RuntimeError(f"load generator did not answer {command[0]!r} in {timeout}s")
        answer = self.conn.recv()
        if "error" in answer:
            raise RuntimeError("load generator failed:\n" + answer["error"])
        return answer

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(RuntimeError, OSError, EOFError):
                self.ask("stop", timeout=10)
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join(timeout=10)


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class RoundResult:
    p50: float
    p99: float
    lost: int
    fastest: float


def configure(
    var_dir: Path,
    *,
    database_url: str,
    redis_url: str,
    prefix: str,
    secret_key: str,
    debug: bool,
) -> None:
    """This process' environment, which Django here and the Daphne it starts both read."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_PREFIX=prefix,
        DEBUG="1" if debug else "0",
        SECRET_KEY=secret_key,
        TANDEM_VAR_DIR=str(var_dir),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    if not debug:
        os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"


def ensure_database(db_name: str) -> None:
    """Create the benchmark's database if missing and migrate it (with the environment
    configure() set)."""
    _live.ensure_database(dict(os.environ), db_name)


def flush_redis(redis_url: str) -> None:
    """Empty the Redis db the benchmark owns."""
    from redis import Redis

    client = Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def start_server(log_dir: Path, *, timeout: float) -> Server:
    """One Daphne on a free port with this process' environment, once /healthz answers."""
    port = free_port()
    log_path = log_dir / "daphne.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            daphne_command(port, "server.asgi:application"),
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port=port, process=process, log=log_path)
    try:
        wait_healthy("fanout", f"http://127.0.0.1:{port}", process, server.output, timeout=timeout)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    terminate(server.process)


@contextlib.contextmanager
def serving(
    log_dir: Path,
    target: Callable[[int, list[str], Connection], None],
    cookies: list[str],
    *,
    start_timeout: float,
) -> Iterator[Generator]:
    """Daphne, and the load generator `target` with one socket per cookie, every socket
    connected and its connect messages drained; both stopped on the way out (Daphne's
    log tail on stderr when something failed)."""
    server: Server | None = None
    generator: Generator | None = None
    try:
        server = start_server(log_dir, timeout=start_timeout)
        generator = Generator(target, server.port, cookies)
        began = time.time()
        connected = generator.ask("connect", timeout=300)
        if connected["connected"] != len(cookies) or connected["errors"]:
            raise RuntimeError(f"sockets not all connected: {connected}")
        drained = generator.ask("drain", 1.0)["drained"]
        log(f"{len(cookies)} sockets connected in {time.time() - began:.1f}s; drained {drained}")
        yield generator
    except BaseException:
        if server is not None:
            log("daphne output (tail):\n" + server.output()[-4000:])
        raise
    finally:
        if server is not None:
            stop_server(server)
        if generator is not None:
            generator.stop()


def settle(generator: Generator, quiet: float) -> None:
    """Let the sockets go quiet for `quiet` seconds before a measurement."""
    drained = generator.ask("drain", quiet)["drained"]
    if drained:
        log(f"  drained before measuring: {drained}")


def alternate(
    ours: Callable[[], RoundResult], base: Callable[[], RoundResult], rounds: int
) -> tuple[list[RoundResult], list[RoundResult]]:
    """One unmeasured warm-up of each side (first-use costs), then `rounds` rounds of
    both, the side that goes first alternating; each round logged on stderr."""
    warm_ours, warm_base = ours(), base()
    log(f"warm-up: ours p99={warm_ours.p99:.1f}ms base p99={warm_base.p99:.1f}ms")
    ours_results: list[RoundResult] = []
    base_results: list[RoundResult] = []
    for round_no in range(rounds):
        sides = [(ours, ours_results), (base, base_results)]
        if round_no % 2:
            sides.reverse()
        for measure, results in sides:
            results.append(measure())
        o, b = ours_results[-1], base_results[-1]
        log(
            f"round {round_no}: ours min={o.fastest:.1f} p50={o.p50:.1f} p99={o.p99:.1f}ms "
            f"lost={o.lost} | base min={b.fastest:.1f} p50={b.p50:.1f} p99={b.p99:.1f}ms "
            f"lost={b.lost}"
        )
    return ours_results, base_results


# --- the load generator's side (its own process; no Django) ----------------------------


async def generator_loop(
    port: int,
    cookies: list[str],
    conn: Connection,
    *,
    ready_event: str,
    collect: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    """Answer the bench process' commands: connect, drain <quiet>, collect <args…>
    (`collect(fleet, *args)`), stop."""
    fleet = Fleet()
    while True:
        command, *args = await asyncio.to_thread(conn.recv)
        if command == "connect":
            errors = await open_sockets(
                fleet, port, cookies, ready_event=ready_event, concurrency=CONNECT_CONCURRENCY
            )
            conn.send({"connected": len(fleet.sockets), "errors": errors[:5]})
        elif command == "drain":
            drained = await drain(fleet, *args)
            conn.send({"drained": dict(drained)})
        elif command == "collect":
            conn.send(await collect(fleet, *args))
        elif command == "stop":
            for task in fleet.readers:
                task.cancel()
            conn.send({"stopped": True})
            return


def run_generator(
    port: int,
    cookies: list[str],
    conn: Connection,
    *,
    ready_event: str,
    collect: Callable[..., Awaitable[dict[str, Any]]],
) -> None:
    """generator_loop in a fresh event loop; a failure goes to the bench process."""
    try:
        asyncio.run(generator_loop(port, cookies, conn, ready_event=ready_event, collect=collect))
    except Exception:  # noqa: BLE001 - the bench process must hear of it
        conn.send({"error": traceback.format_exc()})
