from __future__ import annotations

import orjson
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from server.asgi import application
from tests.conftest import ORIGIN


def session_cookie_for(user) -> str:
    """A real signed-in session for `user`, as the browser's cookie would carry it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "programs.accounts.MemberBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def communicator(cookie: str | None = None, origin: str | None = ORIGIN) -> WebsocketCommunicator:
    headers = []
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def past_ticket(comm: WebsocketCommunicator, timeout: float = 3) -> str:
    """The `socket.ticket` frame that ends a connect sequence read from the database (its
    ticket, for the page's next handshake)."""
    message = orjson.loads(await comm.receive_from(timeout=timeout))
    assert message["event"] == "socket.ticket", message
    return message["data"]["ticket"]
