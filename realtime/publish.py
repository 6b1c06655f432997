"""The one way live events leave the server: `publish()`, after the transaction commits.

An event is `{"event": "<entity>.<past-verb>", "data": {...}}` with ids, display strings
and ISO times only. It is encoded once with orjson and handed to the channel layer as a
string, which each LiveConsumer forwards verbatim to its browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

Data = dict[str, Any]


def encode(event: str, data: Data) -> str:
    return orjson.dumps({"event": event, "data": data}).decode()


async def apublish(group: str, event: str, data: Data) -> None:
    """Send one event to every socket in `group`. A live push is best effort: when Redis
    is away the write that caused it still stands, and the browser resynchronises on
    reconnect, so failures are logged, not raised."""
    layer = get_channel_layer()
    try:
        await layer.group_send(group, {"type": "live.event", "payload": encode(event, data)})
    except Exception:  # noqa: BLE001 - any layer failure must not break the caller
        logger.warning("live event %s to %s not delivered", event, group, exc_info=True)


def publish(group: str, event: str, data: Data) -> None:
    async_to_sync(apublish)(group, event, data)


async def acommand(group: str, handler: str, **fields: Any) -> None:
    """Ask every consumer in `group` to run its handler (e.g.
    `sockets.close` → `sockets_close`). For what the consumer must do itself, such as
    closing or re-reading its own user's count; best effort like `apublish`."""
    layer = get_channel_layer()
    try:
        await layer.group_send(group, {"type": handler, **fields})
    except Exception:  # noqa: BLE001
        logger.warning("%s to %s not delivered", handler, group, exc_info=True)


def command(group: str, handler: str, **fields: Any) -> None:
    async_to_sync(acommand)(group, handler, **fields)


def close_sockets(group: str, code: int = 4403) -> None:
    command(group, "sockets.close", code=code)


def on_commit_once(key: str, func: Callable[[], None]) -> None:
    """Run `func` after the current transaction commits, once per `key` however many
    times it is registered in that transaction (e.g. one counts update for a bulk import).
    A rolled-back transaction drops it with the rest of its callbacks."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "tandem_key", None) == key
        for _sids, callback, _robust in connection.run_on_commit
    ):
        return

    def callback() -> None:
        func()

    callback.tandem_key = key  # type: ignore[attr-defined]
    transaction.on_commit(callback)


def publish_on_commit(group: str, event: str, data: Data | Callable[[], Data]) -> None:
    """Publish after commit; `data` may be a callable evaluated after commit."""

    def send() -> None:
        publish(group, event, data() if callable(data) else data)

    transaction.on_commit(send)
