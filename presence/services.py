"""Presence use cases: a socket connects, beats, closes; the sweeper expires the silent.

Heartbeats touch Redis only (and at most once per PRESENCE_WRITE_INTERVAL per socket);
the database hears of a user only on a transition, to keep «Dernière session». A
socket's transitions are announced in batches per organisation (presence.announcer).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings

from presence import events, store
from presence.clients import redis_client
from presence.marks import marks
from programs.services import member_record_last_seen


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class SocketPresence:
    """The presence of one open socket of one member (one per socket: slots, no dict)."""

    __slots__ = ("last_write", "seen")

    def __init__(self, *, organisation_id: int, user_id: int, socket: str) -> None:
        self.seen = store.Seen(organisation_id=organisation_id, user_id=user_id, socket=socket)
        self.last_write = 0.0

    async def connected(self) -> None:
        """Recorded before this returns (and announced if the person was offline)."""
        now = time.time()
        self.last_write = now
        await marks().now(store.Mark(self.seen, now))

    async def heartbeat(self) -> None:
        """A beat from the browser, recorded with the process' next batch of marks
        (presence.marks). Skipped when this socket wrote recently: the stored timestamp
        is still well inside the offline threshold."""
        now = time.time()
        if now - self.last_write < settings.PRESENCE_WRITE_INTERVAL:
            return
        self.last_write = now
        marks().beat(store.Mark(self.seen, now))

    async def closed(self) -> None:
        """Recorded (after this socket's earlier beats) before this returns; the person
        announced offline if it was their last socket."""
        await marks().now(store.Mark(self.seen, time.time(), gone=True))


def presence_sweep(*, now: float | None = None) -> dict[int, dict[int, float]]:
    """Expire members who stopped beating; publish one coalesced event per organisation."""
    transitions = store.sweep(redis_client(), time.time() if now is None else now)
    for organisation_id, gone in transitions.items():
        member_record_last_seen(user_ids_seen={uid: _at(ts) for uid, ts in gone.items()})
        events.presence_changed(organisation_id, offline=gone.keys())
    return transitions
