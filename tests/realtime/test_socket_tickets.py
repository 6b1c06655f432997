"""Socket tickets (realtime/sockets/tickets.py): a page's next handshake without a database
read — and every way a ticket must not open a socket: forged, another session's, expired,
revoked (signed out, the person changed, deactivated in bulk), vouched for by a Redis that
lost its data. A refused ticket is the database read, as without one."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import orjson
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.core import signing
from django.test import override_settings
from django.utils.module_loading import import_string

from presence.clients import redis_client
from programs.models import Role, User
from realtime.sockets import auth, consumer, tickets
from realtime.sockets.consumer import CLOSE_DEACTIVATED, CLOSE_UNAUTHENTICATED
from server.asgi import application
from tests.conftest import ORIGIN
from tests.realtime.helpers import session_cookie_for
from tests.realtime.test_members_deactivated import apply_file

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_SEQUENCE = ["presence.snapshot", "counts.changed", "bell.changed"]


def end_session(cookie: str) -> None:
    """What signing out does to the session: the engine's delete."""
    import_string(f"{settings.SESSION_ENGINE}.SessionStore")(
        session_key=session_key(cookie)
    ).delete()


@pytest.fixture
def reads(monkeypatch) -> list[str | None]:
    """Every database read of a socket's person (the session keys asked for)."""
    seen: list[str | None] = []
    real = auth.asocket_user_for_session

    async def counted(session_key):
        seen.append(session_key)
        return await real(session_key)

    monkeypatch.setattr(auth, "asocket_user_for_session", counted)
    monkeypatch.setattr(consumer, "asocket_user_for_session", counted)  # its renewals
    return seen


def forget_marks(*users: User) -> None:
    """The fixtures' saves marked their people as changed a moment ago (a ticket read
    within the clock margin of that is refused): as if those saves were long past."""
    redis_client().delete(*(tickets.user_mark_key(user.pk) for user in users))


async def frames(comm: WebsocketCommunicator, timeout: float = 0.5) -> list[dict]:
    """Every frame until the socket is quiet, but presence changes (the person's own
    earlier socket going offline may reach an administrator's next one)."""
    got = []
    while not await comm.receive_nothing(timeout=timeout):
        frame = orjson.loads(await comm.receive_from(timeout=3))
        if frame["event"] != "presence.changed":
            got.append(frame)
    return got


async def open_page(cookie: str | None, ticket: str | None = None) -> WebsocketCommunicator:
    path = "/ws/" if ticket is None else f"/ws/?{urlencode({'ticket': ticket})}"
    headers = [(b"origin", ORIGIN.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def first_ticket(cookie: str, sequence: list[str]) -> str:
    """A page's first socket: read from the database, ending with its ticket."""
    comm = await open_page(cookie)
    got = await frames(comm)
    assert [frame["event"] for frame in got] == [*sequence, "socket.ticket"]
    await comm.disconnect()
    return got[-1]["data"]["ticket"]


async def closed_with(comm: WebsocketCommunicator) -> int:
    output = await comm.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    return output["code"]


def session_key(cookie: str) -> str:
    return cookie.split("=", 1)[1]


async def test_a_ticket_reopens_the_socket_without_the_database(admin, reads):
    await database_sync_to_async(forget_marks)(admin)
    cookie = await database_sync_to_async(session_cookie_for)(admin)
    ticket = await first_ticket(cookie, ADMIN_SEQUENCE)
    assert reads == [session_key(cookie)]

    comm = await open_page(cookie, ticket)
    # The same connect sequence (the snapshot, counts and bell are read as ever), no read
    # of the person, no new ticket: the page keeps the one it has.
    assert [frame["event"] for frame in await frames(comm)] == ADMIN_SEQUENCE
    assert reads == [session_key(cookie)]
    await comm.disconnect()


async def test_a_mentors_ticket_opens_only_their_own_groups(admin, mentor, reads):
    await database_sync_to_async(forget_marks)(admin, mentor)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    comm = await open_page(cookie, ticket)
    assert [frame["event"] for frame in await frames(comm)] == ["bell.changed"]
    assert len(reads) == 1
    await comm.disconnect()


async def test_a_forged_ticket_is_the_database_read(admin, mentor, outsider, reads):
    """Another person or organisation written into a real ticket, a ticket signed with
    another key, garbage: the socket is the cookie's person, read from the database."""
    await database_sync_to_async(forget_marks)(admin, mentor, outsider)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    value, signature = ticket.rsplit(":", 1)
    _user, _org, admin_flag, digest, read_at = value.split("-")
    as_admin = f"{admin.pk}-{admin.organisation_id}-1-{digest}-{read_at}:{signature}"
    elsewhere = f"{outsider.pk}-{outsider.organisation_id}-1-{digest}-{read_at}:{signature}"
    promoted = f"{mentor.pk}-{mentor.organisation_id}-1-{digest}-{read_at}:{signature}"
    other_key = signing.Signer(key="not-our-secret", salt=tickets.SALT).sign(value)
    for forged in (as_admin, elsewhere, promoted, other_key, "garbage", "", ticket + "x"):
        before = len(reads)
        comm = await open_page(cookie, forged)
        got = await frames(comm)
        # The mentor's own sequence (no snapshot: not an administrator), a new ticket.
        assert [frame["event"] for frame in got] == ["bell.changed", "socket.ticket"], forged
        assert len(reads) == before + 1
        await comm.disconnect()


async def test_a_ticket_opens_nothing_without_its_own_session(admin, mentor, reads):
    await database_sync_to_async(forget_marks)(admin, mentor)
    admin_cookie = await database_sync_to_async(session_cookie_for)(admin)
    ticket = await first_ticket(admin_cookie, ADMIN_SEQUENCE)

    # No cookie: signed out, whatever the ticket says.
    comm = await open_page(None, ticket)
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED
    # Another session of the same person (another browser): read from the database.
    second_cookie = await database_sync_to_async(session_cookie_for)(admin)
    comm = await open_page(second_cookie, ticket)
    assert [f["event"] for f in await frames(comm)] == [*ADMIN_SEQUENCE, "socket.ticket"]
    await comm.disconnect()
    # Someone else's session: they are who their own session says.
    mentor_cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = await open_page(mentor_cookie, ticket)
    assert [f["event"] for f in await frames(comm)] == ["bell.changed", "socket.ticket"]
    await comm.disconnect()


async def test_an_expired_ticket_is_the_database_read(admin, reads):
    await database_sync_to_async(forget_marks)(admin)
    cookie = await database_sync_to_async(session_cookie_for)(admin)
    await first_ticket(cookie, ADMIN_SEQUENCE)  # Redis holds the epoch
    old = int(time.time()) - settings.SOCKET_TICKET_MAX_AGE - 1
    expired = tickets.issue(
        user_id=admin.pk,
        organisation_id=admin.organisation_id,
        is_org_admin=True,
        session_key=session_key(cookie),
        read_at=old,
    )
    future = tickets.issue(
        user_id=admin.pk,
        organisation_id=admin.organisation_id,
        is_org_admin=True,
        session_key=session_key(cookie),
        read_at=int(time.time()) + 3600,
    )
    for ticket in (expired, future):
        comm = await open_page(cookie, ticket)
        assert [f["event"] for f in await frames(comm)] == [*ADMIN_SEQUENCE, "socket.ticket"]
        await comm.disconnect()
    assert len(reads) == 3


async def test_after_sign_out_the_ticket_opens_nothing(admin):
    """The session deleted (as sign-out does): the ticket would still be well-formed,
    signed and young, and refers to a session that no longer exists."""
    await database_sync_to_async(forget_marks)(admin)
    cookie = await database_sync_to_async(session_cookie_for)(admin)
    ticket = await first_ticket(cookie, ADMIN_SEQUENCE)
    await database_sync_to_async(end_session)(cookie)
    comm = await open_page(cookie, ticket)
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED


async def test_a_change_to_the_person_revokes_their_tickets(admin, mentor):
    await database_sync_to_async(forget_marks)(admin, mentor)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    # Made an administrator: the ticket says mentor; the socket must join the admins.
    mentor.role = Role.ADMINISTRATOR
    await database_sync_to_async(mentor.save)()
    comm = await open_page(cookie, ticket)
    assert [f["event"] for f in await frames(comm)] == [*ADMIN_SEQUENCE, "socket.ticket"]
    await comm.disconnect()


async def test_a_sign_in_elsewhere_keeps_the_ticket(mentor, reads):
    """Signing in on another device saves only «last_login»: nothing a ticket says."""
    await database_sync_to_async(forget_marks)(mentor)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    await database_sync_to_async(update_last_login)(User, mentor)
    comm = await open_page(cookie, ticket)
    assert [f["event"] for f in await frames(comm)] == ["bell.changed"]
    assert len(reads) == 1
    await comm.disconnect()


async def test_a_password_change_revokes_the_ticket(mentor):
    await database_sync_to_async(forget_marks)(mentor)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    mentor.set_password("a completely new passphrase")
    await database_sync_to_async(mentor.save)()
    comm = await open_page(cookie, ticket)
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED


async def test_a_deactivation_file_revokes_the_tickets(admin, mentor):
    """A bulk deactivation (one UPDATE, no save of each person) revokes too."""
    await database_sync_to_async(forget_marks)(admin, mentor)
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    ticket = await first_ticket(cookie, ["bell.changed"])
    assert await database_sync_to_async(apply_file)(admin, [mentor.email]) == 1
    comm = await open_page(cookie, ticket)
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED


async def test_a_redis_that_lost_its_data_vouches_for_no_ticket(admin, reads):
    """Revocation marks live in Redis; after a restart without persistence they are gone,
    so every ticket issued before is refused (the epoch)."""
    await database_sync_to_async(forget_marks)(admin)
    cookie = await database_sync_to_async(session_cookie_for)(admin)
    ticket = await first_ticket(cookie, ADMIN_SEQUENCE)
    await database_sync_to_async(redis_client().delete)(tickets.epoch_key())
    comm = await open_page(cookie, ticket)
    got = await frames(comm)
    assert [f["event"] for f in got] == [*ADMIN_SEQUENCE, "socket.ticket"]
    await comm.disconnect()
    assert len(reads) == 2
    # The new ticket is vouched for again.
    comm = await open_page(cookie, got[-1]["data"]["ticket"])
    assert [f["event"] for f in await frames(comm)] == ADMIN_SEQUENCE
    await comm.disconnect()
    assert len(reads) == 2


HEARTBEAT = '{"type": "heartbeat"}'


@override_settings(SOCKET_TICKET_MAX_AGE=0)
async def test_a_heartbeat_renews_the_ticket_from_the_database(mentor, reads):
    """Once half its life has passed (here at once), a beat reads the person again and
    hands the page a new ticket."""
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = await open_page(cookie)
    assert [f["event"] for f in await frames(comm)] == ["bell.changed", "socket.ticket"]
    await comm.send_to(text_data=HEARTBEAT)
    assert [f["event"] for f in await frames(comm)] == ["heartbeat.ack", "socket.ticket"]
    assert len(reads) == 2
    await comm.disconnect()


@override_settings(SOCKET_TICKET_MAX_AGE=0)
async def test_a_renewal_closes_the_socket_of_a_session_that_ended(mentor):
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = await open_page(cookie)
    await frames(comm)
    await database_sync_to_async(end_session)(cookie)
    await comm.send_to(text_data=HEARTBEAT)
    assert orjson.loads(await comm.receive_from(timeout=3))["event"] == "heartbeat.ack"
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED


@override_settings(SOCKET_TICKET_MAX_AGE=0)
async def test_a_renewal_reloads_the_page_of_a_person_who_changed(mentor):
    """Made an administrator by a write that no socket was told of: the page reloads,
    and its next socket joins the administrators."""
    cookie = await database_sync_to_async(session_cookie_for)(mentor)
    comm = await open_page(cookie)
    await frames(comm)
    await database_sync_to_async(User.objects.filter(pk=mentor.pk).update)(role=Role.ADMINISTRATOR)
    await comm.send_to(text_data=HEARTBEAT)
    assert orjson.loads(await comm.receive_from(timeout=3))["event"] == "heartbeat.ack"
    assert await closed_with(comm) == CLOSE_DEACTIVATED
