"""The «Statistiques» page (issue 12 §7): the dashboard's tile opens it; the period
selector is checked; each chart has its table of the same figures, months named in the
viewer's language; only administrators of the organisation see it; the query count does
not grow with the data; and it works on the demo's SQLite."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import EmailStatus
from programs.models import Role, User
from tests.reports.test_statistics import NOW, at, email, meeting, member, pair

URL = "/manage/statistics/"
ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "members",
    "new_members",
    "relationships",
    "meetings",
    "meeting_hours",
    "emails",
    "evaluation_responses",
    "survey_responses",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def table(html: str, key: str) -> list[list[str]]:
    """The rows of the chart `key`'s data table, header first, as cell texts."""
    body = html.split(f'<table data-table="{key}">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def chart_json(html: str) -> dict:
    raw = html.split('<script id="statistics-data" type="application/json">', 1)[1]
    return json.loads(raw.split("</script>", 1)[0])


def test_the_dashboard_tile_opens_the_page(admin_client):
    dashboard = admin_client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-tile="statistics"' in dashboard
    assert f'href="{URL}"' in dashboard


def test_each_chart_has_its_table_of_the_same_figures(admin_client, org, admin):
    pairing = pair(org, at(2025, 12, 15))
    meeting(pairing, at(2026, 1, 31, 23, 30), minutes=90)
    email(pairing.mentee, EmailStatus.BOUNCED, at(2026, 3, 3))

    response = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<canvas data-chart="(\w+)"', html) == SECTIONS
    data = chart_json(html)
    assert data["labels"][0] == "April 2025" and data["labels"][-1] == "March 2026"
    assert [c["key"] for c in data["charts"]] == SECTIONS

    meetings = table(html, "meetings")
    assert meetings[0] == ["Month", "Meetings held"]
    assert len(meetings) == 13
    assert meetings[10] == ["January 2026", "1"]
    assert table(html, "meeting_hours")[10] == ["January 2026", "1.5"]
    relationships = table(html, "relationships")
    assert relationships[0] == [
        "Month", "Active relationships", "Relationships started", "Relationships ended"
    ]  # fmt: skip
    assert relationships[9] == ["December 2025", "1", "1", "0"]
    assert table(html, "emails")[12] == ["March 2026", "0", "0", "1"]
    # The JSON drawn is the table's figures.
    emails = next(c for c in data["charts"] if c["key"] == "emails")
    assert [s["values"][-1] for s in emails["series"]] == [0, 0, 1]
    assert "<caption>Emails</caption>" in html
    assert 'role="img" aria-labelledby="chart-emails-title"' in html


def test_the_period_selector(admin_client):
    rows = len(table(admin_client.get(f"{URL}?period=24").content.decode(), "members")) - 1
    assert rows == 24
    html = admin_client.get(f"{URL}?period=12").content.decode()
    assert len(table(html, "members")) - 1 == 12
    assert '<option value="12" selected>' in html


def test_no_period_is_the_default_without_a_complaint(admin_client):
    for query in ({}, {"period": ""}, {"other": "1"}):
        html = admin_client.get(URL, query).content.decode()
        assert 'role="alert"' not in html and len(table(html, "members")) - 1 == 12


@pytest.mark.parametrize("bad", ["13", "0", "all'", "<b>", "12 "])
def test_a_bad_period_says_so_and_keeps_the_default(admin_client, bad):
    response = admin_client.get(URL, {"period": bad}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert len(table(html, "members")) - 1 == 12
    assert '<option value="12" selected>' in html
    assert "<b>" not in html.split("<main", 1)[1]


def test_since_the_program_started(admin_client, org):
    member(org, Role.MENTOR, at(2023, 11, 2))
    html = admin_client.get(f"{URL}?period=all", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    members = table(html, "members")
    assert members[1][0] == "November 2023" and members[-1][0] == "March 2026"
    assert members[1][1] == "1" and len(members) - 1 == 29


def test_french_labels(client, org, admin):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    pairing = pair(org, at(2025, 12, 15))
    meeting(pairing, at(2026, 1, 10), minutes=90)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # Months come from Django's own French catalogue, numbers in the French way.
    assert table(html, "meeting_hours")[10] == ["janvier 2026", "1,5"]
    assert chart_json(html)["labels"][-1] == "mars 2026"


CATALOGUE = ROOT / "web/locale/fr/LC_MESSAGES/django.mo"


@pytest.mark.skipif(
    not CATALOGUE.exists() or b"Voir les donn" not in CATALOGUE.read_bytes(),
    reason="the page's French strings (fr_stats.json) are not in the compiled catalogue yet",
)
def test_french_labels_from_the_catalogue(client, org, admin):
    """Needs the lead's compiled catalogue (fr_stats.json merged)."""
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for french in ("Statistiques", "Voir les données", "Relations actives", "Courriels retournés",
                   "Heures de mentorat", "Les 12 derniers mois"):  # fmt: skip
        assert french in html, french
    for english in ("Show the data", "Active relationships", "Emails bounced", "Month"):
        assert f">{english}<" not in html, english


def test_only_the_organisations_administrators(client, org, admin, mentor, outsider_client):
    pair(org, at(2025, 12, 15))
    # The outsider administers another organisation: its page counts none of org's rows.
    html = outsider_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert table(html, "relationships")[9] == ["December 2025", "0", "0", "0"]
    assert sum(sum(s["values"]) for c in chart_json(html)["charts"] for s in c["series"]) == 0
    client.force_login(mentor)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}?period=all").status_code == 404
    # A deactivated administrator neither.
    client.force_login(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert client.get(URL).status_code in (302, 404)
    client.logout()
    assert client.get(URL).status_code == 302


def _queries(admin_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(f"{URL}?period=all").status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_data(admin_client, org):
    pairing = pair(org, at(2025, 12, 15))
    meeting(pairing, at(2026, 1, 10))
    few = _queries(admin_client)
    for i in range(15):
        other = pair(org, at(2024 + i % 2, 1 + i % 12, 3), at(2026, 2, 1) if i % 3 else None)
        meeting(other, at(2025, 1 + i % 12, 4))
        email(other.mentor, EmailStatus.DELIVERED, at(2025, 1 + i % 12, 5))
        member(org, Role.MENTEE, at(2022, 1 + i % 12, 1))
    assert _queries(admin_client) == few
    # Session, user, organisation, the bell's count, and one query per source (eight).
    assert few <= 12, few


SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from programs.models import Organisation, Relationship, Role, User
    from scheduling.models import Meeting, MeetingSeries

    call_command("migrate", verbosity=0)
    assert connection.vendor == "sqlite", connection.vendor
    org = Organisation.objects.create(
        name_en="Demo", name_fr="Démo", slug="demo", support_email="support@demo.test"
    )
    people = {
        role: User.objects.create_user(
            email=f"{role}@demo.test", password="x", first_name="A", last_name=role,
            organisation=org, role=role,
        )
        for role in (Role.ADMINISTRATOR, Role.MENTOR, Role.MENTEE)
    }
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=40)
    pair = Relationship.objects.create(
        organisation=org, mentor=people["mentor"], mentee=people["mentee"], status="matched",
        started_at=start,
    )
    series = MeetingSeries.objects.create(
        organisation=org, relationship=pair, meeting_type="video", duration_minutes=90,
        frequency="once", start_date=start.date(), start_time=start.time(),
        time_zone="UTC", uid="demo-1",
    )
    Meeting.objects.create(
        series=series, organisation=org, relationship=pair, starts_at=start,
        ends_at=start + dt.timedelta(minutes=90), original_start=start, meeting_type="video",
    )
    client = Client()
    client.force_login(people["admin"])
    response = client.get("/manage/statistics/?period=all", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200, html[:3000]
    assert '<canvas data-chart="meeting_hours"' in html
    hours = html.split('<table data-table="meeting_hours">', 1)[1].split("</table>", 1)[0]
    assert ">1.5<" in hours, hours
    print("SQLITE-OK")
    """
)


def test_the_statistics_work_on_the_demos_sqlite(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DB_POOL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings",
        TANDEM_VAR_DIR=str(tmp_path),
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "SQLITE-OK" in result.stdout
