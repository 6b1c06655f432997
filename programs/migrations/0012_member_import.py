# The member import («Importer des membres», docs/members.md) and the every-minute sweep
# that queues again an import whose job was lost. Idempotent schedule: running it again
# adds nothing.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


SWEEP = "member-import-sweep"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=SWEEP,
        defaults={
            "func": "programs.tasks.member_imports_sweep",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_invitation_links"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("file_name", models.CharField(blank=True, max_length=255)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("validated", "Checked"),
                            ("queued", "Waiting"),
                            ("running", "Importing"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        db_default="validated",
                        default="validated",
                        max_length=10,
                    ),
                ),
                ("rows", models.JSONField(default=list)),
                ("total", models.PositiveIntegerField(db_default=0, default=0)),
                ("done", models.PositiveIntegerField(db_default=0, default=0)),
                ("created", models.PositiveIntegerField(db_default=0, default=0)),
                ("skipped", models.JSONField(db_default=[], default=list)),
                ("error", models.TextField(blank=True, db_default="", default="")),
                ("source", models.CharField(blank=True, db_default="", default="", max_length=100)),
                ("attempts", models.PositiveSmallIntegerField(db_default=0, default=0)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="member_imports",
                        to="programs.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "member import",
                "indexes": [
                    models.Index(fields=["status", "updated_at"], name="member_import_status")
                ],
            },
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
