"""Helpers shared by the benchmarks (not a benchmark itself: it defines no main())."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from redis import Redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def redis_version(url: str) -> str:
    client = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    try:
        return str(client.info("server")["redis_version"])
    finally:
        client.close()


def machine_line() -> str:
    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    return (
        f"machine cpu={cpu_model()!r} cores={os.cpu_count()} "
        f"python={platform.python_version()} redis={redis_version(url)} "
        f"date={datetime.now(UTC).isoformat(timespec='seconds')}"
    )
