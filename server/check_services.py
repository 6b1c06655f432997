"""Before the suite: are PostgreSQL, Redis, Chromium, nginx and openssl here? The tests
need them all and never skip for want of one. A missing program is installed from
Debian's package when this run can (root, apt-get); otherwise, and for a service that does
not answer, this says what is missing and how to start it, and fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import psycopg
from redis import Redis
from redis.exceptions import RedisError

# The defaults of server/settings_test.py: the suite uses these unless the environment
# names others.
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
# Where Debian's packages put them: tests/e2e launches Chromium from there, the live test
# of the TLS proxy (tests/live/test_tls_proxy.py) runs nginx and openssl.
CHROMIUM = "/usr/bin/chromium"
NGINX = "/usr/sbin/nginx"
OPENSSL = "/usr/bin/openssl"
# (program, Debian package) the suite needs besides the Python packages.
PROGRAMS = ((CHROMIUM, "chromium"), (NGINX, "nginx"), (OPENSSL, "openssl"))


def program_problem(path: str, package: str) -> str | None:
    """None when `path` is there, installing Debian's `package` first if it is missing and
    this process may (root, with apt-get); otherwise why it is not there."""
    if os.access(path, os.X_OK):
        return None
    apt_get = shutil.which("apt-get")
    if os.geteuid() != 0 or apt_get is None:
        reason = "not running as root" if os.geteuid() != 0 else "apt-get is not available"
        return (
            f"{path} is missing, and this run cannot install it ({reason}). "
            f"Install Debian's package: sudo apt-get install -y {package}"
        )
    print(f"check_services: {path} is missing; installing {package} with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt_get, "update", "-qq"], [apt_get, "install", "-y", "-qq", package]):
        if subprocess.run(command, env=env, check=False).returncode != 0:
            return f"{path} is missing, and `{' '.join(command)}` failed."
    if not os.access(path, os.X_OK):
        return f"apt-get installed {package}, but {path} is still missing."
    return None


def chromium_problem() -> str | None:
    return program_problem(CHROMIUM, "chromium")


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
    for path, package in PROGRAMS:
        problem = program_problem(path, package)
        if problem:
            problems.append(problem)
    for problem in problems:
        print(f"check_services: {problem}", file=sys.stderr)
    if not problems:
        print("check_services: PostgreSQL, Redis, Chromium, nginx and openssl are ready")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
