"""«Exporter tous les rapports» (reports.archives): the ZIP holds every listed report, as
the same file its single download gives; it is named after the program and the cohort
years; a job retried, killed or lost still ends with one file, one "done" and one audit
entry; expired archives are deleted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, Role, User
from realtime.testing import capture_events
from reports import archive_job, archives
from reports.models import ArchiveStatus, ReportArchive
from reports.prepared import reports_listed
from tests.conftest import make_member
from tests.reports.helpers import read_csv

BOM = "\ufeff"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(org, relationship):
    """A few more members, one with a formula-looking name and accents."""
    make_member(org, "ben@mentor.test", "=Ben", "Côté", Role.MENTOR)
    make_member(org, "zoe@mentor.test", "Zoé", "Lévesque", Role.MENTEE, city="Montréal")
    return relationship


def started(actor, django_capture_on_commit_callbacks, **kwargs) -> ReportArchive:
    """archive_start, its commit, and its job (run in-process: Q_CLUSTER sync)."""
    with django_capture_on_commit_callbacks(execute=True):
        archive = archives.archive_start(actor=actor, **kwargs)
    archive.refresh_from_db()
    return archive


def entries(archive: ReportArchive) -> dict[str, bytes]:
    with zipfile.ZipFile(archives.archive_path(archive)) as zip_file:
        return {name: zip_file.read(name) for name in zip_file.namelist()}


def parsed(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_the_zip_holds_every_listed_report_as_its_single_download(
    admin, admin_client, people, django_capture_on_commit_callbacks
):
    archive = started(admin, django_capture_on_commit_callbacks)
    assert (archive.status, archive.done, archive.total) == ("done", len(reports_listed()), 6)
    files = entries(archive)
    with translation.override("en"):
        names = [f"{report.title}.csv" for report in reports_listed()]
    assert list(files) == names
    for report, name in zip(reports_listed(), names, strict=True):
        single = read_csv(admin_client.get(reverse("web:report_download", args=[report.key])))
        assert parsed(files[name], ",") == single, report.key
    members = parsed(files["Members report.csv"], ",")
    assert len(members) == 6  # header + admin, mentor, mentee, Ben, Zoé
    assert any("'=Ben" in row for row in members)  # formula neutralised, as in a download
    assert {item["key"]: item["rows"] for item in archive.contents}["members"] == 5
    assert archive.size == archives.archive_path(archive).stat().st_size
    assert archive.file_path.startswith("report-archives/")
    assert archive.finished_at is not None
    assert archive.expires_at == archive.finished_at + dt.timedelta(days=7)


def test_a_french_administrator_gets_french_files_with_semicolons(
    admin, org, people, django_capture_on_commit_callbacks
):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    org.name_fr = "Mentorat Canada"
    org.save(update_fields=["name_fr"])
    archive = started(admin, django_capture_on_commit_callbacks, cohort_start_year=2025)
    assert archive.file_name == "Mentorat Canada 2025-2026.zip"
    files = entries(archive)
    with translation.override("fr"):
        titles = [str(report.title) for report in reports_listed()]
        header = reports_listed()[0].header
    assert list(files) == [f"{title}.csv" for title in titles]
    first = parsed(files[f"{titles[0]}.csv"], ";")
    assert len(first[0]) > 5  # split on semicolons: the header's columns
    with translation.override("fr"):
        assert first[0] == header_of(header, archive)


def header_of(header, archive: ReportArchive) -> list[str]:
    from reports.registry import ReportContext

    assert archive.created_by is not None
    context = ReportContext(
        organisation=archive.organisation,
        actor=archive.created_by,
        language="fr",
        zone=timezone.get_current_timezone(),
    )
    return header(context)


@pytest.mark.parametrize(
    ("today", "years"),
    [
        ("2026-06-15 12:00", "2025-2026"),  # the end of a cycle: the year under way
        ("2026-09-01 12:00", "2026-2027"),  # a new program year starts in September
        ("2027-01-10 12:00", "2026-2027"),
    ],
)
def test_the_cohort_years_run_from_september_to_august(org, admin, today, years):
    org.created_at = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    org.save(update_fields=["created_at"])
    admin.time_zone = "UTC"
    with time_machine.travel(dt.datetime.fromisoformat(today).replace(tzinfo=dt.UTC), tick=False):
        archive = archives.archive_start(actor=admin)
        offered = archives.cohort_years(organisation=org, today=timezone.localdate())
    assert archive.file_name == f"Mentor Canada {years}.zip"
    assert offered[0] == int(years[:4]) and offered[-1] == 2023  # back to the first year


def test_a_year_not_offered_is_refused_and_nothing_written(admin):
    for year in (1999, timezone.localdate().year + 2):
        with pytest.raises(DomainError) as refused:
            archives.archive_start(actor=admin, cohort_start_year=year)
        assert "cohort years" in str(refused.value.message)
    assert not ReportArchive.objects.exists()
    assert not AuditEntry.objects.exists()


def test_asking_again_while_it_is_prepared_joins_it(admin):
    first = archives.archive_start(actor=admin)
    assert archives.archive_start(actor=admin) == first
    with pytest.raises(DomainError):
        archives.archive_start(actor=admin, cohort_start_year=first.cohort_start_year - 1)
    assert ReportArchive.objects.count() == 1
    requested = AuditEntry.objects.filter(action=AuditAction.REPORT_ARCHIVE_REQUEST)
    assert requested.count() == 1
    assert requested.get().count == len(reports_listed())


def test_progress_goes_to_this_organisations_admins_only(
    admin, outsider, people, django_capture_on_commit_callbacks
):
    with capture_events() as sent:
        archive = started(admin, django_capture_on_commit_callbacks)
    progress = [s for s in sent if s.event == "job.progress"]
    assert {s.group for s in progress} == {f"org.{admin.organisation_id}.admins"}
    assert [(s.data["done"], s.data["state"]) for s in progress] == [
        (0, "running"),  # queued
        (0, "running"),  # the job claimed it
        *[(n, "running") for n in range(1, archive.total + 1)],
        (archive.total, "done"),
    ]
    assert all(s.data["kind"] == "report_archive" and s.data["id"] == archive.pk for s in progress)


def test_a_job_killed_mid_way_and_retried_ends_with_one_file_one_done_one_entry(
    admin, people, media, monkeypatch, django_capture_on_commit_callbacks
):
    archive = archives.archive_start(actor=admin)  # its job not run: queued
    real = archive_job.csv_lines
    calls = {"n": 0}

    def dies_on_third_batch(rows, *, delimiter=","):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(rows, delimiter=delimiter)

    monkeypatch.setattr(archive_job, "csv_lines", dies_on_third_batch)
    with pytest.raises(RuntimeError):
        archive_job.archive_run(archive_id=archive.pk)
    archive.refresh_from_db()
    assert (archive.status, archive.done, archive.attempt) == ("running", 2, 1)
    folder = media / "report-archives" / str(admin.organisation_id)
    assert not list(folder.glob("*"))  # neither a half file nor a ZIP
    monkeypatch.setattr(archive_job, "csv_lines", real)
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        assert archive_job.archive_run(archive_id=archive.pk) == "done"
        assert archive_job.archive_run(archive_id=archive.pk) == "done"  # delivered twice
    archive.refresh_from_db()
    assert archive.attempt == 2
    assert [p.name for p in folder.iterdir()] == [f"{archive.pk}.zip"]
    assert len(entries(archive)) == len(reports_listed())
    assert [s.data["state"] for s in sent if s.data.get("state") == "done"] == ["done"]
    assert AuditEntry.objects.filter(action=AuditAction.REPORT_ARCHIVE_REQUEST).count() == 1


def test_an_older_run_that_lost_the_archive_gives_up(admin, people, media, monkeypatch):
    archive = archives.archive_start(actor=admin)
    real = archive_job.csv_lines

    def taken_over(rows, *, delimiter=","):
        # Meanwhile the sweeper queued it again and a second run claimed it.
        ReportArchive.objects.filter(pk=archive.pk).update(attempt=5)
        return real(rows, delimiter=delimiter)

    monkeypatch.setattr(archive_job, "HEARTBEAT_SECONDS", 0.0)
    monkeypatch.setattr(archive_job, "csv_lines", taken_over)
    assert archive_job.archive_run(archive_id=archive.pk) == "superseded"
    archive.refresh_from_db()
    assert (archive.status, archive.file_path) == ("running", "")
    assert not list((media / "report-archives").rglob("*.*"))


def test_the_sweeper_queues_an_archive_whose_job_was_lost(
    admin, people, settings, django_capture_on_commit_callbacks
):
    # The request committed its row, then the process died before queueing the job.
    archive = archives.archive_start(actor=admin)
    assert archive_job.archive_sweep() == 0  # within its grace period
    ReportArchive.objects.filter(pk=archive.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=settings.REPORT_ARCHIVE_GRACE + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        # Jobs run in-process in the tests (Q_CLUSTER sync): the sweep runs it at once.
        assert archive_job.archive_sweep() == 1
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE
    assert len(entries(archive)) == len(reports_listed())
    assert archive_job.archive_sweep() == 0


def test_a_job_failing_again_and_again_gives_up(admin):
    archive = archives.archive_start(actor=admin)
    ReportArchive.objects.filter(pk=archive.pk).update(attempt=archive_job.MAX_ATTEMPTS)
    assert archive_job.archive_run(archive_id=archive.pk) == ArchiveStatus.FAILED
    # The next request is not blocked by it.
    assert archives.archive_start(actor=admin).pk != archive.pk


def test_expired_archives_lose_their_file(admin, people, django_capture_on_commit_callbacks):
    archive = started(admin, django_capture_on_commit_callbacks)
    path = archives.archive_path(archive)
    assert archive_job.archive_cleanup() == 0 and path.is_file()
    assert archive.expires_at is not None
    later = archive.expires_at + dt.timedelta(seconds=1)
    assert archive_job.archive_cleanup(now=later) == 1
    archive.refresh_from_db()
    assert (archive.status, archive.file_path) == (ArchiveStatus.EXPIRED, "")
    assert not path.exists()
    with pytest.raises(DomainError) as refused:
        archives.archive_download(actor=admin, archive_id=archive.pk)
    assert refused.value.code == "not_found"


def test_the_conversations_in_the_archive_count_as_read_once(
    admin, org, people, django_capture_on_commit_callbacks
):
    org.messages_in_reports = True
    org.save(update_fields=["messages_in_reports"])
    archive = started(admin, django_capture_on_commit_callbacks)
    archive_job.archive_run(archive_id=archive.pk)  # delivered again: nothing more
    read = AuditEntry.objects.filter(action=AuditAction.CONVERSATION_READ)
    assert read.count() == 1 and read.get().count == 1


def _peak_writing(admin, org, members: int) -> int:
    """Python's peak memory while the job writes an archive of `members` more members."""
    start = User.objects.count()
    User.objects.bulk_create(
        User(
            email=f"m{start + i}@many.test",
            first_name=f"F{i}",
            last_name="Lévesque",
            organisation=org,
            role=Role.MENTOR if i % 2 else Role.MENTEE,
            password="!",
        )
        for i in range(members)
    )
    archive = archives.archive_start(actor=admin)
    tracemalloc.start()
    try:
        assert archive_job.archive_run(archive_id=archive.pk) == "done"
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_the_programs_size(admin, org):
    # Both above a report's batch (the cursor's 2,000-row chunk): what stays is one batch.
    small = _peak_writing(admin, org, 2_500)
    big = _peak_writing(admin, org, 12_500)  # six times the rows in the next archive
    assert big < small * 1.5, (small, big)


def test_the_sweep_and_the_cleanup_are_scheduled(db):
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    scheduled = dict(
        Schedule.objects.filter(name__startswith="report-archives-").values_list("name", "minutes")
    )
    assert scheduled == {"report-archives-sweep": 1, "report-archives-cleanup": 60}
    for func in Schedule.objects.filter(name__in=scheduled).values_list("func", flat=True):
        assert callable(import_string(func))
