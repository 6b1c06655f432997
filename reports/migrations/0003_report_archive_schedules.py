# «Exporter tous les rapports» (docs/reports.md): the every-minute sweep that queues again
# an archive whose job was lost, and the hourly cleanup of expired archives. Idempotent:
# running it again adds nothing.

from django.db import migrations

SCHEDULES = {
    "report-archives-sweep": ("reports.tasks.report_archives_sweep", 1),
    "report-archives-cleanup": ("reports.tasks.report_archives_cleanup", 60),
}


def add_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "I",  # Schedule.MINUTES
                "minutes": minutes,
                "repeats": -1,
            },
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_archive"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
