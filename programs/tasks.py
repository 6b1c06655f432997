"""django-q2 entry points of programs: thin and idempotent (the ORM broker delivers at
least once). They are queued by `programs.jobs`."""

from __future__ import annotations

from programs import imports


def member_import_run(import_id: int) -> str:
    return imports.member_import_run(import_id=import_id)


def member_imports_sweep() -> int:
    """Run every minute by the schedule made in migration programs 0011."""
    return imports.member_import_sweep()
