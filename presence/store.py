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


# Marks — a socket seen (connected, beating) or gone (closed) — applied in order, any
# number in one script: one command instead of a seven-command MULTI/EXEC per mark (in a
# reconnect storm's profile the pipeline's client-side packing and parsing was the
# largest part of a connect's presence write), and one for a whole batch of a process'
# marks (presence.marks). Atomic all the same: a script runs alone.
# KEYS: the `orgs` set, then per mark its `conns:<user>`, `org:<org>`, `online:<org>`.
# ARGV: the conns TTL, then per mark its kind ("seen"/"gone"), socket, time (for "gone":
# the oldest beat still alive), user id, organisation id.
# Returns per mark 1 when it is a transition (newly online; the user's last socket gone).
_MARKS_LUA = """
local out = {}
local ttl = ARGV[1]
local k, a = 2, 2
for i = 1, (#KEYS - 1) / 3 do
  local conns, org, online = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local socket, at, user = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if ARGV[a] == 'seen' then
    redis.call('ZADD', conns, at, socket)
    redis.call('EXPIRE', conns, ttl)
    redis.call('ZADD', org, at, user)
    redis.call('SADD', KEYS[1], ARGV[a + 4])
    out[i] = redis.call('SADD', online, user)
  else
    redis.call('ZREM', conns, socket)
    redis.call('ZREMRANGEBYSCORE', conns, '-inf', at)
    if redis.call('ZCARD', conns) > 0 then
      out[i] = 0
    else
      redis.call('ZREM', org, user)
      out[i] = redis.call('SREM', online, user)
    end
  end
  k = k + 3
  a = a + 5
end
return out
"""


@dataclass(frozen=True, slots=True)
class Mark:
    """A socket seen at `at` (connected or beating), or gone at `at` (closed)."""

    seen: Seen
    at: float
    gone: bool = False


async def apply_marks(redis: AsyncRedis, marks: list[Mark]) -> list[bool]:
    """Apply the marks in order, in one round trip; for each, whether it is a transition
    (the user newly online; the user's last live socket gone: offline at once rather than
    after the threshold — sockets of a crashed process stop beating and age out here)."""
    if not marks:
        return []
    keys = [orgs_key()]
    args: list[str | float] = [KEY_TTL]
    cutoff = threshold()
    for mark in marks:
        seen = mark.seen
        keys += [
            conns_key(seen.user_id),
            org_key(seen.organisation_id),
            online_key(seen.organisation_id),
        ]
        args += [
            "gone" if mark.gone else "seen",
            seen.socket,
            mark.at - cutoff if mark.gone else mark.at,
            str(seen.user_id),
            str(seen.organisation_id),
        ]
    script = redis.register_script(_MARKS_LUA)
    return [found == 1 for found in await script(keys=keys, args=args)]


async def mark_seen(redis: AsyncRedis, seen: Seen, now: float) -> bool:
    """Record a connect or a heartbeat. True when this makes the user newly online."""
    (newly,) = await apply_marks(redis, [Mark(seen, now)])
    return newly


async def mark_gone(redis: AsyncRedis, seen: Seen, now: float) -> bool:
    """Record a closed socket. True when it was the user's last live one."""
    (last,) = await apply_marks(redis, [Mark(seen, now, gone=True)])
    return last


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
