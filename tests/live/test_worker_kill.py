"""A django-q2 worker killed in the middle of delivering a release note: the job is
retried by a new worker and its effect happens exactly once."""

from __future__ import annotations

import datetime
import os
import signal
import sys
import time

import psycopg
import pytest
from django.db import connection
from django_q.conf import Conf
from django_q.models import OrmQ, Success

from notifications.models import Notification, ReleaseNote
from notifications.release_notes import services as release_notes
from programs.models import Role, User
from tests.conftest import make_member, make_org
from tests.live.daphne import terminate
from tests.live.processes import server_env, spawn

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ADMINS = 30


def raw_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        password=db.get("PASSWORD") or None,
    )


def wait_for(condition, seconds: float, message: str, log) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{message}\n{log.read_text() if log.exists() else ''}")


def start_worker(tmp_path):
    env = server_env()
    # Short timeout and retry so the test waits seconds, not minutes (retry > timeout).
    env.update(Q_TIMEOUT="20", Q_RETRY="4", Q_WORKERS="1")
    return spawn([sys.executable, "manage.py", "qcluster"], tmp_path / "worker.log", env)


def test_killed_worker_job_is_retried_and_happens_once(tmp_path, monkeypatch):
    # The suite runs jobs in-process; here they go to the broker for a real worker.
    monkeypatch.setattr(Conf, "SYNC", False)
    admins = []
    for n in range(3):
        org = make_org(f"org-{n}", f"Program {n}", f"admin{n}@program.test")
        admins += [
            make_member(org, f"a{n}-{i}@program.test", "Admin", f"{n}-{i}", Role.ADMINISTRATOR)
            for i in range(ADMINS // 3)
        ]
    staff = User.objects.create_user(
        "support@tandem.test", "pw", first_name="Sam", last_name="Support", is_staff=True
    )
    note = release_notes.release_note_save(
        actor=staff, date=datetime.date(2023, 12, 7), title_en="T", body_en="## A\n- b"
    )
    release_notes.release_note_publish(actor=staff, note=note)
    assert OrmQ.objects.count() == 1  # queued, no worker yet

    # PostgreSQL notices a dead client only when it next talks to it, so a statement
    # waiting on a lock would run on after its worker died. Production sets this too
    # (docs/realtime.md); it is per database, and this database is the test's own.
    with raw_connection() as admin_conn:
        admin_conn.execute(
            f"ALTER DATABASE {connection.settings_dict['NAME']} "
            "SET client_connection_check_interval = 200"
        )
    # Hold the release note's row: the job inserts every notification, then blocks on
    # marking the note delivered — the middle of the job.
    blocker = raw_connection()
    # NO KEY UPDATE: the notifications' foreign keys to the note still insert.
    blocker.execute(
        "SELECT 1 FROM notifications_releasenote WHERE id = %s FOR NO KEY UPDATE", [note.pk]
    )
    worker = start_worker(tmp_path)
    try:
        wait_for(
            lambda: Notification.objects.filter(release_note=note).count() == ADMINS,
            30,
            "the worker never started the job",
            tmp_path / "worker.log",
        )
        time.sleep(0.5)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        time.sleep(1)  # > client_connection_check_interval: the dead worker's query is gone
    finally:
        blocker.rollback()
        blocker.close()
        terminate(worker)
    note.refresh_from_db()
    assert note.delivered_at is None, "the job finished before it was killed"
    assert Success.objects.count() == 0

    worker = start_worker(tmp_path)
    try:
        wait_for(
            lambda: ReleaseNote.objects.get(pk=note.pk).delivered_at is not None,
            60,
            "the job was not retried",
            tmp_path / "worker.log",
        )
        wait_for(lambda: Success.objects.count() == 1, 30, "no success", tmp_path / "worker.log")
        # The broker's copy is acknowledged (deleted) once the result is saved.
        wait_for(lambda: not OrmQ.objects.exists(), 30, "not acknowledged", tmp_path / "worker.log")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        terminate(worker)

    per_admin = {
        admin.pk: Notification.objects.filter(user=admin, release_note=note).count()
        for admin in admins
    }
    assert set(per_admin.values()) == {1}
    assert Notification.objects.count() == ADMINS
