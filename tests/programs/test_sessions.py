"""programs.sessions: Django's database sessions with their read compiled once on
PostgreSQL — the same data, the same answer for an unknown, expired or forged session."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.utils import timezone

from programs.sessions import SessionStore
from tests.conftest import PASSWORD


def _saved(data, **expiry):
    store = django_db.SessionStore()
    store.update(data)
    store.create()
    if expiry:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() + timedelta(**expiry)
        )
    return store.session_key


def test_it_is_the_engine_and_signing_in_goes_through_it(client, admin):
    assert settings.SESSION_ENGINE == "programs.sessions"
    client.post("/login/", {"username": admin.email, "password": PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(session_key=key).load()[SESSION_KEY] == str(admin.pk)
    assert client.get("/manage/groups/").status_code == 200


def test_it_reads_what_djangos_store_reads(db, django_assert_num_queries):
    live = _saved({"django_language": "fr", "n": [1, 2]})
    expired = _saved({"n": 3}, seconds=-1)
    for key in (live, expired, "unknown-session-key-0123456789", "x" * 40):
        mine, django = SessionStore(session_key=key), django_db.SessionStore(session_key=key)
        with django_assert_num_queries(1):
            data = mine.load()
        assert data == django.load()
        assert mine.session_key == django.session_key  # forgotten when unknown or expired
    assert SessionStore(session_key=live).load() == {"django_language": "fr", "n": [1, 2]}
    assert SessionStore(session_key=expired).load() == {}


def test_forged_data_is_an_empty_session(db):
    key = _saved({SESSION_KEY: "1"})
    Session.objects.filter(session_key=key).update(session_data="forged:data")
    assert SessionStore(session_key=key).load() == {}


def test_no_key_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert SessionStore().load() == {}
