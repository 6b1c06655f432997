"""`manage.py members_import`: exit codes, one stderr line per problem, nothing written on
error, the same import as the page's."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from notifications.models import EmailLog
from programs.audit import AuditAction
from programs.models import AuditEntry, MemberImport, User

HEADER = ["First name", "Last name", "Email", "Role"]
PROJECT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "members.csv"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("members_import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = int(exit.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_a_correct_file_is_imported(tmp_path, org, admin):
    path = write(tmp_path, [HEADER, ["Ana", "Lopez", "ana@example.com", "mentee"]])
    code, out, err = run(str(path), "--organisation", org.slug)
    assert (code, out.strip(), err) == (0, "1 members imported.", "")
    ana = User.objects.get(email="ana@example.com")
    assert ana.organisation_id == org.pk
    assert EmailLog.objects.filter(recipient=ana, message_key="login_information").count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_IMPORT)
    assert (entry.count, entry.source, entry.actor_id) == (1, "manage.py members_import", None)


def test_dry_run_checks_and_writes_nothing(tmp_path, org):
    path = write(tmp_path, [HEADER, ["Ana", "Lopez", "ana@example.com", "mentee"]])
    users = User.objects.count()
    code, out, _ = run(str(path), "--organisation", org.slug, "--dry-run")
    assert code == 0 and "1 rows are correct" in out
    assert User.objects.count() == users and not MemberImport.objects.exists()


def test_a_file_with_problems_exits_1_with_one_line_each(tmp_path, org, mentor):
    path = write(
        tmp_path,
        [
            HEADER,
            ["Ana", "Lopez", "ana@example.com", "mentee"],
            ["Anna", "Carter", "anna@mentor.test", "mentor"],
            ["", "Nobody", "nobody", "chef"],
        ],
    )
    users = User.objects.count()
    code, out, err = run(str(path), "--organisation", org.slug)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "line 3: Email: Already a member of this program.",
        "line 4: Email: A valid email address is required.",
        "line 4: Role: Write mentor or mentee.",
        "line 4: First name: Required.",
    ]
    assert User.objects.count() == users and not MemberImport.objects.exists()


def test_the_sample(org):
    code, out, _ = run("--sample")
    assert code == 0
    assert next(csv.reader(io.StringIO(out)))[:4] == HEADER
    code, out, _ = run("--sample", "--language", "fr")
    assert next(csv.reader(io.StringIO(out)))[0] == "Prénom"


@pytest.mark.django_db(transaction=True)
def test_as_a_process_an_unknown_column_exits_1_on_stderr(tmp_path, org):
    path = write(tmp_path, [[*HEADER, "Shoe size"], ["Ana", "Lopez", "ana@example.com", "mentee"]])
    from django.db import connection

    env = {**os.environ, "DATABASE_URL": _url_of(connection.settings_dict)}
    result = subprocess.run(
        [sys.executable, "manage.py", "members_import", str(path), "--organisation", org.slug],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "line 1: Shoe size: Unknown column."
    assert not User.objects.filter(email="ana@example.com").exists()


def _url_of(settings_dict: dict) -> str:
    return (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}"
    )
