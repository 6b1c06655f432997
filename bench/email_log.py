"""Email log filter («Registre des courriels», F2): one page of the filtered log through
Tandem's selector vs the same SQL sent raw with psycopg.

Data: PostgreSQL database `tandem_bench_emaillog` (created if missing, migrated with
`manage.py migrate`, left in place afterwards). ORGS organisations, RECIPIENTS members
spread evenly over them, and ROWS EmailLog rows written in time order over DAYS days (as a
real log grows), each to a random member, with a realistic mix of statuses and short
bodies. Seeded with COPY once; a rerun finds the rows (checked by counts and a version
marker) and only measures. Seeding takes about a minute on a small machine, most of it
PostgreSQL maintaining the table's ten indexes; it ends with VACUUM ANALYZE.

Workload, per execution, a fresh filter set drawn at random: one organisation, 3 of its
members, 2 statuses (among delivered, opened, sent, bounced, deferred, spam), a 30-day
window; the first page (PAGE_SIZE rows + 1, newest first).

- ours: `notifications.selectors.email_log_page(...)` evaluated, as the page view calls
  it: assembling the SQL, running it through Django's connection (DEBUG off, as in
  production) and making the page's row objects.
- raw: the SQL and parameters the selector runs for the same page
  (`email_log_query(..., limit=PAGE_SIZE + 1)`, computed outside the timer), executed
  with a plain psycopg cursor on its own autocommit connection and fetched with
  fetchall(). psycopg's defaults apply (server-side parameters; statements prepared
  after 5 runs of the same text), which is what "raw psycopg" means to a reader.

Both sides run every filter set of a round back to back, alternating which goes first,
so caches favour neither (a third side, on stderr only, runs the same SQL through a
client-binding, never-preparing psycopg cursor: how Django's backend sends every other
query). Per round and side: p95 over the round's executions. Reported:
the medians of the per-round p95s; ratio = ours / raw. The first page's ids are checked
to be identical on both sides.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench import _live

DB_NAME = "tandem_bench_emaillog"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
RAW_DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"

ROWS = 1_000_000
ORGS = 20
RECIPIENTS = 20_000
DAYS = 365
END = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
START = END - dt.timedelta(days=DAYS)
# Bump when the seed's shape changes: an older seed is then replaced, not reused.
SEED_MARK = f"bench-emaillog-v1-{ROWS}-{RECIPIENTS}"

ROUNDS = 9
PER_ROUND = 500
PAGE_SIZE = 50
MEMBERS = 3
WINDOW = dt.timedelta(days=30)
FILTER_STATUSES = ("delivered", "opened", "sent", "bounced", "deferred", "spam")
STATUS_MIX = {
    "delivered": 40,
    "opened": 30,
    "sent": 10,
    "deferred": 4,
    "bounced": 4,
    "spam": 1,
    "failed": 2,
    "suppressed": 3,
    "queued": 1,
}
SUBJECTS = (
    "Welcome to {org}",
    "Reminder: Mentoring Meeting Invitation",
    "Invitation à une réunion de mentorat",
    "How was your meeting?",
    "You have a new message in your group",
    "Vous avez reçu un nouveau message",
    "Your mentoring relationship has started",
    "Password reset",
    "Monthly newsletter",
    "Program survey",
)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def configure() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=DATABASE_URL,
        # Production settings: DEBUG off, so Django keeps no query log.
        DEBUG="0",
        SECRET_KEY="bench-emaillog-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def ensure_database() -> None:
    _live.ensure_database(dict(os.environ), DB_NAME)


def org_of(user_id: int) -> int:
    return (user_id - 1) % ORGS + 1


def is_seeded(conn) -> bool:
    marks = conn.execute(
        "SELECT count(*) FROM programs_organisation WHERE name_fr = %s", (SEED_MARK,)
    ).fetchone()[0]
    if marks != ORGS:
        return False
    users = conn.execute("SELECT count(*) FROM programs_user").fetchone()[0]
    logs = conn.execute("SELECT count(*) FROM notifications_emaillog").fetchone()[0]
    return users == RECIPIENTS and logs == ROWS


def seed(conn) -> None:
    """Empty the tables, then COPY the organisations, members and log rows."""
    rng = random.Random(20231130)
    conn.execute(
        "TRUNCATE notifications_emaillog, programs_user, programs_organisation "
        "RESTART IDENTITY CASCADE"
    )
    with conn.cursor().copy(
        "COPY programs_organisation (id, name_en, name_fr, slug, support_email, allow_video,"
        " allow_in_person, allow_phone, notes_in_reports, messages_in_reports, created_at,"
        " video_url_template)"
        " FROM STDIN"
    ) as copy:
        for org in range(1, ORGS + 1):
            copy.write_row(
                (
                    org,
                    f"Bench program {org}",
                    SEED_MARK,
                    f"bench-emaillog-{org}",
                    f"admin@org{org}.bench.test",
                    True,
                    True,
                    True,
                    False,
                    False,
                    START,
                    "",
                )
            )
    names: dict[int, tuple[str, str, str]] = {}
    with conn.cursor().copy(
        "COPY programs_user (id, password, is_superuser, email, first_name, last_name,"
        " organisation_id, role, language, time_zone, is_active, is_staff, date_joined,"
        " job_title, company, city, province, country, summary, email_problem) FROM STDIN"
    ) as copy:
        for user in range(1, RECIPIENTS + 1):
            first, last = f"First{user}", f"Last{user:05}"
            email = f"member{user}@org{org_of(user)}.bench.test"
            language = "fr" if user % 3 == 0 else "en"
            names[user] = (f"{first} {last}", email, language)
            copy.write_row(
                (
                    user,
                    "!",  # unusable password: nobody signs in here
                    False,
                    email,
                    first,
                    last,
                    org_of(user),
                    "mentor" if user % 2 else "mentee",
                    language,
                    "America/Toronto",
                    True,
                    False,
                    START,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
    statuses = list(STATUS_MIX)
    weights = list(STATUS_MIX.values())
    step = (END - START) / ROWS
    body_text = "Hello,\n\n" + "This is a message from your mentoring program. " * 4
    body_html = "<p>Hello,</p><p>" + "This is a message from your mentoring program. " * 6
    with conn.cursor().copy(
        "COPY notifications_emaillog (id, organisation_id, recipient_id, to_name, to_email,"
        " language, message_key, subject, body_text, body_html, status, status_at,"
        " created_at, sent_at, opened_at, provider_message_id, error, attachments) FROM STDIN"
    ) as copy:
        for n in range(1, ROWS + 1):
            user = rng.randint(1, RECIPIENTS)
            org = org_of(user)
            name, email, language = names[user]
            created = START + step * n
            status = rng.choices(statuses, weights)[0]
            sent = None if status in ("queued", "suppressed") else created
            opened = created + dt.timedelta(hours=rng.random() * 48) if status == "opened" else None
            status_at = opened or created + dt.timedelta(seconds=rng.randint(1, 600))
            copy.write_row(
                (
                    n,
                    org,
                    user,
                    name,
                    email,
                    language,
                    "meeting_reminder",
                    rng.choice(SUBJECTS).format(org=f"Bench program {org}"),
                    body_text,
                    body_html,
                    status,
                    status_at,
                    created,
                    sent,
                    opened,
                    f"<{n}.bench@tandem.localhost>",
                    "",
                    "[]",
                )
            )
    for table in ("programs_organisation", "programs_user", "notifications_emaillog"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def prepare_data() -> None:
    import psycopg

    with psycopg.connect(RAW_DSN, autocommit=True) as conn:
        if is_seeded(conn):
            log("seed: found, reused")
            return
        began = time.perf_counter()
        with conn.transaction():
            seed(conn)
        log(f"seed: {ROWS} rows written in {time.perf_counter() - began:.1f}s")
        conn.execute("VACUUM ANALYZE notifications_emaillog")
        conn.execute("ANALYZE programs_user")
        conn.execute("ANALYZE programs_organisation")
        log(f"seed: done with VACUUM ANALYZE in {time.perf_counter() - began:.1f}s")


def filter_sets(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """`count` filters as the page builds them: one organisation, MEMBERS of its people,
    two statuses, a WINDOW of whole days."""
    sets = []
    for _ in range(count):
        org = rng.randint(1, ORGS)
        members = rng.sample(range(org, RECIPIENTS + 1, ORGS), MEMBERS)
        start = START + dt.timedelta(days=rng.randint(0, DAYS - WINDOW.days))
        sets.append(
            {
                "organisation_id": org,
                "member_ids": members,
                "statuses": rng.sample(FILTER_STATUSES, 2),
                "start": start,
                "end": start + WINDOW,
            }
        )
    return sets


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def bench() -> tuple[list[float], list[float], int]:
    import psycopg
    from django.db import connection

    from notifications.email.log import email_log_page, email_log_query

    def ours(filters: dict[str, Any]) -> list[int]:
        page = email_log_page(**filters, size=PAGE_SIZE)
        return [row.pk for row in page.rows]

    raw_conn = psycopg.connect(RAW_DSN, autocommit=True)
    raw_cursor = raw_conn.cursor()

    def raw_sql(filters: dict[str, Any]) -> tuple[str, list]:
        return email_log_query(**filters, limit=PAGE_SIZE + 1)

    def raw(sql: str, params: Sequence[Any]) -> list[int]:
        raw_cursor.execute(sql, params)
        return [row[0] for row in raw_cursor.fetchall()]

    rng = random.Random(7)
    # Warm-up, unmeasured: connections, caches, and the check that both sides agree.
    returned = 0
    for filters in filter_sets(rng, 50):
        sql, params = raw_sql(filters)
        mine, theirs = ours(filters), raw(sql, params)
        assert mine == theirs[:PAGE_SIZE], (filters, mine, theirs)
        returned += len(mine)
    log(f"warm-up: {returned / 50:.1f} rows per page on average")
    sample = filter_sets(random.Random(1), 1)[0]
    sql, params = raw_sql(sample)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        log("plan of one page:\n  " + "\n  ".join(row[0] for row in cursor.fetchall()))

    # Context only (stderr): the same SQL through a client-binding cursor that never
    # prepares, which is how Django's backend sends every other query.
    client_conn = psycopg.connect(RAW_DSN, autocommit=True, prepare_threshold=None)
    client_cursor = psycopg.ClientCursor(client_conn)

    def raw_client(sql: str, params: tuple) -> None:
        client_cursor.execute(sql, params)
        client_cursor.fetchall()

    ours_p95: list[float] = []
    raw_p95: list[float] = []
    for round_no in range(ROUNDS):
        sets = filter_sets(rng, PER_ROUND)
        prepared = [raw_sql(filters) for filters in sets]
        times: dict[str, list[float]] = {"ours": [], "raw": [], "client": []}
        for n, (filters, query) in enumerate(zip(sets, prepared, strict=True)):
            sides = [
                ("ours", lambda filters=filters: ours(filters)),
                ("raw", lambda query=query: raw(*query)),
                ("client", lambda query=query: raw_client(*query)),
            ]
            # Rotate who goes first (and so meets the colder cache) every filter set.
            shift = (n + round_no) % len(sides)
            for side, run in sides[shift:] + sides[:shift]:
                began = time.perf_counter()
                run()
                times[side].append((time.perf_counter() - began) * 1000)
        ours_p95.append(p95(times["ours"]))
        raw_p95.append(p95(times["raw"]))
        log(
            f"round {round_no + 1}: p95 ours={ours_p95[-1]:.3f}ms raw={raw_p95[-1]:.3f}ms "
            f"raw_client_binding={p95(times['client']):.3f}ms | p50 "
            f"ours={statistics.median(times['ours']):.3f}ms "
            f"raw={statistics.median(times['raw']):.3f}ms "
            f"raw_client_binding={statistics.median(times['client']):.3f}ms"
        )
    client_conn.close()
    raw_conn.close()
    return ours_p95, raw_p95, ROUNDS


def main() -> None:
    configure()
    began = time.perf_counter()
    ensure_database()
    prepare_data()

    import django

    django.setup()
    from bench._common import machine_line

    print(machine_line(), flush=True)
    ours_p95, raw_p95, rounds = bench()
    ours, raw = statistics.median(ours_p95), statistics.median(raw_p95)
    log(f"total: {time.perf_counter() - began:.1f}s")
    print(
        f"email_log_filter_p95 ratio={ours / raw:.3f} goal=1.25 better=lower "
        f"ours_p95={ours:.3f}ms raw_p95={raw:.3f}ms rows={ROWS} rounds={rounds}",
        flush=True,
    )


if __name__ == "__main__":
    main()
