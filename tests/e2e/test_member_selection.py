"""Selection actions on the members list in a real browser: tick two members,
«Désactiver», check the preview, confirm — their «Actif» boxes clear. «Select all on this
page» offers «all N matching the filter» only when the whole page is ticked; without
JavaScript the boxes and buttons still work."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import Role
from tests.conftest import make_member
from tests.e2e.browser import BrowserTestCase, sign_in, signed_in_page

pytestmark = [pytest.mark.e2e]

ROW_BOX = "input[name=member][value='{}']"
ACTIVE_BOX = "tr[data-member='{}'] [data-active-toggle]"


class MemberSelectionTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        # English pages: the assertions below read the English wording.
        self.add_people(admin={"language": "en"})
        self.yan = make_member(self.org, "yan@mentor.test", "Yan", "Ng", Role.MENTEE)
        self.zoe = make_member(self.org, "zoe@mentor.test", "Zoé", "Zed", Role.MENTEE)
        self.more = [
            make_member(self.org, f"m{i}@mentor.test", f"Max{i}", f"Mentor{i:02d}", Role.MENTOR)
            for i in range(12)
        ]

    def test_tick_two_deactivate_confirm(self):
        self.in_chromium(self._deactivate, self.live_server_url)

    def _deactivate(self, browser, base):
        page = signed_in_page(browser, base, self.admin.email, locale="fr-CA")
        page.goto(f"{base}/manage/members/?size=50")
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        for person in (self.anna, self.yan):
            page.locator(ROW_BOX.format(person.pk)).check()
        expect(page.locator("[data-selection-count]")).to_contain_text("2")
        page.locator("[data-selection-action=deactivate]").click()
        expect(page.locator("[data-selection-summary]")).to_contain_text("2")
        people = page.locator("[data-selection-people]")
        expect(people).to_contain_text("Anna Carter")
        expect(people).to_contain_text("Yan Ng")
        expect(people).not_to_contain_text("Zoé Zed")
        page.locator("[data-selection-confirm]").click()
        expect(page).to_have_url(f"{base}/manage/members/")
        for person in (self.anna, self.yan):
            expect(page.locator(ACTIVE_BOX.format(person.pk))).not_to_be_checked()
        expect(page.locator(ACTIVE_BOX.format(self.zoe.pk))).to_be_checked()
        page.context.close()

    def test_all_on_the_page_then_all_matching(self):
        self.in_chromium(self._all_matching, self.live_server_url)

    def _all_matching(self, browser, base):
        page = signed_in_page(browser, base, self.admin.email, locale="en-CA")
        page.goto(f"{base}/manage/members/?role=mentor&size=10")
        matching = page.locator("[data-select-matching]")
        expect(matching).to_be_hidden()
        page.locator("[data-select-page]").check()
        expect(page.locator("[data-select-member]:checked")).to_have_count(10)
        expect(matching).to_be_visible()
        expect(matching).to_contain_text("Select the 13 members matching the filter")
        page.locator("[data-select-matching-box]").check()
        expect(page.locator("[data-selection-count]")).to_have_text(
            "All 13 members matching the filter selected."
        )
        # Unticking one row withdraws «all matching».
        page.locator(ROW_BOX.format(self.more[0].pk)).uncheck()
        expect(matching).to_be_hidden()
        expect(page.locator("[data-selection-count]")).to_have_text("9 members selected.")
        page.locator("[data-select-page]").check()
        page.locator("[data-select-matching-box]").check()
        page.locator("[data-selection-action=message]").click()
        expect(page.locator("[data-selection-summary]")).to_contain_text("13 people")
        page.locator("[data-selection-confirm]").click()
        expect(page.locator("#recipient-count")).to_have_text("13 recipients")
        page.context.close()

    def test_without_javascript(self):
        self.in_chromium(self._without_javascript, self.live_server_url)

    def _without_javascript(self, browser, base):
        context = browser.new_context(locale="en-CA", java_script_enabled=False)
        page = context.new_page()
        sign_in(page, base, self.admin.email)
        page.goto(f"{base}/manage/members/?role=mentee")
        expect(page.locator("[data-select-page-label]")).to_be_hidden()
        page.locator(ROW_BOX.format(self.zoe.pk)).check()
        page.locator("[data-selection-action=deactivate]").click()
        expect(page.locator("[data-selection-people]")).to_contain_text("Zoé Zed")
        page.locator("[data-selection-confirm]").click()
        expect(page.locator(ACTIVE_BOX.format(self.zoe.pk))).not_to_be_checked()
        expect(page.locator(ACTIVE_BOX.format(self.yan.pk))).to_be_checked()
        context.close()
