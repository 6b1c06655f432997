"""What notifications announce: the bell's unread count, coalesced."""

from __future__ import annotations

from notifications import selectors
from realtime.groups import platform_admins_group, user_group
from realtime.publish import command, on_commit_once, publish


def bell_changed_on_commit(user_id: int) -> None:
    """After commit, tell this person's pages their unread count: the latest count,
    once per transaction however many notifications it touched."""

    def send() -> None:
        count = selectors.unread_count(user_id=user_id)
        publish(user_group(user_id), "bell.changed", {"unread": count})

    on_commit_once(f"bell.{user_id}", send)


def admins_bells_stale() -> None:
    """One message for every administrator connected anywhere: each socket re-reads its
    own count. A release note reaches thousands at once; one Redis write, not thousands."""
    command(platform_admins_group(), "bell.recount")
