"""RSVP fan-out: meeting_respond → rsvp.updated at 500 administrator sockets, vs a bare group_send.

Measured: how long after a participant answers an invitation every administrator of the
organisation sees the tick change live, compared with the channel layer's own cost of
delivering the same payload to the same sockets. Reported as `rsvp_fanout_p99`.

Setup: one Daphne process (`python -m daphne server.asgi:application`, the production
entry point, DEBUG=0) on PostgreSQL database `tandem_bench_rsvp` (created if missing,
migrated with `manage.py migrate`, emptied and re-seeded every run, left in place
afterwards) and Redis db 1 (flushed before and after: the db belongs to this benchmark).
This process and Daphne share SECRET_KEY, so the sessions made here verify there.

Data: ONE organisation with SOCKETS administrators (role "admin"), each with a signed-in
session; a mentor and a mentee in a matched relationship, both available every day
08:00–20:00; a weekly series of meetings booked for them with `meeting_book` (actor: the
first administrator) at the first slot `slots_for` offers two days from now. Booking's
emails and bells go to django-q2's ORM broker after commit; no worker runs, and none of
it happens inside the measured span.

Load generator: a separate process (multiprocessing, spawn) holding the SOCKETS
WebSockets (`websockets` asyncio client, one event loop, permessage-deflate off). It
drains the connect messages (presence.snapshot, counts.changed, bell.changed and the other
administrators' presence.changed), then timestamps every frame with time.time() as soon
as its reader task gets it. Both processes read the same wall clock.

Per round, both sides, alternating which goes first:

- ours: the clock starts just before `meeting_respond(attendee=<the mentee's attendee of
  the next meeting>, accepted=<True and False in turn>)` in this process: one transaction
  (lock the attendee, save the answer, commit), then the after-commit publish of
  `rsvp.updated {meeting_id, user_id, response}` to `org.<id>.admins`. It stops as each
  socket receives that event; every received payload is checked against the answer given.
- base: `async_to_sync(get_channel_layer().group_send)(org_admins_group(org_id),
  live.event)` of an `rsvp.updated` payload of the same shape plus its send time `t`;
  LiveConsumer forwards live.event payloads verbatim, so this is a bare group_send to the
  same sockets on the same Daphne.

Per round and side: p50 and p99 (nearest rank) over the SOCKETS arrival latencies.
Reported: medians of the per-round p50s and p99s; ratio = ours p99 / base p99. `lost`
counts socket-messages not received within LOST_AFTER seconds over all measured rounds (a
missing arrival counts as LOST_AFTER in the percentiles); it must be 0.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from bench._live import percentile, raise_nofile, session_cookies, sign_in

SOCKETS = 500
ROUNDS = 9
LOST_AFTER = 10.0
QUIET = 0.3
START_TIMEOUT = 30.0
# BENCH_RSVP_DATABASE and BENCH_RSVP_REDIS_URL move it elsewhere (several runs on a machine).
DB_NAME = os.environ.get("BENCH_RSVP_DATABASE", "tandem_bench_rsvp")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_RSVP_REDIS_URL", "redis://127.0.0.1:6379/1")
PREFIX = "tandem-bench-rsvp"
# Sessions are signed: this process (which makes them) and Daphne must share the key.
SECRET_KEY = "bench-rsvp-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
EVENT = "rsvp.updated"
CONNECTED_EVENT = "bell.changed"  # the last message of an administrator's connect


# --------------------------------------------------------------------------------------
# Load generator (runs in its own process; no Django).


async def collect(
    fleet: Fleet, start: float | None, timeout: float, expected: dict[str, Any]
) -> dict[str, Any]:
    """Wait until every socket has an `rsvp.updated`, or the timeout; then report each
    socket's latency (from `start`, else from the payload's data.t; None when missing),
    how many payloads differ from `expected`, and anything else that arrived."""
    begun = start if start is not None else time.time()
    deadline = begun + timeout
    while time.time() < deadline:
        if all(sock.counts[EVENT] for sock in fleet.sockets):
            break
        await asyncio.sleep(0.002)
    latencies: list[float | None] = []
    mismatched = 0
    others: Counter[str] = Counter()
    for sock in fleet.sockets:
        matching = [(t, m) for t, m in sock.arrivals if m.get("event") == EVENT]
        others.update(m.get("event", "") for _t, m in sock.arrivals if m.get("event") != EVENT)
        if start is None:
            # The bare side's event carries its send time; an rsvp.updated without one is
            # the service's, from the previous round, arriving late on a loaded machine.
            late = [(t, m) for t, m in matching if "t" not in m["data"]]
            others.update({f"late {EVENT}": len(late)} if late else {})
            matching = [(t, m) for t, m in matching if "t" in m["data"]]
        if not matching:
            latencies.append(None)
            continue
        arrived, message = matching[0]
        data = message["data"]
        if len(matching) > 1 or any(data.get(k) != v for k, v in expected.items()):
            mismatched += 1
        origin = start if start is not None else float(data["t"])
        latencies.append((arrived - origin) * 1000)
    fleet.clear()  # what arrives from now on is a leftover, reported by the next drain
    return {
        "latencies": latencies,
        "mismatched": mismatched,
        "others": dict(others),
        "closed": sum(sock.closed for sock in fleet.sockets),
    }


def generator_main(port: int, cookies: list[str], conn: Connection) -> None:
    raise_nofile(SOCKETS + 100)
    run_generator(port, cookies, conn, ready_event=CONNECTED_EVENT, collect=collect)


# --------------------------------------------------------------------------------------
# Server, database and data (the bench process).


@dataclass
class Seeded:
    organisation_id: int
    cookies: list[str]
    attendee: Any  # scheduling.models.Attendee: the mentee's, next meeting
    starts_at: str


def seed() -> Seeded:
    """Empty the tables this bench touches (the cascade takes every member's rows), then
    the organisation, its administrators with a session each, and the booked pair."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone
    from django_q.models import OrmQ

    from programs.models import Organisation, Relationship, RelationshipStatus, Role, User
    from scheduling.models import Attendee, MeetingType
    from scheduling.recurrence import Frequency
    from scheduling.selectors import slots_for
    from scheduling.services import availability_set, meeting_book

    tables = [model._meta.db_table for model in (OrmQ, Session, User, Organisation)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    org = Organisation.objects.create(
        name_en="Bench RSVP", slug="bench-rsvp", support_email="rsvp@bench.test"
    )
    unusable = make_password(None)  # no password hashing: nobody signs in with a form
    admins = User.objects.bulk_create(
        User(
            email=f"admin{n}@bench.test",
            first_name="Admin",
            last_name=str(n),
            organisation=org,
            role=Role.ADMINISTRATOR,
            password=unusable,
        )
        for n in range(SOCKETS)
    )
    mentor, mentee = (
        User.objects.create(
            email=f"{role}@bench.test",
            first_name=role.title(),
            last_name="Bench",
            organisation=org,
            role=role,
            password=unusable,
        )
        for role in (Role.MENTOR, Role.MENTEE)
    )
    relationship = Relationship.objects.create(
        organisation=org,
        mentor=mentor,
        mentee=mentee,
        status=RelationshipStatus.MATCHED,
        started_at=timezone.now(),
    )
    every_day = [(weekday, clock(8), clock(20)) for weekday in range(7)]
    for person in (mentor, mentee):
        availability_set(user=person, ranges=every_day)

    actor = admins[0]
    day = (timezone.localtime(timezone.now(), ZoneInfo(actor.time_zone)) + timedelta(days=2)).date()
    slots = slots_for(relationship=relationship, day=day, viewer=actor, duration_minutes=30)
    if not slots:
        raise RuntimeError(f"no slot offered on {day}")
    series = meeting_book(
        actor=actor,
        relationship=relationship,
        duration_minutes=30,
        meeting_type=MeetingType.VIDEO,
        start=slots[0],
        frequency=Frequency.WEEKLY,
        occurrences=4,
    )
    attendee = (
        Attendee.objects.select_related("meeting")
        .filter(meeting__series=series, user=mentee, meeting__starts_at__gt=timezone.now())
        .order_by("meeting__starts_at")
        .first()
    )
    if attendee is None:
        raise RuntimeError("the booked series has no upcoming meeting for the mentee")

    return Seeded(
        organisation_id=org.pk,
        cookies=session_cookies(sign_in(admins)),
        attendee=attendee,
        starts_at=attendee.meeting.starts_at.isoformat(),
    )


# --------------------------------------------------------------------------------------
# Measurement.


def summarise(answer: dict[str, Any]) -> RoundResult:
    latencies = [LOST_AFTER * 1000 if v is None else v for v in answer["latencies"]]
    lost = sum(v is None for v in answer["latencies"])
    return RoundResult(
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        lost=lost,
        fastest=min(latencies),
    )


class Bench:
    def __init__(self, generator: Generator, seeded: Seeded) -> None:
        self.generator = generator
        self.seeded = seeded
        self.accepted = False  # the mentee's answer so far (pending counts as not accepted)

    def data(self) -> dict[str, Any]:
        attendee = self.seeded.attendee
        return {
            "meeting_id": attendee.meeting_id,
            "user_id": attendee.user_id,
            "response": "accepted" if self.accepted else "declined",
        }

    def check(self, side: str, answer: dict[str, Any]) -> None:
        if answer["mismatched"] or answer["closed"]:
            raise RuntimeError(
                f"{side}: {answer['mismatched']} unexpected rsvp.updated payloads, "
                f"{answer['closed']} sockets closed"
            )
        if answer["others"]:
            log(f"  {side}: other events arrived while measuring: {answer['others']}")

    def ours(self) -> RoundResult:
        from scheduling.services import meeting_respond

        settle(self.generator, QUIET)
        self.accepted = not self.accepted
        start = time.time()
        meeting_respond(attendee=self.seeded.attendee, accepted=self.accepted)
        returned_ms = (time.time() - start) * 1000
        answer = self.generator.ask("collect", start, LOST_AFTER, self.data())
        self.check("ours", answer)
        log(f"  ours: meeting_respond returned after {returned_ms:.1f}ms")
        return summarise(answer)

    def base(self) -> RoundResult:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        from realtime.groups import org_admins_group

        settle(self.generator, QUIET)
        payload = orjson.dumps({"event": EVENT, "data": {**self.data(), "t": time.time()}})
        layer = get_channel_layer()
        assert layer is not None
        async_to_sync(layer.group_send)(
            org_admins_group(self.seeded.organisation_id),
            {"type": "live.event", "payload": payload.decode()},
        )
        answer = self.generator.ask("collect", None, LOST_AFTER, self.data())
        self.check("base", answer)
        return summarise(answer)


def run(generator: Generator, seeded: Seeded) -> tuple[str, int]:
    bench = Bench(generator, seeded)
    ours_results, base_results = alternate(bench.ours, bench.base, ROUNDS)

    ours_p99 = statistics.median(r.p99 for r in ours_results)
    base_p99 = statistics.median(r.p99 for r in base_results)
    ours_p50 = statistics.median(r.p50 for r in ours_results)
    base_p50 = statistics.median(r.p50 for r in base_results)
    lost = sum(r.lost for r in ours_results + base_results)
    line = (
        f"rsvp_fanout_p99 ratio={ours_p99 / base_p99:.2f} goal=1.5 better=lower "
        f"ours_p99={ours_p99:.1f}ms base_p99={base_p99:.1f}ms "
        f"ours_p50={ours_p50:.1f}ms base_p50={base_p50:.1f}ms "
        f"sockets={SOCKETS} lost={lost} rounds={ROUNDS}"
    )
    return line, lost


def main() -> None:
    raise_nofile(SOCKETS + 100)
    with tempfile.TemporaryDirectory(prefix="bench-rsvp-") as tmp:
        configure(
            Path(tmp),
            database_url=DATABASE_URL,
            redis_url=REDIS_URL,
            prefix=PREFIX,
            secret_key=SECRET_KEY,
            debug=False,
        )
        from bench._common import machine_line

        print(machine_line(), flush=True)
        try:
            flush_redis(REDIS_URL)
            ensure_database(DB_NAME)

            import django

            django.setup()
            seeded = seed()
            log(f"seeded: meeting {seeded.attendee.meeting_id} at {seeded.starts_at}")
            with serving(
                Path(tmp), generator_main, seeded.cookies, start_timeout=START_TIMEOUT
            ) as generator:
                line, lost = run(generator, seeded)
        finally:
            flush_redis(REDIS_URL)
        print(line, flush=True)
    if lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
