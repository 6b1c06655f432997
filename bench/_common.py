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


def page_bench_environment(*, dsn: str, redis_prefix: str) -> None:
    """The environment a page benchmark runs Django in, before django.setup(): the
    production settings on `dsn`, DEBUG off, persistent connections (no pool), the test
    client's host, its own Redis keys."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"
    os.environ["DATABASE_URL"] = dsn
    os.environ["DEBUG"] = "0"
    os.environ["DB_POOL"] = "0"
    os.environ["DB_CONN_MAX_AGE"] = "600"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("REDIS_PREFIX", redis_prefix)


def static_files_by_name() -> None:
    """After django.setup(): pages link their static files by name (no collectstatic
    manifest needed for a benchmark)."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
