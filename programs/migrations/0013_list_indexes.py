"""Indexes matching the administrator lists' orders and filters (issue 17), and on
PostgreSQL the pg_trgm trigram indexes the name and email searches use: Django's
`icontains` compares UPPER(column::text) LIKE UPPER('%word%'), so each index is on that
expression. SQLite (the demo) has no such index and gets none.

Then the totals the lists show, kept by PostgreSQL triggers (programs.totals): a page
reads one row instead of counting the organisation."""

from django.db import migrations, models

from programs.totals import (
    RELATIONSHIP_KINDS,
    USER_KINDS,
    trigger_drop_sql,
    trigger_install_sql,
)

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


def totals_triggers_create(apps, schema_editor):
    """The members' and relationships' totals kept by triggers (programs.totals)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, kinds in (("programs_user", USER_KINDS), ("programs_relationship", RELATIONSHIP_KINDS)):
        for statement in trigger_install_sql(table, kinds):
            schema_editor.execute(statement)


def totals_triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("programs_user", "programs_relationship"):
        for statement in trigger_drop_sql(table):
            schema_editor.execute(statement)


def trigram_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("programs", "0012_member_import"),
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
        migrations.CreateModel(
            name='ListTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('organisation_id', models.BigIntegerField()),
                ('kind', models.CharField(max_length=40)),
                ('n', models.BigIntegerField(db_default=0, default=0)),
            ],
            options={
                'verbose_name': 'list total',
                'constraints': [models.UniqueConstraint(fields=('organisation_id', 'kind'), name='list_total_unique')],
            },
        ),
        migrations.RunPython(totals_triggers_create, totals_triggers_drop, elidable=False),
    ]
