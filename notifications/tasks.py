"""django-q2 entry points: thin and idempotent (the ORM broker delivers at least once)."""

from __future__ import annotations

from django_q.tasks import async_task

from notifications import community_services, mail, services


def release_note_deliver(note_id: int) -> int:
    return services.release_note_deliver(note_id=note_id)


def enqueue_release_note_delivery(note_id: int) -> None:
    async_task(
        "notifications.tasks.release_note_deliver",
        note_id,
        task_name=f"release-note-{note_id}",
        group="release-notes",
    )


def email_deliver(log_id: int) -> str:
    return mail.email_deliver(log_id=log_id)


def enqueue_email_delivery(log_id: int) -> None:
    async_task(
        "notifications.tasks.email_deliver", log_id, task_name=f"email-{log_id}", group="email"
    )


def community_message_dispatch(message_id: int) -> int:
    return community_services.community_message_dispatch(message_id=message_id)


def enqueue_community_dispatch(message_id: int) -> None:
    async_task(
        "notifications.tasks.community_message_dispatch",
        message_id,
        task_name=f"community-message-{message_id}",
        group="community-messages",
    )


def community_messages_due() -> int:
    """Run every minute by the schedule made in migration notifications 0004."""
    return community_services.community_messages_due()
