"""Error pages: the 500 page under the Content-Security-Policy, and the CSRF failure page.

500.html stands alone — no static file that could itself be missing — so it carries its
one `<style>`; the policy allows exactly that element, by its hash, on this page only."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "500.html"


def style_hash(template: Path = TEMPLATE) -> str:
    """The CSP source for the template's <style> element: 'sha256-…' of its text."""
    match = re.search(r"<style>(.*?)</style>", template.read_text(), flags=re.S)
    if match is None:
        raise ValueError(f"{template} has no <style> element")
    digest = hashlib.sha256(match.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@csp_update({"style-src": [style_hash()]})
def server_error(request: HttpRequest) -> HttpResponse:
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (an expired session, a page
    left open for days, a second tab that signed out) gets the app's own page, in the
    visitor's language, not Django's unbranded English one. `reason` is for the log only."""
    return render(request, "403_csrf.html", status=403)
