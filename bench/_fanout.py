"""What the two fan-out benchmarks share (bench/fanout.py: RSVP ticks; bench/fanout_release.py:
release-note bells): the load-generator process handle, one Daphne started for the run,
and the database and Redis db each benchmark owns."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench._live import free_port

ROOT = Path(__file__).resolve().parent.parent
SERVER_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


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
    process: subprocess.Popen
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
    os.environ.pop("TANDEM_TESTING", None)


def ensure_database(db_name: str) -> None:
    """Create the benchmark's database if missing and migrate it."""
    import psycopg

    with psycopg.connect(SERVER_DSN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db_name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
    )


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
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["server.asgi:application"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port=port, process=process, log=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{server.output()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"daphne did not answer /healthz in time:\n{server.output()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
