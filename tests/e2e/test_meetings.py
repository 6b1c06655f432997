"""Meetings in a real browser (F3–F5): the admin books a weekly meeting for Anna Carter
and Charlotte Test; Charlotte declines in her own browser and the admin's Rencontres tab
shows ✗ without a reload; the admin reschedules and Charlotte's bell rings live."""

from __future__ import annotations

import datetime
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs import services as program_services
from programs.models import Role
from scheduling.services import availability_set
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

EVERY_DAY = [(weekday, time(0, 0), time(0, 0)) for weekday in range(7)]


class MeetingBookingTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(
            admin={"time_zone": "America/Edmonton"}, anna={"time_zone": "America/Toronto"}
        )
        self.charlotte = make_member(
            self.org,
            "charlotte@mentor.test",
            "Charlotte",
            "Test",
            Role.MENTEE,
            language="fr",
            time_zone="Europe/Paris",
        )
        self.relationship = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=self.charlotte
        )
        for person in (self.anna, self.charlotte):
            availability_set(user=person, ranges=EVERY_DAY)
        today = timezone.now().date()
        self.first_day = today + datetime.timedelta(days=3)
        self.moved_day = today + datetime.timedelta(days=5)

    def test_book_decline_and_reschedule_live(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        admin = signed_in_page(browser, base, self.admin.email, locale="en-CA")

        # Book a weekly meeting from the Jumelé tab.
        admin.goto(f"{base}/manage/relationships/?tab=matched")
        admin.locator(f'tr[data-relationship="{self.relationship.pk}"] [data-book-meeting]').click()
        admin.goto(f"{admin.url.split('?')[0]}?day={self.first_day.isoformat()}")
        admin.locator("select[name=meeting_type]").select_option("video")
        admin.locator("select[name=frequency]").select_option("weekly")
        admin.locator("input[name=occurrences]").fill("4")
        first_slot = admin.locator("select[name=start] option").first.get_attribute("value")
        assert first_slot, "no slot offered"
        admin.locator("select[name=start]").select_option(first_slot)
        admin.locator("form[data-slots-form] button[type=submit]").click()
        expect(admin.locator("main")).to_contain_text("Anna Carter")

        # The Rencontres tab, oldest first: the first meeting of the series on top.
        admin.goto(f"{base}/manage/relationships/meetings/?order=asc")
        tick = admin.locator(f'[data-attendee$=":{self.charlotte.pk}"]').first
        expect(tick).to_have_attribute("data-response", "pending")
        meeting_id = (tick.get_attribute("data-attendee") or "").split(":")[0]
        admin.evaluate("window.__tandemNoReload = 'still here'")

        # Charlotte declines the first meeting in her own browser.
        charlotte = signed_in_page(browser, base, self.charlotte.email, locale="fr-CA")
        charlotte.goto(f"{base}/meetings/")
        answer = charlotte.locator(f'form[action="/meetings/{meeting_id}/respond/"]')
        answer.locator("button[value=decline]").click()

        # The admin sees ✗ for Charlotte without reloading.
        expect(tick).to_have_attribute("data-response", "declined", timeout=LIVE_TIMEOUT_MS)
        expect(tick).to_contain_text("✗")
        assert admin.evaluate("window.__tandemNoReload") == "still here"

        # Charlotte keeps her meetings page open; the admin moves the meeting.
        charlotte.goto(f"{base}/meetings/")
        expect(charlotte.locator("html")).to_have_attribute("data-live", "open")
        badge = charlotte.locator("[data-bell-count]")
        before = int(badge.text_content() or 0)
        admin.goto(
            f"{base}/manage/meetings/{meeting_id}/reschedule/?day={self.moved_day.isoformat()}"
        )
        new_slot = admin.locator("select[name=start] option").first.get_attribute("value")
        admin.locator("select[name=start]").select_option(new_slot)
        admin.locator("form[data-slots-form] button[type=submit]").click()
        expect(admin.locator(".messages")).to_be_visible()

        # Charlotte's bell rings on the page she already had open.
        expect(badge).to_have_text(str(before + 1), timeout=LIVE_TIMEOUT_MS)
        admin.context.close()
        charlotte.context.close()
