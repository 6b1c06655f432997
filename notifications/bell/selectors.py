"""The bell's reads: one person's notifications and their unread count."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import Notification


def unread_count(*, user_id: int) -> int:
    """How many of this person's notifications are unread. Asked on every page (the bell)
    and at every socket's arrival, so written once as SQL: the ORM built and compiled its
    COUNT on each call, which cost more than PostgreSQL's answer (the same query as
    `Notification.objects.filter(user_id=…, read_at__isnull=True).count()`)."""
    with connections[Notification.objects.db].cursor() as cursor:
        cursor.execute(_UNREAD_COUNT, [user_id])
        row = cursor.fetchone()
    return int(row[0])


_UNREAD_COUNT = (
    f'SELECT COUNT(*) FROM "{Notification._meta.db_table}"'
    f' WHERE "{Notification._meta.get_field("user").column}" = %s'
    f' AND "{Notification._meta.get_field("read_at").column}" IS NULL'
)


def notification_list(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).order_by("-created_at", "-pk")


def notification_get(*, user_id: int, notification_id: int) -> Notification:
    """One of this person's notifications, or 404 — never someone else's."""
    return get_object_or_404(Notification, pk=notification_id, user_id=user_id)
