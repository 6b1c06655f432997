"""A backup restores: the demo program plus a community message with an attachment,
backed up with deploy/backup.sh (pg_dump in custom format, a tar of MEDIA_ROOT) and
restored with deploy/restore.sh (pg_restore) into another, fresh database and media
folder, as docs/deploy.md says. Every table's rows, every sequence and every file's bytes
match, and the restored database needs no migration.

The databases are this test's own (not pytest-django's), created next to the suite's
and dropped at the end, whatever happens."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.live.processes import ROOT, database_url_for_servers

pytestmark = [pytest.mark.live]

# The PostgreSQL 15 client programs, which match the server (Debian's postgresql-15).
PG_BIN = "/usr/lib/postgresql/15/bin"

ATTACHMENT = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"

# Run by `manage.py shell` on the source database: a community message with one attachment,
# written by the demo's administrator through the service (the file lands in MEDIA_ROOT).
MAKE_MESSAGE = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from notifications.community.services import community_message_save
from programs.models import User
admin = User.objects.get(email="michele.mantero@mentoringcanada.ca")
community_message_save(
    actor=admin, audience="all", subject_en="Spring session", body_en="<p>See attached.</p>",
    subject_fr="Session du printemps", body_fr="<p>Voir la pièce jointe.</p>",
    attachments=[SimpleUploadedFile("programme.pdf", {ATTACHMENT!r}, "application/pdf")],
)
"""


def server_url(name: str) -> str:
    """A database URL on the suite's PostgreSQL server, for database `name`."""
    return database_url_for_servers().rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh, empty databases (source, restored), dropped after the test."""
    suffix = secrets.token_hex(4)
    names = (f"tandem_backup_src_{suffix}", f"tandem_backup_dst_{suffix}")
    admin_url = server_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server_url(names[0]), server_url(names[1])
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def tandem_env(database_url: str, media: Path) -> dict[str, str]:
    """The production settings on `database_url`, with `media` as MEDIA_ROOT."""
    env = dict(os.environ)
    env.pop("DATABASE_URL_FILE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        REDIS_URL=settings.REDIS_URL,
        REDIS_PREFIX=f"{settings.REDIS_PREFIX}-backup",
        SECRET_KEY="backup-test-" + secrets.token_hex(16),
        DB_POOL="0",
        PG_BIN=PG_BIN,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{args} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
    )
    return done.stdout


def manage(*args: str, env: dict[str, str]) -> str:
    return run([sys.executable, "manage.py", *args], env)


def snapshot(url: str) -> dict[str, tuple[int, str | None]]:
    """Every table of the public schema: its row count and a digest of its rows; every
    sequence: its last value."""
    found: dict[str, tuple[int, str | None]] = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        for (table,) in tables:
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
            assert row is not None
            found[table] = (row[0], row[1])
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        for name, last_value in sequences:
            found[f"sequence {name}"] = (last_value or 0, None)
    return found


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_backup_restores_every_row_and_file(databases, tmp_path):
    source_url, restored_url = databases
    source_media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    source = tandem_env(source_url, source_media)
    restored = tandem_env(restored_url, restored_media)

    # A live install: migrated (with django-q2's schedules), the demo, an attachment.
    manage("migrate", "--noinput", env=source)
    manage("seed_demo", env=source)
    manage("shell", "--command", MAKE_MESSAGE, env=source)
    original_files = files(source_media)
    assert [name for name in original_files if name.endswith("programme.pdf")], original_files
    assert ATTACHMENT in original_files.values()
    original = snapshot(source_url)
    assert original["notifications_communityattachment"][0] == 1
    assert original["programs_user"][0] > 10
    assert len(original) > 30  # every table and sequence, not a handful

    # Back up as docs/deploy.md says, then restore into the other database and folder.
    dump, archive = run(["sh", "deploy/backup.sh", str(tmp_path / "backups")], source).split()
    assert Path(dump).stat().st_size > 0 and Path(archive).stat().st_size > 0
    run(["sh", "deploy/restore.sh", dump, archive], restored)

    assert snapshot(restored_url) == original
    assert files(restored_media) == original_files
    with psycopg.connect(restored_url) as conn:
        schedules = {name for (name,) in conn.execute("SELECT name FROM django_q_schedule")}
    assert {"community-messages-due", "email-outbox-sweep", "meeting-reminders"} <= schedules

    # The restored database is complete as far as Django is concerned.
    manage("migrate", "--check", env=restored)

    # restore.sh refuses a database that is not empty.
    refused = subprocess.run(
        ["sh", "deploy/restore.sh", dump, archive],
        cwd=ROOT,
        env=restored,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1
    assert "restore into an empty one" in refused.stderr
