"""Who is on the other end of a socket, from the session cookie — and nothing more kept.

Channels' AuthMiddlewareStack keeps the session and a full User object in the scope for
the whole life of every socket; with thousands of idle sockets that is most of a socket's
memory. This middleware does the same check (Django's own `auth.get_user`: the session's
backend, its password hash, an active account) once, at the handshake, and keeps only the
user id. The consumer reads the member's row itself.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import auth
from django.http.cookie import parse_cookie


def _cookie(scope: dict, name: str) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(name)
    return None


def user_id_for_session(session_key: str | None) -> int | None:
    if not session_key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key=session_key))
    # get_user reads only `request.session`: a stand-in, not a whole HttpRequest.
    user = auth.get_user(request)  # type: ignore[arg-type]
    return user.pk if user.is_authenticated else None


_user_id_for_session = database_sync_to_async(user_id_for_session)


class SessionUserMiddleware(BaseMiddleware):
    """Puts `user_id` (or None) in the scope of each WebSocket connection."""

    async def __call__(self, scope, receive, send):
        session_key = _cookie(scope, settings.SESSION_COOKIE_NAME)
        scope = dict(scope, user_id=await _user_id_for_session(session_key))
        return await super().__call__(scope, receive, send)
