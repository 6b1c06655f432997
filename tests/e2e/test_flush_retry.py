"""The browser tests' teardown survives a write that deadlocks with its flush.

A real deadlock on the real PostgreSQL: another connection holds one of the tables the
flush truncates and then asks for one the flush already holds, as a live server's late
write («Dernière session» recorded after a page closed) did in CI."""

from __future__ import annotations

import re
import threading
import time

import psycopg
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection
from django.test import TransactionTestCase

from programs.models import Organisation
from tests.conftest import make_org
from tests.e2e.browser import FlushRetried, _is_deadlock


def _truncated_tables() -> list[str]:
    """The tables of the flush's TRUNCATE, in the order it locks them."""
    (statement,) = [s for s in sql_flush(no_style(), connection) if s.startswith("TRUNCATE")]
    return re.findall(r'"([^"]+)"', statement.split(";")[0])


def _dsn() -> str:
    settings = connection.settings_dict
    return (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"dbname={settings['NAME']} user={settings['USER'] or 'postgres'}"
    )


def _waiting_for_a_lock(pid: int) -> bool:
    with psycopg.connect(_dsn(), autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    return row is not None and row[0] == "Lock"


class CountedFlushes(TransactionTestCase):
    flushes = 0

    def _fixture_teardown(self):
        self.flushes += 1
        return super()._fixture_teardown()  # type: ignore[misc]


class FlushRetriedTest(FlushRetried, CountedFlushes):
    def test_a_flush_chosen_as_deadlock_victim_is_run_again(self):
        make_org("mentor-canada", "Mentor Canada", "systems.tests@mentoringcanada.ca")
        first, second = _truncated_tables()[:2]
        with connection.cursor() as cursor:
            flush_pid = cursor.connection.info.backend_pid
        failures: list[BaseException] = []
        holding = threading.Event()

        def other_writer() -> None:
            try:
                with psycopg.connect(_dsn()) as other:
                    other.execute(f'LOCK TABLE "{second}" IN ROW EXCLUSIVE MODE')
                    holding.set()
                    deadline = time.monotonic() + 10
                    while not _waiting_for_a_lock(flush_pid):
                        if time.monotonic() > deadline:
                            raise AssertionError("the flush never waited for our table")
                        time.sleep(0.02)
                    # The flush holds the first table and waits for the second: asking
                    # for the first closes the cycle. The flush waited first, so its
                    # deadlock check runs first and it is the one rolled back.
                    other.execute(f'LOCK TABLE "{first}" IN ROW EXCLUSIVE MODE')
                    other.commit()
            except BaseException as error:  # reported by the test's thread
                failures.append(error)

        thread = threading.Thread(target=other_writer)
        thread.start()
        assert holding.wait(10)
        try:
            self._fixture_teardown()
        finally:
            thread.join(15)
        assert not failures, failures
        assert self.flushes == 2  # the deadlock, then the flush that went through
        assert not Organisation.objects.exists()

    def test_only_a_deadlock_is_retried(self):
        assert not _is_deadlock(RuntimeError("other"))
        cause = psycopg.errors.DeadlockDetected("deadlock detected")
        wrapped = RuntimeError("couldn't be flushed")
        wrapped.__cause__ = cause
        assert _is_deadlock(wrapped)
