"""Fill the stored «Achèvement des profils» of existing members (no custom field exists
yet, so the built-in fields decide)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from programs.completion import completion_of

    User = apps.get_model("programs", "User")
    for user in User.objects.iterator(chunk_size=2000):
        figure = completion_of(user, [])
        if figure != user.profile_completion:
            User.objects.filter(pk=user.pk).update(profile_completion=figure)


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_audit_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
