"""The pages of «Lien d'invitation»: the dashboard tile, signing up in the visitor's
language, the verification link, and signing in before verifying."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.core import mail

from programs import invitations
from programs.audit import AuditAction
from programs.models import AuditEntry, InvitationLink, Role, User

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "a long walk by the river 42"
FORM = {
    "first_name": "Mathilde",
    "last_name": "Mentor",
    "email": "mathilde@example.org",
    "password1": STRONG,
    "password2": STRONG,
    "language": "fr",
    "time_zone": "America/Vancouver",
}


def link_of(admin, role: str = "mentor") -> InvitationLink:
    return next(link for link in invitations.invitation_links(actor=admin) if link.role == role)


def parsed(message) -> email.message.EmailMessage:
    result = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert isinstance(result, email.message.EmailMessage)
    return result


def plain(message) -> str:
    part = parsed(message).get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def test_the_sign_up_page_speaks_the_visitors_language(client, admin):
    link = link_of(admin)
    page = client.get(f"/join/{link.token}/", HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="fr">' in text and "Mentor Canada" in text
    assert "Créer mon compte" in text and "language-switch" in text
    # The role is the link's: the form has no role field.
    assert 'name="role"' not in text
    assert 'name="time_zone"' in text and 'name="password2"' in text


@pytest.mark.parametrize("state", ["unknown", "off", "regenerated"])
def test_a_link_that_no_longer_works_is_a_branded_404_and_creates_nobody(client, admin, state):
    link = link_of(admin)
    token = "not-a-real-token" if state == "unknown" else link.token
    if state == "off":
        invitations.invitation_link_set_active(actor=admin, role="mentor", active=False)
    elif state == "regenerated":
        invitations.invitation_link_regenerate(actor=admin, role="mentor")
    before = User.objects.count()
    page = client.get(f"/join/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "This invitation link no longer works" in page.content.decode()
    posted = client.post(f"/join/{token}/", FORM)
    assert posted.status_code == 404
    assert User.objects.count() == before


def test_an_existing_address_gets_a_neutral_error(client, admin, outsider_mentor):
    link = link_of(admin)
    before = User.objects.count()
    page = client.post(
        f"/join/{link.token}/", {**FORM, "email": outsider_mentor.email, "language": "en"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "An account already exists for this address: sign in or reset your password." in text
    assert "Elsewhere" not in text
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "bad",
    [
        {"password2": "something else entirely 9"},
        {"password1": "password", "password2": "password"},
        {"email": "not an address"},
        {"time_zone": "Mars/Olympus"},
        {"first_name": ""},
    ],
)
def test_bad_sign_up_input_is_shown_and_creates_nobody(client, admin, bad):
    link = link_of(admin)
    before = User.objects.count()
    page = client.post(f"/join/{link.token}/", {**FORM, **bad})
    assert page.status_code == 200 and page.context["form"].errors
    assert User.objects.count() == before
    assert mail.outbox == []


def test_a_french_sign_up_verifies_welcomes_in_french_and_signs_in(client, admin, org):
    link = link_of(admin)
    page = client.post(f"/join/{link.token}/", FORM, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 302 and page["Location"] == "/join/sent/"
    user = User.objects.get(email="mathilde@example.org")
    assert (user.organisation_id, user.role, user.language) == (org.pk, Role.MENTOR, "fr")
    assert user.time_zone == "America/Vancouver" and user.email_verified_at is None
    # Not signed in: the home page sends them to sign in.
    assert "_auth_user_id" not in client.session
    inbox = client.get("/join/sent/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Consultez votre boîte de réception" in inbox

    (verification,) = mail.outbox
    message = parsed(verification)
    assert message["Subject"] == "Confirmez votre adresse courriel pour Mentor Canada"
    found = re.search(r"https?://[^/\s]+(/join/verify/\S+/)", plain(verification))
    assert found is not None
    mail.outbox.clear()

    landed = client.get(found.group(1), follow=True)
    assert landed.redirect_chain[-1][0] == "/"
    assert landed.wsgi_request.user.pk == user.pk
    assert "Votre adresse courriel est confirmée" in landed.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None

    (welcome,) = mail.outbox
    message = parsed(welcome)
    assert message["Subject"] == "Bienvenue à Mentor Canada"
    assert "Bienvenue dans le programme de mentorat de Mentor Canada" in plain(welcome)
    assert "/profile/" in plain(welcome)

    # The same link again: refused, nobody else signed in.
    client.logout()
    again = client.get(found.group(1))
    assert again.status_code == 400 and "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


def test_signing_in_before_verifying_is_refused_with_a_way_to_resend(client, admin):
    link = link_of(admin)
    client.post(f"/join/{link.token}/", {**FORM, "language": "en"})
    mail.outbox.clear()
    page = client.post(
        "/login/", {"username": FORM["email"], "password": STRONG}, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert "Please confirm your email address first" in text
    assert 'action="/join/verify/again/"' in text
    resent = client.post("/join/verify/again/", {"email": FORM["email"]})
    assert resent.status_code == 302
    assert len(mail.outbox) == 1 and "/join/verify/" in plain(mail.outbox[0])
    # An unknown address gets the same answer and no email.
    same = client.post("/join/verify/again/", {"email": "nobody@example.org"})
    assert same.status_code == 302 and len(mail.outbox) == 1


def test_a_forged_verification_link_is_refused(client):
    page = client.get("/join/verify/forged-token/")
    assert page.status_code == 400 and "_auth_user_id" not in client.session


def test_the_dashboard_tile_shows_both_links_with_copy_and_switches(admin_client, admin):
    text = admin_client.get("/manage/").content.decode()
    assert 'data-tile="invitation-link"' in text
    for role in ("mentor", "mentee"):
        link = link_of(admin, role)
        assert f"/join/{link.token}/" in text
        assert f'data-copy-link="invitation-{role}"' in text
    assert "readonly" in text and "tandem/invitation_link.js" in text
    assert text.count('value="regenerate"') == 2 and text.count('value="off"') == 2


def test_the_tile_buttons_switch_off_on_and_regenerate(admin_client, admin):
    old = link_of(admin).token
    admin_client.post("/manage/invitation-links/mentor/", {"change": "off"})
    assert not link_of(admin).is_active
    assert 'value="on"' in admin_client.get("/manage/").content.decode()
    admin_client.post("/manage/invitation-links/mentor/", {"change": "on"})
    assert link_of(admin).is_active
    admin_client.post("/manage/invitation-links/mentor/", {"change": "regenerate"})
    assert link_of(admin).token != old
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION_LINK).count() == 3
    bad = admin_client.post("/manage/invitation-links/boss/", {"change": "off"})
    assert bad.status_code == 302 and AuditEntry.objects.count() == 3


def test_mentors_and_outsiders_cannot_touch_our_links(client, admin, mentor, outsider):
    ours = link_of(admin)
    client.force_login(mentor)
    assert client.post("/manage/invitation-links/mentor/", {"change": "off"}).status_code == 404
    client.force_login(outsider)
    client.post("/manage/invitation-links/mentor/", {"change": "regenerate"})
    ours.refresh_from_db()
    assert ours.is_active and InvitationLink.objects.get(pk=ours.pk).token == ours.token
    # The outsider's dashboard shows their own links, never ours.
    assert ours.token not in client.get("/manage/").content.decode()


def test_a_password_reset_link_also_proves_the_address(client, admin):
    link = link_of(admin)
    client.post(f"/join/{link.token}/", {**FORM, "language": "en"})
    mail.outbox.clear()
    client.post("/password-reset/", {"email": FORM["email"]})
    found = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", plain(mail.outbox[0]))
    assert found is not None
    form_page = client.get(found.group(1), follow=True)
    new = "another fine passphrase 77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    signed_in = client.post("/login/", {"username": FORM["email"], "password": new})
    assert signed_in.status_code == 302
    assert User.objects.get(email=FORM["email"]).email_verified_at is not None
