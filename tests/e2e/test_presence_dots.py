"""Presence dots in a real browser: an administrator watches a mentor come and go.

The app is served by Channels' live server (Daphne in a forked process, on the test
database, WebSockets included) and driven by Debian's Chromium through Playwright. Page A
(the administrator's members list) is never reloaded: the dot turns green and grey again
from the events on its WebSocket alone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    LIVE_TIMEOUT_MS,
    ONLINE,
    SIGN_IN_BUTTON,
    BrowserTestCase,
    new_page,
    sign_in,
)

pytestmark = [pytest.mark.e2e]


class PresenceDotsTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})

    def test_mentor_dot_turns_green_then_grey_without_reload(self):
        base = self.live_server_url
        admin_email, anna_email = self.admin.email, self.anna.email
        admin_id, anna_id = self.admin.pk, self.anna.pk
        self.in_chromium(self._scenario, base, admin_email, admin_id, anna_email, anna_id)

    def _scenario(self, browser, base, admin_email, admin_id, anna_email, anna_id):
        # Context A: the administrator, whose browser and account both speak French.
        page = new_page(browser, locale="fr-CA")
        page.goto(f"{base}/login/")
        expect(page.get_by_role("button", name=SIGN_IN_BUTTON)).to_have_text("Connexion")
        sign_in(page, base, admin_email)
        page.goto(f"{base}/manage/members/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("main h1")).to_have_text("Membres")
        expect(page.locator("table.members thead")).to_contain_text("Dernière session")

        anna_dot = page.locator(f'tr[data-member="{anna_id}"] .dot')
        own_dot = page.locator(f'tr[data-member="{admin_id}"] .dot')
        expect(anna_dot).to_have_count(1)
        expect(anna_dot).not_to_have_class(ONLINE)
        # The page's socket is open and its snapshot applied: the admin's own dot is green.
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        expect(own_dot).to_have_class(ONLINE, timeout=LIVE_TIMEOUT_MS)
        expect(anna_dot).not_to_have_class(ONLINE)
        # A reload would lose this marker.
        page.evaluate("window.__tandemNoReload = 'still here'")

        # Context B: Anna signs in (English UI) and lands on her home page.
        anna_page = new_page(browser, locale="en-CA")
        anna_page.goto(f"{base}/login/")
        expect(anna_page.get_by_role("button", name=SIGN_IN_BUTTON)).to_have_text("Sign in")
        sign_in(anna_page, base, anna_email)
        assert anna_page.url == f"{base}/", anna_page.url
        expect(anna_page.locator("html")).to_have_attribute("data-live", "open")

        expect(anna_dot).to_have_class(ONLINE, timeout=LIVE_TIMEOUT_MS)
        expect(anna_dot).to_have_attribute("title", "En ligne")

        # Anna leaves: her only socket closes and she goes offline at once.
        anna_page.context.close()
        expect(anna_dot).not_to_have_class(ONLINE, timeout=LIVE_TIMEOUT_MS)
        expect(anna_dot).to_have_attribute("title", "Hors ligne")
        expect(own_dot).to_have_class(ONLINE)

        assert page.evaluate("window.__tandemNoReload") == "still here", "page A was reloaded"
        assert page.url == f"{base}/manage/members/"
        page.context.close()
