"""Reads of the programs domain, always scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from programs.models import (
    MemberGroup,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)
from programs.pagination import IdPaged


def dashboard_counts(*, organisation_id: int) -> dict[str, int]:
    """The admin dashboard tiles. «Invitations» are mentoring requests not yet answered."""
    members = User.objects.filter(organisation_id=organisation_id).exclude(role=Role.ADMINISTRATOR)
    relationships = Relationship.objects.filter(organisation_id=organisation_id).aggregate(
        matched=Count("pk", filter=Q(status=RelationshipStatus.MATCHED)),
        requested=Count("pk", filter=Q(status=RelationshipStatus.REQUESTED)),
    )
    return {
        "members": members.filter(is_active=True).count(),
        "relationships": relationships["matched"],
        "invitations": relationships["requested"],
    }


def members_among(*, organisation_id: int, user_ids: set[int], limit: int) -> list[User]:
    """Up to `limit` of this organisation's people among `user_ids` (e.g. those online),
    by name; ids of anyone else are ignored."""
    return list(
        User.objects.filter(organisation_id=organisation_id, pk__in=user_ids).order_by(
            "last_name", "first_name", "pk"
        )[:limit]
    )


def member_get(*, organisation_id: int, member_id: int) -> User:
    """A member of this organisation, or 404 — never another organisation's."""
    return get_object_or_404(User, pk=member_id, organisation_id=organisation_id)


@dataclass(frozen=True)
class MemberFilters:
    search: str = ""
    role: str = ""
    active: str = ""  # "", "yes", "no"


def _text_matches(word: str, *fields: str) -> Q:
    """`word` inside any of `fields`, case-insensitively. On PostgreSQL each field has a
    trigram index on UPPER(field) (programs migration 0013), which is what this lookup
    compares: the matching people are found from the index, not by reading every row."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


def people_matching(qs: QuerySet[User], text: str) -> QuerySet[User]:
    """Those whose first name, last name or email contains every word of `text`; everyone
    when `text` is blank."""
    for word in text.split():
        qs = qs.filter(_text_matches(word, "first_name", "last_name", "email"))
    return qs


def people_named(*, organisation_id: int | None, word: str) -> QuerySet[User]:
    """The ids (a subquery) of the people whose first or last name contains `word`; of one
    organisation, or of every one when `organisation_id` is None."""
    qs = User.objects.filter(_text_matches(word, "first_name", "last_name"))
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.values("pk")


MEMBER_ORDER = ("last_name", "first_name", "pk")


def _relationship_count(side: str, **conditions: Any) -> Coalesce:
    """How many relationships the row's member has on `side` ("mentor" or "mentee"), as a
    subquery per row (the index on the side's foreign key: a few entries per member)."""
    counted = (
        Relationship.objects.filter(**{side: OuterRef("pk")}, **conditions)
        .order_by()
        .values(side)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _member_rows(ids: Any) -> QuerySet[User]:
    """The members list's rows for these ids (a list or a subquery): the member, their
    member administrator, groups and relationship counts — the counts computed for these
    rows only."""
    matched = RelationshipStatus.MATCHED
    return (
        User.objects.filter(pk__in=ids)
        .select_related("member_administrator")
        .prefetch_related(Prefetch("member_groups", queryset=MemberGroup.objects.order_by("name")))
        .annotate(
            current_as_mentor=_relationship_count("mentor", status=matched),
            current_as_mentee=_relationship_count("mentee", status=matched),
            total_as_mentor=_relationship_count("mentor"),
            total_as_mentee=_relationship_count("mentee"),
        )
    )


def member_list(*, organisation_id: int, filters: MemberFilters) -> IdPaged[User]:
    """The members list: the organisation's members by name, each page's rows with their
    relationship counts and groups. Paged by `programs.pagination.IdPaged`: a count of
    the filtered members, the page's ids from the (organisation, last name, first name,
    id) index, then those rows with their counts — two queries plus one for groups,
    whatever the organisation's size."""
    qs = people_matching(User.objects.filter(organisation_id=organisation_id), filters.search)
    if filters.role in Role.values:
        qs = qs.filter(role=filters.role)
    if filters.active == "yes":
        qs = qs.filter(is_active=True)
    elif filters.active == "no":
        qs = qs.filter(is_active=False)
    return IdPaged(filtered=qs, ordering=MEMBER_ORDER, rows=_member_rows)


def relationship_get(*, organisation_id: int, relationship_id: int) -> Relationship:
    return get_object_or_404(Relationship, pk=relationship_id, organisation_id=organisation_id)


RELATIONSHIP_TABS = {
    "all": None,
    "matched": RelationshipStatus.MATCHED,
    "completed": RelationshipStatus.COMPLETED,
}


def relationship_tab_counts(*, organisation_id: int) -> dict[str, int]:
    """The tabs' totals: one count per status from the (organisation, status, …) index."""
    per_status = dict(
        Relationship.objects.filter(organisation_id=organisation_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "all": sum(per_status.values()),
        "matched": per_status.get(RelationshipStatus.MATCHED, 0),
        "completed": per_status.get(RelationshipStatus.COMPLETED, 0),
    }


RELATIONSHIP_ORDER = ("-created_at", "-pk")


def _relationship_rows(ids: Any) -> QuerySet[Relationship]:
    return Relationship.objects.filter(pk__in=ids).select_related(
        "mentor", "mentee", "relationship_administrator"
    )


def relationship_list(*, organisation_id: int, tab: str, search: str = "") -> IdPaged[Relationship]:
    """The relationships list, newest first, on a tab, searched by the mentor's or the
    mentee's name (every word in one of them). The people named are found first (from the
    trigram indexes), then their relationships; a page reads its ids from the
    (organisation[, status], created, id) index and then those rows."""
    qs = Relationship.objects.filter(organisation_id=organisation_id)
    status = RELATIONSHIP_TABS.get(tab)
    if status:
        qs = qs.filter(status=status)
    for word in search.split():
        named = people_named(organisation_id=organisation_id, word=word)
        qs = qs.filter(Q(mentor_id__in=named) | Q(mentee_id__in=named))
    return IdPaged(filtered=qs, ordering=RELATIONSHIP_ORDER, rows=_relationship_rows)


LOOKUP_PAGE = 50


def member_lookup(
    *,
    organisation_id: int,
    text: str = "",
    role: str = "",
    active_only: bool = False,
    among: QuerySet[User] | None = None,
    offset: int = 0,
    limit: int = LOOKUP_PAGE,
) -> list[User]:
    """A people picker's page: the organisation's people (or those of `among`, within
    it) whose name or email contains every word typed — everyone when nothing is typed —
    alphabetically by last name, `limit` of them from `offset`. `role` is one role or
    several separated by commas."""
    qs = people_matching(
        (User.objects if among is None else among).filter(organisation_id=organisation_id),
        " ".join(text.split()[:5]),  # a type-ahead: five words narrow enough
    )
    roles = [name for name in role.split(",") if name in Role.values]
    if roles:
        qs = qs.filter(role__in=roles)
    if active_only:
        qs = qs.filter(is_active=True)
    ordered = qs.only("id", "first_name", "last_name", "email").order_by(
        "last_name", "first_name", "pk"
    )
    return list(ordered[offset : offset + limit])


def member_choices(*, organisation_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(organisation_id=organisation_id, role=role, is_active=True).order_by(
        "last_name", "first_name"
    )


def group_list(*, organisation_id: int) -> QuerySet[MemberGroup]:
    return (
        MemberGroup.objects.filter(organisation_id=organisation_id)
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def group_get(*, organisation_id: int, group_id: int) -> MemberGroup:
    return get_object_or_404(MemberGroup, pk=group_id, organisation_id=organisation_id)


def member_relationships(*, user: User) -> QuerySet[Relationship]:
    """A member's own relationships, newest first."""
    if user.organisation_id is None:  # platform staff: no organisation, no relationships
        return Relationship.objects.none()
    return (
        Relationship.objects.filter(organisation_id=user.organisation_id)
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor", "mentee")
        .order_by("-created_at")
    )
