"""Account lockout and unlock (django-axes locks after repeated failed sign-ins)."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import signing
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


def unlock_token_email(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)["email"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def unlock_instructions_send(*, email: str) -> bool:
    """Unlock instructions for a known, locked account: a signed link, emailed in the
    account's language (by notifications, through `events.unlock_requested`). Returns
    whether instructions went out (never shown to the requester)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not is_locked(email=user.email):
        return False
    token = signing.dumps({"email": user.email}, salt=UNLOCK_SALT)
    url = settings.SITE_URL + reverse("web:unlock_confirm", args=[token])
    events.unlock_requested.send(sender=User, user=user, url=url)
    return True


def account_unlock(*, token: str) -> bool:
    """Clear the failed attempts of the account named in a valid unlock token."""
    email = unlock_token_email(token)
    if email is None:
        return False
    axes_reset(username=email)
    return True


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
