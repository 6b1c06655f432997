"""Presence ingest: heartbeats per second through Tandem vs. the same Redis commands by hand.

Workload: USERS members spread over ORGS organisations, one socket each (channel names
like "specific.bench!<n>"). Each round sends BEATS_PER_ROUND heartbeats, BATCH at a time
with asyncio.gather, on one event loop (BATCH is 100, the default pool limit; see below):

- ours: `SocketPresence.heartbeat()` for each socket, through the project's async client
  (presence.clients.aredis_client). A beat is queued for the process' next batch of
  marks (presence.marks: one script per batch, at most a quarter of a second later), so
  a round of ours ends only once every beat of it is in Redis (`marks().drain()`);
- raw:  the commands `store.mark_seen` runs (ZADD conns, EXPIRE conns, ZADD org, SADD
  online, SADD orgs; ours sends them as one Lua script) as a MULTI/EXEC pipeline written
  by hand with a redis.asyncio client built with the same options, and no Tandem code.

Rounds alternate which side goes first, to cancel drift; the result is the ratio of the
medians.

No database. The first beat of a socket makes its user "newly online", which writes
last_seen through the ORM and publishes an event. Rather than set up PostgreSQL, the
warm-up calls `store.mark_seen` once for every socket, so every user is in its
organisation's online set before anything is measured; nothing removes them during the
run (no sweeper, no close), so a measured heartbeat can never be a transition and is a
plain ingest. This is checked after the run (online/org/conns sizes). DATABASE_URL points
at an empty in-memory SQLite database so that, should a transition ever slip through, it
fails loudly instead of touching a real database.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis as AsyncRedis

from bench import _live

ROUNDS = 7
USERS = 2_000
ORGS = 10
BEATS_PER_ROUND = 20_000
# Concurrent beats in flight. Not 200: redis-py's asyncio pool allows 100 connections by
# default, the project's client keeps that default, and a pipeline holds a connection for
# its whole round trip, so more than 100 in flight raises MaxConnectionsError.
BATCH = 100
PREFIX = "tandem-bench"


def configure() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["REDIS_PREFIX"] = PREFIX
    # Every beat writes: we measure ingest, not the PRESENCE_WRITE_INTERVAL throttle
    # (which would skip most beats and make "ours" look free).
    os.environ["PRESENCE_WRITE_INTERVAL"] = "0"
    # See the module docstring: no transition is ever expected, so no database is used.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"

    import django

    django.setup()


def clean(redis_url: str) -> None:
    _live.clean_redis(PREFIX, redis_url)


def socket_name(n: int) -> str:
    return f"specific.bench!{n}"


def organisation_of(user_id: int) -> int:
    return user_id % ORGS + 1


async def run_round(
    beat: Callable[[int], Awaitable[None]], written: Callable[[], Awaitable[None]]
) -> float:
    """Send BEATS_PER_ROUND beats, BATCH concurrently, until `written` says they are all
    in Redis; return beats per second."""
    start = time.perf_counter()
    for first in range(0, BEATS_PER_ROUND, BATCH):
        await asyncio.gather(*(beat(n % USERS) for n in range(first, first + BATCH)))
    await written()
    return BEATS_PER_ROUND / (time.perf_counter() - start)


async def bench() -> tuple[list[float], list[float]]:
    from django.conf import settings

    from presence import store
    from presence.clients import aredis_client
    from presence.marks import marks
    from presence.services import SocketPresence

    assert settings.PRESENCE_WRITE_INTERVAL == 0

    # --- ours: Tandem's use case, through Tandem's client.
    sockets = [
        SocketPresence(organisation_id=organisation_of(n), user_id=n, socket=socket_name(n))
        for n in range(USERS)
    ]

    async def ours(n: int) -> None:
        await sockets[n].heartbeat()

    async def ours_written() -> None:
        await marks().drain()

    # --- raw: the same commands by hand, a client built with the same options.
    raw_client = AsyncRedis.from_url(
        settings.REDIS_URL, decode_responses=True, socket_timeout=5, socket_connect_timeout=2
    )
    key_prefix = f"{PREFIX}:presence"

    async def raw(n: int) -> None:
        org, user = str(organisation_of(n)), str(n)
        now = time.time()
        async with raw_client.pipeline(transaction=True) as pipe:
            pipe.zadd(f"{key_prefix}:conns:{user}", {socket_name(n): now})
            pipe.expire(f"{key_prefix}:conns:{user}", store.KEY_TTL)
            pipe.zadd(f"{key_prefix}:org:{org}", {user: now})
            pipe.sadd(f"{key_prefix}:online:{org}", user)
            pipe.sadd(f"{key_prefix}:orgs", org)
            await pipe.execute()

    async def raw_written() -> None:
        pass  # each beat's pipeline was answered

    # --- warm-up: every user online (the only transitions happen here, unmeasured), then
    # one unmeasured round per side to open the connection pools.
    now = time.time()
    client = aredis_client()
    for first in range(0, USERS, BATCH):
        await asyncio.gather(
            *(store.mark_seen(client, s.seen, now) for s in sockets[first : first + BATCH])
        )
    await run_round(ours, ours_written)
    await run_round(raw, raw_written)

    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for round_no in range(ROUNDS):
        sides = [(ours, ours_written, ours_rates), (raw, raw_written, raw_rates)]
        if round_no % 2:
            sides.reverse()
        for beat, written, rates in sides:
            rates.append(await run_round(beat, written))

    await check(client)
    await raw_client.aclose()
    await client.aclose()
    return ours_rates, raw_rates


async def check(client: AsyncRedis) -> None:
    """Everyone is still online, exactly once: no heartbeat could have been a transition."""
    from presence import store

    per_org = USERS // ORGS
    for org in range(1, ORGS + 1):
        online = await client.scard(store.online_key(org))
        seen = await client.zcard(store.org_key(org))
        assert online == per_org and seen == per_org, (org, online, seen)
    assert await client.scard(store.orgs_key()) == ORGS
    for n in (0, USERS // 2, USERS - 1):
        assert await client.zcard(store.conns_key(n)) == 1


def main() -> None:
    configure()
    from django.conf import settings

    from bench._common import machine_line

    print(machine_line(), flush=True)
    clean(settings.REDIS_URL)
    try:
        ours_rates, raw_rates = asyncio.run(bench())
    finally:
        clean(settings.REDIS_URL)
    ours, raw = statistics.median(ours_rates), statistics.median(raw_rates)
    print(
        f"presence_ingest ratio={ours / raw:.3f} goal=0.8 better=higher "
        f"ours={ours:.0f} beats/s raw={raw:.0f} beats/s rounds={ROUNDS}",
        flush=True,
    )


if __name__ == "__main__":
    main()
