"""Conversation: 500 mentors post, 500 mentees see it — post_create vs a bare group_send.

Measured: how long after a mentor posts (through `workspace.conversation.post_create`, the
service the page calls) the mentee's open socket has the `post.created` event, compared
with the channel layer's own cost of delivering the same payload to the same sockets.
Reported as `conversation_p99`.

Setup: one Daphne process (the production entry point, DEBUG=0) on PostgreSQL database
`tandem_bench_conversation` (created if missing, migrated, emptied and re-seeded every
run) and its own Redis db (BENCH_CONVERSATION_REDIS_URL, default db 3; flushed before and
after). PRESENCE_OFFLINE_AFTER is an hour for the run: the load generator does not beat,
and the mentees must stay online (an offline mentee would get the email path instead).

Data: ONE organisation, PAIRS mentors and PAIRS mentees, PAIRS matched relationships
(mentor n with mentee n), every person with a signed-in session: 2 × PAIRS sockets.

Load generator: a separate process holding the mentors' sockets and the mentees' sockets
in two fleets (`websockets` client, one event loop); every frame is timestamped on
arrival. Both processes read the same wall clock.

Per round, both sides, alternating which goes first:

- ours: for each pair in turn, the clock of that pair starts just before
  `post_create(author=<mentor n>, relationship=<n>, text=...)`: one transaction (insert
  the post, the author's read mark, the mentee's presence check in Redis), then the
  after-commit publish of `post.created` to `user.<mentor>` and `user.<mentee>`. Each
  mentee socket's latency runs from its own pair's start to the arrival of its post.
- base: for each pair in turn, a bare `group_send` (one asyncio loop, one channel layer)
  of a `post.created` frame of the same shape plus its send time `t`, to the same two
  user groups; the mentee socket's latency runs from `t`. The sends follow the schedule
  of the previous ours round (pair n at the same offset from the round's start), so both
  sides put the same rate of frames through Daphne: a burst of 1,000 sends at once would
  measure the queue, not the delivery.

Per round and side: p50 and p99 (nearest rank) over the PAIRS mentee latencies. Reported:
medians of the per-round p50s and p99s; ratio = ours p99 / base p99. `lost` counts mentee
sockets without their post within LOST_AFTER seconds (counted as LOST_AFTER); must be 0.
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
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson

from bench._fanout import (
    CONNECT_CONCURRENCY,
    Generator,
    RoundResult,
    alternate,
    configure,
    ensure_database,
    flush_redis,
    log,
    start_server,
    stop_server,
)
from bench._fleet import Fleet, drain, open_sockets
from bench._live import percentile, raise_nofile, session_cookies, sign_in

PAIRS = 500
ROUNDS = 5
LOST_AFTER = 15.0
QUIET = 0.3
START_TIMEOUT = 30.0
DB_NAME = "tandem_bench_conversation"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_CONVERSATION_REDIS_URL", "redis://127.0.0.1:6379/3")
PREFIX = "tandem-bench-conversation"
SECRET_KEY = "bench-conversation-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
EVENT = "post.created"
CONNECTED_EVENT = "bell.changed"  # the last message of a member's connect


# --------------------------------------------------------------------------------------
# Load generator (its own process; no Django).


async def collect(
    mentees: Fleet, starts: dict[int, float] | None, texts: dict[int, str] | None
) -> dict[str, Any]:
    """Wait until every mentee socket has a post.created (or LOST_AFTER); then each one's
    latency (None when missing), payloads that differ from what was posted, others."""
    begun = time.time()
    while time.time() < begun + LOST_AFTER:
        if all(sock.counts[EVENT] for sock in mentees.sockets):
            break
        await asyncio.sleep(0.005)
    latencies: list[float | None] = []
    mismatched = 0
    others: Counter[str] = Counter()
    for sock in mentees.sockets:
        mine = [(t, m) for t, m in sock.arrivals if m.get("event") == EVENT]
        others.update(m.get("event", "") for _t, m in sock.arrivals if m.get("event") != EVENT)
        # The base side's frames carry their send time; ours never do.
        mine = [(t, m) for t, m in mine if ("t" in m["data"]) == (starts is None)]
        if not mine:
            latencies.append(None)
            continue
        arrived, message = mine[0]
        data = message["data"]
        relationship_id = data["relationship_id"]
        if starts is None:
            origin = float(data["t"])
        else:
            origin = starts[relationship_id]
            if texts is not None and data["html"] != texts[relationship_id]:
                mismatched += 1
        if len(mine) > 1:
            mismatched += 1
        latencies.append((arrived - origin) * 1000)
    mentees.clear()
    return {"latencies": latencies, "mismatched": mismatched, "others": dict(others)}


async def generator_loop(port: int, cookies: list[str], conn: Connection) -> None:
    mentors, mentees = Fleet(), Fleet()
    while True:
        command, *args = await asyncio.to_thread(conn.recv)
        if command == "connect":
            errors = []
            for fleet, half in ((mentors, cookies[:PAIRS]), (mentees, cookies[PAIRS:])):
                errors += await open_sockets(
                    fleet, port, half, ready_event=CONNECTED_EVENT, concurrency=CONNECT_CONCURRENCY
                )
            count = len(mentors.sockets) + len(mentees.sockets)
            conn.send({"connected": count, "errors": errors[:5]})
        elif command == "drain":
            quiet = args[0]
            drained = await drain(mentees, quiet)
            drained.update(await drain(mentors, quiet))
            conn.send({"drained": dict(drained)})
        elif command == "collect":
            answer = await collect(mentees, *args)
            mentors.clear()  # the authors' own copies
            conn.send(answer)
        elif command == "stop":
            for task in mentors.readers + mentees.readers:
                task.cancel()
            conn.send({"stopped": True})
            return


def generator_main(port: int, cookies: list[str], conn: Connection) -> None:
    import traceback

    raise_nofile(2 * PAIRS + 100)
    try:
        asyncio.run(generator_loop(port, cookies, conn))
    except Exception:  # noqa: BLE001 - the bench process must hear of it
        conn.send({"error": traceback.format_exc()})


# --------------------------------------------------------------------------------------
# Server, database and data (the bench process).


@dataclass
class Seeded:
    mentors: list[Any]
    relationships: list[Any]
    cookies: list[str]  # the mentors', then the mentees'


def seed() -> Seeded:
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone
    from django_q.models import OrmQ

    from programs.models import Organisation, Relationship, RelationshipStatus, Role, User

    tables = [model._meta.db_table for model in (OrmQ, Session, User, Organisation)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    org = Organisation.objects.create(
        name_en="Bench conversation", slug="bench-conversation", support_email="c@bench.test"
    )
    unusable = make_password(None)

    def people(role: str) -> list[Any]:
        return User.objects.bulk_create(
            User(
                email=f"{role}{n}@bench.test",
                first_name=role.title(),
                last_name=str(n),
                organisation=org,
                role=role,
                password=unusable,
            )
            for n in range(PAIRS)
        )

    mentors, mentees = people(Role.MENTOR), people(Role.MENTEE)
    relationships = Relationship.objects.bulk_create(
        Relationship(
            organisation=org,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.MATCHED,
            started_at=timezone.now(),
        )
        for mentor, mentee in zip(mentors, mentees, strict=True)
    )
    for relationship, mentor, mentee in zip(relationships, mentors, mentees, strict=True):
        relationship.organisation = org
        relationship.mentor, relationship.mentee = mentor, mentee
    return Seeded(
        mentors=mentors,
        relationships=relationships,
        cookies=session_cookies(sign_in(mentors + mentees)),
    )


# --------------------------------------------------------------------------------------
# Measurement.


def summarise(answer: dict[str, Any]) -> RoundResult:
    latencies = [LOST_AFTER * 1000 if v is None else v for v in answer["latencies"]]
    return RoundResult(
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        lost=sum(v is None for v in answer["latencies"]),
        fastest=min(latencies),
    )


class Bench:
    def __init__(self, generator: Generator, seeded: Seeded) -> None:
        self.generator = generator
        self.seeded = seeded
        self.round = 0
        # When, from the start of the last ours round, each pair's post began: the base
        # side replays this schedule, so both load Daphne at the same rate.
        self.offsets: list[float] = [0.0] * PAIRS

    def settle(self) -> None:
        drained = self.generator.ask("drain", QUIET)["drained"]
        if drained:
            log(f"  drained before measuring: {drained}")

    def check(self, side: str, answer: dict[str, Any]) -> None:
        if answer["mismatched"]:
            raise RuntimeError(f"{side}: {answer['mismatched']} unexpected post.created payloads")
        if answer["others"]:
            log(f"  {side}: other events arrived while measuring: {answer['others']}")

    def ours(self) -> RoundResult:
        from workspace.conversation import post_create

        self.settle()
        self.round += 1
        starts: dict[int, float] = {}
        texts: dict[int, str] = {}
        began = time.time()
        for n, (mentor, relationship) in enumerate(
            zip(self.seeded.mentors, self.seeded.relationships, strict=True)
        ):
            text = f"round {self.round}: hello from {mentor.last_name}"
            texts[relationship.pk] = text
            starts[relationship.pk] = time.time()
            self.offsets[n] = starts[relationship.pk] - began
            post_create(author=mentor, relationship=relationship, text=text)
        log(f"  ours: {PAIRS} posts in {(time.time() - began) * 1000:.0f}ms")
        answer = self.generator.ask("collect", starts, texts)
        self.check("ours", answer)
        return summarise(answer)

    def base(self) -> RoundResult:
        from channels.layers import channel_layers

        from realtime.groups import user_group

        self.settle()
        relationships = self.seeded.relationships
        self.round += 1
        round_no = self.round
        offsets = list(self.offsets)

        async def send_all() -> None:
            layer = channel_layers.make_backend("default")
            began = time.time()
            for offset, relationship in zip(offsets, relationships, strict=True):
                wait = began + offset - time.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                data = {
                    "relationship_id": relationship.pk,
                    "post_id": 0,
                    "author_id": relationship.mentor_id,
                    "author_name": relationship.mentor.full_name,
                    "html": f"round {round_no}: hello from {relationship.mentor.last_name}",
                    "created_at": "2026-01-01T00:00:00+00:00",
                    "edited_at": None,
                    "deleted": False,
                    "t": time.time(),
                }
                payload = orjson.dumps({"event": EVENT, "data": data}).decode()
                for user_id in (relationship.mentor_id, relationship.mentee_id):
                    await layer.group_send(
                        user_group(user_id), {"type": "live.event", "payload": payload}
                    )

        asyncio.run(send_all())
        answer = self.generator.ask("collect", None, None)
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
        f"conversation_p99 ratio={ours_p99 / base_p99:.2f} goal=1.5 better=lower lost={lost} "
        f"ours_p50={ours_p50:.1f}ms ours_p99={ours_p99:.1f}ms "
        f"bare_p50={base_p50:.1f}ms bare_p99={base_p99:.1f}ms "
        f"pairs={PAIRS} sockets={2 * PAIRS} rounds={ROUNDS}"
    )
    return line, lost


def main() -> None:
    raise_nofile(2 * PAIRS + 100)
    with tempfile.TemporaryDirectory(prefix="bench-conversation-") as tmp:
        configure(
            Path(tmp),
            database_url=DATABASE_URL,
            redis_url=REDIS_URL,
            prefix=PREFIX,
            secret_key=SECRET_KEY,
            debug=False,
        )
        # The generator does not beat: keep the mentees online for the whole run.
        os.environ["PRESENCE_OFFLINE_AFTER"] = "3600"
        from bench._common import machine_line

        print(machine_line(), flush=True)
        server = None
        generator = None
        try:
            flush_redis(REDIS_URL)
            ensure_database(DB_NAME)

            import django

            django.setup()
            seeded = seed()
            server = start_server(Path(tmp), timeout=START_TIMEOUT)
            generator = Generator(generator_main, server.port, seeded.cookies)
            began = time.time()
            connected = generator.ask("connect", timeout=600)
            if connected["connected"] != 2 * PAIRS or connected["errors"]:
                raise RuntimeError(f"sockets not all connected: {connected}")
            log(f"{2 * PAIRS} sockets connected in {time.time() - began:.1f}s")
            line, lost = run(generator, seeded)
        except BaseException:
            if server is not None:
                log("daphne output (tail):\n" + server.output()[-4000:])
            raise
        finally:
            if generator is not None:
                generator.stop()
            if server is not None:
                stop_server(server)
            flush_redis(REDIS_URL)
        print(line, flush=True)
    if lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
