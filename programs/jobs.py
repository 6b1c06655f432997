"""Queueing background jobs: the only module of programs that talks to django-q2.

Services queue their jobs through these helpers, naming the entry point in
`programs.tasks` by its dotted path, so a service never imports the module that imports
it back. Every job must be idempotent: the ORM broker delivers at least once.
"""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue(entry_point: str, *args: int, name: str, group: str) -> None:
    """Queue `programs.tasks.<entry_point>(*args)` for the worker."""
    async_task(f"programs.tasks.{entry_point}", *args, task_name=name, group=group)


def enqueue_member_import(import_id: int) -> None:
    enqueue("member_import_run", import_id, name=f"member-import-{import_id}", group="imports")
