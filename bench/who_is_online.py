"""Who is online: presence.selectors.online_user_ids vs the bare Redis command.

One organisation with TRACKED users in its presence index (`<prefix>:presence:org:<id>`,
user id → last-seen time), seeded with one pipeline: ONLINE of them seen now, the others
an hour ago (well past PRESENCE_OFFLINE_AFTER).

- ours: `presence.selectors.online_user_ids(organisation_id=...)`, the sync call pages
  make (the project's sync client, key built from settings, the exception guard);
- base: what that query needs and nothing else: `ZRANGEBYSCORE key now-threshold +inf` on
  a sync client built with the same options (decode_responses, timeouts), and the same
  conversion to a set of ints, so both sides do the same work.

A round is CALLS sequential calls per side (the order alternating between rounds, one
unmeasured round first); we take p95 per round per side and report the medians over
ROUNDS rounds, ratio = ours ÷ base. The online timestamps are refreshed before each round
(unmeasured) and every call must return exactly ONLINE ids. No database is used: settings
still want one, so DATABASE_URL is empty and TANDEM_VAR_DIR points at a scratch directory
(the SQLite file is never opened). Redis db 11, prefix tandem-bench-who, cleaned up after.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import cast

from redis import Redis

from bench._live import REDIS_URL, clean_redis, percentile

TRACKED = 10_000
ONLINE = 5_000
ORGANISATION_ID = 1
ROUNDS = 9
CALLS = 200
PREFIX = "tandem-bench-who"


def configure() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["REDIS_PREFIX"] = PREFIX
    os.environ["DATABASE_URL"] = ""
    os.environ["TANDEM_VAR_DIR"] = "/tmp/tandem-bench-var"
    import django

    django.setup()


def seed(client: Redis, key: str, only_online: bool = False) -> None:
    """Users 1..ONLINE seen now, the others (up to TRACKED) an hour ago; one pipeline.
    only_online refreshes the online ones and leaves the others as they are."""
    now = time.time()
    users = range(1, (ONLINE if only_online else TRACKED) + 1)
    pipe = client.pipeline(transaction=False)
    for first in range(0, len(users), 1000):
        chunk = users[first : first + 1000]
        pipe.zadd(key, {str(n): now if n <= ONLINE else now - 3600 for n in chunk})
    pipe.execute()


def timed(call: Callable[[], set[int]]) -> list[float]:
    durations = []
    for _ in range(CALLS):
        start = time.perf_counter()
        result = call()
        durations.append(time.perf_counter() - start)
        assert len(result) == ONLINE, len(result)
    return durations


def bench() -> tuple[list[float], list[float]]:
    from django.conf import settings

    from presence import store
    from presence.selectors import online_user_ids

    key = store.org_key(ORGANISATION_ID)
    threshold = settings.PRESENCE_OFFLINE_AFTER
    base_client = Redis.from_url(
        settings.REDIS_URL, decode_responses=True, socket_timeout=5, socket_connect_timeout=2
    )

    def ours() -> set[int]:
        return online_user_ids(organisation_id=ORGANISATION_ID)

    def base() -> set[int]:
        # redis-py's return type covers every option; without scores: the members.
        members = cast(
            "list[bytes]", base_client.zrangebyscore(key, time.time() - threshold, "+inf")
        )
        return {int(m) for m in members}

    try:
        seed(base_client, key)
        assert base_client.zcard(key) == TRACKED
        timed(ours)  # warm-up: connections, code paths
        timed(base)
        ours_p95: list[float] = []
        base_p95: list[float] = []
        for round_no in range(ROUNDS):
            seed(base_client, key, only_online=True)
            sides = [(ours, ours_p95), (base, base_p95)]
            if round_no % 2:
                sides.reverse()
            for call, p95s in sides:
                p95s.append(percentile(timed(call), 95))
    finally:
        base_client.close()
    return ours_p95, base_p95


def main() -> None:
    configure()
    from bench._common import machine_line

    print(machine_line(), flush=True)
    clean_redis(PREFIX)
    try:
        ours_p95, base_p95 = bench()
    finally:
        clean_redis(PREFIX)
    ours, base = statistics.median(ours_p95), statistics.median(base_p95)
    print(
        f"who_is_online_p95 ratio={ours / base:.3f} goal=1.5 better=lower "
        f"ours_p95={ours * 1000:.2f}ms base_p95={base * 1000:.2f}ms "
        f"tracked={TRACKED} online={ONLINE} calls={CALLS} rounds={ROUNDS}",
        flush=True,
    )


if __name__ == "__main__":
    main()
