"""Reads for profiles, custom fields and completion (F11), scoped to one organisation."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from programs.compiled import CompiledOnce
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


class RecalculationProgress(NamedTuple):
    pk: int
    done: int
    total: int


def recalculation_current(*, organisation_id: int) -> RecalculationProgress | None:
    """The organisation's «Recalculer valeur du profil» under way, if any: its id and
    progress (what the members page shows). Every members page asks, so on PostgreSQL
    the query is compiled once (`programs.compiled`)."""
    rows = _under_way_query.rows(organisation_id=organisation_id)
    return RecalculationProgress(*rows[0]) if rows else None


def _under_way(organisation_id: int) -> QuerySet[CompletionRecalculation, Any]:
    return (
        CompletionRecalculation.objects.filter(
            organisation_id=organisation_id, status__in=UNFINISHED_RECALCULATION
        )
        .order_by("pk")
        .values_list("pk", "done", "total")[:1]
    )


_under_way_query = CompiledOnce(_under_way, organisation_id=-1)
