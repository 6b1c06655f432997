"""The widgets' own words on a French page: Quill's toolbar and link tooltip, tom-select's
«Retirer» — none of the English they ship with."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

ENGLISH = {"bold", "italic", "underline", "strike", "link", "image", "clean", "Remove",
           "list: ordered", "list: bullet", "Visit URL:", "Edit", "Save"}  # fmt: skip


class WidgetLanguageTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})

    def test_the_editor_and_pickers_speak_french(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        page = signed_in_page(browser, base, self.admin.email, locale="fr-CA")
        page.goto(f"{base}/manage/messages/new/")
        toolbar = page.locator("fieldset[lang=fr] .ql-toolbar")
        expect(toolbar.locator("button.ql-bold")).to_have_attribute("aria-label", "Gras")
        expect(toolbar.locator("button.ql-bold")).to_have_attribute("title", "Gras")
        expect(toolbar.locator(".ql-size .ql-picker-label")).to_have_attribute(
            "aria-label", "Taille du texte"
        )
        labels = toolbar.evaluate(
            "t => [...t.querySelectorAll('[aria-label],[title]')].flatMap("
            "e => [e.getAttribute('aria-label'), e.title])"
        )
        assert not ENGLISH & set(labels), labels
        # The link tooltip's words come from the catalogue (editor.css reads them).
        tooltip = page.locator("fieldset[lang=fr] .ql-tooltip")
        expect(tooltip).to_have_attribute("data-visit", "Ouvrir le lien\xa0:")
        expect(tooltip.locator("a.ql-remove")).to_have_attribute("data-remove", "Retirer")
        # The people picker (tom-select over it): its remove buttons' words in French.
        chosen = page.locator("#audience-chosen select")
        expect(chosen).to_have_attribute("data-picker-remove", "Retirer")
        page.close()
