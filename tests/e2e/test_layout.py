"""The layout in a real browser, on a phone (390×844), a laptop (1366×768) and the
narrowest screen WCAG's reflow asks for (320 px): the administrator books a meeting, the
members list shows «Actif» beside the name without scrolling sideways, the phone menu
opens from its button, and no page is wider than the screen.

TANDEM_SCREENSHOTS=<dir> keeps a PNG of every page looked at, for a person to check."""

from __future__ import annotations

import datetime
import os
from datetime import time
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from programs import services as program_services
from programs.models import Role
from scheduling.services import availability_set
from tests.conftest import make_member
from tests.e2e.browser import BrowserTestCase, new_page, sign_in

pytestmark = [pytest.mark.e2e]

EVERY_DAY = [(weekday, time(0, 0), time(0, 0)) for weekday in range(7)]
PHONE = ViewportSize(width=390, height=844)
LAPTOP = ViewportSize(width=1366, height=768)
NARROWEST = ViewportSize(width=320, height=640)
SHOTS = os.environ.get("TANDEM_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def sized_page(browser: Browser, base: str, email: str | None, viewport: ViewportSize) -> Page:
    page = new_page(browser, locale="fr-CA")
    page.set_viewport_size(viewport)
    if email:
        sign_in(page, base, email)
    return page


def in_view(page: Page, selector: str) -> None:
    """The element is inside the viewport, horizontally and vertically."""
    box = page.locator(selector).bounding_box()
    assert box, selector
    size = page.viewport_size
    assert size
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (selector, box)


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def too_wide(page: Page) -> list[str]:
    """The elements that reach past the viewport's right edge (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(-4)
            .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
                + ` right=${Math.round(el.getBoundingClientRect().right)}`
                + ` "${el.textContent.trim().slice(0, 60)}"`)"""
    )


class LayoutTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"time_zone": "America/Toronto"})
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )
        # A long address and name, as real programs have.
        self.long = make_member(
            self.org,
            "marie-christine.vandenberghe-delacroix@universite-du-quebec-a-montreal.example",
            "Marie-Christine",
            "Vandenberghe-Delacroix",
            Role.MENTOR,
        )
        self.org.support_email = "programme.mentorat.administration@mentoringcanada-long.example"
        self.org.save()
        self.relationship = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=self.charlotte
        )
        for person in (self.anna, self.charlotte):
            availability_set(user=person, ranges=EVERY_DAY)
        self.day = timezone.now().date() + datetime.timedelta(days=3)

    def test_phone_and_laptop(self):
        self.in_chromium(self._phone_and_laptop, self.live_server_url)

    def _phone_and_laptop(self, browser: Browser, base: str) -> None:
        for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
            admin = sized_page(browser, base, self.admin.email, viewport)

            # The dashboard: on a phone the menu waits behind its button.
            admin.goto(f"{base}/manage/")
            toggle = admin.locator("[data-menu-toggle]")
            menu = admin.locator("#main-menu")
            if viewport is PHONE:
                expect(toggle).to_have_attribute("aria-expanded", "false")
                expect(menu).to_be_hidden()
                toggle.click()
                expect(toggle).to_have_attribute("aria-expanded", "true")
                expect(menu.locator("[data-nav=members]")).to_be_visible()
                shoot(admin, f"{name}-menu-open")
                admin.keyboard.press("Escape")
                expect(menu).to_be_hidden()
            else:
                expect(toggle).to_be_hidden()
                expect(menu.locator("[data-nav=members]")).to_be_visible()
            # The top bar never covers the brand.
            brand = admin.locator(".sidebar .brand").bounding_box()
            bar = admin.locator(".topbar").bounding_box()
            assert brand and bar
            overlaps = not (
                brand["x"] + brand["width"] <= bar["x"]
                or bar["x"] + bar["width"] <= brand["x"]
                or brand["y"] + brand["height"] <= bar["y"]
                or bar["y"] + bar["height"] <= brand["y"]
            )
            assert not overlaps, (brand, bar)
            shoot(admin, f"{name}-dashboard")
            assert overflow(admin) <= 0

            # Book a meeting from the matched tab.
            admin.goto(f"{base}/manage/relationships/?tab=matched")
            book = admin.locator(
                f'tr[data-relationship="{self.relationship.pk}"] [data-book-meeting]'
            )
            in_view(admin, f'tr[data-relationship="{self.relationship.pk}"] [data-book-meeting]')
            shoot(admin, f"{name}-relationships")
            book.click()
            admin.goto(f"{admin.url.split('?')[0]}?day={self.day.isoformat()}")
            admin.locator("select[name=meeting_type]").select_option("video")
            slot = admin.locator("select[name=start] option").first.get_attribute("value")
            assert slot, "no slot offered"
            admin.locator("select[name=start]").select_option(slot)
            shoot(admin, f"{name}-booking")
            assert overflow(admin) <= 0
            admin.locator("form[data-slots-form] button[type=submit]").click()
            expect(admin.locator(".messages")).to_be_visible()

            # «Actif» beside the name, both in view, with no sideways scrolling (the
            # filters and the selection bar come first: the row is scrolled to).
            admin.goto(f"{base}/manage/members/")
            row = f'tr[data-member="{self.anna.pk}"]'
            admin.locator(f"{row} a.name").scroll_into_view_if_needed()
            in_view(admin, f"{row} a.name")
            in_view(admin, f"{row} [data-active-toggle]")
            assert admin.locator(".table-wrap").evaluate("el => el.scrollLeft") == 0
            shoot(admin, f"{name}-members")
            admin.context.close()

    def test_no_page_is_wider_than_a_320_px_screen(self):
        self.in_chromium(self._narrowest, self.live_server_url)

    def _narrowest(self, browser: Browser, base: str) -> None:
        visitor = sized_page(browser, base, None, NARROWEST)
        visitor.goto(f"{base}/login/")
        shoot(visitor, "320-sign-in")
        assert overflow(visitor) <= 0, "sign-in"
        visitor.context.close()

        admin = sized_page(browser, base, self.admin.email, NARROWEST)
        pages = {
            "dashboard": "/manage/",
            "members": "/manage/members/",
            "relationships": "/manage/relationships/",
            "member": f"/manage/members/{self.long.pk}/",
            "booking": f"/manage/relationships/{self.relationship.pk}/book/",
            "community-compose": "/manage/messages/new/",
            "email-log": "/manage/email-log/",
        }
        for name, path in pages.items():
            admin.goto(f"{base}{path}")
            admin.wait_for_load_state("load")
            shoot(admin, f"320-{name}")
            assert overflow(admin) <= 0, (name, too_wide(admin))
        admin.context.close()

        mentee = sized_page(browser, base, self.charlotte.email, NARROWEST)
        for name, path in {"member-home": "/", "profile": "/profile/"}.items():
            mentee.goto(f"{base}{path}")
            shoot(mentee, f"320-{name}")
            assert overflow(mentee) <= 0, (name, too_wide(mentee))
        mentee.context.close()
