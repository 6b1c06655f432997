"""publish() from code with no server loop — the django-q2 worker delivering emails, a
management command — goes through one background loop kept for the process: the events
arrive, and Redis sees one connection, not one per event."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

import orjson
import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from realtime import publish as publishing
from realtime.groups import org_admins_group, platform_admins_group
from realtime.publish import command, publish

GROUP = org_admins_group(999_999)  # no organisation: no socket of the suite listens


def counts(n: int) -> dict[str, int]:
    return {"members": n, "relationships": 0, "invitations": 0}


def connections_received(redis_client) -> int:
    return int(redis_client.info("stats")["total_connections_received"])


@pytest.mark.asyncio
async def test_events_from_a_plain_thread_arrive_over_one_kept_connection(redis_client):
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    for group in (GROUP, platform_admins_group()):
        await layer.group_add(group, channel)
    names: list[str] = []

    def worker() -> None:
        publish(GROUP, "counts.changed", counts(0))  # opens the publisher's pool
        before = connections_received(redis_client)
        for n in range(1, 21):
            publish(GROUP, "counts.changed", counts(n))
        command(platform_admins_group(), "bell.bump", since="2026-01-01T00:00:00+00:00", reason="r")
        names.append(threading.current_thread().name)
        names.append(str(connections_received(redis_client) - before))

    await asyncio.to_thread(worker)
    received = [await layer.receive(channel) for _ in range(22)]
    assert [orjson.loads(m["payload"])["data"]["members"] for m in received[:21]] == list(range(21))
    assert received[21] == {
        "type": "bell.bump",
        "since": "2026-01-01T00:00:00+00:00",
        "reason": "r",
    }
    # The 21 sends reused the background loop's connection: none opened meanwhile (the
    # redis_client reads themselves are the only connections counted, at most one).
    assert int(names[1]) <= 1
    assert publishing._publisher is not None
    assert publishing._publisher[1].is_running()
    for group in (GROUP, platform_admins_group()):
        await layer.group_discard(group, channel)


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def layer_at(port: int) -> RedisChannelLayer:
    return RedisChannelLayer(
        hosts=[{"address": f"redis://127.0.0.1:{port}", "socket_timeout": None}]
    )


def test_one_background_loop_per_process():
    loop, layer = publishing._publisher_loop()
    assert publishing._publisher_loop() == (loop, layer)
    assert loop.is_running()


def test_a_refused_connection_is_logged_not_raised(monkeypatch, caplog):
    loop, _layer = publishing._publisher_loop()
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    monkeypatch.setattr(publishing, "_publisher", (os.getpid(), loop, layer_at(port)))
    publish(GROUP, "counts.changed", counts(1))
    assert "not delivered" in caplog.text


def test_a_publish_to_a_hung_redis_is_given_up(monkeypatch, caplog, silent_server):
    loop, _layer = publishing._publisher_loop()
    monkeypatch.setattr(publishing, "_publisher", (os.getpid(), loop, layer_at(silent_server)))
    monkeypatch.setattr(publishing, "PUBLISH_TIMEOUT", 0.5)
    began = time.monotonic()
    publish(GROUP, "counts.changed", counts(1))
    assert time.monotonic() - began < 5
    assert "given up" in caplog.text
