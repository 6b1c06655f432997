"""The «Rencontres» index with its tie-breaker, and on PostgreSQL the organisation's
meeting total kept by triggers (programs.totals; issue 17)."""

from django.db import migrations, models

from programs.totals import MEETING_KINDS, trigger_drop_sql, trigger_install_sql


def totals_trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in trigger_install_sql("scheduling_meeting", MEETING_KINDS):
        schema_editor.execute(statement)


def totals_trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in trigger_drop_sql("scheduling_meeting"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_list_indexes"),
        ("scheduling", "0003_meeting_schedules"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="meeting",
            name="scheduling__organis_1f1af7_idx",
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                fields=["organisation", "starts_at", "id"], name="meeting_org_start_idx"
            ),
        ),
        migrations.RunPython(totals_trigger_create, totals_trigger_drop, elidable=False),
    ]
