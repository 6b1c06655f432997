"""«Rapport personnalisé» in a real browser: an administrator filters the members list
(mentors only), opens the custom report from it, clears every column with «Select or
deselect all», finds «Email address» through the search box, ticks it and «First name»,
saves, downloads (through the progress-bar script), and the file parsed with the csv
module has exactly those columns and the list's members."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from programs.models import Role
from tests.conftest import make_member
from tests.e2e.browser import BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]


class CustomReportTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        make_member(self.org, "ben@mentor.test", "=Ben", "Côté", Role.MENTOR)
        make_member(self.org, "zoe@mentor.test", "Zoé", "Mentee", Role.MENTEE)

    def test_pick_columns_save_and_download(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        page = signed_in_page(browser, base, self.admin.email, locale="en-CA")
        page.goto(f"{base}/manage/members/?role=mentor")
        page.get_by_role("link", name="Custom report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Custom report")

        select_all = page.get_by_label("Select or deselect all")
        expect(select_all).to_be_checked()  # nothing saved yet: every column
        select_all.uncheck()
        expect(page.locator("input[name=columns]:checked")).to_have_count(0)
        page.get_by_label("Search the columns").fill("mail")
        expect(page.locator("[data-column-item]:visible")).to_have_count(1)
        page.get_by_label("Email address").check()
        page.get_by_label("Search the columns").fill("")
        page.get_by_label("First name").check()
        page.get_by_role("button", name="Save columns").click()
        expect(page.get_by_text("Your custom report's columns are saved.")).to_be_visible()
        expect(page.locator("input[name=columns]:checked")).to_have_count(2)

        with page.expect_download() as info:
            page.get_by_role("link", name="Download the custom report (2 columns)").click()
        download = info.value
        assert download.suggested_filename.startswith("custom-")
        data = Path(download.path()).read_bytes()
        expect(page.locator("[data-report-progress-status]")).to_have_text("Download complete.")
        text = data.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:], newline="")))
        assert rows == [
            ["First name", "Email address"],
            ["Anna", "anna@mentor.test"],
            ["'=Ben", "ben@mentor.test"],
        ]
        page.context.close()
