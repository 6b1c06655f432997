"""The one way live events leave the server: `publish()`, after the transaction commits.

An event is `{"event": "<entity>.<past-verb>", "data": {...}}` with ids, display strings
and ISO times only. It is encoded once with orjson and handed to the channel layer as a
string, which each LiveConsumer forwards verbatim to its browser.

Every event and command is checked against `realtime.catalogue` where it is sent (for the
`*_on_commit` forms: when it is registered), so a wrong payload or audience raises in the
service that made it, not in a commit callback or in a browser.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import orjson
from asgiref.sync import SyncToAsync, async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer
from django.db import transaction

from realtime.catalogue import CLOSE_DEACTIVATED, Kind, check, message

logger = logging.getLogger(__name__)

Data = dict[str, Any]
Observer = Callable[[str, str, Data], None]

# Called with (group, name, data) for every event and command sent, after its check and
# before it goes to Redis: what `realtime.testing.capture_events()` records.
observers: list[Observer] = []


def _checked(group: str, name: str, data: Data, kind: Kind) -> None:
    check(group, name, data, kind=kind)
    for observer in observers:
        observer(group, name, data)


def encode(event: str, data: Data) -> str:
    return orjson.dumps({"event": event, "data": data}).decode()


def frame(event: str, data: Data) -> str:
    """An event a consumer sends straight to its own browser, checked and encoded."""
    message(event).check_payload(data)
    return encode(event, data)


async def apublish(group: str, event: str, data: Data, *, layer: Any = None) -> None:
    """Send one event to every socket in `group`. A live push is best effort: when Redis
    is away the write that caused it still stands, and the browser resynchronises on
    reconnect, so failures are logged, not raised. A payload the catalogue refuses is a
    bug and raises EventPayloadError."""
    _checked(group, event, data, "event")
    await _apublish(group, event, data, layer=layer)


async def _apublish(group: str, event: str, data: Data, *, layer: Any = None) -> None:
    layer = layer or get_channel_layer()
    try:
        await layer.group_send(group, {"type": "live.event", "payload": encode(event, data)})
    except Exception:  # noqa: BLE001 - any layer failure must not break the caller
        logger.warning("live event %s to %s not delivered", event, group, exc_info=True)


def publish(group: str, event: str, data: Data) -> None:
    _checked(group, event, data, "event")
    _run(_apublish, group, event, data)


async def acommand(group: str, handler: str, *, layer: Any = None, **fields: Any) -> None:
    """Ask every consumer in `group` to run its handler (e.g.
    `sockets.close` → `sockets_close`). For what the consumer must do itself, such as
    closing or re-reading its own user's count; best effort like `apublish`, checked
    against the catalogue like it."""
    _checked(group, handler, fields, "command")
    await _acommand(group, handler, layer=layer, **fields)


async def _acommand(group: str, handler: str, *, layer: Any = None, **fields: Any) -> None:
    layer = layer or get_channel_layer()
    try:
        await layer.group_send(group, {"type": handler, **fields})
    except Exception:  # noqa: BLE001
        logger.warning("%s to %s not delivered", handler, group, exc_info=True)


def command(group: str, handler: str, **fields: Any) -> None:
    _checked(group, handler, fields, "command")
    _run(_acommand, group, handler, **fields)


# -- sync callers ----------------------------------------------------------------------
#
# A sync view under Daphne runs in a thread asgiref started from the server's event loop:
# async_to_sync hands the coroutine back to that loop and its channel layer connections.
# Elsewhere — the django-q2 worker delivering emails, a management command — there is no
# such loop, and async_to_sync would make a new loop, and so a new Redis connection, for
# every event (about 4 ms each). Those callers share one loop kept in a background thread
# instead, with a channel layer of its own, so its connections live as long as the process.

PUBLISH_TIMEOUT = 10.0  # seconds; an event not handed to Redis by then is given up
_publisher: tuple[int, asyncio.AbstractEventLoop, Any] | None = None
_publisher_lock = threading.Lock()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    # The same thread-local asgiref's async_to_sync reads to find the server's loop.
    # A loop left there by an async context that has ended no longer runs: not a server.
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    pid = getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None)
    if loop is None or pid != os.getpid() or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _publisher_loop() -> tuple[asyncio.AbstractEventLoop, Any]:
    """This process's background loop and its channel layer, started on first use (and
    again in a forked child, which inherits the data but not the thread)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher[0] != os.getpid() or _publisher[1].is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="tandem-live-publisher", daemon=True
            )
            thread.start()
            _publisher = (os.getpid(), loop, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))
        return _publisher[1], _publisher[2]


def _run(send: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        in_a_loop = False
    else:
        in_a_loop = True
    if in_a_loop or _server_loop() is not None:
        # In a server thread: the server's loop. On a loop's own thread async_to_sync
        # refuses with a clear error, as it should (await the async form there).
        async_to_sync(send)(*args, **kwargs)
        return
    loop, layer = _publisher_loop()
    future = asyncio.run_coroutine_threadsafe(send(*args, layer=layer, **kwargs), loop)
    try:
        future.result(timeout=PUBLISH_TIMEOUT)
    except TimeoutError:
        future.cancel()
        name = send.__name__.lstrip("_")
        logger.warning("live %s to %s given up after %ss", name, args[0], PUBLISH_TIMEOUT)


def close_sockets(group: str, code: int = CLOSE_DEACTIVATED) -> None:
    command(group, "sockets.close", code=code)


def on_commit_once(key: str, func: Callable[[], None], *, robust: bool = False) -> None:
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
    transaction.on_commit(callback, robust=robust)


def _on_commit(
    group: str,
    name: str,
    data: Data | Callable[[], Data],
    kind: Kind,
    send: Callable[[Data], None],
    once: bool,
) -> None:
    # Checked now, in the service that registers it: the name and the audience always,
    # the payload when it is already built. A payload built after commit (a recount: it
    # must read what the transaction committed) is checked when it is sent; that callback
    # is robust, so a bad one is logged and cannot stop the other callbacks of the commit.
    spec = message(name)
    spec.check_route(group, kind)
    if callable(data):
        build = data

        def deferred() -> None:
            send(build())

        if once:
            on_commit_once(f"{name} {group}", deferred, robust=True)
        else:
            transaction.on_commit(deferred, robust=True)
        return
    spec.check_payload(data)
    payload = data

    def ready() -> None:
        send(payload)

    if once:
        on_commit_once(f"{name} {group}", ready)
    else:
        transaction.on_commit(ready)


def publish_on_commit(
    group: str, event: str, data: Data | Callable[[], Data], *, once: bool = False
) -> None:
    """Publish after commit. `data` is checked now; it may instead be a callable run after
    commit (checked then). With `once`, one event per (group, event) per transaction
    however many times it is registered: the first registration's `data` is sent."""
    _on_commit(group, event, data, "event", lambda d: publish(group, event, d), once)


def command_on_commit(
    group: str, handler: str, fields: Data | Callable[[], Data], *, once: bool = False
) -> None:
    """`command()` after commit, checked like `publish_on_commit()`."""
    _on_commit(group, handler, fields, "command", lambda f: command(group, handler, **f), once)


# Group sends in flight at once: well under channels_redis's connection pool (100).
COMMAND_CONCURRENCY = 50


async def _acommand_many(
    groups: list[str], handler: str, *, layer: Any = None, **fields: Any
) -> None:
    layer = layer or get_channel_layer()
    # Many at a time: a round trip's wait per chunk, not per group (a bulk deactivation
    # closes thousands of people's sockets), within the layer's connection pool.
    failed = 0
    for start in range(0, len(groups), COMMAND_CONCURRENCY):
        results = await asyncio.gather(
            *(
                layer.group_send(group, {"type": handler, **fields})
                for group in groups[start : start + COMMAND_CONCURRENCY]
            ),
            return_exceptions=True,
        )
        failed += sum(1 for result in results if isinstance(result, BaseException))
    if failed:
        logger.warning("%s not delivered to %d of %d groups", handler, failed, len(groups))


def command_many_on_commit(groups: list[str], handler: str, fields: Data) -> None:
    """`command()` to each of `groups` after commit, in one batch; checked now."""
    if not groups:
        return
    for group in groups:
        message(handler).check_route(group, "command")
    message(handler).check_payload(fields)
    batch = list(groups)

    def send() -> None:
        for group in batch:
            for observer in observers:
                observer(group, handler, fields)
        _run(_acommand_many, batch, handler, **fields)

    transaction.on_commit(send, robust=True)
