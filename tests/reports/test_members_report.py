"""«Rapport complet»: every column of SPEC F7's list plus the custom fields marked for
reports, the members list's filter honoured, one select whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programs import services
from programs.audit import AuditAction
from programs.models import AuditEntry, FieldKind, ProfileField, ProfileFieldValue, Role
from tests.conftest import make_member
from tests.reports.helpers import read_csv

URL = reverse("web:report_download", args=["members"])
ENGLISH_HEADER = [
    "Identifier",
    "First name",
    "Surname",
    "Email address",
    "Created on",
    "Updated on",
    "Time zone",
    "Recent sign-in IP",
    "Latest activity",
    "Most recent relationship date",
    "Current job title",
    "Company",
    "Current industry",
    "Current radius",
    "Years of experience",
    "Country",
    "State/Province",
    "Goals",
    "City",
    "Sex",
    "Languages",
    "Meeting places",
    "Meeting formats",
    "Summary",
    "Specialised skills",
    "Development areas",
    "Three words",
    "LinkedIn handle",
    "Twitter handle",
    "Skype handle",
    "Relationship role",
    "Maximum number of mentees",
    "Maximum number of mentors",
    "Total mentees",
    "Total mentors",
    "Number of current relationships",
    "Current mentors",
    "Current mentees",
    "Program evaluation",
    "Surveys",
]


@pytest.fixture
def colour(org, mentor):
    field = ProfileField.objects.create(
        organisation=org,
        name_en="Favourite colour",
        name_fr="Couleur préférée",
        kind=FieldKind.MULTIPLE,
        options=[{"id": "r", "en": "Red", "fr": "Rouge"}, {"id": "b", "en": "Blue", "fr": "Bleu"}],
    )
    ProfileFieldValue.objects.create(field=field, user=mentor, value=["r", "b"])
    return field


@pytest.fixture
def hidden_field(org, mentor):
    field = ProfileField.objects.create(
        organisation=org, name_en="Secret", kind=FieldKind.TEXT, in_reports=False
    )
    ProfileFieldValue.objects.create(field=field, user=mentor, value="hush")
    return field


def test_members_report_header_and_a_row_in_english(
    admin_client, admin, mentor, mentee, relationship, colour, hidden_field
):
    mentor.job_title = "Engineer"
    mentor.company = "Acme"
    mentor.date_joined = dt.datetime(2024, 5, 1, 16, 30, tzinfo=dt.UTC)
    mentor.max_mentees = 3
    mentor.save()

    rows = read_csv(admin_client.get(URL))

    assert rows[0] == [*ENGLISH_HEADER, "Favourite colour"]
    by_email = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_email) == {admin.email, mentor.email, mentee.email}
    anna = by_email[mentor.email]
    assert anna["Identifier"] == str(mentor.pk)
    assert anna["First name"] == "Anna"
    # The administrator's zone (America/Toronto): 16:30 UTC is 12:30 there.
    assert anna["Created on"] == "2024-05-01 12:30"
    assert anna["Current job title"] == "Engineer"
    assert anna["Company"] == "Acme"
    assert anna["Relationship role"] == "Mentor"
    assert anna["Maximum number of mentees"] == "3"
    assert anna["Total mentees"] == "1"
    assert anna["Total mentors"] == "0"
    assert anna["Number of current relationships"] == "1"
    assert anna["Current mentees"] == "Charlotte Test"
    assert anna["Favourite colour"] == "Red; Blue"
    assert by_email[mentee.email]["Current mentors"] == "Anna Carter"
    assert by_email[mentee.email]["Favourite colour"] == ""
    assert by_email[mentee.email]["Most recent relationship date"] != ""
    assert "hush" not in str(rows)


def test_members_report_in_french(client, admin, mentor, colour):
    """Headers, role and options in French, semicolons. Needs the lead's catalogue."""
    admin.language = "fr"
    admin.save()
    client.force_login(admin)

    rows = read_csv(client.get(URL), delimiter=";")

    assert rows[0][:5] == ["Identifiant", "Prénom", "Nom", "Adresse courriel", "Créé le"]
    assert rows[0][-1] == "Couleur préférée"
    assert rows[0][-3:-1] == ["Évaluation du programme", "Sondages"]
    anna = next(row for row in rows if row[3] == mentor.email)
    assert anna[-1] == "Rouge; Bleu"
    assert anna[rows[0].index("Rôle Relation")] == "Mentor"


def test_the_export_is_audited(admin_client, admin, org, mentor, mentee):
    read_csv(admin_client.get(URL))
    entry = AuditEntry.objects.get(organisation_id=org.pk, action=AuditAction.REPORT_EXPORT)
    assert entry.actor_id == admin.pk
    assert entry.count == 3
    assert entry.details["report"] == "members"
    assert entry.details["format"] == "csv"


def test_never_another_organisations_members(admin_client, mentor, outsider, outsider_mentor):
    rows = read_csv(admin_client.get(URL))
    emails = {row[3] for row in rows[1:]}
    assert outsider.email not in emails and outsider_mentor.email not in emails


def test_another_programs_administrator_gets_only_their_own_rows(
    outsider_client, mentor, outsider, outsider_mentor
):
    rows = read_csv(outsider_client.get(URL))
    assert sorted(row[3] for row in rows[1:]) == sorted([outsider.email, outsider_mentor.email])


def test_a_member_gets_404(client, mentor):
    client.force_login(mentor)
    assert client.get(reverse("web:reports")).status_code == 404
    assert client.get(URL).status_code == 404
    assert client.get(reverse("web:report_custom")).status_code == 404


def test_unknown_report_or_format_is_404(admin_client):
    assert admin_client.get(reverse("web:report_download", args=["nope"])).status_code == 404
    assert admin_client.get(URL + "?format=pdf").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.REPORT_EXPORT).exists()


def test_the_members_lists_filter_is_honoured(admin_client, org, admin, mentor, mentee):
    make_member(org, "bob@mentor.test", "Bob", "Carterson", Role.MENTEE)
    query = "?q=carter&role=mentee"
    listed = admin_client.get(reverse("web:members") + query).content.decode()

    rows = read_csv(admin_client.get(URL + query))

    assert [row[3] for row in rows[1:]] == ["bob@mentor.test"]
    assert "bob@mentor.test" in listed and mentor.email not in listed


def test_formula_cells_are_neutralised(admin_client, org, admin):
    for n, start in enumerate(["=cmd|' /C calc'!A0", "+1", "-1", "@x", "\tx", "\rx"]):
        make_member(org, f"p{n}@mentor.test", start, f"Zz{n}", Role.MENTEE)

    rows = read_csv(admin_client.get(URL))

    names = [row[1] for row in rows[1:] if row[2].startswith("Zz")]
    assert names == ["'=cmd|' /C calc'!A0", "'+1", "'-1", "'@x", "'\tx", "'\rx"]


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_rows(
    count, admin_client, org, admin, colour, django_assert_num_queries
):
    mentors = [
        make_member(org, f"m{n}@mentor.test", f"M{n}", "Many", Role.MENTOR) for n in range(count)
    ]
    for person in mentors[:3]:
        ProfileFieldValue.objects.create(field=colour, user=person, value=["b"])
    mentee = make_member(org, "lone@mentor.test", "Lone", "Mentee", Role.MENTEE)
    services.relationship_match(actor=admin, mentor=mentors[0], mentee=mentee)
    # session, user with their organisation; the members filter's form (the custom fields, the
    # sectors and functions offered); the audited start (savepoint, count, audit entry,
    # release); the custom fields (header), the custom fields (rows), the one select.
    with django_assert_num_queries(11):
        rows = read_csv(admin_client.get(URL))
    assert len(rows) == 1 + count + 3  # the header; admin, Anna (colour), Lone
