"""«Rapport des relations» and the two meetings reports: a row checked against known
data; «Publications» and the notes only when the organisation allows, and then audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programs.audit import AuditAction
from programs.models import AuditEntry
from scheduling.models import Meeting, MeetingStatus
from tests.meetings import EDMONTON, START
from tests.reports.helpers import read_csv
from workspace import conversation
from workspace.services import agreement as agreement_services
from workspace.services import notes as note_services

URL = reverse("web:report_download", args=["relationships"])
BASE_HEADER = [
    "Mentor name",
    "Mentee name",
    "Relationship status",
    "Mentoring agreement",
    "Number of hours",
    "Number of meetings",
    "Created on",
    "Started on",
    "Ended on",
    "Relationship administrator",
]


@pytest.fixture
def talked(relationship, mentor, mentee):
    conversation.post_create(author=mentor, relationship=relationship, text="=Hello Charlotte")
    conversation.post_create(author=mentee, relationship=relationship, text="Bonjour Anna")
    note_services.note_save(actor=mentor, relationship=relationship, text="Anna's private note")
    note_services.note_save(actor=mentee, relationship=relationship, text="Note de Charlotte")
    agreement_services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="Find a job", version=0
    )


def test_visibility_off_no_posts_or_notes(admin_client, relationship, talked, org):
    rows = read_csv(admin_client.get(URL))

    assert rows[0] == [*BASE_HEADER, "Mentoring agreement answers"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Mentor name"] == "Anna Carter"
    assert row["Mentee name"] == "Charlotte Test"
    assert row["Relationship status"] == "Matched"
    assert row["Mentoring agreement"] == "In progress"
    assert row["Number of meetings"] == "0"
    assert row["Mentoring agreement answers"] == "What do we want to achieve together?: Find a job"
    text = "".join(map(str, rows))
    assert "Hello" not in text and "private note" not in text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert AuditAction.CONVERSATION_READ not in actions
    assert AuditAction.NOTES_READ not in actions


def test_visibility_on_posts_and_notes_present_and_audited(
    admin_client, admin, relationship, talked, org
):
    org.messages_in_reports = True
    org.notes_in_reports = True
    org.save()

    rows = read_csv(admin_client.get(URL))

    assert rows[0] == [
        *BASE_HEADER,
        "Posts",
        "Mentor's notes",
        "Mentee's notes",
        "Mentoring agreement answers",
    ]
    row = dict(zip(rows[0], rows[1], strict=True))
    lines = row["Posts"].split("\n")
    assert lines[0].startswith("Mentor ") and lines[0].endswith(": =Hello Charlotte")
    assert lines[1].startswith("Mentee ") and lines[1].endswith(": Bonjour Anna")
    # "Mentor 2026-…-… HH:MM: text", in the administrator's zone.
    stamp = lines[0][len("Mentor ") : len("Mentor ") + 16]
    assert dt.date.fromisoformat(stamp[:10]) and stamp[10] == " " and stamp[13] == ":"
    assert row["Mentor's notes"] == "Anna's private note"
    assert row["Mentee's notes"] == "Note de Charlotte"
    for action in (AuditAction.CONVERSATION_READ, AuditAction.NOTES_READ):
        entry = AuditEntry.objects.get(action=action, organisation_id=org.pk)
        assert entry.actor_id == admin.pk and entry.details == {"report": "relationships"}
    assert AuditEntry.objects.get(action=AuditAction.REPORT_EXPORT).count == 1


def test_relationships_report_in_french(client, admin, relationship):
    """Needs the lead's catalogue."""
    admin.language = "fr"
    admin.save()
    client.force_login(admin)
    rows = read_csv(client.get(URL), delimiter=";")
    assert rows[0][:3] == ["Nom du mentor", "Nom du mentoré", "Statut de la relation"]
    assert rows[0][-1] == "Entente de mentorat"


def test_never_another_organisations_relationships(outsider_client, relationship):
    rows = read_csv(outsider_client.get(URL))
    assert rows[1:] == []


@pytest.fixture
def meetings(frozen, always_available, book):
    series = book(frequency="weekly", occurrences=3)
    first, second, third = Meeting.objects.filter(series=series).order_by("starts_at")
    third.status = MeetingStatus.CANCELLED
    third.save()
    # The first has ended: one held, one upcoming, one cancelled.
    frozen.move_to(first.ends_at + dt.timedelta(minutes=5))
    return first, second


def test_meetings_per_relationship(admin_client, relationship, meetings):
    first, second = meetings
    rows = read_csv(
        admin_client.get(reverse("web:report_download", args=["meetings_relationships"]))
    )
    assert rows[0] == [
        "Mentor name",
        "Mentee name",
        "Relationship status",
        "Meetings held",
        "Hours held",
        "Upcoming meetings",
        "Cancelled meetings",
        "First meeting",
        "Last meeting",
        "Next meeting",
    ]
    # The administrator reads Edmonton time (tests/meetings.py): START is 11:00 there.
    assert rows[1] == [
        "Anna Carter",
        "Charlotte Test",
        "Matched",
        "1",
        "1.0",
        "1",
        "1",
        f"{START:%Y-%m-%d %H:%M}",
        f"{START:%Y-%m-%d %H:%M}",
        f"{second.starts_at.astimezone(EDMONTON):%Y-%m-%d %H:%M}",
    ]


def test_meetings_per_member(admin_client, relationship, meetings, mentor, mentee):
    rows = read_csv(admin_client.get(reverse("web:report_download", args=["meetings_members"])))
    assert rows[0][:5] == [
        "Identifier",
        "First name",
        "Surname",
        "Email address",
        "Relationship role",
    ]
    by_email = {row[3]: row for row in rows[1:]}
    assert set(by_email) == {mentor.email, mentee.email}  # administrators are not listed
    assert by_email[mentor.email][4:8] == ["Mentor", "1", "1.0", "1"]
    assert by_email[mentee.email][4:8] == ["Mentee", "1", "1.0", "1"]


@pytest.mark.parametrize("report", ["relationships", "meetings_relationships", "meetings_members"])
@pytest.mark.parametrize("pairs", [2, 12])
def test_query_count_does_not_grow(
    report, pairs, admin_client, admin, org, django_assert_num_queries
):
    from programs import services
    from programs.models import Role
    from tests.conftest import make_member

    org.messages_in_reports = org.notes_in_reports = True
    org.save()
    for n in range(pairs):
        a = make_member(org, f"a{n}@mentor.test", f"A{n}", "Mentor", Role.MENTOR)
        b = make_member(org, f"b{n}@mentor.test", f"B{n}", "Mentee", Role.MENTEE)
        services.relationship_match(actor=admin, mentor=a, mentee=b)
    url = reverse("web:report_download", args=[report])
    expected = {"relationships": 9, "meetings_relationships": 7, "meetings_members": 7}[report]
    with django_assert_num_queries(expected):
        rows = read_csv(admin_client.get(url))
    assert len(rows) == 1 + (pairs if report != "meetings_members" else 2 * pairs)
