"""Accounts: the first password of an invited person, and lockout and unlock
(django-axes locks after repeated failed sign-ins)."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from typing import cast

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from programs import events
from programs.compiled import CompiledObjects
from programs.models import User

logger = logging.getLogger(__name__)

UNLOCK_SALT = "tandem.account-unlock"
# The backend every sign-in names (settings.AUTHENTICATION_BACKENDS, after django-axes').
MEMBER_BACKEND = "programs.accounts.MemberBackend"


class MemberBackend(ModelBackend):
    """Django's ModelBackend (the same passwords, permissions and active check), reading
    the signed-in person's organisation in the same query as the person: every page
    shows its name, and most read its settings — one query fewer on each.

    Sessions opened before it name Django's ModelBackend; programs migration 0020 moved
    them to this one (the session the same: a backend's path is all it changes).

    Every request and every socket's handshake asks, so on PostgreSQL the query is
    compiled once (`programs.compiled.CompiledObjects`): building it cost more Python than
    PostgreSQL spends answering it."""

    def get_user(self, user_id: int) -> User | None:
        found = _signed_in.objects(pk=User._meta.pk.get_prep_value(user_id))
        if not found:
            return None
        user = cast(User, found[0])
        return user if self.user_can_authenticate(user) else None


def _person_with_organisation(pk: int) -> QuerySet[User, User]:
    return User._default_manager.select_related("organisation").filter(pk=pk)


_signed_in = CompiledObjects(_person_with_organisation, pk=-1)


# An invitation's set-password link stays valid this long (a reset link: 3 days).
INVITATION_MAX_AGE = 14 * 24 * 3600


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Set-password links for people invited by an administrator or an import. Like a
    reset token it dies once used (it hashes the password and last sign-in), but it is
    salted apart — a reset link is never an invitation — and lives two weeks."""

    key_salt = "tandem.accounts.InvitationTokenGenerator"

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        """Django's check, with this link's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(
                self._make_token_with_timestamp(cast(User, user), timestamp, secret), token
            )
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= INVITATION_MAX_AGE


invitation_token_generator = InvitationTokenGenerator()


def password_setup_url(user: User) -> str:
    """The link in «Informations de connexion»: the invitee chooses their own password
    there (a password is never sent by email)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return settings.SITE_URL + reverse("web:password_setup", args=[uid, token])


def email_verified(*, user: User) -> None:
    """The person followed a link sent to their address: it is theirs."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def login_information_send(*, user: User) -> None:
    """Send «Informations de connexion» (in the member's language, in the organisation's
    wording) with a fresh set-password link, through `events.member_invited`; call it
    inside the transaction that created or re-invited the member."""
    events.member_invited.send(sender=User, user=user, url=password_setup_url(user))


def login_information_send_many(*, users: list[User]) -> None:
    """`login_information_send` for each of `users` (members of one organisation), announced
    once (`events.members_invited`) so the emails are queued together: what an import's
    batch calls, inside its transaction."""
    if users:
        urls = [password_setup_url(user) for user in users]
        events.members_invited.send(sender=User, users=users, urls=urls)


UNLOCK_MAX_AGE = 2 * 24 * 3600


def is_locked(*, email: str) -> bool:
    failures = AccessAttempt.objects.filter(username__iexact=email).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return bool(failures) and failures >= settings.AXES_FAILURE_LIMIT


def _unlock_token_user(token: str) -> User | None:
    """The account a link still unlocks: signed, not expired, and its nonce the one the
    account holds — each link works once, and a newer link or a sign-in retires it."""
    try:
        claims = signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)
        email, nonce = claims["email"], claims["nonce"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if not isinstance(email, str) or not isinstance(nonce, str) or not nonce:
        return None
    return User.objects.filter(email__iexact=email, unlock_nonce=nonce).first()


def unlock_token_email(token: str) -> str | None:
    user = _unlock_token_user(token)
    return user.email if user else None


def unlock_instructions_send(*, email: str) -> bool:
    """Unlock instructions for a known, locked account: a signed link, emailed in the
    account's language (by notifications, through `events.unlock_requested`). Returns
    whether instructions went out (never shown to the requester)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not is_locked(email=user.email):
        return False
    # A new nonce: this link is the only one that works from now on.
    user.unlock_nonce = secrets.token_hex(16)
    user.save(update_fields=["unlock_nonce"])
    token = signing.dumps({"email": user.email, "nonce": user.unlock_nonce}, salt=UNLOCK_SALT)
    url = settings.SITE_URL + reverse("web:unlock_confirm", args=[token])
    events.unlock_requested.send(sender=User, user=user, url=url)
    return True


@transaction.atomic
def account_unlock(*, token: str) -> bool:
    """Clear the failed attempts of the account named in a valid unlock link, and retire
    the link: it works once."""
    user = _unlock_token_user(token)
    if user is None:
        return False
    retired = User.objects.filter(pk=user.pk, unlock_nonce=user.unlock_nonce).update(
        unlock_nonce=""
    )
    if not retired:
        return False  # the same link used twice at once: the other use won
    axes_reset(username=user.email)
    return True


def sign_in_record(*, user: User, ip_address: str | None) -> None:
    """Keep the address of `user`'s latest successful sign-in (the members report's «IP de
    la dernière connexion»); an address that is not one is not kept."""
    try:
        address = ipaddress.ip_address((ip_address or "").strip())
    except ValueError:
        return
    User.objects.filter(pk=user.pk).update(last_login_ip=str(address))


def unlock_links_retire(
    sender: object, request: object = None, user: User | None = None, **kwargs: object
) -> None:
    """`user_logged_in`: whoever signs in successfully needs no unlock link any more."""
    if user is not None and user.unlock_nonce:
        User.objects.filter(pk=user.pk).update(unlock_nonce="")


def on_user_locked_out(
    sender, request=None, username: str | None = None, ip_address: str | None = None, **kwargs
) -> None:
    # django-axes announces a lockout only by signal, and again on every attempt made
    # while locked: email only when the lock is new, not once per further attempt.
    if not username:
        return
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    if attempt is None or attempt.failures_since_start == settings.AXES_FAILURE_LIMIT:
        unlock_instructions_send(email=username)


def axes_username(request, credentials: dict | None) -> str:
    """Lock on the normalised email, so 'Anna@X' and 'anna@x' share one counter."""
    source = credentials if credentials else request.POST
    return (source.get("username") or "").strip().lower()
