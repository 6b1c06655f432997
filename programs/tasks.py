"""django-q2 entry points of programs: thin and idempotent (the ORM broker delivers at
least once). They are queued by `programs.jobs`."""

from __future__ import annotations

from programs import completion_recalculation, imports, relationships_end_all


def completion_recalculate(run_id: int) -> str:
    return completion_recalculation.completion_recalculate_run(run_id=run_id)


def completion_recalculation_sweep() -> int:
    """Run every minute by the schedule made in migration programs 0010."""
    return completion_recalculation.completion_recalculation_sweep()


def member_import_run(import_id: int) -> str:
    return imports.member_import_run(import_id=import_id)


def member_imports_sweep() -> int:
    """Run every minute by the schedule made in migration programs 0012."""
    return imports.member_import_sweep()


def relationships_end_all_run(ending_id: int) -> str:
    return relationships_end_all.relationships_end_run(ending_id=ending_id)


def relationships_end_all_sweep() -> int:
    """Run every minute by the schedule made in migration programs 0016."""
    return relationships_end_all.relationships_end_sweep()
