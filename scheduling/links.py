"""Addresses the emails and bell lines point to, in one place for the web pages.

The RSVP link carries a signed attendee id (salt "tandem.rsvp"): whoever holds the email
can answer for that one invitation without signing in, and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from scheduling.models import Attendee

RSVP_SALT = "tandem.rsvp"


def rsvp_token(attendee: Attendee) -> str:
    return signing.dumps(attendee.pk, salt=RSVP_SALT, compress=True)


def attendee_from_token(token: str) -> Attendee | None:
    """The attendee a token from `rsvp_token` names, or None for a forged or stale one."""
    try:
        attendee_id = int(signing.loads(token, salt=RSVP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return (
        Attendee.objects.select_related("meeting__series", "meeting__organisation", "user")
        .filter(pk=attendee_id, user__is_active=True)
        .first()
    )


def rsvp_path(attendee: Attendee) -> str:
    return f"/meetings/rsvp/{rsvp_token(attendee)}/"


def rsvp_url(attendee: Attendee) -> str:
    return f"{settings.SITE_URL}{rsvp_path(attendee)}"


def feedback_url(attendee: Attendee) -> str:
    return f"{settings.SITE_URL}/meetings/feedback/{rsvp_token(attendee)}/"


def meeting_path(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/"


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL}/meetings/feed/{token}.ics"
