"""The bell's reads: one person's notifications and their unread count."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import Notification


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notification_list(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id).order_by("-created_at", "-pk")


def notification_get(*, user_id: int, notification_id: int) -> Notification:
    """One of this person's notifications, or 404 — never someone else's."""
    return get_object_or_404(Notification, pk=notification_id, user_id=user_id)
