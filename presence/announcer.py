"""Presence transitions announced in batches: one frame per organisation per window.

A thousand pages reconnecting together (after a deploy or a Redis failover) each make
their person newly online. Announced one by one, every transition is a frame to each
administrator already connected — N administrators reconnecting receive about N²/2
frames between them — plus a «Dernière session» write and a partner query each.

Here the transition itself is still decided at once in Redis (`store.mark_seen` /
`store.mark_gone`, atomic across processes; snapshots and pages read it there), and only
its announcement is throttled: at most one per organisation per PRESENCE_ANNOUNCE_MS in
each process. A transition in a quiet organisation is announced at once; those that come
within the window after it wait for its end and go together: one `presence.changed`
listing them all, one database write, one partner query. When a person changes twice
within a window, the last change is announced. A storm of N reconnections lasting T
seconds thus sends each administrator at most T ÷ window + 1 frames, not N.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from django.conf import settings

from presence import events
from programs.services import member_record_last_seen

logger = logging.getLogger(__name__)

# A batch's one write, off the process's shared database thread.
_record_last_seen = database_sync_to_async(member_record_last_seen, thread_sensitive=False)


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class Announcer:
    """The transitions of one process (one event loop) waiting to be announced.

    An organisation quiet for a window has its next transition announced at once (the
    caller waits for it, as a lone arrival always was); the ones that follow within the
    window wait for its end and go together."""

    def __init__(self, window: float) -> None:
        self.window = window
        # organisation id → user id → (online, unix time of the transition)
        self.pending: dict[int, dict[int, tuple[bool, float]]] = {}
        # organisation id → loop time of its last announcement
        self.last: dict[int, float] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def add(self, *, organisation_id: int, user_id: int, online: bool, at: float) -> None:
        batch = self.pending.get(organisation_id)
        if batch is not None:
            batch[user_id] = (online, at)
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        since = now - self.last.get(organisation_id, -self.window)
        if since >= self.window:
            self.last[organisation_id] = now
            await self._announce(organisation_id, {user_id: (online, at)})
            return
        self.pending[organisation_id] = {user_id: (online, at)}
        task = loop.create_task(self._flush_later(organisation_id, self.window - since))
        # The loop keeps only a weak reference to its tasks.
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _flush_later(self, organisation_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        # Taken before the first await: a transition from now on starts the next batch.
        batch = self.pending.pop(organisation_id)
        self.last[organisation_id] = asyncio.get_running_loop().time()
        await self._announce(organisation_id, batch)

    async def _announce(self, organisation_id: int, batch: dict[int, tuple[bool, float]]) -> None:
        try:
            # One time for the batch (its latest): one UPDATE, within a window of exact.
            at = _at(max(ts for _, ts in batch.values()))
            await _record_last_seen(user_ids_seen=dict.fromkeys(batch, at))
            await events.apresence_changed(
                organisation_id,
                online=[uid for uid, (online, _) in batch.items() if online],
                offline=[uid for uid, (online, _) in batch.items() if not online],
            )
        except Exception:
            # Best effort, as every live push: the snapshot of the next (re)connection
            # and the sweeper repair what a lost announcement left.
            logger.exception("presence announcement lost (organisation %s)", organisation_id)

    async def flush(self) -> None:
        """Wait for every batch waiting now (tests, and a process shutting down)."""
        while self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


_announcers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Announcer] = (
    weakref.WeakKeyDictionary()
)


def announcer() -> Announcer:
    """This event loop's announcer (an asyncio task cannot outlive its loop)."""
    loop = asyncio.get_running_loop()
    found = _announcers.get(loop)
    if found is None:
        found = _announcers[loop] = Announcer(settings.PRESENCE_ANNOUNCE_MS / 1000)
    return found
