"""What the real-browser tests share: Chromium, signing in, the people of Mentor Canada,
and Channels' live server."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import channel_layers
from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.conf import settings
from django.core.management.base import CommandError
from django.db import OperationalError, connections
from django.utils import timezone
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    sync_playwright,
)

from programs import services as program_services
from programs.models import Organisation, Role, User
from scheduling.models import MeetingSeries
from scheduling.services import availability_set, meeting_book
from tests.conftest import PASSWORD, make_member, make_org

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LIVE_TIMEOUT_MS = 10_000
EVERY_DAY = [(weekday, datetime.time(0, 0), datetime.time(0, 0)) for weekday in range(7)]
SIGN_IN_BUTTON = re.compile(r"^\s*(Connexion|Sign in)\s*$")
ONLINE = re.compile(r"\bonline\b")


def launch_chromium(playwright: Playwright) -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is required for the e2e tests and was not found at {CHROMIUM} "
            "(install Debian's `chromium` package; do not run `playwright install`)."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def sign_in(page: Page, base_url: str, email: str, *, password: str = PASSWORD) -> None:
    """Through the real form, as a person would: email, password, the submit button."""
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_url(lambda url: "/login/" not in url)


# What Chromium said about the Content-Security-Policy in the scenario that runs now (its
# console, and errors such as a refused eval): in_chromium fails the test on any of it.
CSP_VIOLATIONS: list[str] = []
CSP = "Content Security Policy"


def watch_csp(page: Page) -> None:
    """Record every CSP complaint of `page` and of the frames in it."""

    def on_console(message: ConsoleMessage) -> None:
        if CSP in message.text:
            CSP_VIOLATIONS.append(f"{page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        if CSP in str(error):
            CSP_VIOLATIONS.append(f"{page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)


def assert_no_csp_violation() -> None:
    violations, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    if violations:
        pytest.fail("The page broke its Content-Security-Policy:\n" + "\n".join(violations))


def new_page(browser: Browser, *, locale: str) -> Page:
    """A page in a context of its own (its own cookies: one person), speaking `locale`,
    that waits up to LIVE_TIMEOUT_MS; `page.context.close()` ends it. Every page the
    context opens is watched for CSP violations."""
    context = browser.new_context(locale=locale)
    context.set_default_timeout(LIVE_TIMEOUT_MS)
    context.on("page", watch_csp)
    return context.new_page()


def signed_in_page(browser: Browser, base_url: str, email: str, *, locale: str) -> Page:
    page = new_page(browser, locale=locale)
    sign_in(page, base_url, email)
    return page


class FreshDaphneProcess(DaphneProcess):
    """Channels' live server, forked from this process, minus what must not survive a fork.

    asgiref runs every thread-sensitive sync_to_async call made outside a request (the
    consumer's database_sync_to_async, the session lookup of AuthMiddlewareStack) on one
    process-wide single-thread executor. Once an earlier async test has used it, its
    worker thread exists in this process only; the forked copy believes it still has one
    and never starts another, so the server's WebSocket handshake would hang until
    Daphne drops it. Give the child a fresh executor and fresh channel layers."""

    def run(self):
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        channel_layers.backends = {}
        super().run()


class FlushRetried:
    """For a TransactionTestCase whose test ends while another process may still write.

    A live server may still be writing when its test ends: a closed page's socket has its
    person's «Dernière session» recorded PRESENCE_ANNOUNCE_MS later. The teardown's flush
    truncates every table in one statement, and PostgreSQL may pick it as a deadlock's
    victim (rolled back whole); a failed flush would leave this test's rows to break the
    next tests. So it is flushed again once the other write is through."""

    FLUSH_ATTEMPTS = 5

    def _fixture_teardown(self):
        for attempt in range(1, self.FLUSH_ATTEMPTS + 1):
            try:
                return super()._fixture_teardown()  # type: ignore[misc]
            except (CommandError, OperationalError) as error:
                if attempt == self.FLUSH_ATTEMPTS or not _is_deadlock(error):
                    raise
                time.sleep(0.2 * attempt)


class BrowserTestCase(FlushRetried, ChannelsLiveServerTestCase):
    """Channels' live server (Daphne, WebSockets, static files) for Playwright tests."""

    ProtocolServerProcess = FreshDaphneProcess
    # The live server serves /static/ (live.js) itself through ASGIStaticFilesHandler.
    serve_static = True

    org: Organisation
    admin: User
    anna: User
    charlotte: User

    def add_people(
        self, *, admin: dict[str, Any] | None = None, anna: dict[str, Any] | None = None
    ) -> None:
        """Mentor Canada with Michele Mantero, its administrator, and Anna Carter, a mentor;
        `admin` and `anna` are extra fields of each (language, time_zone)."""
        self.org = make_org("mentor-canada", "Mentor Canada", "systems.tests@mentoringcanada.ca")
        self.admin = make_member(
            self.org,
            "michele@mentor.test",
            "Michele",
            "Mantero",
            Role.ADMINISTRATOR,
            **(admin or {}),
        )
        self.anna = make_member(
            self.org, "anna@mentor.test", "Anna", "Carter", Role.MENTOR, **(anna or {})
        )

    def add_charlotte_invited(self) -> MeetingSeries:
        """Charlotte Test (mentee, French) matched with Anna; both free every day; one
        meeting booked three days from now at 15:00, both invitations unanswered."""
        self.charlotte = make_member(
            self.org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
        )
        relationship = program_services.relationship_match(
            actor=self.admin, mentor=self.anna, mentee=self.charlotte
        )
        for person in (self.anna, self.charlotte):
            availability_set(user=person, ranges=EVERY_DAY)
        start = (timezone.now() + datetime.timedelta(days=3)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
        return meeting_book(
            actor=self.admin,
            relationship=relationship,
            duration_minutes=60,
            meeting_type="video",
            start=start,
        )

    def in_chromium(self, scenario: Callable[..., None], *args: Any) -> None:
        """scenario(browser, *args) in a fresh Chromium, closed whatever happens; the test
        fails if any page logged a Content-Security-Policy violation. From then on no ORM
        call in this thread: Playwright's sync API runs an event loop in it."""
        CSP_VIOLATIONS.clear()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                scenario(browser, *args)
            finally:
                browser.close()
        assert_no_csp_violation()

    _saved_test_name: str | None = None

    @classmethod
    def setUpClass(cls):
        # The forked server calls channels' set_database_connection(), which prefixes
        # "test_" to NAME unless DATABASES["default"]["TEST"]["NAME"] is set. pytest-django
        # has already renamed NAME to the test database, so without this the server would
        # look for "test_test_<name>". Point TEST.NAME at the database we are using.
        db = settings.DATABASES["default"]
        cls._saved_test_name = db["TEST"].get("NAME")
        db["TEST"]["NAME"] = connections["default"].settings_dict["NAME"]
        # The server process is forked: it must not inherit (and later close) an open
        # PostgreSQL connection that this process keeps using.
        connections.close_all()
        try:
            super().setUpClass()
        except BaseException:
            db["TEST"]["NAME"] = cls._saved_test_name
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            settings.DATABASES["default"]["TEST"]["NAME"] = cls._saved_test_name


def _is_deadlock(error: BaseException | None) -> bool:
    """Whether `error` or what caused it is PostgreSQL's «deadlock detected» (40P01)."""
    while error is not None:
        if getattr(error, "sqlstate", None) == "40P01":
            return True
        error = error.__cause__
    return False


class WorkerInThisProcessTestCase(BrowserTestCase):
    """A live server that only queues background jobs, this process playing the worker
    (a test runs the job itself, step by step), both sharing a private MEDIA_ROOT (the
    worker writes files the server hands out). Both are set before the live server is
    forked in setUpClass."""

    _media: tempfile.TemporaryDirectory[str]
    _old_media: Path

    @classmethod
    def setUpClass(cls):
        from django_q.conf import Conf

        cls._media = tempfile.TemporaryDirectory()
        cls._old_media = settings.MEDIA_ROOT
        settings.MEDIA_ROOT = Path(cls._media.name)
        Conf.SYNC = False
        try:
            super().setUpClass()
        finally:
            Conf.SYNC = True

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            settings.MEDIA_ROOT = cls._old_media
            cls._media.cleanup()
