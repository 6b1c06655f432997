"""Release notes in a real browser: support staff publish, an administrator's bell rings
without a reload, a mentor's never does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from programs.models import Role, User
from tests.conftest import PASSWORD, make_member, make_org
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, launch_chromium, sign_in

pytestmark = [pytest.mark.e2e]

TITLE = "Release Notes for Thursday, December 7, 2023"


class ReleaseNoteBellTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        org = make_org("mentor-canada", "Mentor Canada", "systems.tests@mentoringcanada.ca")
        self.admin = make_member(
            org, "michele@mentor.test", "Michele", "Mantero", Role.ADMINISTRATOR
        )
        self.anna = make_member(org, "anna@mentor.test", "Anna", "Carter", Role.MENTOR)
        self.staff = User.objects.create_user(
            "support@tandem.test", PASSWORD, first_name="Sam", last_name="Support", is_staff=True
        )

    def test_publishing_rings_admin_bells_live(self):
        base = self.live_server_url
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                self._scenario(browser, base)
            finally:
                browser.close()

    def _scenario(self, browser, base):
        contexts = {}
        pages = {}
        for who, email in (
            ("admin", self.admin.email),
            ("anna", self.anna.email),
            ("staff", self.staff.email),
        ):
            contexts[who] = browser.new_context(locale="en-CA")
            contexts[who].set_default_timeout(LIVE_TIMEOUT_MS)
            pages[who] = contexts[who].new_page()
            sign_in(pages[who], base, email)
        admin, anna, staff = pages["admin"], pages["anna"], pages["staff"]
        for page in (admin, anna):
            expect(page.locator("html")).to_have_attribute("data-live", "open")
            expect(page.locator("[data-bell-count]")).to_be_hidden()

        # Staff write, preview and publish.
        assert staff.url == f"{base}/staff/release-notes/"
        staff.get_by_role("link", name="Write a release note").click()
        staff.fill("input[name=date]", "2023-12-07")
        staff.fill("input[name=title_en]", "Video conferencing and email logs")
        staff.fill(
            "textarea[name=body_en]",
            "## Email Logs\n- Statuses are [here](https://example.org/logs).",
        )
        staff.fill("input[name=title_fr]", "Visioconférence et registre des courriels")
        staff.fill("textarea[name=body_fr]", "## Registre des courriels\n- Les statuts sont là.")
        staff.get_by_role("button", name="Save and preview").click()
        expect(staff.locator("main")).to_contain_text(TITLE)
        expect(staff.locator("main")).to_contain_text(
            "Notes de mise à jour du jeudi 7 décembre 2023"
        )
        staff.on("dialog", lambda dialog: dialog.accept())
        staff.get_by_role("button", name="Publish").click()
        expect(staff.locator("main")).to_contain_text("Published")

        # The administrator's bell rings on the page they already had open.
        badge = admin.locator("[data-bell-count]")
        expect(badge).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(badge).to_have_text("1")
        # The mentor's never does.
        anna.wait_for_timeout(500)
        expect(anna.locator("[data-bell-count]")).to_be_hidden()

        admin.locator("a.bell").click()
        admin.get_by_role("link", name=TITLE).click()
        expect(admin.locator("main")).to_contain_text("Email Logs")
        expect(admin.locator("[data-bell-count]")).to_be_hidden()
        for context in contexts.values():
            context.close()
