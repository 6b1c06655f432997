"""The audit log is append-only: the database itself refuses to change or remove an entry,
whatever code (or person with a SQL prompt and the application's role) asks."""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION programs_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programs_auditentry_append_only
    BEFORE UPDATE OR DELETE ON programs_auditentry
    FOR EACH ROW EXECUTE FUNCTION programs_auditentry_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER programs_auditentry_append_only ON programs_auditentry;
DROP FUNCTION programs_auditentry_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER programs_auditentry_no_update BEFORE UPDATE ON programs_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    """CREATE TRIGGER programs_auditentry_no_delete BEFORE DELETE ON programs_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER programs_auditentry_no_update;",
    "DROP TRIGGER programs_auditentry_no_delete;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_member_profiles_audit")]

    operations = [migrations.RunPython(forwards, backwards)]
