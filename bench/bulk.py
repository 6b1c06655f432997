"""Bulk deactivation («Désactiver les membres», F9): MEMBERS members deactivated from a CSV
file through Tandem's service vs one raw `UPDATE … WHERE email IN (…)` of the same rows.

Data: PostgreSQL database `tandem_bench_bulk` (created if missing, migrated with
`manage.py migrate`, left in place afterwards): one organisation, its administrator and
MEMBERS mentors and mentees (written once with COPY, kept between runs).

- ours: the whole path as the pages run it, from the file's bytes: read, decode and check
  every row (one query for the organisation's people), store the preview
  (`member_deactivation_prepare`), read the preview page's first page of names and its
  count, then «Confirmer» (`members_set_active_many`): one UPDATE, the audit entry, the
  `members.updated` event to the administrators' group and a `sockets.close` command to
  every deactivated person's group, sent through Redis after commit (the timer stops
  once they are handed over).
- raw: `UPDATE programs_user SET is_active = false, ended_at = CURRENT_DATE WHERE email IN
  (…)` of the same addresses, in one transaction on its own connection. No check, no
  audit, no live event.

Each round runs both, alternating which goes first, and reactivates everyone (outside the
timer) after each. Reported: median seconds of each over ROUNDS rounds, and ratio = raw's
time / ours (higher is better; goal 0.2: ours within five times the bare UPDATE).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

DB_NAME = "tandem_bench_bulk"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
RAW_DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
MEMBERS = int(os.environ.get("BENCH_BULK_MEMBERS", 10_000))
ROUNDS = int(os.environ.get("BENCH_BULK_ROUNDS", 5))
SLUG = "bench-bulk"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def configure() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=DATABASE_URL,
        DEBUG="0",  # no query log, as in production
        SECRET_KEY="bench-bulk-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")


def address(n: int) -> str:
    return f"membre{n}@bench-bulk.example.com"


def setup() -> tuple[int, int]:
    """The organisation, its administrator and MEMBERS members (made once); returns
    (org id, admin id)."""
    from programs.bulk import copy_create
    from programs.imports import unusable_password
    from programs.models import Organisation, Role, User

    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG,
        defaults={"name_en": "Bench bulk", "support_email": "admin@bench-bulk.example.com"},
    )
    admin, _ = User.objects.get_or_create(
        email="admin@bench-bulk.example.com",
        defaults={
            "organisation": organisation,
            "role": Role.ADMINISTRATOR,
            "first_name": "A",
            "last_name": "Dmin",
        },
    )
    have = User.objects.filter(organisation=organisation).exclude(pk=admin.pk).count()
    if have != MEMBERS:
        User.objects.filter(organisation=organisation).exclude(pk=admin.pk).delete()
        copy_create(
            User,
            [
                User(
                    email=address(n),
                    password=unusable_password(),
                    organisation=organisation,
                    role=Role.MENTOR if n % 2 else Role.MENTEE,
                    first_name=f"Prénom{n}",
                    last_name=f"Nom{n:05}",
                )
                for n in range(MEMBERS)
            ],
        )
    return organisation.pk, admin.pk


def the_file() -> bytes:
    lines = ["courriel"] + [
        address(n).upper() if n % 7 == 0 else address(n) for n in range(MEMBERS)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def reactivate(organisation_id: int) -> None:
    import psycopg

    with psycopg.connect(RAW_DSN) as conn:
        conn.execute(
            "UPDATE programs_user SET is_active = true, ended_at = NULL WHERE organisation_id = %s",
            [organisation_id],
        )


def ours(content: bytes, admin_id: int) -> float:
    from programs import member_deactivation
    from programs.models import User

    admin = User.objects.select_related("organisation").get(pk=admin_id)
    began = time.perf_counter()
    check, deactivation = member_deactivation.member_deactivation_prepare(
        actor=admin, file_name="leavers.csv", content=content, active=False
    )
    assert check.is_clean and deactivation is not None, check.problems[:3]
    # The preview page: its count and first page of names.
    first = list(
        User.objects.filter(
            pk__in=deactivation.member_ids, organisation_id=deactivation.organisation_id
        )
        .order_by("last_name", "first_name", "pk")
        .values_list("first_name", "last_name", "email")[:50]
    )
    assert len(first) == 50 and len(deactivation.member_ids) == MEMBERS
    changed = member_deactivation.members_set_active_many(actor=admin, deactivation=deactivation)
    assert changed == MEMBERS, changed
    return time.perf_counter() - began


def raw(emails: list[str]) -> float:
    import psycopg

    with psycopg.connect(RAW_DSN) as conn:
        began = time.perf_counter()
        with conn.transaction():
            placeholders = ", ".join(["%s"] * len(emails))
            cursor = conn.execute(
                "UPDATE programs_user SET is_active = false, ended_at = CURRENT_DATE "
                f"WHERE email IN ({placeholders})",
                emails,
            )
            assert cursor.rowcount == len(emails), cursor.rowcount
        return time.perf_counter() - began


def main() -> None:
    configure()
    from bench import _live

    total_began = time.perf_counter()
    _live.ensure_database(dict(os.environ), DB_NAME)
    import django

    django.setup()
    from bench._common import machine_line

    print(machine_line(), flush=True)
    organisation_id, admin_id = setup()
    reactivate(organisation_id)
    content = the_file()
    emails = [address(n) for n in range(MEMBERS)]
    ours_times: list[float] = []
    raw_times: list[float] = []
    for round_no in range(ROUNDS):
        sides = [
            ("ours", lambda: ours(content, admin_id)),
            ("raw", lambda: raw(emails)),
        ]
        if round_no % 2:
            sides.reverse()
        for side, run in sides:
            seconds = run()
            (ours_times if side == "ours" else raw_times).append(seconds)
            reactivate(organisation_id)
        log(f"round {round_no + 1}: ours={ours_times[-1]:.3f}s raw={raw_times[-1]:.3f}s")
    ours_s, raw_s = statistics.median(ours_times), statistics.median(raw_times)
    log(f"total: {time.perf_counter() - total_began:.1f}s")
    print(
        f"bulk_deactivate ratio={raw_s / ours_s:.3f} goal=0.2 better=higher "
        f"ours={ours_s:.3f}s raw={raw_s:.3f}s members={MEMBERS} rounds={ROUNDS}",
        flush=True,
    )


if __name__ == "__main__":
    main()
