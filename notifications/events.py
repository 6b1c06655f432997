"""What notifications announce: the bell's unread count, coalesced."""

from __future__ import annotations

from notifications import selectors
from realtime.groups import org_admins_group, platform_admins_group, user_group
from realtime.publish import command, on_commit_once, publish, publish_on_commit


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


def email_status_changed_on_commit(log) -> None:
    """A row of the email log changed status: admins watching the log see it at once."""
    if log.organisation_id is None:
        return
    publish_on_commit(
        org_admins_group(log.organisation_id),
        "email.updated",
        {
            "id": log.pk,
            "status": log.status,
            "status_at": log.status_at.isoformat(),
            "opened_at": log.opened_at.isoformat() if log.opened_at else None,
        },
    )
