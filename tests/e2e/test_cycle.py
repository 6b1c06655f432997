"""«Terminer le cycle» in a real browser: from «Générer des rapports» the administrator
picks «keep some members», archives the year — the archive's job runs in a worker (here:
this process), the page's status moves live to «Ready» and the ZIP downloads — then walks
each step through its preview (names shown) to its confirmation, and finishes. Every
page seen has no axe violation."""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.e2e.browser import LIVE_TIMEOUT_MS, WorkerInThisProcessTestCase, signed_in_page
from tests.e2e.test_accessibility import axe_violations

pytestmark = [pytest.mark.e2e]


class CycleTest(WorkerInThisProcessTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        self.add_charlotte_invited()

    def test_end_the_cycle_through_its_previews(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        from reports import archive_job
        from reports.models import ReportArchive

        page = signed_in_page(browser, base, self.admin.email, locale="en-CA")
        page.goto(f"{base}/manage/reports/")
        page.get_by_role("link", name="End the cycle").click()
        expect(page.get_by_role("heading", name="End the cycle", level=1)).to_be_visible()
        assert axe_violations(page) == []
        page.get_by_label("Keep some members").check()
        page.get_by_role("button", name="Start").click()
        expect(page.locator('[data-cycle-step="archive"]')).to_have_attribute("data-state", "todo")
        assert axe_violations(page) == []

        # 1) The year's archive: started here, prepared by the worker, downloaded.
        page.get_by_role("button", name="Archive the year").click()
        expect(page.locator('[data-cycle-step="archive"]')).to_have_attribute(
            "data-state", "running"
        )
        expect(page.locator("html")).to_have_attribute("data-live", "open")

        def work():
            try:
                return archive_job.archive_run(archive_id=ReportArchive.objects.get().pk)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(work).result(timeout=60) == "done"
        expect(page.locator("[data-archive-status]")).to_contain_text(
            "Ready (", timeout=LIVE_TIMEOUT_MS
        )
        link = page.get_by_role("link", name="Download Mentor Canada")
        with page.expect_download() as info:
            link.click()
        with zipfile.ZipFile(info.value.path()) as zip_file:
            assert "Members report.csv" in zip_file.namelist()

        # 2) Every current relationship: the preview names the pair, then it ends.
        page.reload()
        expect(page.locator('[data-cycle-step="archive"]')).to_have_attribute("data-state", "done")
        page.get_by_role("button", name="Preview").click()
        preview = page.locator('[data-cycle-preview="end"]')
        expect(preview).to_contain_text("1 relationship will end")
        expect(page.get_by_role("cell", name="Anna Carter")).to_be_visible()
        expect(page.get_by_role("cell", name="Charlotte Test")).to_be_visible()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator('[data-cycle-step="end"]')).to_have_attribute("data-state", "done")

        # 3) Who stays: Anna; 4) the others deactivated, previewed by name first.
        page.get_by_label("Anna Carter (Mentor)").check()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Confirm who stays").click()
        page.get_by_label("Deactivate them").check()
        page.get_by_role("button", name="Preview").click()
        expect(page.locator('[data-cycle-preview="remove"]')).to_contain_text(
            "1 member will be deactivated"
        )
        expect(page.locator("[data-member]")).to_have_text(["Charlotte Test"])
        assert axe_violations(page) == []
        page.get_by_role("button", name="Confirm", exact=True).click()
        expect(page.get_by_role("heading", name="Every step is done")).to_be_visible()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Finish the cycle").click()
        expect(page.get_by_text("The cycle is finished.")).to_be_visible()
        page.context.close()
