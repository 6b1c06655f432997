"""Reads for profiles, custom fields and completion (F11), scoped to one organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from programs.models import (
    UNFINISHED_RECALCULATION,
    CompletionRecalculation,
    ProfileField,
    ProfileFieldValue,
    User,
)


def field_list(*, organisation_id: int) -> QuerySet[ProfileField]:
    """The organisation's custom fields in their order, each with its number of answers."""
    return (
        ProfileField.objects.filter(organisation_id=organisation_id)
        .annotate(answer_count=Count("values"))
        .order_by("position", "pk")
    )


def field_get(*, organisation_id: int, field_id: int) -> ProfileField:
    """A custom field of this organisation, or 404 — never another organisation's."""
    return get_object_or_404(ProfileField, pk=field_id, organisation_id=organisation_id)


def field_answers(*, user: User) -> dict[int, Any]:
    """A member's answers to custom fields: field id → value."""
    return dict(ProfileFieldValue.objects.filter(user=user).values_list("field_id", "value"))


def recalculation_current(*, organisation_id: int) -> CompletionRecalculation | None:
    """The organisation's «Recalculer valeur du profil» under way, if any."""
    return CompletionRecalculation.objects.filter(
        organisation_id=organisation_id, status__in=UNFINISHED_RECALCULATION
    ).first()
