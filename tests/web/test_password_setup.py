"""«Informations de connexion»: an invited person chooses their own password through a
link that works once; no password ever travels by email."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from programs import accounts
from programs.models import User
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invitee(org) -> User:
    user = make_member(org, "new.mentee@example.org", "Noémie", "Nouvelle", "mentee", language="fr")
    user.set_unusable_password()
    user.save()
    return user


def _send_and_read_link(user: User) -> str:
    with transaction.atomic():
        accounts.login_information_send(user=user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [f"{user.full_name} <{user.email}>"]
    body = message.body
    assert isinstance(body, str)
    assert "mot de passe temporaire" not in body
    found = re.search(r"https?://[^/\s]+(/welcome/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_the_invitee_chooses_a_password_once_and_is_signed_in(client, invitee):
    link = _send_and_read_link(invitee)
    assert mail.outbox[0].subject.startswith("Votre compte de mentorat")
    page = client.get(link, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    chosen = "a passphrase of my own 7"
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": chosen, "new_password2": chosen}
    )
    assert done.status_code == 302
    assert client.get("/").wsgi_request.user.pk == invitee.pk
    invitee.refresh_from_db()
    assert invitee.check_password(chosen) and invitee.email_verified_at is not None
    client.logout()
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


def test_a_reset_token_is_not_an_invitation(client, invitee):
    uid = urlsafe_base64_encode(force_bytes(invitee.pk))
    token = default_token_generator.make_token(invitee)
    page = client.get(f"/welcome/{uid}/{token}/", follow=True)
    assert not page.context["validlink"]


@pytest.mark.parametrize(("age", "valid"), [(-60, True), (60, False)])
def test_an_invitation_link_lives_two_weeks(client, invitee, age, valid):
    generator = accounts.invitation_token_generator
    issued = generator._num_seconds(generator._now()) - accounts.INVITATION_MAX_AGE - age
    token = generator._make_token_with_timestamp(invitee, issued, generator.secret)
    uid = urlsafe_base64_encode(force_bytes(invitee.pk))
    page = client.get(f"/welcome/{uid}/{token}/", follow=True)
    assert page.context["validlink"] is valid
