from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
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
    ]
