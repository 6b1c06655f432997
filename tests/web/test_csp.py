"""The Content-Security-Policy: on every kind of page, strict — scripts and styles from our
own origin, nothing inline — with the page's WebSocket origin; email previews' frames get
their own narrow policy; the standalone 500 page allows its one <style> by hash."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import include, path

from programs.models import User
from web.views.errors import style_hash

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(response: HttpResponseBase) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


def assert_strict(response: HttpResponseBase, *, socket: str = "ws://testserver") -> None:
    policy = directives(response)
    assert {name: policy.get(name) for name in STRICT} == STRICT
    assert policy["connect-src"] == f"'self' {socket}"
    assert "unsafe" not in response["Content-Security-Policy"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


# This module is also the URLconf of the 500 test: the app's pages plus one that fails.
urlpatterns = [path("boom/", boom), path("", include("server.urls"))]
handler500 = "web.views.errors.server_error"


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "support@tandem.test", "pw", first_name="Sam", last_name="Support", is_staff=True
    )


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("admin", "/manage/", 200),
        ("admin", "/manage/members/", 200),
        ("admin", "/manage/messages/new/", 200),
        ("admin", "/manage/email-log/", 200),
        ("mentor", "/", 200),
        ("mentor", "/meetings/", 200),
        ("staff", "/staff/release-notes/", 200),
        ("mentor", "/manage/", 404),  # the branded 404
        ("outsider", "/no/such/page/", 404),
        (None, "/login/", 200),
        (None, "/password-reset/", 200),
        (None, "/unlock/", 200),
        (None, "/no/such/page/", 404),
    ],
)
def test_every_kind_of_page_has_the_strict_policy(client, request, persona, url, status):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == status
    assert_strict(response)


def test_the_websocket_origin_follows_the_request(client, mentor):
    client.force_login(mentor)
    secure = client.get("/", secure=True, headers={"host": "localhost"})
    assert_strict(secure, socket="wss://localhost")


def test_forbidden_and_bad_request_pages_have_it(mentor):
    # A POST without its CSRF token: 403.
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    response = client.post("/profile/", {})
    assert response.status_code == 403
    assert_strict(response)
    # A host that is not allowed: 400, and no socket origin from that host.
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    policy = directives(response)
    assert policy["style-src"] == "'self'" and policy["connect-src"] == "'self'"


@pytest.mark.urls(__name__)
def test_the_500_page_allows_only_its_own_style(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    policy = directives(response)
    text = response.content.decode()
    style = re.search(r"<style>(.*?)</style>", text, flags=re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert policy["style-src"] == f"'self' 'sha256-{digest}'" == f"'self' {style_hash()}"
    assert policy["script-src"] == "'self'"


def test_no_template_has_inline_script_handler_or_style():
    """What the browser would refuse, caught before a browser sees it."""
    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    for template in templates.rglob("*.html"):
        if template.parent.name == "emails" or template.name == "500.html":
            continue  # emails are shown in their own frame; 500.html: by hash (above)
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"<style\b|\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=\"", text), template
        assert "javascript:" not in text, template
