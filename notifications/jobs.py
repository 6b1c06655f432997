"""Queueing background jobs: the only module of notifications that talks to django-q2.

Services queue their jobs through these helpers, naming the entry point in
`notifications.tasks` by its dotted path, so a service never imports the module that
imports it back. Every job must be idempotent: the ORM broker delivers at least once.
"""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue(entry_point: str, *args: int, name: str, group: str) -> None:
    """Queue `notifications.tasks.<entry_point>(*args)` for the worker."""
    async_task(f"notifications.tasks.{entry_point}", *args, task_name=name, group=group)


def enqueue_email_delivery(log_id: int) -> None:
    enqueue("email_deliver", log_id, name=f"email-{log_id}", group="email")


def enqueue_email_deliveries(log_ids: list[int]) -> None:
    """One job for several emails (an import's invitations), each claimed on its own."""
    enqueue(
        "email_deliver_many", *log_ids, name=f"emails-{log_ids[0]}-{log_ids[-1]}", group="email"
    )


def enqueue_release_note_delivery(note_id: int) -> None:
    enqueue("release_note_deliver", note_id, name=f"release-note-{note_id}", group="release-notes")


def enqueue_community_dispatch(message_id: int) -> None:
    enqueue(
        "community_message_dispatch",
        message_id,
        name=f"community-message-{message_id}",
        group="community-messages",
    )
