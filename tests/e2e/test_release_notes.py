"""Release notes in a real browser: support staff publish, an administrator's bell rings
without a reload, a mentor's never does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import User
from tests.conftest import PASSWORD
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

TITLE = "Release Notes for Thursday, December 7, 2023"


class ReleaseNoteBellTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        self.staff = User.objects.create_user(
            "support@tandem.test", PASSWORD, first_name="Sam", last_name="Support", is_staff=True
        )

    def test_publishing_rings_admin_bells_live(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        admin, anna, staff = (
            signed_in_page(browser, base, person.email, locale="en-CA")
            for person in (self.admin, self.anna, self.staff)
        )
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
        for page in (admin, anna, staff):
            page.context.close()
