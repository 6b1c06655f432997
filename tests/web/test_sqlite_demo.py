"""`make run` serves the demo from SQLite (no environment). The email log reads the
database without the ORM for speed, so its SQLite path is run here for real, in a
process of its own with the demo's settings: pages both ways, times aware, the page and
the download served."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from notifications.models import EmailLog
    from notifications.email.log import email_log_page
    from programs.models import Organisation, Role, User

    call_command("migrate", verbosity=0)
    assert connection.vendor == "sqlite", connection.vendor
    org = Organisation.objects.create(
        name_en="Demo", name_fr="Démo", slug="demo", support_email="support@demo.test"
    )
    admin = User.objects.create_user(
        email="admin@demo.test", password="x", first_name="Ada", last_name="Admin",
        organisation=org, role=Role.ADMINISTRATOR,
    )
    base = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    EmailLog.objects.bulk_create(
        EmailLog(
            organisation=org, recipient=admin, to_name="Ada Admin", to_email=admin.email,
            language="en", subject=f"Subject {n}", status="delivered",
            created_at=base + dt.timedelta(minutes=n // 2), sent_at=base,
        )
        for n in range(70)
    )
    expected = list(
        EmailLog.objects.order_by("-created_at", "-id").values_list("id", flat=True)
    )
    seen, before = [], None
    while True:
        page = email_log_page(organisation_id=org.pk, before=before, size=4)
        for row in page.rows:
            assert row.created_at.utcoffset() == dt.timedelta(0), row
            assert row.sent_at == base
        seen += [row.id for row in page.rows]
        if page.older is None:
            break
        before = page.older
    assert seen == expected, (seen, expected)
    back = email_log_page(organisation_id=org.pk, after=page.newer, size=4)
    assert [row.id for row in back.rows] == expected[-len(page.rows) - 4 : -len(page.rows)]

    client = Client()
    client.force_login(admin)
    response = client.get("/manage/email-log/")
    first = response.content.decode()
    assert first.count("<tr data-email") == 50, (response.status_code, first[:3000])
    older = first.split('href="?before=', 1)[1].split('"', 1)[0]
    second = client.get("/manage/email-log/?before=" + older.replace("&amp;", "&"))
    assert second.status_code == 200 and second.content.decode().count("<tr data-email") == 20
    download = client.get("/manage/email-log/download/")
    text = b"".join(download).decode("utf-8-sig")  # the async stream, read synchronously
    assert len(text.strip().splitlines()) == 71, text[:500]

    # The administrator lists (issue 17): paged by ids, searched, counted without the
    # totals PostgreSQL's triggers keep (SQLite has none).
    from programs.models import ListTotal
    for n in range(30):
        User.objects.create_user(
            email=f"m{n}@demo.test", password="x", first_name=f"Zoé{n}", last_name="Martin",
            organisation=org, role=Role.MENTEE,
        )
    assert not ListTotal.objects.exists()
    for url in ("/manage/", "/manage/members/?page=2&size=10", "/manage/members/?q=martin",
                "/manage/relationships/?tab=matched", "/manage/relationships/?q=mar",
                "/manage/relationships/meetings/?q=zoé", "/manage/members/lookup/?q=mar"):
        assert client.get(url).status_code == 200, url
    listed = client.get("/manage/members/?q=martin&size=50").content.decode()
    assert listed.count("Zoé") >= 30, listed[:2000]

    # The members list's filters (docs/members.md): a multiple choice's option, sectors
    # offered from the walk of their index, completion below.
    from programs.models import ProfileField, ProfileFieldValue
    langs = ProfileField.objects.create(
        organisation=org, name_en="Languages", kind="multiple",
        options=[{"id": "en", "en": "English"}, {"id": "fr", "en": "French"}],
    )
    zoe0, zoe1 = User.objects.filter(first_name__in=["Zoé0", "Zoé1"]).order_by("first_name")
    ProfileFieldValue.objects.create(user=zoe0, field=langs, value=["en", "fr"])
    ProfileFieldValue.objects.create(user=zoe1, field=langs, value=["en"])
    User.objects.filter(pk=zoe0.pk).update(sector="Health")
    User.objects.filter(pk=zoe1.pk).update(sector="Arts")
    page = client.get(f"/manage/members/?field={langs.pk}&option=fr&sector=Health&size=50")
    text = page.content.decode()
    assert page.status_code == 200 and f'data-member="{zoe0.pk}"' in text, text[:3000]
    assert f'data-member="{zoe1.pk}"' not in text
    assert '<option value="Arts">' in text and '<option value="Health" selected>' in text
    # The reports (issue 12): every aggregate is a subquery that SQLite runs too.
    import csv, io
    from programs.models import FieldKind, ProfileField, ProfileFieldValue, Relationship
    from workspace.models import Post
    org.messages_in_reports = True
    org.save()
    mentor = User.objects.create_user(
        email="mentor@demo.test", password="x", first_name="Anna", last_name="Carter",
        organisation=org, role=Role.MENTOR,
    )
    mentee = User.objects.get(email="m0@demo.test")
    pair = Relationship.objects.create(
        organisation=org, mentor=mentor, mentee=mentee, status="matched"
    )
    Post.objects.create(relationship=pair, author=mentor, text="Bonjour")
    field = ProfileField.objects.create(
        organisation=org, name_en="Colour", kind=FieldKind.SINGLE,
        options=[{"id": "r", "en": "Red", "fr": "Rouge"}],
    )
    ProfileFieldValue.objects.create(field=field, user=mentee, value="r")
    for key in ("members", "relationships", "meetings_relationships", "meetings_members"):
        download = client.get(f"/manage/reports/{key}/download/")
        assert download.status_code == 200, key
        rows = list(csv.reader(io.StringIO(b"".join(download).decode("utf-8-sig"))))
        assert len(rows) > 1, (key, rows)
        if key == "members":
            zoe = next(row for row in rows if row[3] == "m0@demo.test")
            assert zoe[-1] == "Red" and "Anna Carter" in zoe, zoe
        if key == "relationships":
            assert rows[1][rows[0].index("Posts")].startswith("Mentor "), rows
    xlsx = client.get("/manage/reports/members/download/?format=xlsx")
    assert b"".join(xlsx)[:2] == b"PK"
    # A community message is «Envoyé» no earlier than its last email (SQLite's MAX()).
    from notifications.email.outbox import settle
    from notifications.models import CommunityMessage
    message = CommunityMessage.objects.create(
        organisation=org, audience="all", subject_en="Hi", body_en="<p>Hi</p>",
        status="sending", dispatched_at=base,
    )
    last = dt.datetime(2999, 1, 1, 9, 30, 0, 5, tzinfo=dt.UTC)
    EmailLog.objects.filter(subject="Subject 3").update(
        community_message=message, status="sent", sent_at=last
    )
    settle(message.pk)
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at == last, message.sent_at
    print("SQLITE-OK")
    """
)


def test_the_email_log_works_on_the_demos_sqlite(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DB_POOL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        TANDEM_VAR_DIR=str(tmp_path),
        DEBUG="1",  # as `make run` serves it
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "SQLITE-OK" in result.stdout
