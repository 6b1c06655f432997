"""The administrator's day changes without a reload: when Charlotte answers an invitation,
the dashboard's «Waiting for an answer» section drops her."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from playwright.sync_api import Browser, expect

from scheduling.models import Attendee
from scheduling.services import meeting_respond
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in


class DashboardLiveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        series = self.add_charlotte_invited()
        self.attendee = Attendee.objects.get(meeting__series=series, user=self.charlotte)

    def test_an_answer_leaves_the_waiting_list_without_a_reload(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/")
        expect(admin.locator("html")).to_have_attribute("data-live", "open")
        waiting = admin.locator('[data-section="unanswered"]')
        expect(waiting).to_contain_text("Charlotte Test")
        expect(waiting.locator(".badge")).to_have_text("2")
        admin.evaluate("window.notReloaded = true")

        with ThreadPoolExecutor(max_workers=1) as pool:  # no ORM on Playwright's thread
            pool.submit(self._charlotte_accepts).result()

        expect(waiting.locator(".badge")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
        expect(admin.locator('[data-section="unanswered"]')).not_to_contain_text("Charlotte Test")
        assert admin.evaluate("window.notReloaded") is True  # the same page, updated
        admin.context.close()

    def _charlotte_accepts(self) -> None:
        try:
            meeting_respond(attendee=self.attendee, accepted=True)
        finally:
            connections.close_all()
