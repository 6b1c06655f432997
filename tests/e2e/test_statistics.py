"""«Statistiques» in a real browser: Chart.js (served from node_modules) draws every
chart under the Content-Security-Policy with nothing in the console, each chart's table
holds its figures, and the French page speaks French — month names included, in the
charts as in the tables."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from notifications.models import EmailLog, EmailStatus
from programs import services as program_services
from programs.models import Organisation, Role
from scheduling.models import Meeting, MeetingSeries
from tests.conftest import make_member
from tests.e2e.browser import BrowserTestCase, new_page, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.web.test_statistics import CATALOGUE, SECTIONS

pytestmark = [pytest.mark.e2e]

# What the page says in English (fr_stats.json gives each one's French).
ENGLISH = ["Statistics", "Show the data", "Active relationships", "Emails bounced", "Month",
           "Meetings held", "Last 12 months"]  # fmt: skip


class StatisticsPageTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        self.french_admin = make_member(
            self.org, "marie@mentor.test", "Marie", "Roy", Role.ADMINISTRATOR, language="fr"
        )
        mentee = make_member(self.org, "sam@mentor.test", "Sam", "Lee", Role.MENTEE)
        pair = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=mentee
        )
        start = timezone.now() - dt.timedelta(days=2)
        series = MeetingSeries.objects.create(
            organisation=self.org, relationship=pair, meeting_type="video", duration_minutes=90,
            frequency="once", start_date=start.date(), start_time=start.time(),
            time_zone="UTC", uid="stats-e2e",
        )  # fmt: skip
        Meeting.objects.create(
            series=series, organisation=self.org, relationship=pair, starts_at=start,
            ends_at=start + dt.timedelta(minutes=90), original_start=start, meeting_type="video",
        )  # fmt: skip
        EmailLog.objects.create(
            organisation=self.org, recipient=mentee, to_name="Sam Lee", to_email=mentee.email,
            language="en", subject="S", status=EmailStatus.BOUNCED, sent_at=start,
        )  # fmt: skip
        # Another organisation's meeting never shows.
        elsewhere = Organisation.objects.create(
            slug="elsewhere", name_en="Elsewhere", support_email="help@elsewhere.test"
        )
        other = program_services.relationship_match(
            actor=make_member(elsewhere, "oscar@x.test", "Oscar", "O", Role.ADMINISTRATOR),
            mentor=make_member(elsewhere, "olive@x.test", "Olive", "O", Role.MENTOR),
            mentee=make_member(elsewhere, "otto@x.test", "Otto", "O", Role.MENTEE),
        )
        other_series = MeetingSeries.objects.create(
            organisation=elsewhere, relationship=other, meeting_type="video", duration_minutes=30,
            frequency="once", start_date=start.date(), start_time=start.time(),
            time_zone="UTC", uid="stats-e2e-elsewhere",
        )  # fmt: skip
        Meeting.objects.create(
            series=other_series, organisation=elsewhere, relationship=other, starts_at=start,
            ends_at=start + dt.timedelta(minutes=30), original_start=start, meeting_type="video",
        )  # fmt: skip
        EmailLog.objects.create(
            organisation=elsewhere, to_name="Otto", to_email="otto@x.test", language="en",
            subject="S", status=EmailStatus.BOUNCED, sent_at=start,
        )  # fmt: skip
        zone = self.org.default_time_zone
        with translation.override("fr"), timezone.override(zone):
            self.french_month = formats.date_format(
                timezone.localdate(timezone.now()), "YEAR_MONTH_FORMAT"
            )

    def test_charts_drawn_and_tables_filled(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _open(self, browser: Browser, base: str, email: str, locale: str) -> tuple[Page, list]:
        page = new_page(browser, locale=locale)
        errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, email)
        page.goto(f"{base}/manage/")
        page.locator('[data-tile="statistics"] a').click()
        page.wait_for_load_state("networkidle")
        return page, errors

    def _column_sum(self, page: Page, key: str, column: int) -> float:
        return page.evaluate(
            """([key, column]) => [...document.querySelectorAll(
                 `table[data-table="${key}"] tbody tr`)].reduce((sum, row) =>
                 sum + Number(row.cells[column].textContent.trim().replace(",", ".")), 0)""",
            [key, column],
        )

    def _scenario(self, browser: Browser, base: str) -> None:
        page, errors = self._open(browser, base, self.admin.email, "en-CA")
        expect(page.locator("h1")).to_have_text("Statistics")
        for key in SECTIONS:
            canvas = page.locator(f'canvas[data-chart="{key}"]')
            expect(canvas).to_have_attribute("data-drawn", "true")
            box = canvas.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100, (key, box)
        drawn = page.evaluate(
            "[...document.querySelectorAll('canvas[data-chart]')]"
            ".map(c => window.Chart.getChart(c)?.data.datasets.length ?? 0)"
        )
        assert drawn == [2, 2, 3, 1, 1, 3, 3, 3], drawn
        # The tables are behind «Show the data», and hold the figures drawn.
        page.locator('[data-section="meetings"] summary').click()
        expect(page.locator('table[data-table="meetings"]')).to_be_visible()
        assert self._column_sum(page, "meetings", 1) == 1
        assert self._column_sum(page, "meeting_hours", 1) == 1.5
        assert self._column_sum(page, "emails", 3) == 1
        assert self._column_sum(page, "relationships", 2) == 1
        chart_sum = page.evaluate(
            "window.Chart.getChart(document.querySelector('canvas[data-chart=meeting_hours]'))"
            ".data.datasets[0].data.reduce((a, b) => a + b, 0)"
        )
        assert chart_sum == 1.5
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert axe_violations(page) == []
        # Another period: 24 rows.
        page.locator("select[name=period]").select_option("24")
        page.get_by_role("button", name="Show").click()
        expect(page.locator('table[data-table="members"] tbody tr')).to_have_count(24)
        expect(page.locator('canvas[data-chart="members"]')).to_have_attribute("data-drawn", "true")
        # A period that is not offered: said, in the page's words, and the default kept.
        page.goto(f"{base}/manage/statistics/?period=nope")
        expect(page.get_by_role("alert")).to_contain_text("nope")
        expect(page.locator('table[data-table="members"] tbody tr')).to_have_count(12)
        expect(page.locator('canvas[data-chart="members"]')).to_have_attribute("data-drawn", "true")
        assert axe_violations(page) == []
        assert errors == [], errors
        page.context.close()

        page, errors = self._open(browser, base, self.french_admin.email, "fr-CA")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator('canvas[data-chart="emails"]')).to_have_attribute("data-drawn", "true")
        labels = page.evaluate(
            "window.Chart.getChart(document.querySelector('canvas[data-chart=members]'))"
            ".data.labels"
        )
        assert labels[-1] == self.french_month, labels
        rows = page.locator('table[data-table="members"] tbody th')
        expect(rows.last).to_have_text(self.french_month)
        # Chart.js formats numbers in the page's language (its `locale` option).
        assert (
            page.evaluate(
                "window.Chart.getChart(document.querySelector('canvas[data-chart=members]'))"
                ".options.locale"
            )
            == "fr"
        )
        if CATALOGUE.exists() and b"Voir les donn" in CATALOGUE.read_bytes():
            text = page.locator("main").inner_text()
            datasets = page.evaluate(
                "[...document.querySelectorAll('canvas[data-chart]')].flatMap("
                "c => window.Chart.getChart(c).data.datasets.map(d => d.label))"
            )
            for english in ENGLISH:
                assert english not in text and english not in datasets, english
        page.locator('[data-section="emails"] summary').click()
        assert axe_violations(page) == []
        assert errors == [], errors
        page.context.close()
