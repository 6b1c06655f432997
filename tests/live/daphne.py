"""Daphne as a child process: a free port, the command line, waiting for /healthz and
stopping it. Shared by the live tests (tests/live/processes.py) and the benchmarks
(bench/_live.py, bench/_fanout.py), so it imports neither Django nor pytest: the
benchmarks' load-generator children import it and never configure Django."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def daphne_command(port: int, application: str, *extra: str) -> list[str]:
    """`python -m daphne -b 127.0.0.1 -p <port> <extra…> <application>`, as the Procfile."""
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *extra, application]


def wait_healthy(
    name: str,
    origin: str,
    process: subprocess.Popen[bytes],
    output: Callable[[], str],
    *,
    timeout: float,
) -> None:
    """Return once `origin`/healthz answers 200; RuntimeError with the server's output
    when it exits first or does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne {name} exited with {process.returncode}:\n{output()}")
        try:
            with urllib.request.urlopen(f"{origin}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"daphne {name} did not answer /healthz in time:\n{output()}")


def terminate(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
