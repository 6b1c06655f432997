"""Release-note fan-out: publish → bell.changed at 500 administrator sockets, vs a bare group_send.

Setup: one Daphne process (`python -m daphne server.asgi:application`, the production
entry point) on PostgreSQL database `tandem_bench_fanout` (created if missing, migrated
with `manage.py migrate`, emptied and re-seeded every run, left in place afterwards) and
Redis db 10 (flushed before and after: the db belongs to this benchmark). One server
process, not two: every socket is in the same process, so a group message reaches all of
them through one Redis list, and the per-socket work below lands on one process.

Data: SOCKETS administrators (role "admin") spread over ORGS organisations, a signed-in
session for each (as tests/realtime/helpers.session_cookie_for makes it), and one staff
user (no organisation) who writes the release notes.

Load generator: a separate process (multiprocessing, spawn) holding the SOCKETS
WebSockets (`websockets` asyncio client, one event loop, permessage-deflate off). It
drains the connect messages (presence.snapshot, counts.changed, bell.changed, and the
presence.changed of the other administrators arriving), then timestamps every frame with
time.time() as soon as its reader task gets it. The bench process and the generator share
the machine's wall clock, so a start time taken here and an arrival time taken there are
comparable.

Per round, both sides, alternating which goes first:

- ours: `release_note_save` (the staff user writes a note), then `published_at` is set
  with a queryset update instead of `release_note_publish`, whose only other effect is to
  queue the delivery job on django-q2 after commit (no worker runs here). The clock starts
  just before `release_note_deliver(note_id=...)`, called in this process as the job would
  call it, and stops when each socket receives its `bell.changed`. That span is the whole
  honest cost of our path: reading the administrators, bulk-inserting one notification
  each, then one `bell.bump` message to the platform.admins group; each socket adds one
  to the count it holds and sends `bell.changed` (no database work on the socket side).
  Every received count is checked against the number of notes delivered so far.
- base: `async_to_sync(get_channel_layer().group_send)("platform.admins", live.event)`
  of a small payload embedding its send time; LiveConsumer forwards live.event payloads
  verbatim, so this is a bare group_send to the same sockets on the same Daphne.

Per round and side: p50 and p99 over the SOCKETS arrival latencies. Reported: medians of
the per-round p50s and p99s; ratio = ours p99 / base p99. `lost` counts socket-messages
not received within LOST_AFTER seconds over all measured rounds (a missing arrival counts
as LOST_AFTER in the percentiles).

Burst: then BURST bare group_sends back-to-back, and BURST `admins_bells_bumped()`
(what `release_note_deliver` sends) back-to-back; every socket must receive all of them
(bell.changed for ours). A burst ends when everything has arrived, or when no frame has
come for BURST_STALL seconds. `burst50_lost` is the total of bell.changed missing across
sockets for ours at that point; the baseline's and the completion times go to stderr
with the per-round details.

DB_CONN_MAX_AGE, when set in the environment, reaches Daphne (the default is 0, as in
production unless configured).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson

from bench._fanout import (
    Generator,
    RoundResult,
    alternate,
    configure,
    ensure_database,
    flush_redis,
    log,
    run_generator,
    serving,
    settle,
)
from bench._fleet import Fleet
from bench._live import session_cookies, sign_in

SOCKETS = 500
ORGS = 5
ROUNDS = 9
BURST = 50
LOST_AFTER = 10.0
# A burst is over when every frame has come, or nothing has come for BURST_STALL seconds
# (then what is missing will not come: see the module docstring), or at BURST_TIMEOUT.
BURST_STALL = 10.0
BURST_TIMEOUT = 120.0
QUIET = 0.3
START_TIMEOUT = 30.0
# BENCH_FANOUT_DATABASE and BENCH_FANOUT_REDIS_URL move it elsewhere (several runs on a
# machine).
DB_NAME = os.environ.get("BENCH_FANOUT_DATABASE", "tandem_bench_fanout")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_FANOUT_REDIS_URL", "redis://127.0.0.1:6379/10")
PREFIX = "tandem-bench-fanout"
# Sessions are signed: this process (which makes them) and Daphne must share the key.
SECRET_KEY = "bench-fanout-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
BASE_EVENT = "bench.ping"
BELL_EVENT = "bell.changed"


# --------------------------------------------------------------------------------------
# Load generator (runs in its own process; no Django).


async def collect(
    fleet: Fleet,
    event: str,
    count: int,
    start: float | None,
    timeout: float,
    stall: float | None = None,
) -> dict[str, Any]:
    """Wait until every socket has `count` frames of `event`, or the timeout, or (with
    `stall`) no frame at all for `stall` seconds; then report the first arrival's latency
    per socket (from `start`, else from the frame's data.t), the total of missing frames,
    and anything else that arrived."""
    begun = start or time.time()
    deadline = begun + timeout
    while (now := time.time()) < deadline:
        if all(sock.counts[event] >= count for sock in fleet.sockets):
            break
        if stall is not None and now - max(begun, fleet.last_arrival) > stall:
            break
        await asyncio.sleep(0.005)
    latencies: list[float | None] = []
    missing = 0
    last = 0.0
    values: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for sock in fleet.sockets:
        matching = [(t, m) for t, m in sock.arrivals if m.get("event") == event]
        others.update(m.get("event", "") for _t, m in sock.arrivals if m.get("event") != event)
        missing += max(0, count - len(matching))
        if not matching:
            latencies.append(None)
            continue
        first_t, first = matching[0]
        origin = start if start is not None else float(first["data"]["t"])
        latencies.append((first_t - origin) * 1000)
        last = max(last, matching[-1][0])
        values.update(str(m["data"].get("unread")) for _t, m in matching if event == BELL_EVENT)
    fleet.clear()  # what arrives from now on is a leftover, reported by the next drain
    return {
        "latencies": latencies,
        "missing": missing,
        "last_ms": (last - (start or 0.0)) * 1000 if start is not None else None,
        "unread": dict(values),
        "others": dict(others),
        "closed": sum(sock.closed for sock in fleet.sockets),
    }


def generator_main(port: int, cookies: list[str], conn: Connection) -> None:
    run_generator(port, cookies, conn, ready_event=BELL_EVENT, collect=collect)


# --------------------------------------------------------------------------------------
# Server, database and data (the bench process).


def seed() -> tuple[Any, list[str]]:
    """Empty the tables this bench touches, then SOCKETS administrators with a session
    each and one staff user. Returns (staff, cookies)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.db import connection

    from notifications.models import Notification, ReleaseNote
    from programs.models import Organisation, Role, User

    tables = [
        model._meta.db_table for model in (Notification, ReleaseNote, Session, User, Organisation)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    orgs = Organisation.objects.bulk_create(
        Organisation(name_en=f"Bench {n}", slug=f"bench-{n}", support_email=f"org{n}@bench.test")
        for n in range(ORGS)
    )
    unusable = make_password(None)  # no password hashing: nobody signs in with a form
    admins = User.objects.bulk_create(
        User(
            email=f"admin{n}@bench.test",
            first_name="Admin",
            last_name=str(n),
            organisation=orgs[n % ORGS],
            role=Role.ADMINISTRATOR,
            password=unusable,
        )
        for n in range(SOCKETS)
    )
    staff = User.objects.create(
        email="staff@bench.test",
        first_name="Staff",
        last_name="Bench",
        is_staff=True,
        password=unusable,
    )
    return staff, session_cookies(sign_in(admins))


# --------------------------------------------------------------------------------------
# Measurement.


def summarise(answer: dict[str, Any]) -> RoundResult:
    latencies = [LOST_AFTER * 1000 if v is None else v for v in answer["latencies"]]
    lost = sum(v is None for v in answer["latencies"])
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    return RoundResult(p50=statistics.median(latencies), p99=p99, lost=lost, fastest=min(latencies))


class Bench:
    def __init__(self, generator: Generator, staff: Any) -> None:
        self.generator = generator
        self.staff = staff
        self.delivered = 0

    def base_send(self) -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        from realtime.groups import platform_admins_group

        payload = orjson.dumps({"event": BASE_EVENT, "data": {"t": time.time()}}).decode()
        layer = get_channel_layer()
        assert layer is not None
        async_to_sync(layer.group_send)(
            platform_admins_group(), {"type": "live.event", "payload": payload}
        )

    def base(self) -> RoundResult:
        settle(self.generator, QUIET)
        self.base_send()
        return summarise(self.generator.ask("collect", BASE_EVENT, 1, None, LOST_AFTER))

    def ours(self) -> RoundResult:
        from django.utils import timezone

        from notifications.models import ReleaseNote
        from notifications.release_notes.services import release_note_deliver, release_note_save

        settle(self.generator, QUIET)
        note = release_note_save(
            actor=self.staff,
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=self.delivered),
            title_en=f"Bench {self.delivered}",
            body_en="## Changes\n- Faster bells",
        )
        ReleaseNote.objects.filter(pk=note.pk).update(published_at=timezone.now())
        start = time.time()
        holders = release_note_deliver(note_id=note.pk)
        deliver_ms = (time.time() - start) * 1000
        self.delivered += 1
        answer = self.generator.ask("collect", BELL_EVENT, 1, start, LOST_AFTER)
        expected = {str(self.delivered): SOCKETS}
        if holders != SOCKETS or answer["unread"] != expected:
            raise RuntimeError(
                f"wrong delivery: {holders} holders, unread counts {answer['unread']} "
                f"(expected {expected})"
            )
        result = summarise(answer)
        log(f"  ours: release_note_deliver returned after {deliver_ms:.1f}ms")
        return result

    def burst(self) -> tuple[int, int]:
        settle(self.generator, QUIET)
        start = time.time()
        for _ in range(BURST):
            self.base_send()
        sent_ms = (time.time() - start) * 1000
        base = self.generator.ask(
            "collect", BASE_EVENT, BURST, start, BURST_TIMEOUT, BURST_STALL, timeout=300
        )
        log(
            f"burst base: {BURST} group_sends in {sent_ms:.0f}ms, all arrived after "
            f"{base['last_ms']:.0f}ms, missing {base['missing']}"
        )

        from notifications.bell.events import admins_bells_bumped

        settle(self.generator, QUIET)
        start = time.time()
        for n in range(BURST):
            admins_bells_bumped(reason=f"bench-burst.{n}")
        sent_ms = (time.time() - start) * 1000
        ours = self.generator.ask(
            "collect", BELL_EVENT, BURST, start, BURST_TIMEOUT, BURST_STALL, timeout=300
        )
        log(
            f"burst ours: {BURST} bell bumps in {sent_ms:.0f}ms, last bell.changed after "
            f"{ours['last_ms']:.0f}ms, missing {ours['missing']}, unread {ours['unread']}, "
            f"closed sockets {ours['closed']}"
        )
        return ours["missing"], base["missing"]


def run(generator: Generator, staff: Any) -> tuple[str, int]:
    bench = Bench(generator, staff)
    ours_results, base_results = alternate(bench.ours, bench.base, ROUNDS)
    burst_lost, _base_burst_lost = bench.burst()

    ours_p99 = statistics.median(r.p99 for r in ours_results)
    base_p99 = statistics.median(r.p99 for r in base_results)
    ours_p50 = statistics.median(r.p50 for r in ours_results)
    base_p50 = statistics.median(r.p50 for r in base_results)
    lost = sum(r.lost for r in ours_results + base_results)
    line = (
        f"fanout_500_p99 ratio={ours_p99 / base_p99:.2f} goal=1.5 better=lower "
        f"ours_p99={ours_p99:.1f}ms base_p99={base_p99:.1f}ms "
        f"ours_p50={ours_p50:.1f}ms base_p50={base_p50:.1f}ms "
        f"sockets={SOCKETS} lost={lost} burst50_lost={burst_lost} rounds={ROUNDS}"
    )
    return line, lost


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        configure(
            Path(tmp),
            database_url=DATABASE_URL,
            redis_url=REDIS_URL,
            prefix=PREFIX,
            secret_key=SECRET_KEY,
            debug=True,
        )
        from bench._common import machine_line

        print(machine_line(), flush=True)
        ensure_database(DB_NAME)

        import django

        django.setup()
        flush_redis(REDIS_URL)
        staff, cookies = seed()
        try:
            with serving(
                Path(tmp), generator_main, cookies, start_timeout=START_TIMEOUT
            ) as generator:
                line, lost = run(generator, staff)
        finally:
            flush_redis(REDIS_URL)
        print(line, flush=True)
    if lost:
        # A round with missing arrivals is not a measurement; burst losses are a result.
        sys.exit(1)


if __name__ == "__main__":
    main()
