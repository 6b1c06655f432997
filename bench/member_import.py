"""Member import («Importer des membres», F12): a ROWS-row CSV file through Tandem's import
service vs PostgreSQL COPY of the same members into the same tables.

Data: PostgreSQL database `tandem_bench_memberimport` (created if missing, migrated with
`manage.py migrate`, left in place afterwards), one organisation with two custom fields (a
single choice and a yes/no) and an existing group. The file: ROWS members, half mentors,
half mentees, with a city, a job title, years of experience, a group (one of four, three
of them new the first time) and both custom fields — the shape of a real cohort.

- ours: the whole import as the page runs it, from the file's bytes: read, decode and
  check every row (one query for the addresses already in Tandem), store the checked
  import (`member_import_prepare`), the preview's counts, confirm, then the job
  (`member_import_run`): the members in batches with their completion, custom field
  values and groups, and «Informations de connexion» for each — rendered, logged in the
  outbox and its delivery job queued in django-q2's ORM broker (not sent: no worker runs).
- copy: the same members, values and group memberships (prepared outside the timer,
  emails as the file has them) written with COPY in one transaction — what the database
  can take at best. No emails, no checks.

Each round runs both, alternating which goes first, and removes what each wrote (outside
the timer). Reported: median seconds of each over ROUNDS rounds, and ratio = our rows per
second / COPY's (higher is better).
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import time

DB_NAME = "tandem_bench_memberimport"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
RAW_DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", 5))
SLUG = "bench-member-import"
GROUPS = ("Cohort 2026", "Toronto", "Montréal", "Vancouver")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def configure() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=DATABASE_URL,
        DEBUG="0",  # no query log, as in production
        SECRET_KEY="bench-memberimport-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def the_file(tag: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Prénom",
            "Nom",
            "Courriel",
            "Rôle",
            "Langue",
            "Ville",
            "Titre",
            "Années d'expérience",
            "Groupes",
            "Domaine",
            "Nouvel arrivant",
        ]
    )
    for n in range(ROWS):
        writer.writerow(
            [
                f"Prénom{n}",
                f"Nom{n:05}",
                f"membre{n}.{tag}@bench.example.com",
                "mentor" if n % 2 else "mentorée",
                "fr" if n % 3 == 0 else "en",
                "Montréal",
                "Analyste",
                str(n % 30),
                f"{GROUPS[0]}|{GROUPS[1 + n % 3]}",
                ("Santé", "Finances", "Technologie")[n % 3],
                "oui" if n % 2 else "non",
            ]
        )
    return out.getvalue().encode("cp1252")


def setup() -> tuple[int, int]:
    """The organisation, its administrator, fields and first group; returns (org id,
    admin id)."""
    from programs.models import FieldKind, MemberGroup, Organisation, ProfileField, Role, User

    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name_en": "Bench import", "support_email": "admin@bench.example.com"}
    )
    admin, _ = User.objects.get_or_create(
        email="admin@bench.example.com",
        defaults={
            "organisation": organisation,
            "role": Role.ADMINISTRATOR,
            "first_name": "A",
            "last_name": "Dmin",
        },
    )
    if not ProfileField.objects.filter(organisation=organisation).exists():
        options = [
            {"id": "h", "en": "Health", "fr": "Santé"},
            {"id": "f", "en": "Finance", "fr": "Finances"},
            {"id": "t", "en": "Technology", "fr": "Technologie"},
        ]
        ProfileField.objects.create(
            organisation=organisation,
            name_en="Industry",
            name_fr="Domaine",
            kind=FieldKind.SINGLE,
            options=options,
        )
        ProfileField.objects.create(
            organisation=organisation,
            name_en="Newcomer",
            name_fr="Nouvel arrivant",
            kind=FieldKind.YES_NO,
        )
    MemberGroup.objects.get_or_create(organisation=organisation, name=GROUPS[0])
    return organisation.pk, admin.pk


def clean(organisation_id: int, admin_id: int) -> None:
    """Remove every member but the administrator, their emails and jobs, the imports."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_q_ormq")
        cursor.execute(
            "DELETE FROM notifications_emaillog WHERE organisation_id = %s", [organisation_id]
        )
        members = "SELECT id FROM programs_user WHERE organisation_id = %s AND id <> %s"
        for table in ("programs_membergroup_members", "programs_profilefieldvalue"):
            cursor.execute(
                f"DELETE FROM {table} WHERE user_id IN ({members})", [organisation_id, admin_id]
            )
        cursor.execute(
            "DELETE FROM programs_user WHERE organisation_id = %s AND id <> %s",
            [organisation_id, admin_id],
        )
        cursor.execute(
            "DELETE FROM programs_memberimport WHERE organisation_id = %s", [organisation_id]
        )
        cursor.execute(
            "DELETE FROM programs_membergroup WHERE organisation_id = %s AND name <> %s",
            [organisation_id, GROUPS[0]],
        )
    connection.close()


def ours(content: bytes, organisation_id: int, admin_id: int) -> float:
    from django.db.models.functions import Lower  # noqa: F401 (warm import)

    from programs import imports
    from programs.models import MemberImport, Organisation, User

    admin = User.objects.select_related("organisation").get(pk=admin_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    began = time.perf_counter()
    check, member_import = imports.member_import_prepare(
        actor=admin, organisation=organisation, file_name="bench.csv", content=content
    )
    assert check.is_clean and member_import is not None, check.all_problems[:5]
    # The preview: counts by role and the first rows, as the page reads them.
    rows = MemberImport.objects.filter(pk=member_import.pk).values_list("rows", flat=True)[0]
    assert len(rows) == ROWS
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    assert imports.member_import_run(import_id=member_import.pk) == "done"
    return time.perf_counter() - began


def copy_rows(tag: str, organisation_id: int) -> dict:
    """What COPY writes, prepared outside its timer."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from programs.models import MemberGroup, ProfileField

    now = timezone.now()
    fields = {f.name_en: f.pk for f in ProfileField.objects.filter(organisation_id=organisation_id)}
    password = make_password(None)
    users = []
    for n in range(ROWS):
        users.append(
            (
                password,
                False,
                f"membre{n}.{tag}@bench.example.com",
                f"Prénom{n}",
                f"Nom{n:05}",
                organisation_id,
                "mentor" if n % 2 else "mentee",
                "fr" if n % 3 == 0 else "en",
                "America/Toronto",
                True,
                False,
                now,
                "Analyste",
                "Montréal",
                n % 30,
                40,
                "",
                "",
                "",
                "",
                "",
            )
        )
    group = MemberGroup.objects.get(organisation_id=organisation_id, name=GROUPS[0]).pk
    return {"users": users, "fields": fields, "group": group, "now": now}


def copy(data: dict) -> float:
    import psycopg

    with psycopg.connect(RAW_DSN) as conn:
        began = time.perf_counter()
        with conn.transaction():
            with conn.cursor().copy(
                "COPY programs_user (password, is_superuser, email, first_name, last_name,"
                " organisation_id, role, language, time_zone, is_active, is_staff,"
                " date_joined, job_title, city, years_of_experience, profile_completion,"
                " company, province, country, summary, email_problem)"
                " FROM STDIN"
            ) as cp:
                for row in data["users"]:
                    cp.write_row(row)
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM programs_user WHERE email = ANY(%s) ORDER BY id",
                    [[row[2] for row in data["users"]]],
                ).fetchall()
            ]
            with conn.cursor().copy(
                "COPY programs_profilefieldvalue (field_id, user_id, value, updated_at) FROM STDIN"
            ) as cp:
                for n, user_id in enumerate(ids):
                    industry = ("h", "f", "t")[n % 3]
                    cp.write_row(
                        (data["fields"]["Industry"], user_id, f'"{industry}"', data["now"])
                    )
                    newcomer = "true" if n % 2 else "false"
                    cp.write_row((data["fields"]["Newcomer"], user_id, newcomer, data["now"]))
            with conn.cursor().copy(
                "COPY programs_membergroup_members (membergroup_id, user_id) FROM STDIN"
            ) as cp:
                for user_id in ids:
                    cp.write_row((data["group"], user_id))
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
    clean(organisation_id, admin_id)
    ours_times: list[float] = []
    copy_times: list[float] = []
    for round_no in range(ROUNDS):
        tag = f"r{round_no}"
        content = the_file(tag)
        data = copy_rows(f"{tag}c", organisation_id)
        sides = [
            ("ours", lambda content=content: ours(content, organisation_id, admin_id)),
            ("copy", lambda data=data: copy(data)),
        ]
        if round_no % 2:
            sides.reverse()
        for side, run in sides:
            seconds = run()
            (ours_times if side == "ours" else copy_times).append(seconds)
            clean(organisation_id, admin_id)
        log(f"round {round_no + 1}: ours={ours_times[-1]:.2f}s copy={copy_times[-1]:.3f}s")
    ours_s, copy_s = statistics.median(ours_times), statistics.median(copy_times)
    log(f"total: {time.perf_counter() - total_began:.1f}s")
    # Rows per second, ours ÷ COPY's: the same rows, so the inverse ratio of the times.
    print(
        f"member_import ratio={copy_s / ours_s:.3f} goal=0.1 better=higher "
        f"ours={ours_s:.2f}s copy={copy_s:.3f}s rows={ROWS} rounds={ROUNDS} "
        f"ours_rows_per_s={ROWS / ours_s:.0f} copy_rows_per_s={ROWS / copy_s:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
