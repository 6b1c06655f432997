"""Indexes matching the administrator lists' orders and filters (issue 17), and on
PostgreSQL the pg_trgm trigram indexes the name and email searches use: Django's
`icontains` compares UPPER(column::text) LIKE UPPER('%word%'), so each index is on that
expression. SQLite (the demo) has no such index and gets none."""

from django.db import migrations, models

TRIGRAM_INDEXES = {
    "user_first_name_trgm": "first_name",
    "user_last_name_trgm": "last_name",
    "user_email_trgm": "email",
}


def trigram_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON programs_user "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def trigram_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("programs", "0008_completion_backfill"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="relationship",
            name="programs_re_organis_5f2676_idx",
        ),
        migrations.RemoveIndex(
            model_name="user",
            name="programs_us_organis_12d022_idx",
        ),
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(
                fields=["organisation", "-created_at", "-id"], name="rel_org_created_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(
                fields=["organisation", "status", "-created_at", "-id"],
                name="rel_org_status_created_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                fields=["organisation", "last_name", "first_name", "id"],
                include=("is_active", "role"),
                name="user_org_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                fields=["organisation", "role", "last_name", "first_name", "id"],
                name="user_org_role_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                fields=["organisation", "is_active", "role"], name="user_org_active_idx"
            ),
        ),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop, elidable=False),
    ]
