"""The members report's «Mis à jour le», «IP de la dernière connexion», «Rayon actuel»,
«Points de rendez-vous» and «Formats de rencontre»: kept where they happen (a profile
saved, a sign-in) and written in the report."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from programs import accounts
from programs.models import User
from programs.profile_services import profile_update
from tests.conftest import PASSWORD
from tests.reports.helpers import read_csv

URL = reverse("web:report_download", args=["members"])


def test_sign_in_keeps_the_address(mentor):
    client = Client(REMOTE_ADDR="203.0.113.7")
    response = client.post("/login/", {"username": mentor.email, "password": PASSWORD})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.last_login_ip == "203.0.113.7"


def test_a_bad_sign_in_keeps_nothing_and_a_bad_address_is_ignored(mentor):
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.post("/login/", {"username": mentor.email, "password": "wrong"})
    accounts.sign_in_record(user=mentor, ip_address="not an address")
    mentor.refresh_from_db()
    assert mentor.last_login_ip is None


def test_profile_saved_then_the_report(admin_client, admin, mentor):
    when = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC)
    with time_machine.travel(when, tick=False):
        profile_update(
            actor=mentor,
            member=mentor,
            builtin={"radius": "25", "meeting_places": "Café Olimpico", "meeting_formats": "Video"},
            custom={},
        )
    # Nothing changed: the date stays.
    profile_update(actor=mentor, member=mentor, builtin={"radius": "25"}, custom={})
    User.objects.filter(pk=mentor.pk).update(last_login_ip="2001:db8::1")

    rows = read_csv(admin_client.get(URL))
    header = rows[0]
    anna = next(row for row in rows if row[header.index("Email address")] == mentor.email)
    zone = ZoneInfo(admin.time_zone)
    assert anna[header.index("Updated on")] == when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert anna[header.index("Recent sign-in IP")] == "2001:db8::1"
    assert anna[header.index("Current radius")] == "25"
    assert anna[header.index("Meeting places")] == "Café Olimpico"
    assert anna[header.index("Meeting formats")] == "Video"
