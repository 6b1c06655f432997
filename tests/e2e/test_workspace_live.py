"""The relationship workspace, live, in three browsers: Charlotte (mentee, French) ticks a
goal done and Anna's open page shows it; both sign the agreement and the administrator's
relationships list shows «Signé par les deux» — all without a reload."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in
from workspace import services
from workspace.agreement import DEFAULT_SECTIONS, question_keys


class WorkspaceLiveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        series = self.add_charlotte_invited()
        self.relationship = series.relationship
        services.goal_add(actor=self.anna, relationship=self.relationship, title="Read a book")
        for key in question_keys(DEFAULT_SECTIONS):
            services.agreement_answer(
                actor=self.anna, relationship=self.relationship, key=key, text="Yes", version=0
            )

    def test_goal_ticked_and_agreement_signed_show_live(self):
        self.in_chromium(self._scenario, self.live_server_url, self.relationship.pk)

    def _scenario(self, browser: Browser, base: str, relationship_id: int) -> None:
        workspace = f"{base}/relationships/{relationship_id}/"
        anna = new_page(browser, locale="en-CA")
        sign_in(anna, base, self.anna.email)
        anna.goto(workspace)
        charlotte = new_page(browser, locale="fr-CA")
        sign_in(charlotte, base, self.charlotte.email)
        charlotte.goto(workspace)
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/relationships/")
        for page in (anna, charlotte, admin):
            expect(page.locator("html")).to_have_attribute("data-live", "open")
        anna.evaluate("window.notReloaded = true")
        admin.evaluate("window.notReloaded = true")

        goal = anna.locator("[data-goal]").first
        expect(goal.locator("[data-goal-status]")).to_have_text("To do")
        charlotte.get_by_role(
            "button", name=re.compile("Marquer « Read a book » comme terminé")
        ).click()
        expect(charlotte.locator("[data-goal] [data-goal-status]").first).to_have_text("Terminé")
        expect(anna.locator("[data-goal] [data-goal-status]").first).to_have_text(
            "Done", timeout=LIVE_TIMEOUT_MS
        )
        expect(anna.locator("[data-goals-count]")).to_contain_text("1 of 1 done")
        assert anna.evaluate("window.notReloaded") is True  # the same page, updated

        cell = admin.locator(f'[data-agreement="{relationship_id}"]')
        expect(cell).to_contain_text("En cours")
        anna.get_by_role("button", name="Sign", exact=True).click()
        expect(anna.locator('[data-signed="mentor"]')).to_contain_text("Signed on")
        charlotte.evaluate("window.notReloaded = true")
        expect(charlotte.locator('[data-signed="mentor"]')).to_contain_text(
            "Signé le", timeout=LIVE_TIMEOUT_MS
        )
        assert charlotte.evaluate("window.notReloaded") is True
        charlotte.get_by_role("button", name="Signer", exact=True).click()
        expect(charlotte.locator("[data-agreement-state]").first).to_contain_text(
            "Signé par les deux"
        )
        expect(cell).to_contain_text("Signé par les deux", timeout=LIVE_TIMEOUT_MS)
        assert admin.evaluate("window.notReloaded") is True
        for page in (anna, charlotte, admin):
            page.context.close()


class ConversationTilesLiveTest(BrowserTestCase):
    """Charlotte posts from her conversation page: Anna's workspace tile shows one unread
    message and the administrator's dashboard tile one post — without a reload, and with
    no text on the administrator's page (the organisation's setting is off)."""

    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.relationship = self.add_charlotte_invited().relationship

    def test_the_tiles_follow_the_conversation(self):
        self.in_chromium(self._scenario, self.live_server_url, self.relationship.pk)

    def _scenario(self, browser: Browser, base: str, relationship_id: int) -> None:
        anna = new_page(browser, locale="en-CA")
        sign_in(anna, base, self.anna.email)
        anna.goto(f"{base}/relationships/{relationship_id}/")
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/relationships/{relationship_id}/")
        charlotte = new_page(browser, locale="fr-CA")
        sign_in(charlotte, base, self.charlotte.email)
        charlotte.goto(f"{base}/relationships/{relationship_id}/conversation/")
        for page in (anna, charlotte, admin):
            expect(page.locator("html")).to_have_attribute("data-live", "open")
        anna.evaluate("window.notReloaded = true")
        admin.evaluate("window.notReloaded = true")
        expect(admin.locator("[data-conversation-posts]")).to_have_text("0")
        expect(anna.locator("[data-unread]")).to_have_text("No messages yet.")

        charlotte.locator("#post-text").fill("Un secret bien gardé")
        charlotte.get_by_role("button", name="Envoyer").click()
        expect(charlotte.locator("li.post")).to_have_count(1)

        expect(anna.locator("[data-unread]")).to_have_text(
            "1 unread message", timeout=LIVE_TIMEOUT_MS
        )
        expect(anna.locator("#conversation time")).to_have_count(1)
        expect(admin.locator("[data-conversation-posts]")).to_have_text(
            "1", timeout=LIVE_TIMEOUT_MS
        )
        expect(admin.locator("[data-conversation-read]")).to_contain_text("Anna : 1 non lu")
        expect(admin.locator("#conversation time")).to_have_count(1)
        assert "secret" not in admin.content()
        assert anna.evaluate("window.notReloaded") is True
        assert admin.evaluate("window.notReloaded") is True
        for page in (anna, charlotte, admin):
            page.context.close()
