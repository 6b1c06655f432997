"""Presence kept in Redis, never in the database on a heartbeat.

Keys (prefix `<REDIS_PREFIX>:presence`):
- `org:<org>`    sorted set  user id → last-seen unix time (the "who is online" index)
- `conns:<user>` sorted set  socket (channel name) → last-beat unix time; several tabs
                 count once, and a socket whose process died ages out of it
- `online:<org>` set         users last *announced* online; membership changes are the
                 transitions, so two processes never announce the same one twice
- `orgs`         set         organisations with someone online, for the sweeper

"Online" means seen within PRESENCE_OFFLINE_AFTER seconds. Each operation is one
round trip (a Lua script), so it is atomic against the other processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.conf import settings
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

KEY_TTL = 24 * 3600


def _prefix() -> str:
    return f"{settings.REDIS_PREFIX}:presence"


def org_key(organisation_id: int) -> str:
    return f"{_prefix()}:org:{organisation_id}"


def conns_key(user_id: int) -> str:
    return f"{_prefix()}:conns:{user_id}"


def online_key(organisation_id: int) -> str:
    return f"{_prefix()}:online:{organisation_id}"


def orgs_key() -> str:
    return f"{_prefix()}:orgs"


def threshold() -> int:
    return settings.PRESENCE_OFFLINE_AFTER


@dataclass(frozen=True, slots=True)
class Seen:
    organisation_id: int
    user_id: int
    socket: str


# One command instead of a seven-command MULTI/EXEC: in a reconnect storm's profile the
# pipeline's client-side packing and parsing was the largest part of a connect's presence
# write. Atomic all the same (a script runs alone).
_SEEN_LUA = """
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[5])
return redis.call('SADD', KEYS[3], ARGV[3])
"""


async def mark_seen(redis: AsyncRedis, seen: Seen, now: float) -> bool:
    """Record a connect or a heartbeat. True when this makes the user newly online."""
    script = redis.register_script(_SEEN_LUA)
    keys = [
        conns_key(seen.user_id),
        org_key(seen.organisation_id),
        online_key(seen.organisation_id),
        orgs_key(),
    ]
    args: list[str | float] = [
        seen.socket,
        now,
        str(seen.user_id),
        KEY_TTL,
        str(seen.organisation_id),
    ]
    return await script(keys=keys, args=args) == 1


_GONE_LUA = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[3])
return redis.call('SREM', KEYS[3], ARGV[3])
"""


async def mark_gone(redis: AsyncRedis, seen: Seen, now: float) -> bool:
    """Record a closed socket. True when it was the user's last live one: they go
    offline at once rather than after the threshold. Sockets of a crashed process stop
    beating and age out of the count here."""
    script = redis.register_script(_GONE_LUA)
    keys = [
        conns_key(seen.user_id),
        org_key(seen.organisation_id),
        online_key(seen.organisation_id),
    ]
    result = await script(keys=keys, args=[seen.socket, now - threshold(), str(seen.user_id)])
    return result == 1


def online_user_ids(redis: Redis, organisation_id: int, now: float) -> set[int]:
    """Who is online in an organisation now (sync, for page renders and the sweeper)."""
    members = redis.zrangebyscore(org_key(organisation_id), now - threshold(), "+inf")
    return {int(m) for m in cast("list[str]", members)}  # a decode_responses client


async def aonline_user_ids(redis: AsyncRedis, organisation_id: int, now: float) -> set[int]:
    members = await redis.zrangebyscore(org_key(organisation_id), now - threshold(), "+inf")
    return {int(m) for m in cast("list[str]", members)}  # a decode_responses client


_SWEEP_LUA = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES')
local gone = {}
for i = 1, #stale, 2 do
  redis.call('ZREM', KEYS[1], stale[i])
  if redis.call('SREM', KEYS[2], stale[i]) == 1 then
    table.insert(gone, stale[i])
    table.insert(gone, stale[i + 1])
  end
end
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return gone
"""


def sweep(redis: Redis, now: float) -> dict[int, dict[int, float]]:
    """Take offline the users who stopped beating without closing their socket (a closed
    laptop, a dead process). Returns {org: {user: last seen}} of the transitions this call
    made. Each organisation is swept by one atomic script, so two sweepers never announce
    the same transition."""
    script = redis.register_script(_SWEEP_LUA)
    cutoff = now - threshold()
    transitions: dict[int, dict[int, float]] = {}
    for raw_org in redis.smembers(orgs_key()):
        organisation_id = int(raw_org)
        keys = [org_key(organisation_id), online_key(organisation_id), orgs_key()]
        flat = script(keys=keys, args=[cutoff, raw_org])
        if flat:
            transitions[organisation_id] = {
                int(flat[i]): float(flat[i + 1]) for i in range(0, len(flat), 2)
            }
    return transitions


def online_among(redis: Redis, organisation_id: int, user_ids: list[int], now: float) -> set[int]:
    """Which of `user_ids` are online (one ZMSCORE): what a page of a list asks, whatever
    the number of the organisation's members online."""
    if not user_ids:
        return set()
    scores = redis.zmscore(org_key(organisation_id), [str(user_id) for user_id in user_ids])
    since = now - threshold()
    return {
        user_id
        for user_id, score in zip(user_ids, scores, strict=True)
        if score is not None and float(score) >= since
    }


def seen_at(redis: Redis, organisation_id: int, user_id: int) -> float | None:
    """When one member was last seen (one ZSCORE), or None."""
    score = redis.zscore(org_key(organisation_id), str(user_id))
    return None if score is None else float(score)
