"""Totals kept by the database for the administrator lists (issue 17).

`ListTotal` rows (organisation, kind, n) are maintained by PostgreSQL statement-level
triggers with transition tables: each INSERT, UPDATE or DELETE statement on a counted
table adds, per organisation and kind, how many rows entered minus how many left — one
upsert per statement and kind changed, none when an UPDATE changes nothing counted (a
login's `last_seen`). The migrations that install a trigger lock its table and backfill
the totals in the same transaction, so a total is exact from then on; TRUNCATE (the test
suite's flush) empties programs_listtotal with the rest. SQLite has none of this and the
lists count there.

Kinds: "members" (people of the organisation), "members_active" (active, not
administrators: the dashboard tile), "relationships:<status>", "meetings".
"""

from __future__ import annotations

from django.db import connection

from programs.compiled import CompiledOnce
from programs.models import ListTotal

USER_KINDS = (
    "SELECT organisation_id, 'members' AS kind FROM {rows} WHERE organisation_id IS NOT NULL "
    "UNION ALL SELECT organisation_id, 'members_active' FROM {rows} "
    "WHERE organisation_id IS NOT NULL AND is_active AND role <> 'admin'"
)
RELATIONSHIP_KINDS = "SELECT organisation_id, 'relationships:' || status AS kind FROM {rows}"
MEETING_KINDS = "SELECT organisation_id, 'meetings' AS kind FROM {rows}"


def _upsert(parts: list[str]) -> str:
    return (
        "INSERT INTO programs_listtotal (organisation_id, kind, n) "
        "SELECT organisation_id, kind, SUM(d) FROM ("
        + " UNION ALL ".join(parts)
        + ") AS changes GROUP BY organisation_id, kind HAVING SUM(d) <> 0 "
        # Always the same order, so two statements wait for each other's rows, never in a
        # circle.
        "ORDER BY organisation_id, kind "
        "ON CONFLICT (organisation_id, kind) DO UPDATE SET n = programs_listtotal.n + EXCLUDED.n;"
    )


def trigger_install_sql(table: str, kinds: str) -> list[str]:
    """The statements that lock `table`, install its triggers and backfill its totals.
    `kinds` is a SELECT of (organisation_id, kind) rows over the placeholder {rows}."""
    entered = f"SELECT organisation_id, kind, 1 AS d FROM ({kinds.format(rows='new_rows')}) AS e"
    left = f"SELECT organisation_id, kind, -1 AS d FROM ({kinds.format(rows='old_rows')}) AS l"
    function = f"{table}_list_totals"
    body = (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_upsert([entered])} "
        f"ELSIF TG_OP = 'DELETE' THEN {_upsert([left])} "
        f"ELSE {_upsert([entered, left])} "
        "END IF; RETURN NULL; END $$"
    )
    statements = [
        f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE",
        body,
        f"DROP TRIGGER IF EXISTS {function}_insert ON {table}",
        f"DROP TRIGGER IF EXISTS {function}_update ON {table}",
        f"DROP TRIGGER IF EXISTS {function}_delete ON {table}",
        f"CREATE TRIGGER {function}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        # The totals of the rows already there (the table is locked: none can change).
        "DELETE FROM programs_listtotal WHERE kind IN "
        f"(SELECT DISTINCT kind FROM ({kinds.format(rows=table)}) AS k)",
        "INSERT INTO programs_listtotal (organisation_id, kind, n) "
        f"SELECT organisation_id, kind, COUNT(*) FROM ({kinds.format(rows=table)}) AS k "
        "GROUP BY organisation_id, kind",
    ]
    return statements


def trigger_drop_sql(table: str) -> list[str]:
    function = f"{table}_list_totals"
    return [
        f"DROP TRIGGER IF EXISTS {function}_insert ON {table}",
        f"DROP TRIGGER IF EXISTS {function}_update ON {table}",
        f"DROP TRIGGER IF EXISTS {function}_delete ON {table}",
        f"DROP FUNCTION IF EXISTS {function}()",
    ]


def stored_total(*, organisation_id: int, kind: str) -> int | None:
    """The kept total, or None where the database keeps none (SQLite: count instead)."""
    kept = _kept(organisation_id)
    return None if kept is None else kept.get(kind, 0)


def stored_totals(*, organisation_id: int, prefix: str) -> dict[str, int] | None:
    """Every kept total of the organisation whose kind starts with `prefix`, by the rest
    of the kind (e.g. prefix "relationships:" → {"matched": 12, …}); None on SQLite."""
    kept = _kept(organisation_id)
    if kept is None:
        return None
    return {kind.removeprefix(prefix): n for kind, n in kept.items() if kind.startswith(prefix)}


def _kept(organisation_id: int) -> dict[str, int] | None:
    """Every total kept for the organisation (a few rows), by kind: one query compiled
    once (`programs.compiled`); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    return dict(_kept_query.rows(organisation_id=organisation_id))


_kept_query = CompiledOnce(
    lambda organisation_id: ListTotal.objects.filter(organisation_id=organisation_id).values_list(
        "kind", "n"
    ),
    organisation_id=-1,
)
