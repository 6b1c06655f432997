# Registers the hourly job that sends each unanswered program evaluation its one automatic
# reminder (the task stamps reminded_at, so running it often never sends twice).
# Idempotent: running it again adds nothing.

from django.db import migrations

NAME = "evaluation-reminders"


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME,
        defaults={
            "func": "feedback.tasks.evaluation_reminders_due",
            "schedule_type": "H",  # Schedule.HOURLY
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
