"""The members report over HTTP vs PostgreSQL's own COPY: `python -m bench.export`.

Data: PostgreSQL database `tandem_bench_export_v{SEED_VERSION}_{MEMBERS}` (built with COPY
once, VACUUM ANALYZEd, kept: a rerun reuses it). Organisation 1 has MEMBERS members
(BENCH_EXPORT_MEMBERS, default 1,000,000), organisation 2 a tenth of that (the memory
comparison); each has MEMBERS/10 matched relationships and a single-choice custom field
«shown in reports» answered by every third member, so every column's subquery has rows.

Measured, ROUNDS times, the two sides interleaved (alternating which goes first):
- http: `GET /manage/reports/members/download/` as organisation 1's administrator,
  through a real Daphne (`bench.asgi`, DEBUG off, a session cookie), the whole body read
  by a loopback http.client; time to first byte, total time, bytes, and the server
  process' peak RSS (psutil, sampled every 5 ms) during the request;
- copy: `COPY (the same SELECT) TO STDOUT (FORMAT csv)` — the select the report runs,
  every subquery and annotation included, its parameters inlined — read whole through
  psycopg.
Then the same download of organisation 2 (a tenth of the rows), for the peak memory.

Prints a table and
  members_export ratio=R goal=0.25 better=higher  (http rows/s ÷ COPY rows/s, medians)
with rows/s, time to first byte and peak RSS beside it, and
  members_export_memory ratio=R goal=1.2 better=lower  (peak RSS, MEMBERS ÷ MEMBERS/10)
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg

from bench import _live
from bench.pages import FIRST_NAMES, LAST_NAMES, Copier

SEED_VERSION = 1
MEMBERS = int(os.environ.get("BENCH_EXPORT_MEMBERS", "1000000"))
SMALL = MEMBERS // 10
ROUNDS = int(os.environ.get("BENCH_EXPORT_ROUNDS", "5"))
PG_URL = "postgres://postgres@127.0.0.1:5432"
NAME = f"tandem_bench_export_v{SEED_VERSION}_{MEMBERS}"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PATH = "/manage/reports/members/download/"


def database_ready() -> bool:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (NAME,)).fetchone():
            with psycopg.connect(f"{PG_URL}/{NAME}", autocommit=True) as db:
                row = db.execute("SELECT to_regclass('bench_export_built')").fetchone()
                return row is not None and row[0] is not None
        return False


def build() -> None:
    """Create, migrate and fill the database (Django set up on it)."""
    from django.core.management import call_command
    from django.db import connection

    from programs.models import Organisation, ProfileField, ProfileFieldValue, Relationship, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(23)
    raw = connection.connection
    assert raw is not None
    cursor = raw.cursor()
    Copier(cursor, Organisation, dict.fromkeys(["id", "name_en", "slug", "support_email"])).write(
        {"id": n, "name_en": f"Export {n}", "slug": f"export-{n}", "support_email": f"a@{n}.b"}
        for n in (1, 2)
    )
    users = Copier(
        cursor,
        User,
        dict.fromkeys(
            ["id", "email", "first_name", "last_name", "organisation_id", "role", "is_active",
             "password", "date_joined", "job_title", "company", "city", "last_seen"]
        ),
    )  # fmt: skip
    relationships = Copier(
        cursor,
        Relationship,
        dict.fromkeys(
            ["id", "organisation_id", "mentor_id", "mentee_id", "status", "created_at",
             "started_at"]
        ),
    )  # fmt: skip
    next_user, next_rel = 1, 1
    for org_id, members in ((1, MEMBERS), (2, SMALL)):
        first = next_user
        field = ProfileField.objects.create(
            organisation_id=org_id,
            name_en="Region",
            name_fr="Région",
            kind="single",
            options=[{"id": f"o{n}", "en": f"Region {n}", "fr": f"Région {n}"} for n in range(8)],
        )

        def rows(first: int = first, members: int = members, org_id: int = org_id) -> Any:
            for n in range(members):
                role = "admin" if n == 0 else ("mentor" if n % 2 else "mentee")
                yield {
                    "id": first + n,
                    "email": f"u{first + n}@o{org_id}.bench",
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "organisation_id": org_id,
                    "role": role,
                    "is_active": True,
                    "password": "!",
                    "date_joined": NOW - timedelta(minutes=n),
                    "job_title": "Engineer" if n % 3 else "",
                    "company": "Acme" if n % 4 else "=Formula Inc",
                    "city": "Montréal",
                    "last_seen": NOW - timedelta(hours=n % 500),
                }

        users.write(rows())
        next_user += members
        pairs = members // 10
        relationships.write(
            {
                "id": next_rel + n,
                "organisation_id": org_id,
                "mentor_id": first + 1 + 2 * n,  # odd offsets are mentors
                "mentee_id": first + 2 + 2 * n,
                "status": "matched",
                "created_at": NOW - timedelta(days=n % 300),
                "started_at": NOW - timedelta(days=n % 300),
            }
            for n in range(pairs)
        )
        next_rel += pairs
        values = Copier(
            cursor, ProfileFieldValue, dict.fromkeys(["id", "field_id", "user_id", "value"])
        )
        values.write(
            {"id": first + n, "field_id": field.pk, "user_id": first + n, "value": f'"o{n % 8}"'}
            for n in range(1, members, 3)
        )
        print(f"built organisation {org_id}: {members} members, {pairs} pairs", flush=True)
    for table in ("programs_user", "programs_relationship", "programs_profilefieldvalue"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    cursor.execute("CREATE TABLE bench_export_built (members int)")
    raw.commit()
    with psycopg.connect(f"{PG_URL}/{NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"built {NAME} in {time.perf_counter() - started:.0f} s", flush=True)


def report_sql(organisation_id: int) -> str:
    """The members report's select for the organisation, parameters inlined."""
    from django.db import connection

    from programs.models import User
    from reports.members import _queryset, member_columns
    from reports.registry import ReportContext

    admin = User.objects.filter(organisation_id=organisation_id, role="admin").first()
    assert admin is not None and admin.organisation is not None
    context = ReportContext(organisation=admin.organisation, actor=admin, language="en", zone=UTC)
    columns = member_columns(organisation_id=organisation_id)
    sources = sorted({column.source for column in columns})
    sql, params = _queryset(context, columns).values_list(*sources).query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def copy_run(sql: str) -> tuple[float, int]:
    with psycopg.connect(f"{PG_URL}/{NAME}", autocommit=True) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        size = 0
        with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                size += len(data)
        return time.perf_counter() - started, size


class PeakRss:
    """The largest RSS of process `pid` while the block runs (sampled every 5 ms)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def http_run(port: int, cookie: str, pid: int) -> tuple[float, float, int, int]:
    """(time to first byte, total, bytes, peak server RSS) of one whole download."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    with PeakRss(pid) as rss:
        started = time.perf_counter()
        conn.request("GET", PATH, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        assert response.status == 200, (response.status, response.read()[:500])
        first = response.read1(65536)
        ttfb = time.perf_counter() - started
        size = len(first)
        while chunk := response.read1(1 << 20):
            size += len(chunk)
        total = time.perf_counter() - started
    conn.close()
    return ttfb, total, size, rss.peak


def main() -> int:
    env = _live.server_env("tandem-bench-export", debug=False)
    env.update(
        DATABASE_URL=f"{PG_URL}/{NAME}",
        DB_POOL="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
    )
    ready = database_ready()
    if not ready:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
            conn.execute(f'CREATE DATABASE "{NAME}"')
    _live.setup_django(env)
    from django.core.management import call_command

    from bench._common import machine_line
    from programs.models import User

    print(machine_line(), flush=True)
    if ready:
        print(f"database {NAME}: built before, reused", flush=True)
        call_command("migrate", verbosity=0)
    else:
        build()
    admins = {org: User.objects.get(organisation_id=org, role="admin") for org in (1, 2)}
    cookies = dict(zip(admins, _live.session_cookies(_live.sign_in(admins.values())), strict=True))
    sql = report_sql(1)

    http_times: list[float] = []
    copy_times: list[float] = []
    ttfbs: list[float] = []
    peaks_big: list[int] = []
    peaks_small: list[int] = []
    sizes: tuple[int, int] = (0, 0)
    with tempfile.TemporaryDirectory() as logs:
        server = _live.start_daphne("export", env, Path(logs))
        try:
            for round_ in range(ROUNDS):
                sides = ["http", "copy"] if round_ % 2 == 0 else ["copy", "http"]
                for side in sides:
                    if side == "http":
                        ttfb, total, size, peak = http_run(server.port, cookies[1], server.pid)
                        http_times.append(total)
                        ttfbs.append(ttfb)
                        peaks_big.append(peak)
                        sizes = (size, sizes[1])
                    else:
                        total, size = copy_run(sql)
                        copy_times.append(total)
                        sizes = (sizes[0], size)
                _ttfb, _total, _size, peak = http_run(server.port, cookies[2], server.pid)
                peaks_small.append(peak)
                print(
                    f"round {round_ + 1}: http {http_times[-1]:.2f} s "
                    f"(first byte {ttfbs[-1] * 1000:.0f} ms, peak RSS {peaks_big[-1] >> 20} MiB), "
                    f"copy {copy_times[-1]:.2f} s; {SMALL} rows: peak RSS {peak >> 20} MiB",
                    flush=True,
                )
        finally:
            server.stop()

    http_rate = MEMBERS / statistics.median(http_times)
    copy_rate = MEMBERS / statistics.median(copy_times)
    big, small = statistics.median(peaks_big), statistics.median(peaks_small)
    print("| side | median s | rows/s | bytes |")
    print("|---|---|---|---|")
    print(
        f"| http (Daphne, CSV) | {statistics.median(http_times):.2f} | {http_rate:,.0f} | {sizes[0]:,} |"
    )
    print(f"| COPY csv | {statistics.median(copy_times):.2f} | {copy_rate:,.0f} | {sizes[1]:,} |")
    print(
        f"members_export ratio={http_rate / copy_rate:.3f} goal=0.25 better=higher "
        f"rows={MEMBERS} http_rows_per_s={http_rate:.0f} copy_rows_per_s={copy_rate:.0f} "
        f"ttfb_ms={statistics.median(ttfbs) * 1000:.0f} peak_rss_mib={big / 2**20:.0f}",
        flush=True,
    )
    print(
        f"members_export_memory ratio={big / small:.3f} goal=1.2 better=lower "
        f"peak_rss_mib_{MEMBERS}={big / 2**20:.0f} peak_rss_mib_{SMALL}={small / 2**20:.0f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
