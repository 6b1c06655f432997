"""The dashboard's invitations waiting and quiet pairs read from kept values (issue 17):
`Meeting.pending_answers` with a partial index, and on PostgreSQL the triggers that keep it
and `Relationship.last_meeting_at` (scheduling.kept), installed and backfilled with the
tables locked."""

from django.db import migrations, models

from scheduling.kept import drop_sql, install_sql


def kept_install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in install_sql():
        schema_editor.execute(statement)


def kept_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in drop_sql():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0014_relationship_last_meeting"),
        ("scheduling", "0004_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="pending_answers",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                condition=models.Q(("pending_answers__gt", 0), ("status", "scheduled")),
                fields=["organisation", "starts_at", "id"],
                include=("pending_answers",),
                name="meeting_org_pending_idx",
            ),
        ),
        migrations.RunPython(kept_install, kept_drop, elidable=False),
    ]
