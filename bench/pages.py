"""Administrator pages at three program sizes: `python -m bench.pages [--sizes S,M,L]`.

One PostgreSQL database holds 20 organisations sharing the tables: one of each size asked
for (S = 1,000 members / 400 relationships / ~4,000 meetings, M = 10,000 / 4,000 /
~40,000, L = 50,000 / 20,000 / ~194,000) and the others OTHER_SIZE each (real volume that
every query must leave aside). Names are drawn from short lists, so many people share a
name (ties); relationships are created on the hour (ties); meetings are weekly, on the
hour. It is built with COPY, VACUUM ANALYZEd, and kept: its name carries SEED_VERSION and
the sizes, so a rerun finds it (drop it, or bump SEED_VERSION, to build anew).

Each page is requested through the real views (Django's test Client: middleware, session,
view, template), DEBUG off, as that organisation's administrator; p50 and p95 per page per
size. The baseline is the page's own SQL: every statement a warm request of the page
sends at the largest size (captured with CaptureQueriesContext: the text PostgreSQL
received, parameters merged client-side as Django binds them), sent raw through psycopg
the way Django sends it (client-side cursor, nothing prepared). WARM rounds unmeasured,
then REQUESTS measured ones, in each round the sizes and the raw SQL taking turns (the
raw SQL first in one round, last in the next), so page and baseline meet the same
moments of the machine; a second table shows each page against its SQL.

Prints the table, every page at the largest size against BUDGET_MS, and
  pages_flat ratio=R goal=2.0 better=lower    (the worst page: its L p95 ÷ its S p95)
  pages_vs_sql ratio=R goal=1.5 better=lower  (the worst page at L ÷ its SQL sent raw)
Exits non-zero if a page answers anything but 200 (a page over BUDGET_MS is printed
OVER: the ratios and budgets are read, as the other benchmarks' goals are).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench._common import machine_line, page_bench_environment, static_files_by_name

SEED_VERSION = 3
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SIZES = {  # members, relationships, meetings (about)
    "S": (1_000, 400, 4_000),
    "M": (10_000, 4_000, 40_000),
    "L": (50_000, 20_000, 194_000),
}
OTHER_SIZE = (3_000, 1_200, 12_000)
ORGANISATIONS = 20
WARM = 5
# A p95 of 100 requests is their sixth slowest; of 30 it was the second, one stray pause
# of the machine away from another figure.
REQUESTS = 100
BUDGET_MS = 150.0

FIRST_NAMES = [
    "Anna",
    "Charlotte",
    "Louis",
    "Marie",
    "Jean",
    "Lucas",
    "Emma",
    "Léa",
    "Hugo",
    "Chloé",
    "Nathan",
    "Inès",
    "Gabriel",
    "Jade",
    "Raphaël",
    "Louise",
    "Arthur",
    "Alice",
    "Jules",
    "Lina",
    "Adam",
    "Rose",
    "Paul",
    "Léna",
    "Maël",
    "Mia",
    "Noah",
    "Zoé",
    "Sacha",
    "Julia",
    "Olivier",
    "Sophie",
    "Michel",
    "Nicole",
    "Pierre",
    "Isabelle",
    "David",
    "Sarah",
    "Thomas",
    "Laura",
    "Martin",
    "Claire",
    "Antoine",
    "Camille",
    "Simon",
    "Manon",
    "Marc",
    "Julie",
    "Eric",
    "Anne",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Carter",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
]
# What the administrator types: a common surname's start, a first name.
MEMBER_SEARCH = "bouch"
RELATIONSHIP_SEARCH = "gagn"
MEETING_SEARCH = "pellet"
KEYSTROKES = ("m", "ma", "mar", "mart", "marti", "martin")

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def database_name(sizes: list[str]) -> str:
    return f"tandem_bench_pages_v{SEED_VERSION}_{''.join(sizes).lower()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# -- building ----------------------------------------------------------------------------


def database_exists(name: str) -> bool:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row is not None


def database_ready(name: str) -> bool:
    """Built to the end: the marker table the build writes last."""
    if not database_exists(name):
        return False
    with psycopg.connect(f"{PG_URL}/{name}", autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('bench_pages_built')").fetchone()
        return row is not None and row[0] is not None


class Copier:
    """Rows of a Django model written with COPY: the columns given, every other concrete
    column at its Python default (columns with only a database default are left out)."""

    def __init__(self, cursor: Any, model: Any, columns: dict[str, Any]) -> None:
        from django.db.models.fields import NOT_PROVIDED

        self.cursor = cursor
        self.model = model
        self.names: list[str] = []
        self.fixed: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.attname in columns:
                self.names.append(field.attname)
            elif field.has_default():
                self.names.append(field.attname)
                self.fixed[field.attname] = field.get_default()
            elif field.db_default is not NOT_PROVIDED:
                continue
            elif field.null:
                self.names.append(field.attname)
                self.fixed[field.attname] = None
            else:
                self.names.append(field.attname)
                self.fixed[field.attname] = ""

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        table = self.model._meta.db_table
        count = 0
        sql = f"COPY {table} ({', '.join(self.names)}) FROM STDIN"
        with self.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row.get(name, self.fixed.get(name)) for name in self.names])
                count += 1
        return count


def build(name: str, sizes: list[str]) -> None:
    """Create, migrate and fill the database `name` (Django set up on it)."""
    from django.core.management import call_command
    from django.db import connection

    from programs.models import Organisation, Relationship, User
    from scheduling.kept import drop_sql, install_sql
    from scheduling.models import Attendee, Meeting, MeetingSeries

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # The dashboard's kept values (scheduling.kept) are computed once at the end, as the
    # migration does, rather than by their triggers at every COPY.
    with connection.cursor() as kept:
        for statement in drop_sql():
            kept.execute(statement)
    rng = random.Random(17)
    plan = [(size, SIZES[size]) for size in sizes]
    plan += [(f"other{n}", OTHER_SIZE) for n in range(ORGANISATIONS - len(plan))]
    raw = connection.connection
    assert raw is not None
    cursor = raw.cursor()
    next_id = {"user": 1, "rel": 1, "series": 1, "meeting": 1, "attendee": 1}
    org_columns = {"name_en": 0, "slug": 0, "support_email": 0}
    org_rows = [
        {"id": n + 1, "name_en": f"Bench {label}", "slug": f"bench-{label.lower()}",
         "support_email": f"admin@{label.lower()}.bench", "created_at": NOW}
        for n, (label, _size) in enumerate(plan)
    ]  # fmt: skip
    Copier(cursor, Organisation, {**org_columns, "id": 0, "created_at": 0}).write(org_rows)

    user_copier = Copier(
        cursor,
        User,
        dict.fromkeys(
            [
                "id",
                "email",
                "first_name",
                "last_name",
                "organisation_id",
                "role",
                "is_active",
                "password",
                "date_joined",
                "profile_completion",
                "language",
                "time_zone",
            ]
        ),
    )
    rel_copier = Copier(
        cursor,
        Relationship,
        dict.fromkeys(
            [
                "id",
                "organisation_id",
                "mentor_id",
                "mentee_id",
                "status",
                "created_at",
                "started_at",
                "ended_at",
            ]
        ),
    )
    series_copier = Copier(
        cursor,
        MeetingSeries,
        dict.fromkeys(
            [
                "id",
                "organisation_id",
                "relationship_id",
                "created_by_id",
                "meeting_type",
                "location",
                "duration_minutes",
                "frequency",
                "occurrences",
                "start_date",
                "start_time",
                "time_zone",
                "rrule",
                "uid",
                "created_at",
            ]
        ),
    )
    meeting_copier = Copier(
        cursor,
        Meeting,
        dict.fromkeys(
            [
                "id",
                "series_id",
                "organisation_id",
                "relationship_id",
                "starts_at",
                "ends_at",
                "status",
                "sequence",
                "original_start",
                "location",
                "meeting_type",
                "version",
                "created_at",
                "updated_at",
            ]
        ),
    )
    attendee_copier = Copier(
        cursor,
        Attendee,
        dict.fromkeys(
            ["id", "meeting_id", "user_id", "response", "is_organiser", "responded_at", "comment"]
        ),
    )

    for org_id, (label, (members, relationships, meetings)) in enumerate(plan, start=1):
        users: list[dict[str, Any]] = []
        admins: list[int] = []
        mentors: list[int] = []
        mentees: list[int] = []
        for n in range(members):
            uid = next_id["user"]
            next_id["user"] += 1
            role = "admin" if n < 3 else ("mentor" if n % 5 < 2 else "mentee")
            {"admin": admins, "mentor": mentors, "mentee": mentees}[role].append(uid)
            users.append(
                {
                    "id": uid,
                    "email": f"u{uid}@{label.lower()}.bench",
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "organisation_id": org_id,
                    "role": role,
                    "is_active": rng.random() > 0.08,
                    "password": "!",
                    "date_joined": NOW - timedelta(days=rng.randrange(1000)),
                    "profile_completion": rng.randrange(101),
                    "language": rng.choice(("en", "fr")),
                    "time_zone": "America/Toronto",
                }
            )
        user_copier.write(users)

        rels: list[dict[str, Any]] = []
        pairs: set[tuple[int, int]] = set()
        while len(rels) < relationships:
            mentor, mentee = rng.choice(mentors), rng.choice(mentees)
            if (mentor, mentee) in pairs:
                continue
            pairs.add((mentor, mentee))
            rid = next_id["rel"]
            next_id["rel"] += 1
            # On the hour: relationships created in the same hour are ties.
            created = NOW - timedelta(hours=rng.randrange(3 * 365 * 24 // 4))
            pick = rng.random()
            status = "matched" if pick < 0.6 else ("completed" if pick < 0.85 else "requested")
            rels.append(
                {
                    "id": rid,
                    "organisation_id": org_id,
                    "mentor_id": mentor,
                    "mentee_id": mentee,
                    "status": status,
                    "created_at": created,
                    "started_at": None if status == "requested" else created,
                    "ended_at": created + timedelta(days=200) if status == "completed" else None,
                }
            )
        rel_copier.write(rels)

        met = [r for r in rels if r["status"] != "requested"]
        per_pair = meetings / len(met)
        series_rows: list[dict[str, Any]] = []
        meeting_rows: list[dict[str, Any]] = []
        attendee_rows: list[dict[str, Any]] = []
        for rel in met:
            count = max(1, min(52, round(rng.uniform(0.2, 1.8) * per_pair)))
            sid = next_id["series"]
            next_id["series"] += 1
            first = rel["created_at"].replace(minute=0, second=0) + timedelta(days=3)
            admin = rng.choice(admins)
            series_rows.append(
                {
                    "id": sid,
                    "organisation_id": org_id,
                    "relationship_id": rel["id"],
                    "created_by_id": admin,
                    "meeting_type": "video",
                    "location": "",
                    "duration_minutes": 60,
                    "frequency": "weekly",
                    "occurrences": count,
                    "start_date": first.date(),
                    "start_time": first.time(),
                    "time_zone": "America/Toronto",
                    "rrule": f"FREQ=WEEKLY;COUNT={count}",
                    "uid": f"bench-{sid}@tandem",
                    "created_at": rel["created_at"],
                }
            )
            for week in range(count):
                mid = next_id["meeting"]
                next_id["meeting"] += 1
                starts = first + timedelta(weeks=week)
                past = starts < NOW
                status = (
                    "cancelled" if rng.random() < 0.07 else ("completed" if past else "scheduled")
                )
                meeting_rows.append(
                    {
                        "id": mid,
                        "series_id": sid,
                        "organisation_id": org_id,
                        "relationship_id": rel["id"],
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=1),
                        "status": status,
                        "sequence": 0,
                        "original_start": starts,
                        "location": "",
                        "meeting_type": "video",
                        "version": 1,
                        "created_at": rel["created_at"],
                        "updated_at": rel["created_at"],
                    }
                )
                for user, organiser in (
                    (rel["mentor_id"], False),
                    (rel["mentee_id"], False),
                    (admin, True),
                ):
                    aid = next_id["attendee"]
                    next_id["attendee"] += 1
                    answered = organiser or past
                    attendee_rows.append(
                        {
                            "id": aid,
                            "meeting_id": mid,
                            "user_id": user,
                            "response": "accepted" if answered else "pending",
                            "is_organiser": organiser,
                            "responded_at": starts - timedelta(days=2) if answered else None,
                            "comment": "Good talk." if past and rng.random() < 0.2 else "",
                        }
                    )  # fmt: skip
        series_copier.write(series_rows)
        meeting_copier.write(meeting_rows)
        attendee_copier.write(attendee_rows)
        raw.commit()
        print(
            f"built {label}: {members} members, {len(rels)} relationships, "
            f"{len(meeting_rows)} meetings ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )

    for table in (
        "programs_organisation",
        "programs_user",
        "programs_relationship",
        "scheduling_meetingseries",
        "scheduling_meeting",
        "scheduling_attendee",
    ):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )  # fmt: skip
    # Statistics first: the recomputation's row triggers each look up one pair's meetings,
    # planned from them (without, a sequential scan of every meeting per relationship).
    for table in ("programs_relationship", "scheduling_meeting", "scheduling_attendee"):
        cursor.execute(f"ANALYZE {table}")
    # LOCK TABLE needs a transaction block: Django's connection is in autocommit mode.
    with raw.transaction():
        for statement in install_sql():
            cursor.execute(statement)
    cursor.execute("CREATE TABLE bench_pages_built (sizes text)")
    cursor.execute("INSERT INTO bench_pages_built VALUES (%s)", (",".join(sizes),))
    raw.commit()
    connection.close()
    with psycopg.connect(f"{PG_URL}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"built {name} in {time.perf_counter() - started:.0f} s", flush=True)


# -- timing ------------------------------------------------------------------------------


def pages_of(org_id: int) -> dict[str, Callable[[], Any]]:
    """Each page's request (a client call) for the organisation's administrator."""
    from django.test import Client

    from programs.models import User
    from scheduling.models import Meeting

    admin = User.objects.filter(organisation_id=org_id, role="admin").order_by("pk").first()
    assert admin is not None, f"organisation {org_id} has no administrator"
    client = Client()
    client.force_login(admin)
    last_page = -(-Meeting.objects.filter(organisation_id=org_id).count() // 25)
    keystrokes = iter(KEYSTROKES * 1000)
    return {
        "members, 25 rows": lambda: client.get("/manage/members/"),
        "members, search": lambda: client.get("/manage/members/", {"q": MEMBER_SEARCH}),
        "relationships, Jumelé": lambda: client.get("/manage/relationships/", {"tab": "matched"}),
        "relationships, search": lambda: client.get(
            "/manage/relationships/", {"q": RELATIONSHIP_SEARCH}
        ),
        "Rencontres, search": lambda: client.get(
            "/manage/relationships/meetings/", {"q": MEETING_SEARCH}
        ),
        "Rencontres, last page": lambda: client.get(
            "/manage/relationships/meetings/", {"page": str(last_page)}
        ),
        "admin dashboard": lambda: client.get("/manage/"),
        "people picker, per keystroke": lambda: client.get(
            "/manage/members/lookup/", {"q": next(keystrokes)}
        ),
    }


def time_pages(
    requests: dict[str, Callable[[], Any]], raw: Callable[[], float]
) -> tuple[dict[str, list[float]], list[float]]:
    """One page at every size, and its SQL at the largest sent raw (`raw`, one send of
    every statement, its ms): WARM unmeasured rounds, then REQUESTS measured ones, the
    sizes and the raw SQL taking turns within each round — the raw SQL first in one
    round, last in the next — so a busy moment of the machine falls on all alike."""

    def once(request: Callable[[], Any]) -> float:
        started = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
        return elapsed

    times: dict[str, list[float]] = {size: [] for size in requests}
    raw_times: list[float] = []
    for round_ in range(WARM + REQUESTS):
        if round_ % 2 == 0:
            sent = raw()
        for size, request in requests.items():
            elapsed = once(request)
            if round_ >= WARM:
                times[size].append(elapsed)
        if round_ % 2 == 1:
            sent = raw()
        if round_ >= WARM:
            raw_times.append(sent)
    return times, raw_times


def captured_sql(request: Callable[[], Any]) -> list[str]:
    """Every statement one warm request of the page sends, as it went over the wire.

    Django's psycopg backend binds parameters client-side, so the text captured (the
    query with its parameters merged) is exactly what PostgreSQL received. The request
    is made WARM times first: a first request of a session may read what later ones
    find cached, and the pages are timed warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM):
        request()
    with CaptureQueriesContext(connection) as captured:
        request()
    return [q["sql"] for q in captured.captured_queries]


def raw_sender(statements: list[str], conn: psycopg.Connection[Any]) -> Callable[[], float]:
    """One send of those statements raw (ms), the way Django sends them: a
    client-side-binding cursor (the simple query protocol) and nothing prepared.
    psycopg's own default (prepare_threshold=5) would prepare each statement from its
    sixth run on and time execution without parsing and planning, which Django's queries
    never skip."""

    def send() -> float:
        started = time.perf_counter()
        for sql in statements:
            with conn.cursor() as cur:
                cur.execute(sql.encode())
                if cur.description is not None:
                    cur.fetchall()
        return (time.perf_counter() - started) * 1000

    return send


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated, of S,M,L")
    args = parser.parse_args()
    sizes = [s for s in ("S", "M", "L") if s in args.sizes.upper().split(",")]
    if not sizes:
        parser.error("--sizes: one or more of S, M, L")
    name = database_name(sizes)
    dsn = f"{PG_URL}/{name}"
    page_bench_environment(dsn=dsn, redis_prefix="tandem-bench-pages")
    print(machine_line(), flush=True)

    ready = database_ready(name)
    if not ready:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    static_files_by_name()

    if ready:
        print(f"database {name}: built before, reused", flush=True)
        call_command("migrate", verbosity=0)  # this checkout's indexes, if any are new
    else:
        build(name, sizes)

    requests = {size: pages_of(org_id) for org_id, size in enumerate(sizes, start=1)}
    largest = sizes[-1]
    results: dict[str, dict[str, list[float]]] = {size: {} for size in sizes}
    statement_counts: dict[str, int] = {}
    sql_times: dict[str, list[float]] = {}
    raw = psycopg.connect(
        dsn, autocommit=True, prepare_threshold=None, cursor_factory=psycopg.ClientCursor
    )
    for page in requests[sizes[0]]:
        # Every statement a warm request of the page sends at the largest size, sent raw
        # in the same rounds as the pages are requested.
        statements = captured_sql(requests[largest][page])
        statement_counts[page] = len(statements)
        page_times, sql_times[page] = time_pages(
            {size: requests[size][page] for size in sizes}, raw_sender(statements, raw)
        )
        for size, times in page_times.items():
            results[size][page] = times
    raw.close()

    page_names = list(results[largest])
    header = " | ".join(f"{s} p50 | {s} p95" for s in sizes)
    print(f"| page | {header} |")
    print("|---|" + "---|" * (2 * len(sizes)))
    for page in page_names:
        cells = " | ".join(
            f"{statistics.median(results[s][page]):.1f} | {percentile(results[s][page], 0.95):.1f}"
            for s in sizes
        )
        print(f"| {page} | {cells} |")

    p95 = {s: {page: percentile(results[s][page], 0.95) for page in page_names} for s in sizes}
    worst = max(page_names, key=lambda page: p95[largest][page])
    over = [page for page in page_names if p95[largest][page] > BUDGET_MS]
    for page in page_names:
        verdict = "ok" if p95[largest][page] <= BUDGET_MS else "OVER"
        print(
            f"budget {largest} {page}: p95 {p95[largest][page]:.1f} ms ≤ {BUDGET_MS:.0f}: {verdict}"
        )
    smallest = sizes[0]
    flat = max(p95[largest][page] / p95[smallest][page] for page in page_names)
    flat_page = max(page_names, key=lambda page: p95[largest][page] / p95[smallest][page])
    print(f"flattest-worst page: {flat_page} ({largest} ÷ {smallest})")
    print(f"pages_flat ratio={flat:.2f} goal=2.0 better=lower", flush=True)

    # Every page's SQL at the largest size, sent raw; the figure is the worst page's.
    print(f"| page ({largest}) | queries | SQL raw p50 | SQL raw p95 | view p95 | view ÷ SQL |")
    print("|---|---|---|---|---|---|")
    sql_p95: dict[str, float] = {}
    for page in page_names:
        sql = sql_times[page]
        sql_p95[page] = percentile(sql, 0.95)
        print(
            f"| {page} | {statement_counts[page]} | {statistics.median(sql):.1f} | "
            f"{sql_p95[page]:.1f} | {p95[largest][page]:.1f} | "
            f"{p95[largest][page] / sql_p95[page]:.2f} |"
        )
    vs_sql = p95[largest][worst] / sql_p95[worst]
    print(
        f"worst page at {largest}: {worst}: view p95 {p95[largest][worst]:.1f} ms, "
        f"its SQL raw p95 {sql_p95[worst]:.1f} ms"
    )
    print(f"pages_vs_sql ratio={vs_sql:.2f} goal=1.5 better=lower", flush=True)
    if over:
        print(f"over budget at {largest}: {', '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
