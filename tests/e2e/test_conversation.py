"""The conversation in two real browsers: Anna (mentor, English) and Charlotte (mentee,
French) chat. Each sees the other's message, the typing indicator and the read receipt
without a reload; markup typed in a message shows as text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs import services as program_services
from programs.models import Role
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]


class ConversationTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )
        self.relationship = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=self.charlotte
        )

    def test_mentor_and_french_mentee_chat_live(self):
        args = (self.live_server_url, self.anna.email, self.charlotte.email, self.relationship.pk)
        self.in_chromium(self._scenario, *args)

    def _scenario(self, browser, base, anna_email, charlotte_email, relationship_id):
        url = f"{base}/relationships/{relationship_id}/conversation/"
        anna = signed_in_page(browser, base, anna_email, locale="en-CA")
        # From her home page, as she would.
        anna.locator("[data-conversation-link]").click()
        anna.wait_for_url(url)
        expect(anna.locator("html")).to_have_attribute("data-live", "open")
        expect(anna.locator("main h1")).to_have_text("Conversation with Charlotte Test")
        anna.evaluate("window.__noReload = 1")

        charlotte = signed_in_page(browser, base, charlotte_email, locale="fr-CA")
        charlotte.goto(url)
        expect(charlotte.locator("html")).to_have_attribute("data-live", "open")
        expect(charlotte.locator("main h1")).to_have_text("Conversation avec Anna Carter")
        charlotte.evaluate("window.__noReload = 1")
        # Each sees the other online.
        expect(anna.locator("[data-partner-state]")).to_have_text(
            "Connected", timeout=LIVE_TIMEOUT_MS
        )
        expect(charlotte.locator("[data-partner-state]")).to_have_text(
            "En ligne", timeout=LIVE_TIMEOUT_MS
        )

        # Anna types: Charlotte sees «Anna écrit…».
        anna.locator("#post-text").press_sequentially("Hello <b>Charlotte</b>")
        expect(charlotte.locator("[data-typing]")).to_have_text(
            "Anna écrit…", timeout=LIVE_TIMEOUT_MS
        )
        anna.get_by_role("button", name="Send").click()
        mine = anna.locator("li.post.mine")
        expect(mine).to_have_count(1)
        received = charlotte.locator("li.post")
        expect(received).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(received.locator(".post-text")).to_have_text("Hello <b>Charlotte</b>")
        expect(received.locator(".post-text b")).to_have_count(0)
        # Charlotte's open page read it: Anna sees «Read» under her message.
        expect(anna.locator("[data-read-receipt]")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(anna.locator("[data-read-receipt]")).to_have_text("Read", timeout=LIVE_TIMEOUT_MS)

        # Charlotte answers; Anna sees it typed and arrived, once.
        charlotte.locator("#post-text").press_sequentially("Bonjour https://example.org !")
        expect(anna.locator("[data-typing]")).to_have_text(
            "Charlotte is typing…", timeout=LIVE_TIMEOUT_MS
        )
        charlotte.get_by_role("button", name="Envoyer").click()
        expect(anna.locator("li.post")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
        link = anna.locator("li.post").nth(1).locator("a")
        expect(link).to_have_attribute("href", "https://example.org")
        expect(link).to_have_attribute("rel", "noopener nofollow ugc")
        expect(charlotte.locator("[data-read-receipt]")).to_have_text("Lu", timeout=LIVE_TIMEOUT_MS)
        expect(charlotte.locator("li.post")).to_have_count(2)

        assert anna.evaluate("window.__noReload") == 1
        assert charlotte.evaluate("window.__noReload") == 1
        anna.context.close()
        charlotte.context.close()
