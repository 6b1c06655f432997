"""Community message in a real browser: a French administrator writes a bilingual message
with a tag, previews it, sends it; the email log lists it; a provider's webhook posted
meanwhile turns its row to «Ouvert» on the page already open."""

from __future__ import annotations

import base64
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from notifications.email.tracking import webhook_basic_auth
from programs.models import Role
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

PAYLOADS = Path(__file__).resolve().parents[1] / "notifications" / "payloads"


def read_in_a_thread(query):
    """The database, read while Playwright's event loop runs in this thread: from a plain
    thread whose connection is closed after."""

    def run():
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


class CommunityEmailTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )

    def test_compose_preview_send_and_watch_it_open(self):
        from django.core import mail

        self.in_chromium(self._scenario, self.live_server_url)
        assert mail.outbox == []  # the server (another process) sent them, not this one

    def _scenario(self, browser, base):
        from notifications.models import EmailLog

        page = signed_in_page(browser, base, self.admin.email, locale="fr-CA")

        page.goto(f"{base}/manage/messages/new/")
        page.get_by_label("Mentors et mentorés").check()
        expect(page.locator("#recipient-count")).to_contain_text("2")
        page.locator("input[name=subject_en]").fill("News for {first_name}")
        page.locator("fieldset[lang=en] .ql-editor").click()
        page.keyboard.type("Hello {first_name}, welcome to {org_name}.")
        page.locator("input[name=subject_fr]").fill("Nouvelles pour {prénom}")
        page.locator("fieldset[lang=fr] .ql-editor").click()
        page.keyboard.type("Bonjour {prénom}, bienvenue à {org_name}.")
        page.get_by_role("button", name="Créer message").click()

        # The preview, as Charlotte (French) would get it.
        preview = page.frame_locator("iframe.email-preview")
        # «Voir comme»: only the person shown is on the page; Charlotte is looked up.
        page.locator("form.filters .ts-control input").fill("charl")
        page.locator(".ts-dropdown .option", has_text="Charlotte Test").click()
        page.get_by_role("button", name="Afficher").click()
        expect(preview.locator("body")).to_contain_text(
            "Bonjour Charlotte, bienvenue à Mentor Canada."
        )

        page.on("dialog", lambda dialog: dialog.accept())
        page.locator("form.send-form button[type=submit]").click()
        expect(page.locator("main")).to_contain_text("Envoyé")

        # The log lists one row per recipient, each in their own language.
        page.goto(f"{base}/manage/email-log/")
        expect(page.locator("tr[data-email]")).to_have_count(2)
        expect(page.locator("main")).to_contain_text("News for Anna")
        expect(page.locator("main")).to_contain_text("Nouvelles pour Charlotte")

        log = read_in_a_thread(lambda: EmailLog.objects.get(to_email=self.charlotte.email))
        row = page.locator(f'tr[data-email="{log.pk}"] td[data-status]')
        expect(row).to_contain_text("Envoyé")

        # The provider reports an open while the page is open.
        payload = json.loads((PAYLOADS / "postmark_open.json").read_text())
        payload["MessageID"] = log.provider_message_id
        payload["Recipient"] = log.to_email
        credentials = base64.b64encode(webhook_basic_auth().encode()).decode()
        request = urllib.request.Request(
            f"{base}/anymail/postmark/tracking/",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Basic {credentials}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        expect(row).to_contain_text("Ouvert", timeout=LIVE_TIMEOUT_MS)

        # Narrow the log to Charlotte with the type-ahead: the page listed nobody, the
        # server answers what is typed.
        picker = page.locator("label.members .ts-control input")
        expect(picker).to_have_attribute("placeholder", "Tapez un nom ou un courriel")
        # Opened without typing: everyone, alphabetically by last name.
        picker.click()
        expect(page.locator(".ts-dropdown .option")).to_have_text(
            [
                "Anna Carter (anna@mentor.test)",
                "Michele Mantero (michele@mentor.test)",
                "Charlotte Test (charlotte@mentor.test)",
            ]
        )
        picker.fill("zzz")
        expect(page.locator(".ts-dropdown .no-results")).to_contain_text("Aucun membre")
        picker.fill("char")
        page.locator(".ts-dropdown .option", has_text="Charlotte Test").click()
        page.get_by_role("button", name="Rechercher").click()
        expect(page).to_have_url(
            f"{base}/manage/email-log/?members={self.charlotte.pk}&start=&end="
        )
        expect(page.locator("tr[data-email]")).to_have_count(1)
        expect(page.locator("main")).to_contain_text("Nouvelles pour Charlotte")
        expect(page.locator("label.members .ts-control .item")).to_contain_text("Charlotte Test")
        page.context.close()
