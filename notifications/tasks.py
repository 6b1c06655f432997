"""django-q2 entry points: thin and idempotent (the ORM broker delivers at least once).
They are queued by `notifications.jobs`."""

from __future__ import annotations

from notifications.community import services as community
from notifications.email import outbox
from notifications.release_notes import services as release_notes


def release_note_deliver(note_id: int) -> int:
    return release_notes.release_note_deliver(note_id=note_id)


def email_deliver(log_id: int) -> str:
    return outbox.email_deliver(log_id=log_id)


def email_deliver_many(*log_ids: int) -> list[str]:
    """Several rows of the outbox, one after the other; each is claimed on its own, so a
    retried job skips those already sent."""
    return [outbox.email_deliver(log_id=log_id) for log_id in log_ids]


def community_message_dispatch(message_id: int) -> int:
    return community.community_message_dispatch(message_id=message_id)


def email_outbox_sweep() -> dict[str, int]:
    """Run every minute by the schedule made in migration notifications 0007."""
    return outbox.email_outbox_sweep()


def community_messages_due() -> int:
    """Run every minute by the schedule made in migration notifications 0004."""
    return community.community_messages_due()
