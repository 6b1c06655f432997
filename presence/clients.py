"""Redis connections for presence: one sync client per process, one async client per
event loop (an asyncio connection cannot be shared across loops)."""

from __future__ import annotations

import asyncio
import weakref

from django.conf import settings
from redis import Redis
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis as AsyncRedis

_sync_client: Redis | None = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncRedis] = (
    weakref.WeakKeyDictionary()
)


def redis_client() -> Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = Redis.from_url(
            settings.REDIS_URL, decode_responses=True, socket_timeout=5, socket_connect_timeout=2
        )
    return _sync_client


def aredis_client() -> AsyncRedis:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        # A blocking pool: a burst of beats (everyone reconnecting after a restart) waits
        # for a free connection instead of failing with "Too many connections".
        pool = BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            max_connections=settings.PRESENCE_REDIS_CONNECTIONS,
            timeout=10,
            decode_responses=True,
            socket_timeout=5,
            socket_connect_timeout=2,
        )
        client = AsyncRedis(connection_pool=pool)
        _async_clients[loop] = client
    return client
