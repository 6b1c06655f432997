"""Signed-in sessions name programs.accounts.MemberBackend instead of Django's
ModelBackend (settings.AUTHENTICATION_BACKENDS lists only the new one): nobody is signed
out by the change. Only a session's backend path changes; one that cannot be read (an old
secret key, a damaged row) is left as it is, and expires as it would have."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "programs.accounts.MemberBackend"


def _rename(apps, schema_editor, before: str, after: str) -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    sessions = apps.get_model("sessions", "Session").objects.using(schema_editor.connection.alias)
    store = SessionStore()
    last = ""
    while chunk := list(sessions.filter(session_key__gt=last).order_by("session_key")[:2000]):
        last = chunk[-1].session_key
        changed = []
        for session in chunk:
            data = store.decode(session.session_data)  # {} when it cannot be read
            if data.get(BACKEND_SESSION_KEY) == before:
                data[BACKEND_SESSION_KEY] = after
                session.session_data = store.encode(data)
                changed.append(session)
        sessions.bulk_update(changed, ["session_data"])


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0019_member_selection"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
