"""Presence across two real Daphne processes sharing PostgreSQL and Redis.

The administrator's socket lives on process B, the mentor's on process A: every
transition the administrator sees crossed the Redis channel layer. The sweeper runs in
this (third) process, as `manage.py presence_sweeper` would in production.
"""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from presence.services import presence_sweep
from realtime.sockets.tickets import CLOCK_MARGIN
from tests.live.processes import (
    RECEIVE_TIMEOUT,
    Server,
    open_socket,
    receive,
    server_env,
    start,
    stop,
    wait_healthy,
)
from tests.realtime.helpers import session_cookie_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Processes A and B. Torn down before the database flush, even when a test fails."""
    env = server_env()
    started: list[Server] = []
    try:
        for name in ("A", "B"):
            started.append(start(name, tmp_path, env))
        for server in started:
            wait_healthy(server)
        yield tuple(started)
    finally:
        for server in started:
            stop(server)


@pytest.fixture
def cookies(admin, mentor) -> dict[str, str]:
    return {"admin": session_cookie_for(admin), "mentor": session_cookie_for(mentor)}


def sweep_as_the_sweeper(now: float) -> dict[int, dict[int, float]]:
    """presence_sweep() in a worker thread; its connection is closed after, or the test
    database could not be dropped at the end of the run."""
    try:
        return presence_sweep(now=now)
    finally:
        connections.close_all()


def presence(online=(), offline=()) -> dict:
    return {"event": "presence.changed", "data": {"online": list(online), "offline": list(offline)}}


async def test_presence_crosses_processes(servers, cookies, org, admin, mentor):
    server_a, server_b = servers

    admin_ws = await open_socket(server_b, cookies["admin"])
    mentor_ws = None
    try:
        assert await receive(admin_ws) == {
            "event": "presence.snapshot",
            "data": {"online": [admin.pk]},
        }
        # Members counts the mentor, not the administrator.
        assert await receive(admin_ws) == {
            "event": "counts.changed",
            "data": {"members": 1, "relationships": 0, "invitations": 0},
        }
        assert await receive(admin_ws) == {"event": "bell.changed", "data": {"unread": 0}}
        assert (await receive(admin_ws))["event"] == "socket.ticket"

        # The mentor connects to A; B's administrator hears of it.
        mentor_ws = await open_socket(server_a, cookies["mentor"])
        assert await receive(mentor_ws) == {"event": "bell.changed", "data": {"unread": 0}}
        assert (await receive(mentor_ws))["event"] == "socket.ticket"
        assert await receive(admin_ws) == presence(online=[mentor.pk])

        # The sweeper (this process) finds everyone silent for two minutes.
        transitions = await sync_to_async(sweep_as_the_sweeper)(time.time() + 120)
        # (Other organisations may have leftovers from earlier tests; ours is exact.)
        assert set(transitions[org.pk]) == {admin.pk, mentor.pk}
        assert await receive(admin_ws) == presence(offline=sorted([admin.pk, mentor.pk]))

        # One heartbeat on A brings the mentor back online on B.
        await mentor_ws.send('{"type":"heartbeat"}')
        assert await receive(mentor_ws) == {"event": "heartbeat.ack"}
        assert await receive(admin_ws) == presence(online=[mentor.pk])

        # Her last socket closes on A: B sees her offline at once, no sweep needed.
        await asyncio.wait_for(mentor_ws.close(), RECEIVE_TIMEOUT)
        assert await receive(admin_ws) == presence(offline=[mentor.pk])
    finally:
        if mentor_ws is not None:
            await mentor_ws.close()
        await admin_ws.close()


# Far above what bench/scale.py measures across two processes (a fan-out's p99 of about
# 0.1–0.2 s with 4,000 sockets open); only a lost or stuck delivery goes past it.
CROSSING_LATENCY = 5.0


@pytest.fixture
def pair_cookies(relationship, mentor, mentee) -> dict[str, str]:
    return {"mentor": session_cookie_for(mentor), "mentee": session_cookie_for(mentee)}


async def test_an_event_published_on_one_process_reaches_a_socket_on_the_other(
    servers, pair_cookies, relationship, mentor, mentee
):
    """The mentor types on process B; the mentee's page on process A hears it."""
    server_a, server_b = servers
    mentee_ws = await open_socket(server_a, pair_cookies["mentee"])
    mentor_ws = await open_socket(server_b, pair_cookies["mentor"])
    try:
        # (Each has a bell line: «matched».)
        for ws in (mentee_ws, mentor_ws):
            assert [(await receive(ws))["event"] for _ in range(2)] == [
                "bell.changed",
                "socket.ticket",
            ]
        typing = orjson.dumps({"action": "typing", "relationship_id": relationship.pk}).decode()
        sent = time.monotonic()
        await mentor_ws.send(typing)
        while True:
            message = await receive(mentee_ws)
            if message["event"] == "conversation.typing":
                break
        assert time.monotonic() - sent < CROSSING_LATENCY
        assert message["data"] == {"relationship_id": relationship.pk, "user_id": mentor.pk}
    finally:
        await mentor_ws.close()
        await mentee_ws.close()


async def test_a_ticket_from_one_process_opens_a_socket_on_the_other(servers, cookies, mentor):
    """A page's ticket, handed out by A after reading the session, opens its next socket
    on B (after a deploy, a load balancer's other process) without the database: B sends
    no new ticket, which it does after every read of the person."""
    server_a, server_b = servers
    # The mentor was just saved: a ticket read within the clock margin of that would be
    # refused (realtime/sockets/tickets.py, CLOCK_MARGIN; a ticket's time is whole seconds).
    await asyncio.sleep(CLOCK_MARGIN + 1)
    first = await open_socket(server_a, cookies["mentor"])
    assert await receive(first) == {"event": "bell.changed", "data": {"unread": 0}}
    ticket = (await receive(first))["data"]["ticket"]
    await first.close()

    again = await open_socket(server_b, cookies["mentor"], ticket)
    try:
        assert await receive(again) == {"event": "bell.changed", "data": {"unread": 0}}
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(again.recv(), 1.0)
    finally:
        await again.close()
