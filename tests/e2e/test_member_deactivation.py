"""«Désactiver les membres» in real browsers: administrator A deactivates two members from
a CSV file; in administrator B's members list, open all along, their «Actif» boxes clear
without a reload (one `members.updated` event through the Channels live server)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import Role
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]


class MemberDeactivationTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )
        self.yan = make_member(self.org, "yan@mentor.test", "Yan", "Ng", Role.MENTEE)
        self.second = make_member(self.org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)

    def test_two_members_deactivated_by_file_clear_live_in_another_admins_list(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        watcher = signed_in_page(browser, base, self.second.email, locale="en-CA")
        watcher.goto(f"{base}/manage/members/")
        expect(watcher.locator("html")).to_have_attribute("data-live", "open")
        box = "tr[data-member='{}'] [data-active-toggle]"
        for person in (self.anna, self.charlotte, self.yan):
            expect(watcher.locator(box.format(person.pk))).to_be_checked()
        watcher.evaluate("window.notReloaded = true")

        admin = signed_in_page(browser, base, self.admin.email, locale="fr-CA")
        admin.goto(f"{base}/manage/members/")
        admin.locator("[data-deactivate-link]").click()
        admin.locator("input[type=file]").set_input_files(
            {
                "name": "partants.csv",
                "mimeType": "text/csv",
                "buffer": "Courriel\r\nanna@mentor.test\r\nCHARLOTTE@mentor.test\r\n".encode(
                    "cp1252"
                ),
            }
        )
        admin.locator("[data-deactivate-upload] button[type=submit]").click()
        summary = admin.locator("[data-deactivate-summary]")
        expect(summary).to_contain_text("2")
        expect(admin.locator(".deactivate-preview")).to_contain_text("Anna Carter")
        expect(admin.locator(".deactivate-preview")).to_contain_text("Charlotte Test")
        admin.locator("[data-deactivate-confirm]").click()
        expect(admin).to_have_url(f"{base}/manage/members/")

        expect(watcher.locator(box.format(self.anna.pk))).not_to_be_checked(timeout=LIVE_TIMEOUT_MS)
        expect(watcher.locator(box.format(self.charlotte.pk))).not_to_be_checked(
            timeout=LIVE_TIMEOUT_MS
        )
        expect(watcher.locator(box.format(self.yan.pk))).to_be_checked()
        assert watcher.evaluate("window.notReloaded") is True
        admin.context.close()
        watcher.context.close()


class CohortPagesAccessibilityTest(BrowserTestCase):
    """axe-core finds nothing on the cohort pages a crawl cannot reach (they come after a
    POST) or does not follow (a destructive action's page), in French and English."""

    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.add_charlotte_invited()

    def test_no_axe_violation(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        from tests.e2e.test_accessibility import axe_violations

        violations: list[str] = []
        for locale in ("fr-CA", "en-CA"):
            page = signed_in_page(browser, base, self.admin.email, locale=locale)
            page.goto(f"{base}/manage/members/deactivate/")
            page.locator("input[type=file]").set_input_files(
                {"name": "f.csv", "mimeType": "text/csv", "buffer": b"email\r\nnope\r\n"}
            )
            page.locator("[data-deactivate-upload] button[type=submit]").click()
            expect(page.locator("[data-deactivate-problems]")).to_be_visible()
            violations += axe_violations(page)
            page.locator("input[type=file]").set_input_files(
                {
                    "name": "f.csv",
                    "mimeType": "text/csv",
                    "buffer": b"email\r\nanna@mentor.test\r\n",
                }
            )
            page.locator("[data-deactivate-upload] button[type=submit]").click()
            expect(page.locator("[data-deactivate-confirm]")).to_be_visible()
            violations += axe_violations(page)
            page.goto(f"{base}/manage/relationships/")
            page.locator("[data-end-all] button").click()
            expect(page.locator("[data-end-confirm]")).to_be_visible()
            violations += axe_violations(page)
            page.goto(f"{base}/manage/members/{self.anna.pk}/")
            violations += axe_violations(page)
            page.goto(f"{base}/manage/members/{self.anna.pk}/delete/")
            page.locator("[data-delete-confirm]").click()  # empty: the form's errors
            violations += axe_violations(page)
            page.context.close()
        assert not violations, "\n".join(violations)
