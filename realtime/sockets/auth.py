"""Who is on the other end of a socket, from the session cookie — and nothing more kept.

Channels' AuthMiddlewareStack keeps the session and a full User object in the scope for
the whole life of every socket; with thousands of idle sockets that is most of a socket's
memory. `SocketEntry` does the same check (Django's own `auth.get_user`: the session's
backend, its password hash, an active account) once, at the handshake, and keeps only
three small values of the row it read: the user id, the organisation id and whether they
administer it — so the consumer need not read the row again. A page that reconnects
with a valid socket ticket (tickets.py) is not read at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import ParseResult, urlparse

from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django.http.cookie import parse_cookie

from realtime.sockets.tickets import socket_user_for_ticket, ticket_of


def _cookie(scope: dict, name: str) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(name)
    return None


def session_key_of(scope: dict) -> str | None:
    """The session key of the handshake's cookie."""
    return _cookie(scope, settings.SESSION_COOKIE_NAME)


@dataclass(frozen=True)
class SocketUser:
    user_id: int | None = None
    organisation_id: int | None = None
    is_org_admin: bool = False


ANONYMOUS = SocketUser()


def socket_user_for_session(session_key: str | None) -> SocketUser:
    if not session_key:
        return ANONYMOUS
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore(session_key=session_key)
    user = auth.get_user(request)
    if not user.is_authenticated:
        return ANONYMOUS
    return SocketUser(
        user_id=user.pk,
        organisation_id=getattr(user, "organisation_id", None),
        is_org_admin=bool(getattr(user, "is_org_admin", False)),
    )


# Off the one thread every thread-sensitive database call of the process shares: a
# thousand browsers reconnecting at once would take turns on it, one session and one user
# read at a time, past Daphne's handshake timeout.
asocket_user_for_session = database_sync_to_async(socket_user_for_session, thread_sensitive=False)


async def _socket_user(scope: dict) -> dict[str, Any]:
    """What the scope learns of the socket's person: `user_id`, `organisation_id`,
    `is_org_admin`, and for a signed-in person `ticket_read_at` (when the database was
    read for it: the unix second, before the read) and `ticket_wanted` (true when this
    handshake read the database, so the consumer hands the page a new ticket)."""
    session_key = session_key_of(scope)
    ticket = ticket_of(scope.get("query_string", b"")) if session_key else None
    if ticket is not None and session_key is not None:
        held = await socket_user_for_ticket(ticket, session_key)
        if held is not None:
            return {
                "user_id": held.user_id,
                "organisation_id": held.organisation_id,
                "is_org_admin": held.is_org_admin,
                "ticket_read_at": held.read_at,
                "ticket_wanted": False,
            }
    read_at = int(time.time())
    found = await asocket_user_for_session(session_key)
    return {
        "user_id": found.user_id,
        "organisation_id": found.organisation_id,
        "is_org_admin": found.is_org_admin,
        "ticket_read_at": read_at,
        "ticket_wanted": found.user_id is not None,
    }


class SocketEntry:
    """The WebSocket side of the ASGI application, in one step: the Origin header checked
    against ALLOWED_HOSTS (Channels' AllowedHostsOriginValidator, whose rule it calls),
    the socket's person found (`_socket_user`: from the page's ticket, else the session
    read by `socket_user_for_session`; `user_id`, `organisation_id` and `is_org_admin`
    put in the scope, None, None, False when signed out), the path routed to its consumer
    (`routes`: path without the leading slash → ASGI application).

    Channels' stack for the same — AllowedHostsOriginValidator(SessionUserMiddleware(
    URLRouter(...))) — keeps three coroutine frames and two copies of the scope alive for
    the whole life of every socket (each layer awaits the next until the socket closes);
    this keeps one of each (bench/idle.py: memory per idle socket). A refused Origin gets
    Channels' own denial (the handshake closed, HTTP 403); a path with no route raises as
    URLRouter does."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.deny = WebsocketDenier.as_asgi()
        # Only its Origin rule is used (`valid_origin`); it is never called itself.
        self.origins = AllowedHostsOriginValidator(self.deny)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            raise ValueError("SocketEntry serves WebSocket connections only")
        if not self.origins.valid_origin(_origin(scope)):
            await self.deny(scope, receive, send)
            return
        application = self._route(scope)
        # This frame lives as long as the socket (it awaits the consumer): keep nothing
        # in it but the one scope copy.
        scope = dict(scope, **await _socket_user(scope))
        await application(scope, receive, send)

    def _route(self, scope: dict) -> Any:
        path, root_path = scope["path"], scope.get("root_path", "")
        application = None
        if path.startswith(root_path):
            application = self.routes.get(path[len(root_path) :].lstrip("/"))
        if application is None:
            raise ValueError(f"No route found for path {path!r}.")
        return application


def _origin(scope: dict) -> ParseResult | None:
    """The Origin header parsed as Channels' OriginValidator reads it: the last one wins
    (latin-1 decodes any bytes; what is not a URL fails the rule)."""
    parsed = None
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            parsed = urlparse(value.decode("latin1"))
    return parsed
