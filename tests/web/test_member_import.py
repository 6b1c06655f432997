"""«Importer des membres» pages: upload, errors, preview, confirm, progress — and another
organisation's administrator, who sees none of it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.email.pixel import pixel_log_id
from notifications.models import EmailLog
from programs import imports
from programs.models import ImportStatus, MemberImport, User
from realtime.groups import org_admins_group
from realtime.testing import capture_events

HEADER = ["First name", "Last name", "Email", "Role"]


def upload(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8"):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile("members.csv", out.getvalue().encode(encoding), "text/csv")


GOOD = [
    HEADER,
    ["Ana", "Lopez", "ana@example.com", "mentee"],
    ["Bo", "Chen", "bo@example.com", "mentor"],
]


def test_the_members_page_links_to_the_import(admin_client):
    page = admin_client.get(reverse("web:members")).content.decode()
    assert reverse("web:member_import") in page


def test_the_sample_downloads_with_headers_in_the_admins_language(admin_client, admin):
    response = admin_client.get(reverse("web:member_import_sample"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == HEADER
    admin.language = "fr"
    admin.save()
    response = admin_client.get(reverse("web:member_import_sample"), HTTP_ACCEPT_LANGUAGE="fr")
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[0] == "Prénom"


def test_a_clean_file_is_previewed_then_imported(
    admin_client, admin, django_capture_on_commit_callbacks
):
    users = User.objects.count()
    response = admin_client.post(reverse("web:member_import"), {"file": upload(GOOD)})
    member_import = MemberImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:member_import_detail", args=[member_import.pk])
    assert User.objects.count() == users  # nothing applied before the confirmation
    page = admin_client.get(response["Location"]).content.decode()
    assert "ana@example.com" in page and "1 mentor" in page and "1 mentee" in page
    confirm = reverse("web:member_import_confirm", args=[member_import.pk])
    assert confirm in page
    # The job runs in-process in the tests (Q_CLUSTER sync), after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(confirm)
    member_import.refresh_from_db()
    assert (member_import.status, member_import.created) == (ImportStatus.DONE, 2)
    assert User.objects.count() == users + 2
    log = EmailLog.objects.get(to_email="ana@example.com", message_key="login_information")
    # Each row its own open-tracking pixel.
    [token] = re.findall(r"/o/([^/\"]+)\.gif", log.body_html)
    assert pixel_log_id(token) == log.pk
    # Delivered by the outbox's jobs (in-process here): once each, with the set-password link.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Ana Lopez <ana@example.com>",
        "Bo Chen <bo@example.com>",
    ]
    assert "/welcome/" in mail.outbox[0].body
    page = admin_client.get(response["Location"]).content.decode()
    assert "<progress" in page and "Done: 2 members created." in page
    assert reverse("web:members") in page
    progress = admin_client.get(reverse("web:member_import_progress", args=[member_import.pk]))
    assert progress.json() == {
        "kind": "member_import",
        "id": member_import.pk,
        "done": 2,
        "total": 2,
        "state": "done",
    }
    members = admin_client.get(reverse("web:members")).content.decode()
    assert "Ana Lopez" in members and "Bo Chen" in members


def test_a_file_with_errors_shows_them_and_no_import_button(admin_client, mentor):
    rows = [
        *GOOD,
        ["Anna", "Carter", "anna@mentor.test", "mentor"],
        ["X", "Y", "x@example.com", "chef"],
    ]
    users, imports_before = User.objects.count(), MemberImport.objects.count()
    response = admin_client.post(reverse("web:member_import"), {"file": upload(rows)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "2 rows have errors" in page
    assert 'data-line="4"' in page and "Already a member of this program." in page
    assert 'data-line="5"' in page and "Write mentor or mentee." in page
    assert "confirm" not in page
    assert (User.objects.count(), MemberImport.objects.count()) == (users, imports_before)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a workbook", "Excel workbook"),
        (b"", "The submitted file is empty."),  # Django's own check of an empty upload
        (b"First name,Email\r\nA,a@example.com\r\n", "The file has no columns"),
    ],
)
def test_a_bad_file_gets_one_clear_error(admin_client, content, message):
    users = User.objects.count()
    response = admin_client.post(
        reverse("web:member_import"), {"file": SimpleUploadedFile("m.xlsx", content)}
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert User.objects.count() == users and not MemberImport.objects.exists()


def test_french_administrator_semicolons_and_windows_1252(admin_client, admin):
    admin.language = "fr"
    admin.save()
    rows = [
        ["Prénom", "Nom", "Courriel", "Rôle"],
        ["Éloïse", "Hébert", "eloise@example.com", "mentorée"],
    ]
    response = admin_client.post(
        reverse("web:member_import"),
        {"file": upload(rows, delimiter=";", encoding="cp1252")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    assert MemberImport.objects.get().rows[0]["first_name"] == "Éloïse"


def prepared(admin) -> MemberImport:
    _, member_import = imports.member_import_prepare(
        actor=admin, organisation=admin.organisation, file_name="m.csv", content=upload(GOOD).read()
    )
    assert member_import is not None
    return member_import


# Tenancy ------------------------------------------------------------------------------------


def test_another_organisations_admin_gets_404_and_is_not_told(admin, outsider, client):
    member_import = prepared(admin)
    client.force_login(outsider)
    for name in ("web:member_import_detail", "web:member_import_progress"):
        assert client.get(reverse(name, args=[member_import.pk])).status_code == 404
    assert (
        client.post(reverse("web:member_import_confirm", args=[member_import.pk])).status_code
        == 404
    )
    member_import.refresh_from_db()
    assert member_import.status == ImportStatus.VALIDATED


def test_members_and_anonymous_cannot_import(client, mentor):
    assert client.get(reverse("web:member_import")).status_code == 302  # to sign in
    client.force_login(mentor)
    for name in ("web:member_import", "web:member_import_sample"):
        assert client.get(reverse(name)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_progress_goes_to_this_organisations_admins_only(admin, outsider, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 1)
    member_import = prepared(admin)
    imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
    with capture_events() as sent:
        imports.member_import_run(import_id=member_import.pk)
    progress = [s for s in sent if s.event == "job.progress"]
    assert progress == [
        (
            org_admins_group(admin.organisation_id),
            "job.progress",
            {
                "kind": "member_import",
                "id": member_import.pk,
                "done": 1,
                "total": 2,
                "state": "running",
            },
        ),
        (
            org_admins_group(admin.organisation_id),
            "job.progress",
            {
                "kind": "member_import",
                "id": member_import.pk,
                "done": 2,
                "total": 2,
                "state": "done",
            },
        ),
    ]
    assert all(s.group != org_admins_group(outsider.organisation_id) for s in sent)
    assert any(s.event == "counts.changed" for s in sent)
