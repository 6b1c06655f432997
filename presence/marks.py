"""A process' presence marks, sent to Redis together: one script per batch, not per beat.

Each socket's heartbeat was its own Redis round trip, and redis-py's asyncio client
spends more of a process' time on a command than Redis does: 200 beats a second cost a
process a few percent of a core, in slices that held back the acknowledgements of the
beats around them (bench/scale.py: the heartbeat RTT's p99). So the marks of one process
(one event loop) queue here and go in one `store.apply_marks` script, in order:

- a heartbeat does not wait: its mark goes with the next batch, at most BEAT_DELAY later
  (presence is «seen within PRESENCE_OFFLINE_AFTER seconds»: a quarter of a second is
  nothing to it);
- a connect or a close waits for its batch, which is sent at once (or as soon as the one
  in flight returns): the connecting socket's own presence snapshot must list its person,
  and a storm of a thousand connects is a few dozen scripts, not a thousand.

A batch's transitions (newly online, last socket gone) are announced as before
(presence.announcer) before the marks' waiters resume. One batch in flight at a time, so
a socket's marks reach Redis in the order they were made (a late beat never brings back
a socket that closed).
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from presence.announcer import announcer
from presence.clients import aredis_client
from presence.store import Mark, apply_marks

logger = logging.getLogger(__name__)

# A heartbeat's mark waits at most this long (s) for others to go with.
BEAT_DELAY = 0.25
# Marks per script at most: a script runs alone in Redis, so a long one would hold back
# every other client (a batch is rarely this long: 2,000 sockets beat ~100 times a second).
MAX_SCRIPT = 500


class Marks:
    """The marks of one event loop waiting for Redis."""

    def __init__(self) -> None:
        self.queued: list[Mark] = []
        self.waiters: list[asyncio.Future[bool]] = []  # the waiting marks' answers
        self.waiting: list[int] = []  # their index in `queued`
        self.timer: asyncio.TimerHandle | None = None
        self.flushing: asyncio.Task[None] | None = None

    def beat(self, mark: Mark) -> None:
        """A heartbeat's mark: sent with the next batch; nobody waits for it."""
        self.queued.append(mark)
        if self.flushing is None and self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(BEAT_DELAY, self._send)

    async def now(self, mark: Mark) -> bool:
        """A connect's or a close's mark, sent at once (after the batch in flight, if
        any); True when it is a transition (already announced when this returns)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append(len(self.queued))
        self.waiters.append(answer)
        self.queued.append(mark)
        if self.flushing is None:
            self._send()
        return await answer

    def _send(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, waiting, waiters = self.queued, self.waiting, self.waiters
        self.queued, self.waiting, self.waiters = [], [], []
        self.flushing = asyncio.get_running_loop().create_task(
            self._flush(batch, dict(zip(waiting, waiters, strict=True)))
        )
        self.flushing.add_done_callback(self._sent)

    def _sent(self, _task: asyncio.Task[None]) -> None:
        self.flushing = None
        if self.waiters:
            self._send()
        elif self.queued:
            self.timer = asyncio.get_running_loop().call_later(BEAT_DELAY, self._send)

    async def _flush(self, batch: list[Mark], waiters: dict[int, asyncio.Future[bool]]) -> None:
        try:
            transitions: list[bool] = []
            for first in range(0, len(batch), MAX_SCRIPT):
                part = batch[first : first + MAX_SCRIPT]
                transitions += await apply_marks(aredis_client(), part)
        except Exception as error:
            for answer in waiters.values():
                answer.set_exception(error)
            if len(batch) > len(waiters):
                logger.exception("presence: %d heartbeats not recorded", len(batch) - len(waiters))
            return
        for mark, transition in zip(batch, transitions, strict=True):
            if transition:
                await announcer().add(
                    organisation_id=mark.seen.organisation_id,
                    user_id=mark.seen.user_id,
                    online=not mark.gone,
                    at=mark.at,
                )
        for index, answer in waiters.items():
            if not answer.done():  # (its waiter may have been cancelled)
                answer.set_result(transitions[index])

    async def drain(self) -> None:
        """Until every mark queued now is in Redis (tests, benchmarks, shutdown)."""
        while self.queued or self.flushing is not None:
            if self.flushing is None:
                self._send()
            flushing = self.flushing
            if flushing is not None:
                await asyncio.wait([flushing])


_marks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Marks] = weakref.WeakKeyDictionary()


def marks() -> Marks:
    """This event loop's marks (an asyncio task cannot outlive its loop)."""
    loop = asyncio.get_running_loop()
    found = _marks.get(loop)
    if found is None:
        found = _marks[loop] = Marks()
    return found
