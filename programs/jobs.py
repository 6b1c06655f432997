"""Queueing background jobs: the only module of programs that talks to django-q2.

Services queue `programs.tasks.<entry point>` by its dotted path (after commit), so a
service never imports the module that imports it back. Every job is idempotent: the ORM
broker delivers at least once.
"""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue(entry_point: str, *args: int, name: str, group: str) -> None:
    """Queue `programs.tasks.<entry_point>(*args)` for the worker."""
    async_task(f"programs.tasks.{entry_point}", *args, task_name=name, group=group)


def enqueue_completion_recalculation(run_id: int) -> None:
    enqueue(
        "completion_recalculate",
        run_id,
        name=f"completion-recalculate-{run_id}",
        group="completion",
    )


def enqueue_member_import(import_id: int) -> None:
    enqueue("member_import_run", import_id, name=f"member-import-{import_id}", group="imports")


def enqueue_relationships_end_all(ending_id: int) -> None:
    enqueue(
        "relationships_end_all_run",
        ending_id,
        name=f"relationships-end-all-{ending_id}",
        group="relationships",
    )
