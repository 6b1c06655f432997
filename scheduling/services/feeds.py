"""The secret address of a member's calendar subscription."""

from __future__ import annotations

from django.db import transaction

from programs.models import User
from scheduling.models import CalendarFeed, new_feed_token


@transaction.atomic
def calendar_feed_token(*, user: User) -> str:
    """The member's feed token, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed.token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> str:
    """Give the member a new feed token: the old address stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed.token
