"""«Lien d'invitation» in a real browser: a mentor signs up in French through the link,
follows the verification link of the email she was sent, lands on her home page — and
the administrator's members list, open meanwhile, shows her without a reload."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, expect

from programs import invitations
from programs import services as program_services
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in
from tests.e2e.test_community_email import read_in_a_thread

pytestmark = [pytest.mark.e2e]

PASSWORD = "une longue promenade au bord de l'eau 42"


def verification_path(address: str) -> str:
    """The link in the verification email the server logged for `address`."""
    from notifications.models import EmailLog

    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        log = read_in_a_thread(
            lambda: EmailLog.objects.filter(
                to_email=address, message_key="email_verification"
            ).first()
        )
        if log is not None:
            found = re.search(r"https?://[^/\s]+(/join/verify/\S+/)", log.body_text)
            assert found is not None, log.body_text
            assert log.language == "fr"
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError("no verification email was sent")


class JoinTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.token = invitations.invitation_links(actor=self.admin)[0].token  # mentors

    def test_a_mentor_signs_up_in_french_and_appears_live_on_the_members_list(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/members/")
        expect(admin.locator("html")).to_have_attribute("data-live", "open")
        admin.evaluate("window.notReloaded = true")
        members = admin.locator('[data-live-table="members"]')
        expect(members).not_to_contain_text("Mathilde Mentor")

        visitor = new_page(browser, locale="fr-CA")
        visitor.goto(f"{base}/join/{self.token}/")
        expect(visitor.locator("html")).to_have_attribute("lang", "fr")
        expect(visitor.locator("main")).to_contain_text("Mentor Canada")
        visitor.get_by_label("Prénom").fill("Mathilde")
        visitor.get_by_label("Nom de famille").fill("Mentor")
        visitor.get_by_label("Courriel").fill("mathilde@example.org")
        visitor.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        visitor.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
        expect(visitor.get_by_label("Langue")).to_have_value("fr")
        visitor.get_by_role("button", name="Créer mon compte").click()
        visitor.wait_for_url(f"{base}/join/sent/")
        expect(visitor.locator("main")).to_contain_text("Consultez votre boîte de réception")

        # The administrator's page, untouched, now lists her.
        expect(members).to_contain_text("Mathilde Mentor", timeout=LIVE_TIMEOUT_MS)
        assert admin.evaluate("window.notReloaded") is True

        visitor.goto(base + verification_path("mathilde@example.org"))
        visitor.wait_for_url(f"{base}/")
        expect(visitor.locator(".messages")).to_contain_text("Votre adresse courriel est confirmée")
        expect(visitor.locator(".whoami")).to_have_text("Mathilde Mentor")

        # «Date de fin» follows the «Actif» box live too: Anna deactivated elsewhere.
        ended = admin.locator(f'tr[data-member="{self.anna.pk}"] [data-ended-on]')
        expect(ended).to_have_text("")
        read_in_a_thread(
            lambda: program_services.member_set_active(
                actor=self.admin, member=self.anna, active=False
            )
        )
        expect(ended).to_have_attribute("data-ended-on", re.compile(r"^\d{4}-\d\d-\d\d$"))
        expect(ended).to_contain_text("20")  # a year, in words around it
        assert admin.evaluate("window.notReloaded") is True
        admin.context.close()
        visitor.context.close()
