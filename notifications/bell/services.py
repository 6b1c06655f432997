"""The bell's writes: a line in someone's notifications, read, deleted. Every change
pushes the person's new unread count to their open pages after commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.bell import events
from notifications.models import Notification
from programs.models import Language, User

Values = Mapping[str, str] | Callable[[str], Mapping[str, str]]


def bilingual_titles(title: str, values: Values) -> tuple[str, str]:
    """A notification's title in English and in French: `title` is an English msgid
    (marked with gettext_noop) with named placeholders; `values` gives them, or is a
    function of the language for values written in it (dates, say)."""
    titles = []
    for language in (Language.ENGLISH, Language.FRENCH):
        with translation.override(language):
            filled = values(language) if callable(values) else values
            titles.append(gettext(title) % filled)
    return titles[0], titles[1]


def notification_send(*, user: User, title_en: str, title_fr: str, url: str = "") -> Notification:
    """Put a line in someone's bell; their open pages see the new count at once."""
    notification = Notification.objects.create(
        user=user, title_en=title_en, title_fr=title_fr or title_en, url=url
    )
    events.bell_changed_on_commit(user.pk)
    return notification


def notification_send_translated(
    *, user: User, title: str, values: Values, url: str = ""
) -> Notification:
    """`notification_send` with the title written in both languages by `bilingual_titles`."""
    title_en, title_fr = bilingual_titles(title, values)
    return notification_send(user=user, title_en=title_en, title_fr=title_fr, url=url)


@transaction.atomic
def notification_open(*, notification: Notification) -> str:
    """Mark a notification read and return where it leads."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        events.bell_changed_on_commit(notification.user_id)
    return notification.url


@transaction.atomic
def notification_delete(*, notification: Notification) -> None:
    user_id = notification.user_id
    notification.delete()
    events.bell_changed_on_commit(user_id)


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    events.bell_changed_on_commit(user.pk)
    return count
