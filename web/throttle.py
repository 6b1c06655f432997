"""Rate limits for the public entry points that create accounts or send email to an
address someone types: signing up through an invitation link and «send the link again».

A fixed window of one hour, counted in Redis (the `REDIS_URL` presence and the channel
layer already use), not in Django's cache: `CACHES` is not configured, so the default
cache is LocMem, one per process, and a limit counted there would be multiplied by the
number of Daphne processes. Each hit is one `INCR` of a key named after the window, with
an expiry so old windows disappear by themselves. If Redis does not answer, the request
is let through and a warning logged: a limit must not take sign-up down with it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from presence.clients import redis_client

logger = logging.getLogger(__name__)

WINDOW = 3600  # seconds: the limits are per hour
MESSAGE = _("Too many attempts. Try again in an hour.")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends


def key_prefix() -> str:
    return f"{settings.REDIS_PREFIX}:throttle:"


def hit(scope: str, identity: str, *, limit: int, now: float | None = None) -> Verdict:
    """Count one attempt of `identity` in `scope` for the current window; allowed while
    the count is at most `limit`. The identity is hashed: no address or IP in Redis."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    retry_after = WINDOW - int(now % WINDOW)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"{key_prefix()}{scope}:{window}:{digest}"
    try:
        pipe = redis_client().pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW + 60)
        count, _expiry = pipe.execute()
    except RedisError:
        logger.warning("Rate limit %s not checked: Redis does not answer.", scope)
        return Verdict(allowed=True, retry_after=0)
    return Verdict(allowed=int(count) <= limit, retry_after=retry_after)


def client_ip(request: HttpRequest) -> str:
    # Daphne sets REMOTE_ADDR from X-Forwarded-For behind nginx (--proxy-headers).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def sign_up_hit(request: HttpRequest) -> Verdict:
    """One sign-up attempt (a POST to /join/<token>/) from the client's IP."""
    return hit("sign-up", client_ip(request), limit=settings.SIGN_UP_RATE)


def verification_resend_hit(email: str) -> Verdict:
    """One «send the link again» to `email`, counted whether or not an account waits for
    it, so the limit says nothing about which addresses exist."""
    return hit(
        "verification-resend", email.strip().lower(), limit=settings.VERIFICATION_RESEND_RATE
    )
