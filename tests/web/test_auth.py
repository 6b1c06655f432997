from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

# Emails leave after commit (the pipeline queues them on_commit): real transactions here.
pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/login/"


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def test_admin_signs_in_by_email_and_lands_on_the_dashboard(client, admin):
    response = sign_in(client, "Michele@Mentor.test", remember="on")
    assert response.status_code == 302
    assert client.get("/").url == reverse("web:manage")
    # «Rester connecté» keeps the session beyond the browser.
    assert client.session.get_expire_at_browser_close() is False


def test_without_stay_signed_in_the_session_ends_with_the_browser(client, mentor):
    assert sign_in(client, mentor.email).status_code == 302
    assert client.session.get_expire_at_browser_close() is True
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_clear_message(client, mentor):
    response = sign_in(client, mentor.email, "nope")
    assert response.status_code == 200
    assert "The email or password is incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_member_sees_who_to_email(client, mentor):
    mentor.is_active = False
    mentor.save()
    response = sign_in(client, mentor.email)
    text = response.content.decode()
    assert (
        "Your account has been deactivated. Please email systems.tests@mentoringcanada.ca "
        "to reactivate your account." in text
    )
    assert "_auth_user_id" not in client.session


def test_deactivated_message_in_french(client, mentor):
    mentor.is_active = False
    mentor.save()
    client.cookies["django_language"] = "fr"
    text = sign_in(client, mentor.email).content.decode()
    assert "Votre compte a été désactivé. Veuillez envoyer un courriel à" in text


def test_deactivation_is_not_revealed_without_the_password(client, mentor):
    mentor.is_active = False
    mentor.save()
    text = sign_in(client, mentor.email, "wrong").content.decode()
    assert "deactivated" not in text
    assert "The email or password is incorrect." in text


def test_repeated_failures_lock_the_account_and_email_unlock_instructions(client, mentor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentor.email, "wrong")
    # Even the right password is refused now.
    response = sign_in(client, mentor.email)
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [f"Anna Carter <{mentor.email}>"]
    assert isinstance(message.body, str)
    found = re.search(r"https?://\S+/unlock/\S+/", message.body)
    assert found is not None, message.body
    link = found.group(0)
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert not AccessAttempt.objects.filter(username=mentor.email).exists()
    assert sign_in(client, mentor.email).status_code == 302


def test_unlock_instructions_are_sent_in_the_members_language(client, mentee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentee.email, "wrong")
    assert mail.outbox[0].subject == "Instructions de déverrouillage"


def test_resending_unlock_instructions_reveals_nothing(client, mentor, settings):
    response = client.post("/unlock/", {"email": "nobody@nowhere.test"}, follow=True)
    assert "If that account is locked" in response.content.decode()
    assert mail.outbox == []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentor.email, "wrong")
    mail.outbox.clear()
    client.post("/unlock/", {"email": mentor.email})
    assert len(mail.outbox) == 1


def test_forged_unlock_token_is_refused_and_changes_nothing(client, mentor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentor.email, "wrong")
    assert client.post("/unlock/forged-token/").status_code == 400
    assert client.get("/unlock/forged-token/").status_code == 400
    assert AccessAttempt.objects.filter(username=mentor.email).exists()


def test_password_reset_by_email(client, mentee):
    response = client.post("/password-reset/", {"email": mentee.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    # Charlotte reads French: the email is in French whoever asked.
    assert mail.outbox[0].subject == "Réinitialisez votre mot de passe"
    body = mail.outbox[0].body
    assert isinstance(body, str)
    found = re.search(r"http://testserver(/password-reset/\S+/)", body)
    assert found is not None, body
    link = found.group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "a brand new passphrase 42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert sign_in(client, mentee.email, new).status_code == 302


def test_password_reset_for_unknown_email_sends_nothing(client, db):
    response = client.post("/password-reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_sign_out_needs_post(client, mentor):
    client.force_login(mentor)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def _lock_and_link(client, user, settings) -> str:
    """Lock the account by failed sign-ins; the path of the unlock link emailed last."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user.email, "wrong")
    found = re.search(r"https?://\S+/unlock/\S+/", str(mail.outbox[-1].body))
    assert found is not None
    return "/" + found.group(0).split("/", 3)[3]


def _locked(user) -> bool:
    return AccessAttempt.objects.filter(username=user.email).exists()


def test_an_unlock_link_works_once(client, mentor, settings):
    link = _lock_and_link(client, mentor, settings)
    assert client.post(link).status_code == 302
    assert not _locked(mentor)
    assert client.get(link).status_code == 400  # used: it works once
    assert client.post(link).status_code == 400
    # Locked again later: the old link must not lift the new lockout.
    mail.outbox.clear()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentor.email, "wrong")
    assert _locked(mentor)
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert _locked(mentor)
    # The new lockout's own link does.
    new_link = re.search(r"https?://\S+/unlock/\S+/", str(mail.outbox[-1].body))
    assert new_link is not None and new_link.group(0).split("/", 3)[3] != link[1:]
    assert client.post("/" + new_link.group(0).split("/", 3)[3]).status_code == 302
    assert not _locked(mentor)


def test_a_newer_unlock_link_retires_the_older_one(client, mentor, settings):
    first = _lock_and_link(client, mentor, settings)
    client.post("/unlock/", {"email": mentor.email})
    second = re.search(r"https?://\S+/unlock/\S+/", str(mail.outbox[-1].body))
    assert second is not None
    assert client.post(first).status_code == 400
    assert _locked(mentor)
    assert client.post("/" + second.group(0).split("/", 3)[3]).status_code == 302
    assert not _locked(mentor)


def test_a_successful_sign_in_retires_unlock_links(client, mentor, settings):
    link = _lock_and_link(client, mentor, settings)
    # The lock lifts by itself (an administrator, or the cool-off): the member signs in.
    AccessAttempt.objects.filter(username=mentor.email).delete()
    assert sign_in(client, mentor.email).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, mentor.email, "wrong")
    assert client.post(link).status_code == 400
    assert _locked(mentor)
