"""realtime.sockets.auth.SocketEntry: Origin, session and route in one step."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from realtime.sockets.auth import SocketEntry
from realtime.sockets.consumer import LiveConsumer
from server.asgi import application
from tests.conftest import ORIGIN
from tests.realtime.helpers import past_ticket, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def headers(cookie: str | None = None, origin: str | None = ORIGIN) -> list[tuple[bytes, bytes]]:
    found = [(b"origin", origin.encode())] if origin else []
    return found + ([(b"cookie", cookie.encode())] if cookie else [])


async def test_a_handshake_without_an_origin_is_refused(mentor):
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = WebsocketCommunicator(application, "/ws/", headers=headers(cookie, origin=None))
    connected, _ = await comm.connect(timeout=5)
    assert not connected


async def test_an_unreadable_origin_is_refused(mentor):
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://\xff\xfe"), (b"cookie", cookie.encode())]
    )
    connected, _ = await comm.connect(timeout=5)
    assert not connected


async def test_a_path_with_no_route_is_not_served(mentor):
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = WebsocketCommunicator(application, "/ws/other/", headers=headers(cookie))
    with pytest.raises(ValueError, match="No route found"):
        await comm.connect(timeout=5)


async def test_a_foreign_origin_never_reaches_the_session_or_the_route():
    calls = []

    async def consumer(scope, receive, send):  # pragma: no cover - must not run
        calls.append(scope)

    entry = SocketEntry({"ws/": consumer})
    comm = WebsocketCommunicator(entry, "/nowhere/", headers=headers(origin="https://evil.example"))
    connected, _ = await comm.connect(timeout=5)
    assert not connected
    assert calls == []


async def test_the_route_is_found_under_the_root_path(mentor):
    """Behind a proxy that mounts the site under a prefix (Daphne's root path), the path
    keeps the prefix and the route is matched without it."""
    seen = []

    async def consumer(scope, receive, send):
        seen.append(scope)
        await receive()
        await send({"type": "websocket.accept"})

    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    entry = SocketEntry({"ws/": consumer})
    comm = WebsocketCommunicator(entry, "/tandem/ws/", headers=headers(cookie))
    comm.scope["root_path"] = "/tandem"
    connected, _ = await comm.connect(timeout=5)
    assert connected
    (scope,) = seen
    assert (scope["user_id"], scope["organisation_id"]) == (mentor.pk, mentor.organisation_id)
    assert scope["is_org_admin"] is False
    await comm.disconnect()

    outside = WebsocketCommunicator(entry, "/ws/", headers=headers(cookie))
    outside.scope["root_path"] = "/tandem"
    with pytest.raises(ValueError, match="No route found"):
        await outside.connect(timeout=5)


async def test_a_signed_in_socket_keeps_one_copy_of_its_scope(mentor):
    """The consumer's scope is the one copy the entry made (the handshake's own scope plus
    the three values and the ticket's time), not a copy of a copy per middleware layer."""
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = WebsocketCommunicator(application, "/ws/", headers=headers(cookie))
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert orjson.loads(await comm.receive_from(timeout=3))["event"] == "bell.changed"
    await past_ticket(comm)
    handshake = comm.scope
    (task,) = [t for t in asyncio.all_tasks() if isinstance(_self_in(t, SocketEntry), SocketEntry)]
    frames = _frames(task)
    scopes = {id(f.f_locals["scope"]): f.f_locals["scope"] for f in frames if "scope" in f.f_locals}
    consumer = _self_in(task, LiveConsumer)
    # The handshake's scope (the router's frame) and the one copy the consumer holds.
    assert set(scopes) == {id(handshake), id(consumer.scope)}
    assert {key: consumer.scope[key] for key in handshake} == handshake
    assert set(consumer.scope) - set(handshake) == {
        "user_id",
        "organisation_id",
        "is_org_admin",
        "ticket_read_at",
    }
    await comm.disconnect()


def _self_in(task: asyncio.Task, kind: type) -> Any:
    return next(
        (f.f_locals["self"] for f in _frames(task) if isinstance(f.f_locals.get("self"), kind)),
        None,
    )


def _frames(task: asyncio.Task) -> list:
    frames = []
    coro: Any = task.get_coro()
    while coro is not None and getattr(coro, "cr_frame", None) is not None:
        frames.append(coro.cr_frame)
        coro = coro.cr_await
    return frames
