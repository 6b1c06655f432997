"""The database refuses a meeting whose organisation differs from its series': a composite
foreign key (series, organisation) → series (id, organisation). PostgreSQL only; the
embedded SQLite demo relies on the services' checks (which run everywhere anyway)."""

from django.db import migrations

FORWARD = [
    """ALTER TABLE scheduling_meeting ADD CONSTRAINT meeting_series_same_org
       FOREIGN KEY (series_id, organisation_id)
       REFERENCES scheduling_meetingseries (id, organisation_id)
       ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED""",
]
BACKWARD = ["ALTER TABLE scheduling_meeting DROP CONSTRAINT meeting_series_same_org"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
