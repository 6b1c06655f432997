"""The database itself refuses a relationship whose mentor or mentee belongs to another
organisation: composite foreign keys (person, organisation) → user (id, organisation).
PostgreSQL only; the embedded SQLite demo relies on the service's check. Checked
immediately: the people always exist before their relationship."""

from django.db import migrations

FORWARD = [
    """ALTER TABLE programs_relationship ADD CONSTRAINT relationship_mentor_same_org
       FOREIGN KEY (mentor_id, organisation_id) REFERENCES programs_user (id, organisation_id)""",
    """ALTER TABLE programs_relationship ADD CONSTRAINT relationship_mentee_same_org
       FOREIGN KEY (mentee_id, organisation_id) REFERENCES programs_user (id, organisation_id)""",
]
BACKWARD = [
    "ALTER TABLE programs_relationship DROP CONSTRAINT relationship_mentor_same_org",
    "ALTER TABLE programs_relationship DROP CONSTRAINT relationship_mentee_same_org",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
