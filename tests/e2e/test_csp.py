"""The Content-Security-Policy in a real browser: the administrator's pages with their
widgets (Quill, tom-select), an email preview in its sandboxed frame, the 404 page and the
public sign-in all work with no violation; and the check itself does catch one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import CSP_VIOLATIONS, BrowserTestCase, new_page, signed_in_page

pytestmark = [pytest.mark.e2e]


class ContentSecurityPolicyTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()

    def test_pages_and_widgets_work_under_the_policy(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        public = new_page(browser, locale="en-CA")
        public.goto(f"{base}/password-reset/")
        expect(public.locator("input[name=email]")).to_be_visible()
        public.context.close()

        page = signed_in_page(browser, base, self.admin.email, locale="en-CA")
        # Quill and tom-select build their editors under the policy.
        page.goto(f"{base}/manage/messages/new/")
        page.locator("fieldset[lang=en] .ql-editor").click()
        page.keyboard.type("Hello {first_name}")
        expect(page.locator("fieldset[lang=en] .ql-editor")).to_contain_text("Hello")
        page.goto(f"{base}/manage/email-log/")
        expect(page.locator(".email-log-filters .ts-wrapper").first).to_be_visible()
        # The email, with its inline styles, in its own sandboxed frame.
        page.goto(f"{base}/manage/system-messages/welcome/preview/")
        frame = page.frame_locator('[data-preview="en"] iframe')
        expect(frame.locator(".card")).to_contain_text("Michele")
        page.goto(f"{base}/no/such/page/")
        expect(page.locator("h1")).to_have_text("Page not found")
        assert CSP_VIOLATIONS == []

        # The check is real: an inline style attribute is refused, and recorded.
        page.goto(f"{base}/manage/")
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')"
        )
        page.wait_for_timeout(200)
        assert any("Content Security Policy" in line for line in CSP_VIOLATIONS)
        CSP_VIOLATIONS.clear()
