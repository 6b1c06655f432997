"""Socket tickets: a page's reconnection without a database read.

Every handshake used to read the session and the person's row (`auth.socket_user_for_
session`): two queries, the session decoded, a person and their organisation built — about
a millisecond of a server's time each, in a thread of the pool. When every page of a
national program reconnects at once (a deploy, a Redis failover), that read was most of
the server's work (bench/reconnect.py).

So after that read the consumer hands its page a *ticket* (the `socket.ticket` frame):
who the socket's person is (user id, organisation id, administrator or not), a digest of
the session key it was read with, and when it was read — signed with SECRET_KEY
(django.core.signing; SECRET_KEY_FALLBACKS honoured). live.js sends it back in the
address of its next handshake (`?ticket=`), and `socket_user_for_ticket` answers from it
with one Redis round trip instead of the database, when all of this holds:

- the signature is ours and the ticket younger than SOCKET_TICKET_MAX_AGE;
- the handshake carries the same session cookie (its digest): a ticket alone, read from
  a log say, opens nothing;
- nothing revoked it since it was read. Revocation marks in Redis: a session deleted
  (sign-out, a new session at sign-in: `revoke_session`, on programs' `session_ended`),
  any change to the person (a save, a deletion, a deactivation, also in bulk —
  `revoke_users`, on Django's post_save and post_delete and programs' `sign_ins_ended`),
  each written once its change commits — and Redis
  itself kept them: an *epoch* key, set when the first ticket is issued, must be older
  than the ticket, so if Redis loses its data (a restart without persistence), every
  earlier ticket is refused and its page is read from the database once more.

Anything else — no ticket, a forged, expired or revoked one, another session's, Redis
unreachable — is the database read, as before, and a fresh ticket. While a socket stays
open, its heartbeats renew the ticket from the database every half SOCKET_TICKET_MAX_AGE,
so an open page always holds a fresh one; that read also closes the socket of a session
that ended meanwhile (the consumer).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signing
from django.db import transaction
from redis.exceptions import RedisError

from presence.clients import aredis_client, redis_client

logger = logging.getLogger(__name__)

SALT = "tandem.realtime.socket-ticket"
# A person's ticket is refused when read at most this long after a revocation mark (s):
# the marks come from other processes and machines, whose clocks may differ a little.
# (A ticket's time is a whole second, rounded down: refused up to 2 s after a change.)
CLOCK_MARGIN = 1.0


@dataclass(frozen=True)
class TicketUser:
    """What a valid ticket says: the socket's person, and when it was read."""

    user_id: int
    organisation_id: int
    is_org_admin: bool
    read_at: int  # unix seconds, taken before the database read it records


def _prefix() -> str:
    return f"{settings.REDIS_PREFIX}:tickets"


def epoch_key() -> str:
    return f"{_prefix()}:epoch"


def session_mark_key(digest: str) -> str:
    return f"{_prefix()}:session:{digest}"


def user_mark_key(user_id: int) -> str:
    return f"{_prefix()}:user:{user_id}"


def session_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _mark_seconds() -> int:
    # A mark outlives every ticket it could refuse.
    return int(settings.SOCKET_TICKET_MAX_AGE + CLOCK_MARGIN) + 1


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def issue(
    *, user_id: int, organisation_id: int, is_org_admin: bool, session_key: str, read_at: int
) -> str:
    """A signed ticket for what a database read at `read_at` found for this session."""
    value = (
        f"{user_id}-{organisation_id}-{int(is_org_admin)}-{session_digest(session_key)}-{read_at}"
    )
    return _signer().sign(value)


def read(ticket: str, session_key: str, *, now: float) -> TicketUser | None:
    """What the ticket says, if it is ours, not expired and of this session; no Redis."""
    try:
        value = _signer().unsign(ticket)
    except signing.BadSignature:
        return None
    parts = value.split("-")
    if len(parts) != 5:
        return None
    user_id, organisation_id, admin, digest, read_at = parts
    if digest != session_digest(session_key):
        return None
    found = TicketUser(
        user_id=int(user_id),
        organisation_id=int(organisation_id),
        is_org_admin=admin == "1",
        read_at=int(read_at),
    )
    if not 0 <= now - found.read_at < settings.SOCKET_TICKET_MAX_AGE:
        return None
    return found


def ticket_of(query_string: bytes) -> str | None:
    """The `ticket` parameter of a handshake's address, if any."""
    if b"ticket=" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1")):
        if name == "ticket":
            return value
    return None


async def socket_user_for_ticket(ticket: str, session_key: str) -> TicketUser | None:
    """The ticket's person when it may open this socket without a database read (the
    module's rules), else None."""
    found = read(ticket, session_key, now=time.time())
    if found is None:
        return None
    keys = (
        epoch_key(),
        session_mark_key(session_digest(session_key)),
        user_mark_key(found.user_id),
    )
    try:
        epoch, session_mark, user_mark = await aredis_client().mget(keys)
    except RedisError:
        logger.warning("socket ticket not checked (Redis unreachable): reading the session")
        return None
    if epoch is None or found.read_at < float(epoch) or session_mark is not None:
        return None
    if user_mark is not None and found.read_at <= float(user_mark) + CLOCK_MARGIN:
        return None
    return found


async def aissue(
    *, user_id: int, organisation_id: int, is_org_admin: bool, session_key: str, read_at: int
) -> str | None:
    """`issue`, once Redis holds the epoch (set to this read's time if it had none): a
    ticket Redis could not vouch for is not handed out."""
    try:
        await aredis_client().set(epoch_key(), read_at, nx=True)
    except RedisError:
        return None
    return issue(
        user_id=user_id,
        organisation_id=organisation_id,
        is_org_admin=is_org_admin,
        session_key=session_key,
        read_at=read_at,
    )


def revoke_session(session_key: str) -> None:
    """The session is gone (signed out, replaced): its tickets open nothing more."""
    _mark([(session_mark_key(session_digest(session_key)), 1)])


def revoke_users(user_ids: Iterable[int]) -> None:
    """These people changed (saved, deleted, deactivated): their earlier tickets open
    nothing more; their next handshake reads them from the database."""
    now = time.time()
    _mark([(user_mark_key(user_id), now) for user_id in user_ids])


def _mark(marks: list[tuple[str, float]]) -> None:
    if not marks:
        return
    try:
        pipe = redis_client().pipeline(transaction=False)
        for key, value in marks:
            pipe.set(key, value, ex=_mark_seconds())
        pipe.execute()
    except RedisError:
        # Not fatal to the change itself; a ticket lives SOCKET_TICKET_MAX_AGE at most.
        logger.exception("socket tickets not revoked (Redis unreachable): %d marks", len(marks))


# The receivers (connected in realtime.sockets.apps): each mark is written once the change
# that calls for it commits — a person read by a handshake before that sees the old row,
# and their ticket's time is earlier than the mark.


# What a save may change without touching what a ticket vouches for: a sign-in's
# `update_last_login` (so a sign-in elsewhere keeps this browser's tickets).
HARMLESS_SAVES = frozenset({"last_login"})


def on_user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Any save of a person (password, role, organisation, «Actif», …) or its deletion."""
    fields = kwargs.get("update_fields")
    if fields is not None and fields <= HARMLESS_SAVES:
        return
    transaction.on_commit(partial(revoke_users, [instance.pk]))


def on_sign_ins_ended(sender: Any, user_ids: list[int], **kwargs: Any) -> None:
    """programs.events.sign_ins_ended: deactivated (also in bulk), being deleted."""
    transaction.on_commit(partial(revoke_users, list(user_ids)))


def on_session_ended(sender: Any, session_key: str, **kwargs: Any) -> None:
    """programs.events.session_ended: signed out, replaced at sign-in, deleted."""
    transaction.on_commit(partial(revoke_session, session_key))
