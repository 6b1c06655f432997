"""programs.accounts.MemberBackend: Django's ModelBackend with the person's organisation
read in the same query, and programs migration 0020, which moves the sessions opened
under ModelBackend to it so that nobody is signed out."""

from __future__ import annotations

import pytest
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext

from programs.accounts import MEMBER_BACKEND, MemberBackend
from tests.conftest import PASSWORD

OLD = "django.contrib.auth.backends.ModelBackend"


def test_the_person_comes_with_their_organisation_in_one_query(admin, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(admin.pk)
        assert user is not None and user.organisation is not None
        assert user.organisation.name_en == admin.organisation.name_en


def test_an_inactive_or_unknown_person_is_nobody(admin):
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    assert MemberBackend().get_user(admin.pk) is None
    assert MemberBackend().get_user(10**9) is None


def test_signing_in_names_the_member_backend_and_a_page_reads_session_and_person_once(
    client, admin
):
    client.post("/login/", {"username": admin.email, "password": PASSWORD})
    assert client.session[SESSION_KEY] == str(admin.pk)
    assert client.session[BACKEND_SESSION_KEY] == MEMBER_BACKEND
    client.get("/manage/groups/")  # warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/manage/groups/").status_code == 200
    organisation_reads = [
        q for q in captured.captured_queries if 'FROM "programs_organisation"' in q["sql"]
    ]
    assert organisation_reads == []  # joined to the person's row


def test_a_wrong_password_is_refused(client, admin):
    client.post("/login/", {"username": admin.email, "password": "not the password"})
    assert SESSION_KEY not in client.session


def _session(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    assert store.session_key is not None
    return store.session_key


def _user_for(session_key: str):
    request = HttpRequest()
    request.session = SessionStore(session_key=session_key)
    return auth.get_user(request)


@pytest.mark.django_db(transaction=True)
def test_migration_0020_keeps_everyone_signed_in(admin):
    executor = MigrationExecutor(connection)
    executor.migrate([("programs", "0019_member_selection")])
    signed_in = {
        SESSION_KEY: str(admin.pk),
        BACKEND_SESSION_KEY: OLD,
        HASH_SESSION_KEY: admin.get_session_auth_hash(),
    }
    before = _session(signed_in)
    elsewhere = _session({**signed_in, BACKEND_SESSION_KEY: "some.other.Backend"})
    anonymous = _session({"django_language": "fr"})
    damaged = _session(signed_in)
    Session.objects.filter(pk=damaged).update(session_data="not a session at all")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("programs", "0020_sessions_member_backend")])

    assert SessionStore(session_key=before).load() == {
        **signed_in,
        BACKEND_SESSION_KEY: MEMBER_BACKEND,
    }
    assert _user_for(before).pk == admin.pk
    assert SessionStore(session_key=elsewhere).load()[BACKEND_SESSION_KEY] == "some.other.Backend"
    assert SessionStore(session_key=anonymous).load() == {"django_language": "fr"}
    assert Session.objects.get(pk=damaged).session_data == "not a session at all"

    # And back: the session names ModelBackend again.
    executor = MigrationExecutor(connection)
    executor.migrate([("programs", "0019_member_selection")])
    assert SessionStore(session_key=before).load()[BACKEND_SESSION_KEY] == OLD
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("programs", "0020_sessions_member_backend")])
    assert _user_for(before).pk == admin.pk
