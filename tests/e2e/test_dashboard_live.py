"""The administrator's day changes without a reload: when Charlotte answers an invitation,
the dashboard's «Waiting for an answer» section drops her."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from datetime import time

from django.db import connections
from django.utils import timezone
from playwright.sync_api import Browser, expect

from programs import services as program_services
from programs.models import Role
from scheduling.models import Attendee
from scheduling.services import availability_set, meeting_book, meeting_respond
from tests.conftest import make_member
from tests.e2e.browser import BrowserTestCase, new_page, sign_in

LIVE_TIMEOUT_MS = 15_000
EVERY_DAY = [(day, time(0), time(0)) for day in range(7)]


class DashboardLiveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )
        relationship = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=self.charlotte
        )
        for person in (self.anna, self.charlotte):
            availability_set(user=person, ranges=EVERY_DAY)
        start = (timezone.now() + datetime.timedelta(days=3)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
        series = meeting_book(
            actor=self.admin,
            relationship=relationship,
            duration_minutes=60,
            meeting_type="video",
            start=start,
        )
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
