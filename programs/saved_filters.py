"""«Sauvegarder le filtre de recherche» and «Recherches récentes»: an administrator's own
filters of the members list, each kept under a name (no audit: they change no data)."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.compiled import CompiledOnce
from programs.errors import DomainError
from programs.models import SavedMemberFilter, User
from programs.models.saved_filters import SAVED_FILTER_NAME_MAX, SAVED_FILTER_QUERY_MAX
from programs.permissions import require_org_admin

RECENT_SEARCHES = 20


@transaction.atomic
def saved_filter_save(*, actor: User, name: str, query: str) -> SavedMemberFilter:
    """Keep the members list's `query` (its query string) under `name` for `actor`; a
    filter of theirs with that name already is replaced (and becomes the most recent)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the filter a name."))
    if len(name) > SAVED_FILTER_NAME_MAX:
        raise DomainError(
            _("A filter's name has at most %(limit)d characters.")
            % {"limit": SAVED_FILTER_NAME_MAX}
        )
    if len(query) > SAVED_FILTER_QUERY_MAX:
        raise DomainError(_("This filter is too long to be saved."))
    now = timezone.now()
    saved, _created = SavedMemberFilter.objects.update_or_create(
        owner=actor,
        name=name,
        defaults={"organisation_id": organisation_id, "query": query, "last_used_at": now},
        create_defaults={
            "organisation_id": organisation_id,
            "query": query,
            "created_at": now,
            "last_used_at": now,
        },
    )
    return saved


@transaction.atomic
def saved_filter_use(*, actor: User, saved: SavedMemberFilter) -> SavedMemberFilter:
    """Mark the owner's `saved` filter as just used: «Recherches récentes» lists it first."""
    _require_owner(actor, saved)
    saved.last_used_at = timezone.now()
    saved.save(update_fields=["last_used_at"])
    return saved


@transaction.atomic
def saved_filter_delete(*, actor: User, saved: SavedMemberFilter) -> None:
    """Forget one of the actor's saved filters."""
    _require_owner(actor, saved)
    saved.delete()


def _require_owner(actor: User, saved: SavedMemberFilter) -> None:
    require_org_admin(actor, organisation_id=saved.organisation_id)
    if saved.owner_id != actor.pk:  # another administrator's: not theirs to see
        raise DomainError(_("This was not found in your program."), code="not_found")


class SavedFilterName(NamedTuple):
    pk: int
    name: str


def saved_filter_list(*, owner: User) -> list[SavedFilterName]:
    """«Recherches récentes»: the owner's saved filters, the most recently used first; their
    ids and names (what the lists show: the filter itself is read when one is opened).
    Every members page asks, so on PostgreSQL the query is compiled once
    (`programs.compiled`)."""
    # An administrator's filters are their organisation's (staff, with none, have none).
    rows = _recent_query.rows(owner_id=owner.pk, organisation_id=owner.organisation_id or 0)
    return [SavedFilterName(*row) for row in rows]


def _recent(owner_id: int, organisation_id: int) -> QuerySet[SavedMemberFilter, Any]:
    return (
        SavedMemberFilter.objects.filter(owner_id=owner_id, organisation_id=organisation_id)
        .order_by("-last_used_at", "-pk")
        .values_list("pk", "name")[:RECENT_SEARCHES]
    )


_recent_query = CompiledOnce(_recent, owner_id=-1, organisation_id=-2)


def saved_filter_get(*, owner: User, saved_id: int) -> SavedMemberFilter:
    """One of the owner's saved filters, or 404 — never another administrator's."""
    return get_object_or_404(
        SavedMemberFilter, pk=saved_id, owner=owner, organisation=owner.organisation
    )
