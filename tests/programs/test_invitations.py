"""«Lien d'invitation»: the links, signing up through them, and verifying the address."""

from __future__ import annotations

import datetime
import email
import re
from email import policy

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from programs import invitations
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, InvitationLink, Role, User
from realtime.groups import org_admins_group
from realtime.testing import capture_events

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "a long walk by the river 42"


def sign_up(token: str, address: str = "new.mentor@example.org", **extra) -> User:
    fields = {
        "email": address,
        "first_name": "Nadia",
        "last_name": "Nouveau",
        "password": STRONG,
        "language": "en",
        "time_zone": "America/Toronto",
        **extra,
    }
    return invitations.member_sign_up(token=token, **fields)


def links(admin) -> dict[str, InvitationLink]:
    return {link.role: link for link in invitations.invitation_links(actor=admin)}


def read(message) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def body_of(message) -> str:
    part = read(message).get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link_in(message, path: str) -> str:
    found = re.search(rf"https?://[^/\s]+({path}\S+/)", body_of(message))
    assert found is not None, body_of(message)
    return found.group(1)


def test_one_link_per_role_created_once_with_unguessable_tokens(admin):
    first = links(admin)
    assert set(first) == {Role.MENTOR, Role.MENTEE}
    assert first["mentor"].token != first["mentee"].token
    assert len(first["mentor"].token) >= 40 and all(link.is_active for link in first.values())
    again = links(admin)
    assert {r: link.pk for r, link in again.items()} == {r: link.pk for r, link in first.items()}
    assert InvitationLink.objects.count() == 2


def test_only_this_programs_administrators_see_or_change_links(admin, mentor, outsider):
    with pytest.raises(DomainError) as refused:
        invitations.invitation_links(actor=mentor)
    assert refused.value.code == "forbidden"
    ours = links(admin)["mentor"]
    # The outsider's calls act on their own organisation's links, never ours.
    invitations.invitation_link_set_active(actor=outsider, role="mentor", active=False)
    ours.refresh_from_db()
    assert ours.is_active
    with pytest.raises(DomainError):
        invitations.invitation_link_regenerate(actor=mentor, role="mentor")
    assert InvitationLink.objects.get(pk=ours.pk).token == ours.token


def test_a_signed_up_member_lands_in_the_links_organisation_with_its_role(admin, org):
    mentee_link = links(admin)["mentee"]
    mail.outbox.clear()
    with capture_events() as sent:
        user = sign_up(mentee_link.token)
    user.refresh_from_db()
    assert user.organisation_id == org.pk and user.role == Role.MENTEE
    assert user.email_verified_at is None and user.email_verification_required
    assert user.check_password(STRONG) and user.is_active
    # The administrators' lists are told; nobody else.
    added = [s for s in sent if s.event == "members.added"]
    assert added == [(org_admins_group(org.pk), "members.added", {"ids": [user.pk]})]
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_SIGN_UP)
    assert entry.organisation_id == org.pk and entry.actor_id is None
    assert entry.target_id == user.pk and entry.details == {"role": "mentee"}
    # The verification email, and nothing else (no «Bienvenue» yet).
    assert len(mail.outbox) == 1
    assert read(mail.outbox[0])["Subject"] == "Confirm your email address for Mentor Canada"
    assert "/join/verify/" in body_of(mail.outbox[0])


@pytest.mark.parametrize("change", ["off", "regenerate"])
def test_a_switched_off_or_regenerated_link_refuses_sign_ups(admin, change):
    old = links(admin)["mentor"]
    if change == "off":
        invitations.invitation_link_set_active(actor=admin, role="mentor", active=False)
    else:
        new = invitations.invitation_link_regenerate(actor=admin, role="mentor")
        assert new.token != old.token
    before = User.objects.count()
    with pytest.raises(DomainError) as refused:
        sign_up(old.token)
    assert refused.value.code == "not_found"
    assert User.objects.count() == before
    assert invitations.invitation_link_open(token=old.token) is None
    entry = AuditEntry.objects.get(action=AuditAction.INVITATION_LINK)
    assert entry.actor_id == admin.pk
    expected = {"role": "mentor", "active": False} if change == "off" else {"role": "mentor"}
    assert expected.items() <= entry.details.items()
    if change == "off":
        # Switched on again, the same address works again.
        invitations.invitation_link_set_active(actor=admin, role="mentor", active=True)
        assert sign_up(old.token).role == Role.MENTOR


def test_an_address_with_an_account_anywhere_is_refused_without_saying_where(
    admin, outsider_mentor
):
    token = links(admin)["mentor"].token
    before = User.objects.count()
    with pytest.raises(DomainError) as refused:
        sign_up(token, address=outsider_mentor.email.upper())
    assert refused.value.code == "exists"
    message = str(refused.value.message)
    assert "sign in or reset your password" in message
    assert "Elsewhere" not in message and outsider_mentor.email not in message
    assert User.objects.count() == before


def test_a_weak_password_or_unknown_zone_creates_nothing(admin):
    token = links(admin)["mentor"].token
    before = User.objects.count()
    with pytest.raises(DomainError):
        sign_up(token, password="12345678")
    with pytest.raises(DomainError):
        sign_up(token, time_zone="Mars/Olympus")
    assert User.objects.count() == before and not AuditEntry.objects.exists()


def test_verification_marks_the_address_and_sends_welcome_once(admin):
    user = sign_up(links(admin)["mentor"].token)
    path = link_in(mail.outbox[-1], "/join/verify/")
    token = path.rstrip("/").rsplit("/", 1)[1]
    mail.outbox.clear()
    verified = invitations.email_verification_confirm(token=token)
    assert verified is not None and verified.pk == user.pk
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert len(mail.outbox) == 1
    assert read(mail.outbox[0])["Subject"] == "Welcome to Mentor Canada"
    assert "/profile/" in body_of(mail.outbox[0])
    # Used twice: refused, nothing sent again.
    assert invitations.email_verification_confirm(token=token) is None
    assert len(mail.outbox) == 1


def test_forged_or_expired_verification_links_are_refused(admin):
    user = sign_up(links(admin)["mentor"].token)
    forged = signing.dumps({"id": user.pk, "email": user.email}, salt="another.salt")
    assert invitations.email_verification_confirm(token=forged) is None
    assert invitations.email_verification_confirm(token="nonsense") is None
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3, minutes=5)):
        old = invitations.verification_url(user).rstrip("/").rsplit("/", 1)[1]
    assert invitations.email_verification_confirm(token=old) is None
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_the_link_is_sent_again_only_to_an_account_waiting_for_it(admin, mentor):
    user = sign_up(links(admin)["mentor"].token)
    mail.outbox.clear()
    assert invitations.email_verification_resend(email=user.email.upper())
    assert not invitations.email_verification_resend(email=mentor.email)
    assert not invitations.email_verification_resend(email="nobody@example.org")
    assert len(mail.outbox) == 1 and mail.outbox[0].to[0].endswith(f"<{user.email}>")
