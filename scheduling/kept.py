"""Values the dashboard reads kept by PostgreSQL triggers (issue 17), so `admin_day`
reads an index range instead of every meeting of the organisation.

- `Meeting.pending_answers`: how many attendees of the meeting, not the organiser, have
  not answered. Statement-level triggers on scheduling_attendee recompute it for the
  meetings whose pending attendees changed (a write only where the number changes).
- `Relationship.last_meeting_at`: the start of the pair's latest meeting that is not
  cancelled. Statement-level triggers on scheduling_meeting recompute it for the
  relationships whose meetings changed.

Both columns are also recomputed by a BEFORE INSERT OR UPDATE row trigger on their own
table, so a save from Python carrying a stale value (Django writes every field) cannot
leave it wrong, and two transactions changing the same pair's meetings end with the right
value (the row lock orders them; the later one recomputes after the first committed).
The migration installs them with the tables locked and recomputes every row. SQLite (the
demo) has no triggers: there the dashboard uses its former queries.
"""

from __future__ import annotations

from collections.abc import Callable

PENDING = "a.response = 'pending' AND NOT a.is_organiser"
ACTIVE = "('scheduled', 'completed')"  # scheduling.selectors.ACTIVE_STATUSES

PENDING_OF = (
    "(SELECT COUNT(*) FROM scheduling_attendee a WHERE a.meeting_id = {meeting} AND "
    + PENDING
    + ")"
)
LAST_OF = (
    "(SELECT MAX(m.starts_at) FROM scheduling_meeting m WHERE m.relationship_id = {rel} "
    f"AND m.status IN {ACTIVE})"
)


def _pending_update(changed: str) -> str:
    return (
        "UPDATE scheduling_meeting AS t SET pending_answers = c.n FROM ("
        f"SELECT ids.meeting_id, {PENDING_OF.format(meeting='ids.meeting_id')} AS n "
        f"FROM (SELECT DISTINCT meeting_id FROM ({changed}) AS ch) AS ids) AS c "
        "WHERE t.id = c.meeting_id AND t.pending_answers <> c.n;"
    )


def _last_update(changed: str) -> str:
    return (
        "UPDATE programs_relationship AS t SET last_meeting_at = c.latest FROM ("
        f"SELECT ids.relationship_id, {LAST_OF.format(rel='ids.relationship_id')} AS latest "
        f"FROM (SELECT DISTINCT relationship_id FROM ({changed}) AS ch) AS ids) AS c "
        "WHERE t.id = c.relationship_id AND t.last_meeting_at IS DISTINCT FROM c.latest;"
    )


def _pending_rows(rows: str) -> str:
    return f"SELECT a.meeting_id FROM {rows} AS a WHERE {PENDING}"


def _meeting_rows(rows: str) -> str:
    return f"SELECT relationship_id FROM {rows}"


def _statement_triggers(table: str, function: str, changed: Callable[[str], str]) -> list[str]:
    new, old = changed("new_rows"), changed("old_rows")
    update = _pending_update if table == "scheduling_attendee" else _last_update
    body = (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP = 'INSERT' THEN {update(new)} "
        f"ELSIF TG_OP = 'DELETE' THEN {update(old)} "
        f"ELSE {update(new + ' UNION ALL ' + old)} "
        "END IF; RETURN NULL; END $$"
    )
    return [
        body,
        f"CREATE TRIGGER {function}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _row_trigger(table: str, function: str, column: str, value: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN NEW.{column} := {value}; RETURN NEW; END $$",
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def install_sql() -> list[str]:
    """Lock the three tables, install the triggers, recompute every row."""
    return [
        "LOCK TABLE programs_relationship, scheduling_meeting, scheduling_attendee "
        "IN SHARE ROW EXCLUSIVE MODE",
        *drop_sql(),
        *_row_trigger(
            "scheduling_meeting",
            "scheduling_meeting_pending_row",
            "pending_answers",
            PENDING_OF.format(meeting="NEW.id"),
        ),
        *_row_trigger(
            "programs_relationship",
            "programs_relationship_last_meeting_row",
            "last_meeting_at",
            LAST_OF.format(rel="NEW.id"),
        ),
        *_statement_triggers("scheduling_attendee", "scheduling_attendee_pending", _pending_rows),
        *_statement_triggers("scheduling_meeting", "scheduling_meeting_last", _meeting_rows),
        # Every row as the triggers would keep it (writes only the rows that differ).
        "UPDATE scheduling_meeting AS t SET pending_answers = c.n FROM ("
        "SELECT a.meeting_id, COUNT(*) AS n FROM scheduling_attendee a WHERE "
        + PENDING
        + " GROUP BY a.meeting_id) AS c WHERE t.id = c.meeting_id AND t.pending_answers <> c.n",
        "UPDATE programs_relationship AS t SET last_meeting_at = c.latest FROM ("
        "SELECT m.relationship_id, MAX(m.starts_at) AS latest FROM scheduling_meeting m "
        f"WHERE m.status IN {ACTIVE} GROUP BY m.relationship_id) AS c "
        "WHERE t.id = c.relationship_id AND t.last_meeting_at IS DISTINCT FROM c.latest",
    ]


def drop_sql() -> list[str]:
    statements = [
        "DROP TRIGGER IF EXISTS scheduling_meeting_pending_row ON scheduling_meeting",
        "DROP TRIGGER IF EXISTS programs_relationship_last_meeting_row ON programs_relationship",
    ]
    for table, function in (
        ("scheduling_attendee", "scheduling_attendee_pending"),
        ("scheduling_meeting", "scheduling_meeting_last"),
    ):
        statements += [
            f"DROP TRIGGER IF EXISTS {function}_{op} ON {table}"
            for op in ("insert", "update", "delete")
        ]
    statements += [
        f"DROP FUNCTION IF EXISTS {function}()"
        for function in (
            "scheduling_meeting_pending_row",
            "programs_relationship_last_meeting_row",
            "scheduling_attendee_pending",
            "scheduling_meeting_last",
        )
    ]
    return statements
