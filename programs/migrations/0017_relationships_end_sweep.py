# «Terminer toutes les relations» (docs/members.md): the every-minute sweep that queues
# again an ending whose job was lost. Idempotent schedule: running it again adds nothing.

from django.db import migrations

SWEEP = "relationships-end-all-sweep"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=SWEEP,
        defaults={
            "func": "programs.tasks.relationships_end_all_sweep",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0016_member_bulk_changes"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
