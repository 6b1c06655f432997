"""The one WebSocket a browser keeps open: events in, heartbeats out."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import orjson
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from notifications.bell.selectors import unread_count
from presence.selectors import aonline_user_ids
from presence.services import SocketPresence
from programs.selectors import dashboard_counts
from realtime.catalogue import CLOSE_DEACTIVATED
from realtime.groups import org_admins_group, platform_admins_group, user_group
from realtime.publish import apublish, frame
from realtime.sockets.auth import asocket_user_for_session, session_key_of
from realtime.sockets.tickets import aissue
from workspace.conversation import mark_read_by_ids, pair_ids

CLOSE_UNAUTHENTICATED = 4401
# The one frame without "data" (realtime/catalogue.py lists it, with an empty payload).
HEARTBEAT_ACK = orjson.dumps({"event": "heartbeat.ack"}).decode()


# A thousand browsers reconnecting at once (after a deploy or a Redis restart) would each
# take a channel-layer Redis connection for their group joins at the same moment, past the
# layer's pool (redis-py's 100 connections: "Too many connections"). The joins and leaves
# (one Redis round trip or two each) take turns, a few dozen at a time per process,
# leaving the rest of the pool to the layer's reader and to publishes; nothing else of a
# handshake waits for them.
GROUP_CHANGES_AT_ONCE = 48
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def _in_turn(change: Awaitable[None]) -> None:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(GROUP_CHANGES_AT_ONCE)
    async with gate:
        await change


def _off_thread(func):
    """Reads the consumer makes go to the thread pool, not the one thread every
    database_sync_to_async call of the process shares: a burst of sockets connecting
    must not queue behind each other (or behind the health probe)."""
    return database_sync_to_async(func, thread_sensitive=False)


@dataclass(frozen=True)
class Arrival:
    """What a socket's connection reads from the database, in one trip to the pool."""

    unread: int
    counts: dict[str, int] | None  # the dashboard tiles, for an administrator


@_off_thread
def _arrival(user_id: int, organisation_id: int, is_admin: bool) -> Arrival:
    return Arrival(
        unread=unread_count(user_id=user_id),
        counts=dashboard_counts(organisation_id=organisation_id) if is_admin else None,
    )


_pair_ids = _off_thread(pair_ids)
_mark_read = _off_thread(mark_read_by_ids)

# A page says its person is typing at most this often (seconds); more is dropped.
TYPING_INTERVAL = 2.0


class LiveConsumer(AsyncWebsocketConsumer):
    """Joins `user.<id>` and, for administrators, `org.<id>.admins`; forwards events
    verbatim; turns heartbeats into presence. No business rules here."""

    groups_joined: list[str] | tuple[()] = ()
    presence: SocketPresence | None = None

    async def connect(self) -> None:
        self.groups_joined = []
        # SocketEntry (auth.py) read the member's row at this handshake (an inactive
        # account has no user id).
        user_id = cast("int | None", self.scope.get("user_id"))
        organisation_id = cast("int | None", self.scope.get("organisation_id"))
        if user_id is None:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        if organisation_id is None:
            await self._refuse(CLOSE_DEACTIVATED)
            return
        is_admin = bool(self.scope.get("is_org_admin"))
        await self.accept()
        self.user_id = user_id
        self.presence = SocketPresence(
            organisation_id=organisation_id, user_id=user_id, socket=self.channel_name
        )
        await self.presence.connected()
        self.groups_joined.append(user_group(user_id))
        if is_admin:
            self.groups_joined.append(org_admins_group(organisation_id))
            self.groups_joined.append(platform_admins_group())
        await asyncio.gather(
            *(
                _in_turn(self.channel_layer.group_add(g, self.channel_name))
                for g in self.groups_joined
            )
        )
        # A fresh (or re-) connection starts from the truth, not from missed deltas: read
        # after the joins, so a change the reads miss reaches this socket as an event (a
        # presence transition it already has may be announced again: harmless).
        self._start_bell()
        arrival = await _arrival(user_id, organisation_id, is_admin)
        if arrival.counts is not None:
            online = await aonline_user_ids(organisation_id=organisation_id)
            await self.send(text_data=frame("presence.snapshot", {"online": sorted(online)}))
            await self.send(text_data=frame("counts.changed", arrival.counts))
        self.unread = arrival.unread
        await self._push_bell()
        if self.own_scope.pop("ticket_wanted", False):
            await self._send_ticket()

    async def dispatch(self, message: dict) -> None:
        # Channels closes "old" database connections before every message, through the
        # one thread all database_sync_to_async calls of the process share: a heartbeat
        # would queue behind any database work. This consumer reaches the database only
        # through database_sync_to_async, which closes (returns) its own connections.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except Exception:
            # The consumer dies with this exception and its disconnect() never runs, e.g.
            # a send to a page that closed meanwhile (Daphne: "Attempt to send on a closed
            # protocol"). Leave the groups and the presence count, or the person would
            # stay online until the sweeper.
            await self._leave()
            raise

    # The page's ticket (realtime/sockets/tickets.py): a new one after each database read
    # of the person; renewed by a heartbeat once half its life has passed, so an open page
    # always holds one for its next handshake.

    @property
    def own_scope(self) -> dict[str, Any]:
        """The scope with what SocketEntry (auth.py) put in it: the person, the ticket."""
        return cast("dict[str, Any]", self.scope)

    async def _send_ticket(self) -> None:
        scope = self.own_scope
        session_key = session_key_of(scope)
        if session_key is None:
            return
        ticket = await aissue(
            user_id=scope["user_id"],
            organisation_id=scope["organisation_id"],
            is_org_admin=bool(scope["is_org_admin"]),
            session_key=session_key,
            read_at=scope["ticket_read_at"],
        )
        if ticket is not None:
            await self.send(text_data=frame("socket.ticket", {"ticket": ticket}))

    async def _renew_ticket(self) -> None:
        """The person read again; their socket closed as a handshake would be refused if
        the session ended or they changed (deactivated, moved, made or unmade
        administrator: the page reloads), else a new ticket."""
        scope = self.own_scope
        scope["ticket_read_at"] = int(time.time())  # one renewal at a time
        found = await asocket_user_for_session(session_key_of(scope))
        if found.user_id is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        held = (scope["user_id"], scope["organisation_id"], scope["is_org_admin"])
        if (found.user_id, found.organisation_id, found.is_org_admin) != held:
            await self.close(code=CLOSE_DEACTIVATED)
            return
        await self._send_ticket()

    async def _refuse(self, code: int) -> None:
        # Closing before accept() rejects the handshake with HTTP 403 and the browser only
        # sees 1006. Accept, then close with our code, so the page knows to stop retrying
        # (4401) or to reload to the sign-in page (4403).
        await self.accept()
        await self.close(code=code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.presence is None or not text_data:
            return
        try:
            message = orjson.loads(text_data)
        except orjson.JSONDecodeError:
            return
        if not isinstance(message, dict):
            return
        if message.get("type") == "heartbeat":
            # Acknowledged first: the ack says the beat arrived (live.js's check that the
            # socket is alive), and the presence write after it need not hold it behind a
            # Redis round trip (bench/scale.py: heartbeat RTT under load).
            await self.send(text_data=HEARTBEAT_ACK)
            await self.presence.heartbeat()
            read_at = self.own_scope.get("ticket_read_at")
            if read_at is not None and time.time() - read_at >= settings.SOCKET_TICKET_MAX_AGE / 2:
                await self._renew_ticket()
            return
        action = message.get("action")
        if action == "typing":
            await self._typing(message)
        elif action == "read":
            await self._read(message)

    # From the conversation page: «X is typing» and «read up to». The socket's person must
    # be one of the relationship's pair; anything else is ignored without an answer.

    async def _partner(self, message: dict) -> tuple[int, int] | None:
        """(relationship id, the partner's id) when this socket's person is in the pair."""
        relationship_id = message.get("relationship_id")
        if not isinstance(relationship_id, int) or isinstance(relationship_id, bool):
            return None
        if not hasattr(self, "pairs"):
            self.pairs: dict[int, tuple[int, int] | None] = {}
        if relationship_id not in self.pairs:
            if len(self.pairs) > 50:
                self.pairs.clear()
            self.pairs[relationship_id] = await _pair_ids(relationship_id)
        pair = self.pairs[relationship_id]
        if pair is None or self.user_id not in pair:
            return None
        return relationship_id, pair[1] if pair[0] == self.user_id else pair[0]

    async def _typing(self, message: dict) -> None:
        now = time.monotonic()
        if now - getattr(self, "typed_at", -TYPING_INTERVAL) < TYPING_INTERVAL:
            return
        found = await self._partner(message)
        if found is None:
            return
        self.typed_at = now
        relationship_id, partner_id = found
        data = {"relationship_id": relationship_id, "user_id": self.user_id}
        await apublish(user_group(partner_id), "conversation.typing", data)

    async def _read(self, message: dict) -> None:
        post_id = message.get("post_id")
        if not isinstance(post_id, int) or isinstance(post_id, bool):
            return
        found = await self._partner(message)
        if found is None:
            return
        # The service checks again, moves the mark forwards only and tells the pair.
        await _mark_read(user_id=self.user_id, relationship_id=found[0], post_id=post_id)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        groups, self.groups_joined = self.groups_joined, []
        await asyncio.gather(
            *(_in_turn(self.channel_layer.group_discard(g, self.channel_name)) for g in groups)
        )
        presence, self.presence = self.presence, None
        if presence is not None:
            await presence.closed()

    async def live_event(self, message: dict) -> None:
        await self.send(text_data=message["payload"])

    # The bell: the socket holds its person's unread count. It is read from the database
    # on connect, replaced by `bell.set` (a recount after a change of theirs) and raised by
    # one on `bell.bump` (one notification for every administrator). Each carries the time
    # it was counted at or delivered, so a message that arrives late or out of order never
    # counts a notification twice or loses one; the page always gets the latest count.

    # Bumps and their reasons are kept only once one arrives: most sockets never get one,
    # and an empty set and list on each of thousands of idle sockets add up (bench/idle.py).
    bell_bumps: tuple[datetime, ...] = ()
    bell_reasons: frozenset[str] = frozenset()

    def _start_bell(self) -> None:
        # Taken before the count is read: a recount made after it replaces it.
        self.bell_counted_at = timezone.now()
        self.unread = 0

    async def _push_bell(self) -> None:
        await self.send(text_data=frame("bell.changed", {"unread": self.unread}))

    async def bell_set(self, message: dict) -> None:
        counted_at = datetime.fromisoformat(message["at"])
        if counted_at < self.bell_counted_at:
            return  # older than the count we hold
        # Bumps delivered after this recount are not in it.
        self.bell_bumps = tuple(since for since in self.bell_bumps if since > counted_at)
        self.bell_counted_at = counted_at
        self.unread = message["unread"] + len(self.bell_bumps)
        await self._push_bell()

    async def bell_bump(self, message: dict) -> None:
        since = datetime.fromisoformat(message["since"])
        if since <= self.bell_counted_at or message["reason"] in self.bell_reasons:
            return  # counted after it was delivered, or a retried job's second bump
        self.bell_reasons = self.bell_reasons | {message["reason"]}
        self.bell_bumps = (*self.bell_bumps, since)
        self.unread += 1
        await self._push_bell()

    async def sockets_close(self, message: dict) -> None:
        await self.close(code=message.get("code", CLOSE_DEACTIVATED))
