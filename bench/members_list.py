"""The filtered members list at 100,000 members vs its own SQL: `python -m bench.members_list`.

One PostgreSQL database holds the program measured (BIG members) and OTHERS organisations
of OTHER_SIZE members sharing the tables. Every organisation has a single-choice custom
field «Favourite sport» (six options) that three members in four answered; members have
a stored profile completion, a sector and a function, a job title for half of them, a
last session for most; relationships link some of them. Names come from bench.pages'
short lists (many people share a name). Built with COPY, VACUUM ANALYZEd and kept: its
name carries SEED_VERSION, so a rerun finds it (drop it, or bump SEED_VERSION, to build
anew); a rerun still applies this checkout's migrations (new indexes).

Measured: the members list page filtered as an administrator would (custom field +
option, «Complétude du profil inférieure à», text; 50 rows a page) requested through
the real view (Django's test Client: middleware, session, view, template; DEBUG off), as
the program's administrator, against the same page's SQL sent raw: every statement one
warm request sent (captured with CaptureQueriesContext: the text PostgreSQL received),
replayed through a psycopg client-binding cursor, nothing prepared (as Django sends
them). The two take turns every round (who goes first alternates), WARM unmeasured
rounds then ROUNDS measured; median and p95 of each. Prints
  members_filter_p95 ratio=R goal=1.5 better=lower page_p95=…ms sql_p95=…ms …
(R = the page's p95 ÷ its SQL's p95).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg

from bench._common import machine_line, page_bench_environment, static_files_by_name
from bench.pages import FIRST_NAMES, LAST_NAMES, NOW, PG_URL, Copier, percentile

SEED_VERSION = 1
DB_NAME = f"tandem_bench_members_list_v{SEED_VERSION}"
BIG = 100_000
OTHERS = 4
OTHER_SIZE = 20_000
RELATIONSHIPS_PER_MEMBER = 0.2
WARM = 5
ROUNDS = 30
PAGE_SIZE = 50
OPTIONS = ["base", "hock", "socc", "tenn", "swim", "run"]
SECTORS = ["Health", "Finance", "Education", "Public service", "Technology", "Arts", "Trades"]
FUNCTIONS = ["Manager", "Analyst", "Engineer", "Nurse", "Teacher", "Student", "Designer"]
# What the administrator asks: baseball lovers below 80 % named «Bouch…» (Boucher,
# Bouchard): a few hundred of the 100,000, so a full page of 50.
SEARCH = "bouch"
COMPLETION_BELOW = 80


def database_ready() -> bool:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            with psycopg.connect(f"{PG_URL}/{DB_NAME}", autocommit=True) as db:
                row = db.execute("SELECT to_regclass('bench_members_list_built')").fetchone()
                return row is not None and row[0] is not None
        return False


def build() -> None:
    """Migrate and fill the database (Django set up on it)."""
    from django.core.management import call_command
    from django.db import connection

    from programs.models import (
        Organisation,
        ProfileField,
        ProfileFieldValue,
        Relationship,
        User,
    )

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(12)
    raw = connection.connection
    assert raw is not None
    cursor = raw.cursor()
    plan = [("big", BIG)] + [(f"other{n}", OTHER_SIZE) for n in range(OTHERS)]
    Copier(
        cursor, Organisation, dict.fromkeys(["id", "name_en", "slug", "support_email", "created_at"])
    ).write(
        {"id": n, "name_en": f"Bench {label}", "slug": f"bench-{label}",
         "support_email": f"admin@{label}.bench", "created_at": NOW}
        for n, (label, _size) in enumerate(plan, start=1)
    )  # fmt: skip
    Copier(
        cursor,
        ProfileField,
        dict.fromkeys(["id", "organisation_id", "name_en", "name_fr", "kind", "options"]),
    ).write(
        {"id": n, "organisation_id": n, "name_en": "Favourite sport", "name_fr": "Sport préféré",
         "kind": "single",
         "options": json.dumps([{"id": o, "en": o.title(), "fr": o.title()} for o in OPTIONS])}
        for n in range(1, len(plan) + 1)
    )  # fmt: skip
    user_columns = [
        "id", "email", "first_name", "last_name", "organisation_id", "role", "is_active",
        "password", "date_joined", "profile_completion", "language", "time_zone", "sector",
        "function", "job_title", "last_seen",
    ]  # fmt: skip
    users = Copier(cursor, User, dict.fromkeys(user_columns))
    values = Copier(
        cursor,
        ProfileFieldValue,
        dict.fromkeys(["id", "field_id", "user_id", "value", "updated_at"]),
    )
    rels = Copier(
        cursor,
        Relationship,
        dict.fromkeys(
            ["id", "organisation_id", "mentor_id", "mentee_id", "status", "created_at",
             "started_at", "ended_at"]
        ),
    )  # fmt: skip
    next_user, next_value, next_rel = 1, 1, 1
    for org_id, (label, size) in enumerate(plan, start=1):
        rows: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        mentors: list[int] = []
        mentees: list[int] = []
        for n in range(size):
            uid = next_user
            next_user += 1
            role = "admin" if n < 3 else ("mentor" if n % 5 < 2 else "mentee")
            if role != "admin":
                (mentors if role == "mentor" else mentees).append(uid)
            rows.append(
                {
                    "id": uid, "email": f"u{uid}@{label}.bench",
                    "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
                    "organisation_id": org_id, "role": role, "is_active": rng.random() > 0.08,
                    "password": "!", "date_joined": NOW - timedelta(days=rng.randrange(1000)),
                    "profile_completion": rng.randrange(101), "language": rng.choice(("en", "fr")),
                    "time_zone": "America/Toronto", "sector": rng.choice(SECTORS),
                    "function": rng.choice(FUNCTIONS),
                    "job_title": "Analyst" if rng.random() < 0.5 else "",
                    "last_seen": (
                        NOW - timedelta(hours=rng.randrange(24 * 365)) if rng.random() < 0.8 else None
                    ),
                }
            )  # fmt: skip
            if rng.random() < 0.75:
                answers.append(
                    {"id": next_value, "field_id": org_id, "user_id": uid,
                     "value": json.dumps(rng.choice(OPTIONS)), "updated_at": NOW}
                )  # fmt: skip
                next_value += 1
        users.write(rows)
        values.write(answers)
        pairs: set[tuple[int, int]] = set()
        relationship_rows: list[dict[str, Any]] = []
        while len(relationship_rows) < int(size * RELATIONSHIPS_PER_MEMBER):
            mentor, mentee = rng.choice(mentors), rng.choice(mentees)
            if (mentor, mentee) in pairs:
                continue
            pairs.add((mentor, mentee))
            created = NOW - timedelta(hours=rng.randrange(2 * 365 * 24))
            status = "matched" if rng.random() < 0.7 else "completed"
            relationship_rows.append(
                {"id": next_rel, "organisation_id": org_id, "mentor_id": mentor,
                 "mentee_id": mentee, "status": status, "created_at": created,
                 "started_at": created,
                 "ended_at": created + timedelta(days=200) if status == "completed" else None}
            )  # fmt: skip
            next_rel += 1
        rels.write(relationship_rows)
        raw.commit()
        print(
            f"built {label}: {size} members, {len(answers)} answers, "
            f"{len(relationship_rows)} relationships ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    for table in (
        "programs_organisation",
        "programs_user",
        "programs_profilefield",
        "programs_profilefieldvalue",
        "programs_relationship",
    ):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )  # fmt: skip
    cursor.execute("CREATE TABLE bench_members_list_built (at timestamptz)")
    cursor.execute("INSERT INTO bench_members_list_built VALUES (now())")
    raw.commit()
    connection.close()
    with psycopg.connect(f"{PG_URL}/{DB_NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"built {DB_NAME} in {time.perf_counter() - started:.0f} s", flush=True)


def page_request() -> tuple[Callable[[], Any], dict[str, str]]:
    """The filtered page's request for the big program's administrator."""
    from django.test import Client

    from programs.models import User

    admin = User.objects.filter(organisation_id=1, role="admin").order_by("pk").first()
    assert admin is not None
    client = Client()
    client.force_login(admin)
    query = {
        "q": SEARCH,
        "field": "1",
        "option": "base",
        "completion_below": str(COMPLETION_BELOW),
        "size": str(PAGE_SIZE),
    }
    return (lambda: client.get("/manage/members/", query)), query


def main() -> int:
    dsn = f"{PG_URL}/{DB_NAME}"
    page_bench_environment(dsn=dsn, redis_prefix="tandem-bench-members-list")
    print(machine_line(), flush=True)
    ready = database_ready()
    if not ready:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    static_files_by_name()
    if ready:
        print(f"database {DB_NAME}: built before, reused", flush=True)
        call_command("migrate", verbosity=0)
    else:
        build()

    request, query = page_request()
    for _ in range(WARM):
        response = request()
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
    rows = response.content.decode().count("<tr data-member=")
    if rows != PAGE_SIZE:
        raise SystemExit(f"the filtered page shows {rows} rows, not {PAGE_SIZE}")
    with CaptureQueriesContext(connection) as captured:
        request()
    statements = [q["sql"] for q in captured.captured_queries]

    raw = psycopg.connect(
        dsn, autocommit=True, prepare_threshold=None, cursor_factory=psycopg.ClientCursor
    )

    def page_once() -> float:
        began = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
        return elapsed

    def sql_once() -> float:
        began = time.perf_counter()
        for sql in statements:
            with raw.cursor() as cur:
                cur.execute(sql.encode())
                if cur.description is not None:
                    cur.fetchall()
        return (time.perf_counter() - began) * 1000

    page_times: list[float] = []
    sql_times: list[float] = []
    for round_no in range(WARM + ROUNDS):
        sides = [(page_times, page_once), (sql_times, sql_once)]
        if round_no % 2:
            sides.reverse()
        for times, run in sides:
            elapsed = run()
            if round_no >= WARM:
                times.append(elapsed)
    raw.close()

    page_p50, sql_p50 = statistics.median(page_times), statistics.median(sql_times)
    page_p95, sql_p95 = percentile(page_times, 0.95), percentile(sql_times, 0.95)
    print(f"query: {query}; {len(statements)} statements, {rows} rows of {BIG:,} members")
    print("| side | p50 ms | p95 ms |\n|---|---|---|")
    print(f"| page (view) | {page_p50:.1f} | {page_p95:.1f} |")
    print(f"| its SQL sent raw | {sql_p50:.1f} | {sql_p95:.1f} |")
    print(
        f"members_filter_p95 ratio={page_p95 / sql_p95:.2f} goal=1.5 better=lower "
        f"page_p95={page_p95:.1f}ms sql_p95={sql_p95:.1f}ms page_p50={page_p50:.1f}ms "
        f"sql_p50={sql_p50:.1f}ms members={BIG} rounds={ROUNDS}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
