"""Account lockout and unlock (django-axes locks after repeated failed sign-ins)."""

from __future__ import annotations

import logging
import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from programs import events
from programs.models import User

logger = logging.getLogger(__name__)

UNLOCK_SALT = "tandem.account-unlock"
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
