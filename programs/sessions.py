"""The session engine (settings.SESSION_ENGINE): Django's database sessions, the same
table and the same encoding, with the read every request and every socket's handshake
makes compiled once on PostgreSQL (`programs.compiled`): building that one query cost
more Python than PostgreSQL spends answering it."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from programs import events
from programs.compiled import CompiledOnce

# Stand-ins no real call uses: a key shorter than any session's, the first moment.
_KEY_STAND_IN = "stand-in"
_MOMENT_STAND_IN = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def _data(key: str, now: datetime.datetime) -> QuerySet[Session, Any]:
    # What Django's `_get_session_from_db` asks, its data alone.
    return Session.objects.filter(session_key=key, expire_date__gt=now).values_list("session_data")


_session_data = CompiledOnce(_data, key=_KEY_STAND_IN, now=_MOMENT_STAND_IN)


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """A session's data, or an empty one (and no key) when it is unknown or expired —
        Django's database `load`, one query compiled once."""
        if self.session_key is None:
            return {}
        rows = _session_data.rows(key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])

    def delete(self, session_key: str | None = None) -> None:
        """Django's delete, announced (`events.session_ended`: the session's socket
        tickets are revoked)."""
        key = session_key if session_key is not None else self.session_key
        super().delete(session_key)
        if key is not None:
            events.session_ended.send(sender=Session, session_key=key)
