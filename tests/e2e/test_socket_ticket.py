"""live.js and the socket ticket, in a real browser: the page keeps the ticket its socket
was handed, the next page of the tab and a reconnection send it (`?ticket=`), and the
server opens those sockets from it — no new ticket, which it hands out after every read
of the person from the database (realtime/sockets/tickets.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import orjson
import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, WebSocket, expect

from presence.clients import redis_client
from realtime.groups import user_group
from realtime.publish import close_sockets
from realtime.sockets import tickets
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in

pytestmark = [pytest.mark.e2e]

# What a server restart closes sockets with (RFC 6455 «Service Restart»): the page retries.
SERVICE_RESTART = 1012


class Socket:
    """One WebSocket the page opened: its address and the events it received."""

    def __init__(self, ws: WebSocket) -> None:
        self.url = ws.url
        self.events: list[str] = []
        ws.on("framereceived", self.received)

    def received(self, payload: str | bytes) -> None:
        self.events.append(orjson.loads(payload)["event"])

    @property
    def ticket(self) -> str | None:
        found = parse_qs(urlparse(self.url).query).get("ticket")
        return found[0] if found else None


def wait_until(page: Page, done: Callable[[], object]) -> None:
    """Poll (the page's CSP refuses Playwright's wait_for_function, an eval)."""
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while not done():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


class SocketTicketTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people()
        # The people were saved a moment ago: as if long ago (a ticket read within a second
        # of a change to its person is refused).
        redis_client().delete(*(tickets.user_mark_key(p.pk) for p in (self.admin, self.anna)))

    def test_the_next_page_and_a_reconnection_open_with_the_ticket(self):
        self.in_chromium(self._scenario, self.live_server_url, self.admin.email, self.admin.pk)

    def _scenario(self, browser: Browser, base: str, email: str, admin_id: int) -> None:
        page = new_page(browser, locale="en-CA")
        sockets: list[Socket] = []
        page.on("websocket", lambda ws: sockets.append(Socket(ws)))
        sign_in(page, base, email)
        # The first page after signing in: its socket is read from the database and
        # hands the tab a ticket.
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        wait_until(page, lambda: page.evaluate("sessionStorage.getItem('tandem.socketTicket')"))
        first = sockets[-1]
        assert first.ticket is None
        assert first.events[-1] == "socket.ticket", first.events
        held = page.evaluate("sessionStorage.getItem('tandem.socketTicket')")

        # The next page of the tab opens its socket with that ticket: no new one.
        page.goto(f"{base}/manage/")
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        second = sockets[-1]
        assert second is not first and second.ticket == held
        wait_until(page, lambda: "bell.changed" in second.events)
        page.wait_for_timeout(500)  # a new ticket would follow the bell at once
        # (Presence changes may come too: the previous page's socket went offline.)
        assert [e for e in second.events if e != "presence.changed"] == [
            "presence.snapshot",
            "counts.changed",
            "bell.changed",
        ]

        # The server closes the socket as a restart would: the page reconnects, with the
        # ticket, and is served without the database again.
        page.evaluate("window.notReloaded = true")
        with ThreadPoolExecutor(max_workers=1) as pool:  # no ORM on Playwright's thread
            pool.submit(self._close, admin_id).result()
        expect(page.locator("html")).to_have_attribute("data-live", "closed")
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        third = sockets[-1]
        assert third is not second and third.ticket == held
        wait_until(page, lambda: "bell.changed" in third.events)
        page.wait_for_timeout(500)
        assert "socket.ticket" not in third.events, third.events
        assert page.evaluate("window.notReloaded") is True
        page.context.close()

    def _close(self, admin_id: int) -> None:
        try:
            close_sockets(user_group(admin_id), SERVICE_RESTART)
        finally:
            connections.close_all()
