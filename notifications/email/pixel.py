"""The open-tracking pixel: a signed token naming one email-log row, and the image tag
the outbox adds to a sent email (never to a preview, which must not count as an open)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.html import format_html

PIXEL_SALT = "tandem.email-open"


def pixel_token(log_id: int) -> str:
    return signing.dumps(log_id, salt=PIXEL_SALT, compress=True)


def pixel_log_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=PIXEL_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def pixel_url(log_id: int) -> str:
    return f"{settings.SITE_URL}/o/{pixel_token(log_id)}.gif"


def with_pixel(page: str, log_id: int) -> str:
    """A rendered page with the row's pixel as the last thing in its body."""
    tag = format_html(
        '<img src="{}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px">',
        pixel_url(log_id),
    )
    head, marker, tail = page.rpartition("</body>")
    return f"{head}{tag}\n{marker}{tail}" if marker else f"{page}{tag}"
