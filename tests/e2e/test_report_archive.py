"""«Exporter tous les rapports» in a real browser: the administrator picks the cohort
years and clicks the button; the archive's job runs in a worker (here: this process,
the server only queues it), and the page's bar and status move live through
job.progress, without a reload, to «Ready» and the download link; the downloaded ZIP
parses, every report in it."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.e2e.browser import LIVE_TIMEOUT_MS, WorkerInThisProcessTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

# Each report's pause in the worker, so the page is seen moving between them.
PAUSE = 0.4


class ReportArchiveTest(WorkerInThisProcessTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()

    def test_export_all_reports_watch_it_and_download_it(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        from reports import archive_job
        from reports.models import ReportArchive
        from reports.prepared import reports_listed

        total = len(reports_listed())
        page = signed_in_page(browser, base, self.admin.email, locale="en-CA")
        page.goto(f"{base}/manage/reports/")
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        page.get_by_label("Cohort years").select_option(label="2025-2026")
        page.get_by_role("button", name="Export all reports").click()
        expect(page.get_by_text("Your archive is being prepared.")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        name = "Mentor Canada 2025-2026.zip"
        row = page.locator("tr[data-report-archive]")
        bar = page.get_by_role("progressbar", name=f"Progress of {name}")
        expect(bar).to_have_attribute("value", "0")
        status = row.locator("[data-archive-status]")
        link = page.get_by_role("link", name=f"Download {name}")
        expect(link).to_be_hidden()
        # What the live status says, each time it changes; lost if the page reloaded.
        page.evaluate(
            """() => {
              const status = document.querySelector("[data-archive-status]");
              window.seen = [];
              new MutationObserver(() => window.seen.push(status.textContent))
                .observe(status, {childList: true, characterData: true, subtree: true});
            }"""
        )

        def work():
            try:
                archive = ReportArchive.objects.get()
                real = archive_job.progress_on_commit

                def slowly(made):
                    real(made)
                    time.sleep(PAUSE)

                archive_job.progress_on_commit = slowly
                try:
                    return archive_job.archive_run(archive_id=archive.pk)
                finally:
                    archive_job.progress_on_commit = real
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(work).result(timeout=60) == "done"
        expect(status).to_contain_text("Ready (", timeout=LIVE_TIMEOUT_MS)
        expect(link).to_be_visible()
        seen = page.evaluate("window.seen")
        counted = [text for text in seen if text.endswith("reports written…")]
        # The count went up report by report (live), and the page never reloaded.
        assert len(set(counted)) >= 3, seen
        assert counted == sorted(counted), seen
        assert seen[-1].startswith("Ready ("), seen

        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == name
        with zipfile.ZipFile(download.path()) as zip_file:
            names = zip_file.namelist()
            assert len(names) == total
            members = zip_file.read("Members report.csv").decode("utf-8")
        rows = list(csv.reader(io.StringIO(members[1:], newline="")))
        assert "Email address" in rows[0]
        assert any(self.admin.email in line for line in rows[1:])
        page.context.close()
