"""Before the suite: are PostgreSQL, Redis and Chromium here? The tests need all three
and never skip for want of them; this says which is missing, and how to start it."""

from __future__ import annotations

import os
import shutil
import sys

import psycopg
from redis import Redis
from redis.exceptions import RedisError

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def main() -> int:
    problems = []
    try:
        admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        problems.append(
            f"PostgreSQL at {DATABASE_URL} does not answer ({exc.__class__.__name__}). Start it: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        problems.append(
            f"Redis at {REDIS_URL} does not answer ({exc.__class__.__name__}). Start it: "
            'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""'
        )
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        problems.append(f"Chromium is not at {CHROMIUM}. Install it: apt-get install -y chromium")
    for problem in problems:
        print(f"check_services: {problem}", file=sys.stderr)
    if not problems:
        print("check_services: PostgreSQL, Redis and Chromium are ready")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
