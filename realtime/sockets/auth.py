"""Who is on the other end of a socket, from the session cookie — and nothing more kept.

Channels' AuthMiddlewareStack keeps the session and a full User object in the scope for
the whole life of every socket; with thousands of idle sockets that is most of a socket's
memory. This middleware does the same check (Django's own `auth.get_user`: the session's
backend, its password hash, an active account) once, at the handshake, and keeps only
three small values of the row it read: the user id, the organisation id and whether they
administer it — so the consumer need not read the row again.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django.http.cookie import parse_cookie


def _cookie(scope: dict, name: str) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(name)
    return None


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
_socket_user_for_session = database_sync_to_async(socket_user_for_session, thread_sensitive=False)


class SessionUserMiddleware(BaseMiddleware):
    """Puts `user_id`, `organisation_id` and `is_org_admin` in the scope of each
    WebSocket connection (None, None, False when signed out)."""

    async def __call__(self, scope, receive, send):
        session_key = _cookie(scope, settings.SESSION_COOKIE_NAME)
        found = await _socket_user_for_session(session_key)
        scope = dict(
            scope,
            user_id=found.user_id,
            organisation_id=found.organisation_id,
            is_org_admin=found.is_org_admin,
        )
        # Not BaseMiddleware.__call__: it copies the scope again, and every copy lives as
        # long as the socket (this frame awaits the consumer to the end).
        return await self.inner(scope, receive, send)  # type: ignore[misc,call-arg]
