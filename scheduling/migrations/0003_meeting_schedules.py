# Registers the daily invitation reminders and the hourly post-meeting follow-ups (F3).
# Idempotent: running it again (or on a database that already has them) adds nothing.

from django.db import migrations

SCHEDULES = {
    "meeting-reminders": {
        "func": "scheduling.tasks.meeting_reminders_send",
        "schedule_type": "H",  # Schedule.HOURLY: the task itself sends once a day per person
        "repeats": -1,
    },
    "meeting-followups": {
        "func": "scheduling.tasks.meeting_followups",
        "schedule_type": "I",  # Schedule.MINUTES
        "minutes": 15,
        "repeats": -1,
    },
}


def add_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, fields in SCHEDULES.items():
        Schedule.objects.get_or_create(name=name, defaults=fields)


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0002_meeting_same_organisation"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
