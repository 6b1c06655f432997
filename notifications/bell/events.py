"""What notifications announce: the bell's unread count, coalesced."""

from __future__ import annotations

from django.utils import timezone

from notifications.bell import selectors
from realtime.groups import platform_admins_group, user_group
from realtime.publish import Data, command, command_on_commit


def bell_changed_on_commit(user_id: int) -> None:
    """After commit, tell this person's pages their unread count: the latest count, once
    per transaction however many notifications it touched. Each socket keeps the count it
    last sent (see LiveConsumer.bell_set) so a later broadcast can build on it. The count
    is read after commit, so the payload is checked then (the audience is checked now)."""

    def recount() -> Data:
        counted_at = timezone.now()
        count = selectors.unread_count(user_id=user_id)
        return {"unread": count, "at": counted_at.isoformat()}

    command_on_commit(user_group(user_id), "bell.set", recount, once=True)


def admins_bells_bumped(*, reason: str) -> None:
    """Every administrator, in every organisation, just got one more unread notification
    (a release note was delivered). One message on the channel layer, whatever the number
    of administrators; each socket adds one to the count it holds and sends the result —
    no database work on the sockets' side. Call after the notifications are committed:
    `since` lets a socket that counted afterwards know its count already includes it, and
    `reason` (one per delivered thing) that a retried job's second bump is the same one."""
    command(platform_admins_group(), "bell.bump", since=timezone.now().isoformat(), reason=reason)
