"""«Achèvement des profils», live, in real browsers: the administrator adds a single-choice
custom field and runs «Recalculer valeur du profil» (watching its progress end); Anna fills
the field in her profile in another browser; the administrator's members list, open all
along, shows her new percentage without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in

pytestmark = [pytest.mark.e2e]

# Anna (a mentor) has filled 2 of her role's 19 built-in fields that count: 11 %. With the
# new field there are 20: 10 % after the recalculation, 15 % once she answers it.
BEFORE, RECALCULATED, ANSWERED = "0%", "10%", "15%"


class ProfileCompletionLiveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()  # stored figures start at 0 %: make_member does not compute them

    def test_a_new_field_recalculated_then_answered_updates_the_open_members_list(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        admin = new_page(browser, locale="en-CA")
        sign_in(admin, base, self.admin.email)

        # «Gérer les champs personnalisés»: a single-choice field, English and French.
        admin.goto(f"{base}/manage/members/")
        admin.get_by_role("link", name="Manage custom fields").click()
        admin.get_by_role("link", name="Add a field").click()
        admin.get_by_label("Name (English)").fill("Preferred pronouns")
        admin.get_by_label("Name (French)").fill("Votre pronom")
        admin.get_by_label("Type").select_option("single")
        admin.get_by_label("Options").fill("He/Him | Il/Lui\nShe/Her | Elle\nThey/Them")
        admin.get_by_label("Role").select_option("both")
        admin.get_by_role("button", name="Save").click()
        expect(admin.locator("table.fields")).to_contain_text("Preferred pronouns")
        expect(admin.locator("table.fields")).to_contain_text("Single choice")

        # «Recalculer valeur du profil», watched on the members page until it ends.
        admin.goto(f"{base}/manage/members/")
        expect(admin.locator("html")).to_have_attribute("data-live", "open")
        cell = admin.locator(f'[data-completion="{self.anna.pk}"]')
        expect(cell).to_have_text(BEFORE)
        admin.evaluate("window.notReloaded = true")
        admin.get_by_role("button", name="Recalculate profile completion").click()
        notice = admin.locator("[data-recalculation]")
        expect(notice).to_have_attribute("data-state", "done", timeout=LIVE_TIMEOUT_MS)
        expect(notice).to_be_hidden()
        expect(admin.locator("[data-recalculation-progress]")).to_have_attribute("value", "2")
        expect(cell).to_have_text(RECALCULATED)
        expect(admin.locator("#live-announcer")).to_have_text(
            "Profile completion values are up to date."
        )

        # Anna answers the new field in her own browser.
        anna = new_page(browser, locale="en-CA")
        sign_in(anna, base, self.anna.email)
        anna.goto(f"{base}/profile/")
        anna.get_by_label("Preferred pronouns").select_option(label="She/Her")
        anna.get_by_role("button", name="Save my profile").click()
        expect(anna.locator(".messages")).to_contain_text("Your profile is saved.")
        expect(anna.locator("[data-own-completion]")).to_have_text(ANSWERED)

        # The administrator's list, never reloaded, shows her new figure.
        expect(cell).to_have_text(ANSWERED, timeout=LIVE_TIMEOUT_MS)
        assert admin.evaluate("window.notReloaded") is True
        anna.context.close()
        admin.context.close()
