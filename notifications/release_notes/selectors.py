"""Release notes' reads: the published ones for administrators, all for support staff."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import ReleaseNote


def release_notes_published() -> QuerySet[ReleaseNote]:
    return ReleaseNote.objects.filter(published_at__isnull=False).order_by("-date", "-pk")


def release_note_published_get(*, note_id: int) -> ReleaseNote:
    return get_object_or_404(ReleaseNote, pk=note_id, published_at__isnull=False)


def release_note_get(*, note_id: int) -> ReleaseNote:
    return get_object_or_404(ReleaseNote, pk=note_id)


def release_notes_all() -> QuerySet[ReleaseNote]:
    return ReleaseNote.objects.select_related("created_by").order_by("-date", "-pk")
