"""The start of a pair's latest meeting, for the dashboard's «quiet pairs» (issue 17).
Kept on PostgreSQL by the triggers scheduling migration 0005 installs (scheduling.kept)."""

from django.db import migrations, models

QUIET_INDEX = models.Index(
    models.F("organisation"),
    models.F("status"),
    models.OrderBy(models.F("last_meeting_at"), nulls_first=True),
    models.F("started_at"),
    models.F("id"),
    name="rel_org_status_last_idx",
)


def quiet_index_create(apps, schema_editor):
    # PostgreSQL only: SQLite (the demo, which never reads it) has no NULLS FIRST index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("programs", "Relationship"), QUIET_INDEX)


def quiet_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("programs", "Relationship"), QUIET_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="relationship",
            name="last_meeting_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="relationship", index=QUIET_INDEX)],
            database_operations=[
                migrations.RunPython(quiet_index_create, quiet_index_drop, elidable=False)
            ],
        ),
    ]
