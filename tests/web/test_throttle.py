"""Rate limits on the public sign-up through an invitation link and on «send the link
again» (web/throttle.py): over the limit, HTTP 429 with the same page, nothing created,
no email sent; another IP or address is unaffected; the answer never tells whether an
address has an account."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.core import mail
from django.test import override_settings

from programs import invitations
from programs.models import InvitationLink, User
from web import throttle

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "a long walk by the river 42"


def form(n: int) -> dict[str, str]:
    return {
        "first_name": "Mathilde",
        "last_name": f"Mentor{n}",
        "email": f"mathilde{n}@example.org",
        "password1": STRONG,
        "password2": STRONG,
        "language": "en",
        "time_zone": "America/Toronto",
    }


def link_of(admin) -> InvitationLink:
    return next(link for link in invitations.invitation_links(actor=admin) if link.role == "mentor")


@override_settings(SIGN_UP_RATE=2)
def test_sign_ups_over_the_limit_are_refused_with_429_and_create_nobody(client, admin):
    link = link_of(admin)
    url = f"/join/{link.token}/"
    # Under the limit: as before.
    for n in range(2):
        page = client.post(url, form(n), REMOTE_ADDR="203.0.113.7")
        assert page.status_code == 302 and page["Location"] == "/join/sent/"
    assert len(mail.outbox) == 2
    users, sent = User.objects.count(), len(mail.outbox)

    page = client.post(url, form(2), REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= 3600
    text = page.content.decode()
    assert "Too many attempts. Try again in an hour." in text
    assert 'name="password2"' in text  # the same page, its form
    assert User.objects.count() == users and len(mail.outbox) == sent
    assert not User.objects.filter(email="mathilde2@example.org").exists()

    # Another IP is not affected.
    page = client.post(url, form(3), REMOTE_ADDR="198.51.100.9")
    assert page.status_code == 302
    assert User.objects.filter(email="mathilde3@example.org").exists()


@override_settings(SIGN_UP_RATE=1)
def test_invalid_attempts_count_too_and_the_error_is_french(client, admin):
    link = link_of(admin)
    url = f"/join/{link.token}/"
    bad = {**form(0), "password2": "something else entirely 9"}
    assert client.post(url, bad, REMOTE_ADDR="203.0.113.8").status_code == 200
    before = User.objects.count()
    page = client.post(url, form(1), REMOTE_ADDR="203.0.113.8", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429
    assert "Trop de tentatives. Réessayez dans une heure." in page.content.decode()
    assert User.objects.count() == before and mail.outbox == []
    # A GET of the page is not an attempt and still works.
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200


def recipients() -> list[str]:
    return [parseaddr(to)[1] for message in mail.outbox for to in message.to]


def pending(admin, client, email: str) -> User:
    link = link_of(admin)
    page = client.post(f"/join/{link.token}/", {**form(0), "email": email}, REMOTE_ADDR="10.0.0.1")
    assert page.status_code == 302
    mail.outbox.clear()
    # The sign-up's language cookie (English) would outweigh Accept-Language below.
    client.cookies.pop("django_language", None)
    return User.objects.get(email=email)


@override_settings(VERIFICATION_RESEND_RATE=2)
def test_resends_over_the_limit_per_address_are_refused_and_send_nothing(client, admin):
    pending(admin, client, "waiting@example.org")
    for _ in range(2):
        page = client.post("/join/verify/again/", {"email": "waiting@example.org"})
        assert page.status_code == 302
    assert recipients() == ["waiting@example.org"] * 2

    # Another IP does not help: the limit is the address's.
    page = client.post(
        "/join/verify/again/",
        {"email": " Waiting@Example.org "},
        REMOTE_ADDR="198.51.100.20",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert page.status_code == 429
    text = page.content.decode()
    assert "Trop de tentatives. Réessayez dans une heure." in text
    assert 'name="email"' in text
    assert len(mail.outbox) == 2

    # Another address is unaffected.
    pending(admin, client, "other@example.org")
    page = client.post("/join/verify/again/", {"email": "other@example.org"})
    assert page.status_code == 302
    assert recipients() == ["other@example.org"]


@override_settings(VERIFICATION_RESEND_RATE=2)
def test_the_resend_limit_does_not_tell_whether_an_address_exists(client, admin):
    pending(admin, client, "waiting@example.org")
    answers = {}
    for email in ("waiting@example.org", "nobody@example.org"):
        answers[email] = [
            client.post("/join/verify/again/", {"email": email}).status_code for _ in range(3)
        ]
    assert answers["waiting@example.org"] == answers["nobody@example.org"] == [302, 302, 429]
    # Only the waiting address got anything, and only under the limit.
    assert recipients() == ["waiting@example.org"] * 2


def test_the_counts_are_in_redis_per_fixed_hour(redis_client):
    """Shared by every process (the default cache is per-process LocMem), hashed, and
    forgotten with their window."""
    start = 1_800_000_000 - 1_800_000_000 % 3600  # the start of an hour
    verdicts = [throttle.hit("test", "x@example.org", limit=2, now=start + 10) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[0].retry_after == 3590
    # The next hour starts afresh.
    assert throttle.hit("test", "x@example.org", limit=2, now=start + 3600).allowed
    keys = list(redis_client.scan_iter(match=f"{throttle.key_prefix()}test:*"))
    assert len(keys) == 2 and not any("example" in key for key in keys)
    assert all(0 < redis_client.ttl(key) <= 3660 for key in keys)
