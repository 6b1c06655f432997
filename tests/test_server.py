"""The process around the app: public probes, deploy checks, the migrations on file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from channels.testing import HttpCommunicator
from django.core.management import call_command

from server import check_services
from server.asgi import application

ROOT = Path(__file__).resolve().parent.parent


async def get(path: str) -> tuple[int, dict]:
    response = await HttpCommunicator(application, "GET", path).get_response(timeout=10)
    return response["status"], orjson.loads(response["body"])


@pytest.mark.parametrize("value, expected", [(None, "5"), ("2", "2"), ("off", "None")])
def test_prepared_statements_follow_the_environment(value, expected):
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tandem"}
    env.pop("DB_PREPARE_THRESHOLD", None)
    if value is not None:
        env["DB_PREPARE_THRESHOLD"] = value
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "server.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def production_settings(tmp_path: Path, names: str, **env: str) -> subprocess.CompletedProcess[str]:
    """server.settings in a fresh process with only `env` set (no test configuration),
    printing the named settings one per line."""
    code = (
        "import pytest, django; django.setup(); from django.conf import settings; "
        f"[print(getattr(settings, name)) for name in {names.split()!r}]"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "server.settings",
            "TANDEM_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
    )


def test_importing_pytest_changes_no_setting(tmp_path):
    # The code imports pytest first: the demo's settings all the same.
    result = production_settings(tmp_path, "PASSWORD_HASHERS REDIS_URL DATABASES")
    assert result.returncode == 0, result.stderr
    hashers, redis_url, databases = result.stdout.splitlines()
    assert "Argon2PasswordHasher" in hashers and "MD5" not in hashers
    assert redis_url == "redis://127.0.0.1:6379/0"
    assert "sqlite3" in databases


@pytest.mark.parametrize("value, expected", [("Yes", "True"), ("OFF", "False"), ("", "False")])
def test_booleans_are_read_in_any_case(tmp_path, value, expected):
    result = production_settings(tmp_path, "SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected  # empty: the default, off with DEBUG on


def test_a_misspelt_boolean_is_refused(tmp_path):
    result = production_settings(tmp_path, "SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="ture")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECURE_SSL_REDIRECT='ture' is not a boolean" in result.stderr
    assert "1, true, yes, on or 0, false, no, off" in result.stderr


def test_a_number_that_is_not_one_is_refused(tmp_path):
    result = production_settings(tmp_path, "AXES_FAILURE_LIMIT", AXES_FAILURE_LIMIT="five")
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='five' is not a whole number" in result.stderr


def test_secrets_are_read_from_files(tmp_path):
    (tmp_path / "secret_key").write_text("s" * 60 + "-from-a-file\n")
    (tmp_path / "postmark").write_text("pm-token\n")
    result = production_settings(
        tmp_path,
        "SECRET_KEY ANYMAIL",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        POSTMARK_SERVER_TOKEN_FILE=str(tmp_path / "postmark"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "s" * 60 + "-from-a-file",
        "{'POSTMARK_SERVER_TOKEN': 'pm-token'}",
    ]


def test_a_secret_set_both_ways_is_refused(tmp_path):
    (tmp_path / "password").write_text("from-the-file")
    result = production_settings(
        tmp_path,
        "EMAIL_HOST_PASSWORD",
        EMAIL_HOST_PASSWORD="from-the-environment",
        EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "password"),
    )
    assert result.returncode != 0
    assert "Set EMAIL_HOST_PASSWORD or EMAIL_HOST_PASSWORD_FILE, not both." in result.stderr


def test_a_missing_secret_file_is_refused(tmp_path):
    missing = tmp_path / "nowhere"
    result = production_settings(tmp_path, "DATABASES", DATABASE_URL_FILE=str(missing))
    assert result.returncode != 0
    assert f"DATABASE_URL_FILE='{missing}' cannot be read" in result.stderr


@pytest.mark.django_db(transaction=True)
async def test_health_and_readiness_answer_without_a_session():
    assert await get("/healthz") == (200, {"status": "ok"})
    assert await get("/readyz") == (200, {"status": "ok", "database": "ok", "redis": "ok"})


@pytest.mark.django_db(transaction=True)
async def test_readiness_reports_a_missing_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    status, body = await get("/readyz")
    assert status == 503
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")


def test_deploy_check_is_clean_with_debug_off(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
        "ALLOWED_HOSTS": "tandem.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tandem",
        "TANDEM_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_make_test_installs_a_missing_chromium_when_it_may(tmp_path, monkeypatch):
    chromium = tmp_path / "chromium"
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(
        f'#!/bin/sh\necho "$*" >> {tmp_path}/calls\n'
        f'if [ "$1" = install ]; then touch {chromium}; chmod +x {chromium}; fi\n'
    )
    apt_get.chmod(0o755)
    monkeypatch.setattr(check_services, "CHROMIUM", str(chromium))
    monkeypatch.setattr(check_services.os, "geteuid", lambda: 0)
    monkeypatch.setattr(check_services.shutil, "which", lambda name: str(apt_get))

    assert check_services.chromium_problem() is None
    assert (tmp_path / "calls").read_text().splitlines() == [
        "update -qq",
        "install -y -qq chromium",
    ]


def test_make_test_says_how_to_install_chromium_when_it_may_not(tmp_path, monkeypatch):
    monkeypatch.setattr(check_services, "CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setattr(check_services.os, "geteuid", lambda: 1000)

    problem = check_services.chromium_problem()

    assert problem is not None
    assert "not running as root" in problem
    assert "apt-get install -y chromium" in problem
