"""«Exporter tous les rapports» on «Générer des rapports»: the button, the progress read
by the page's script, the download (its name with accents and spaces, RFC 5987), and
nobody else's archive within reach: another organisation's, a mentor's, an expired one
are 404."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.audit import AuditAction
from programs.models import AuditEntry
from reports import archive_job, archives
from reports.models import ArchiveStatus, ReportArchive
from reports.prepared import reports_listed

START = reverse("web:report_archive_start")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(admin, org, relationship, django_capture_on_commit_callbacks) -> ReportArchive:
    """A ready archive of a program whose name has accents and spaces."""
    org.name_en = "Mentorat Québec — Été"
    org.save(update_fields=["name_en"])
    with django_capture_on_commit_callbacks(execute=True):
        made = archives.archive_start(actor=admin, cohort_start_year=2025)
    made.refresh_from_db()
    assert made.status == ArchiveStatus.DONE
    return made


def urls(archive: ReportArchive) -> dict[str, str]:
    return {
        "progress": reverse("web:report_archive_progress", args=[archive.pk]),
        "download": reverse("web:report_archive_download", args=[archive.pk]),
    }


def test_the_button_queues_the_archive_and_the_page_offers_it(
    admin_client, admin, relationship, django_capture_on_commit_callbacks
):
    page = admin_client.get(reverse("web:reports")).content.decode()
    assert "Export all reports" in page and 'name="cohort_start_year"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(START, {"cohort_start_year": "2025"})
    assert response.status_code == 302 and response["Location"].endswith("#archive")
    archive = ReportArchive.objects.get()
    assert (archive.status, archive.file_name) == ("done", "Mentor Canada 2025-2026.zip")
    page = admin_client.get(reverse("web:reports")).content.decode()
    assert urls(archive)["download"] in page
    assert "Mentor Canada 2025-2026.zip" in page
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_ARCHIVE_REQUEST)
    assert (entry.actor_id, entry.count, entry.details["cohort"]) == (admin.pk, 6, "2025-2026")


def test_a_year_not_offered_is_an_error_and_nothing_is_queued(admin_client):
    response = admin_client.post(START, {"cohort_start_year": "1990"}, follow=True)
    assert "Choose one of the cohort years offered." in response.content.decode()
    assert not ReportArchive.objects.exists()
    assert not AuditEntry.objects.exists()


def test_progress_is_read_as_the_live_event_with_its_sentence(admin_client, archive):
    data = admin_client.get(urls(archive)["progress"]).json()
    assert {k: data[k] for k in ("kind", "id", "done", "total", "state")} == {
        "kind": "report_archive",
        "id": archive.pk,
        "done": len(reports_listed()),
        "total": len(reports_listed()),
        "state": "done",
    }
    assert data["message"].startswith("Ready (")


def test_the_download_is_the_zip_named_after_the_program_and_years(admin_client, admin, archive):
    response = admin_client.get(urls(archive)["download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Mentorat Quebec Ete 2025-2026.zip"')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert " " not in encoded
    assert unquote(encoded) == "Mentorat Québec — Été 2025-2026.zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zip_file:
        assert len(zip_file.namelist()) == len(reports_listed())
        assert zip_file.testzip() is None
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_ARCHIVE_DOWNLOAD)
    assert (entry.actor_id, entry.target_id, entry.details["size"]) == (
        admin.pk,
        archive.pk,
        len(data),
    )


def test_another_organisations_administrator_never_reaches_it(outsider_client, outsider, archive):
    for url in urls(archive).values():
        assert outsider_client.get(url).status_code == 404
    page = outsider_client.get(reverse("web:reports")).content.decode()
    assert archive.file_name not in page
    # Their own button makes their own archive, and leaves ours alone.
    outsider_client.post(START)
    assert ReportArchive.objects.filter(organisation_id=outsider.organisation_id).count() == 1
    assert list(ReportArchive.objects.filter(organisation_id=archive.organisation_id)) == [archive]
    assert not AuditEntry.objects.filter(
        actor_id=outsider.pk, action=AuditAction.REPORT_ARCHIVE_DOWNLOAD
    ).exists()


def test_a_mentor_gets_404_everywhere(client, mentor, archive):
    client.force_login(mentor)
    assert client.get(reverse("web:reports")).status_code == 404
    assert client.post(START).status_code == 404
    for url in urls(archive).values():
        assert client.get(url).status_code == 404
    assert ReportArchive.objects.count() == 1


def test_an_expired_archive_is_404_and_its_file_is_gone(admin_client, archive):
    path = archives.archive_path(archive)
    assert archive_job.archive_cleanup(now=archive.expires_at) == 1
    assert not path.exists()
    for url in urls(archive).values():
        assert admin_client.get(url).status_code == 404
    page = admin_client.get(reverse("web:reports")).content.decode()
    assert archive.file_name not in page


def test_an_archive_being_prepared_has_no_download_yet(admin_client, admin):
    archive = archives.archive_start(actor=admin)  # queued, its job not run
    assert admin_client.get(urls(archive)["download"]).status_code == 404
    data = admin_client.get(urls(archive)["progress"]).json()
    assert (data["state"], data["done"], data["message"]) == (
        "running",
        0,
        f"0 of {archive.total} reports written…",
    )
    page = admin_client.get(reverse("web:reports")).content.decode()
    assert f'data-report-archive="{archive.pk}" data-state="queued"' in page


def test_the_page_costs_the_same_queries_with_more_archives(
    admin_client, admin, org, django_assert_num_queries
):
    org.created_at = org.created_at.replace(year=2022)
    org.save(update_fields=["created_at"])
    admin_client.get(reverse("web:reports"))  # warm: sessions, the registry
    with CaptureQueriesContext(connection) as first:
        admin_client.get(reverse("web:reports"))
    for year in (2023, 2024, 2025):
        archive = archives.archive_start(actor=admin, cohort_start_year=year)
        ReportArchive.objects.filter(pk=archive.pk).update(status=ArchiveStatus.FAILED)
    with django_assert_num_queries(len(first.captured_queries)):
        admin_client.get(reverse("web:reports"))


def test_in_french(client, admin, org, relationship, django_capture_on_commit_callbacks):
    """Needs the lead's French catalogue (the strings of /work/briefs/fr_zip.json)."""
    admin.language = "fr"
    admin.save(update_fields=["language"])
    org.name_fr = "Mentorat Canada"
    org.save(update_fields=["name_fr"])
    client.force_login(admin)
    page = client.get(reverse("web:reports")).content.decode()
    assert "Exporter tous les rapports" in page and "Années de la cohorte" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"cohort_start_year": "2025"})
    archive = ReportArchive.objects.get()
    assert archive.file_name == "Mentorat Canada 2025-2026.zip"
    data = client.get(urls(archive)["progress"]).json()
    assert data["message"].startswith("Prête (")
    page = client.get(reverse("web:reports")).content.decode()
    assert "Télécharger Mentorat Canada 2025-2026.zip" in page
