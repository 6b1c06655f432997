from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_completion_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="default_language",
            field=models.CharField(
                choices=[("en", "English"), ("fr", "French")],
                db_default="en",
                default="en",
                max_length=2,
                verbose_name="default language",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="default_time_zone",
            field=models.CharField(
                db_default="America/Toronto",
                default="America/Toronto",
                max_length=64,
                verbose_name="default time zone",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="logo",
            field=models.FileField(
                blank=True,
                db_default="",
                default="",
                max_length=200,
                upload_to="logos/",
                verbose_name="logo",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="logo_version",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="organisation",
            name="logo_content_type",
            field=models.CharField(blank=True, db_default="", default="", max_length=20),
        ),
    ]
