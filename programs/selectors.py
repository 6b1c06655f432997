"""Reads of the programs domain, always scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from programs.models import (
    MemberGroup,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)


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


def people_matching(qs: QuerySet[User], text: str) -> QuerySet[User]:
    """Those whose first name, last name or email contains every word of `text`; everyone
    when `text` is blank."""
    for word in text.split():
        qs = qs.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return qs


def member_list(*, organisation_id: int, filters: MemberFilters) -> QuerySet[User]:
    """The members list: every member of the organisation with their relationship counts
    and groups, in one query plus one for groups."""
    open_mentor = Q(mentor_relationships__status=RelationshipStatus.MATCHED)
    open_mentee = Q(mentee_relationships__status=RelationshipStatus.MATCHED)
    qs: QuerySet[User] = (
        User.objects.filter(organisation_id=organisation_id)
        .select_related("member_administrator")
        .prefetch_related(Prefetch("member_groups", queryset=MemberGroup.objects.order_by("name")))
        .annotate(
            current_as_mentor=Count("mentor_relationships", filter=open_mentor, distinct=True),
            current_as_mentee=Count("mentee_relationships", filter=open_mentee, distinct=True),
            total_as_mentor=Count("mentor_relationships", distinct=True),
            total_as_mentee=Count("mentee_relationships", distinct=True),
        )
        .order_by("last_name", "first_name", "pk")
    )
    qs = people_matching(qs, filters.search)
    if filters.role in Role.values:
        qs = qs.filter(role=filters.role)
    if filters.active == "yes":
        qs = qs.filter(is_active=True)
    elif filters.active == "no":
        qs = qs.filter(is_active=False)
    return qs


def relationship_get(*, organisation_id: int, relationship_id: int) -> Relationship:
    return get_object_or_404(Relationship, pk=relationship_id, organisation_id=organisation_id)


RELATIONSHIP_TABS = {
    "all": None,
    "matched": RelationshipStatus.MATCHED,
    "completed": RelationshipStatus.COMPLETED,
}


def relationship_tab_counts(*, organisation_id: int) -> dict[str, int]:
    counts = Relationship.objects.filter(organisation_id=organisation_id).aggregate(
        all=Count("pk"),
        matched=Count("pk", filter=Q(status=RelationshipStatus.MATCHED)),
        completed=Count("pk", filter=Q(status=RelationshipStatus.COMPLETED)),
    )
    return counts


def relationship_list(
    *, organisation_id: int, tab: str, search: str = ""
) -> QuerySet[Relationship]:
    qs = Relationship.objects.filter(organisation_id=organisation_id).select_related(
        "mentor", "mentee", "relationship_administrator"
    )
    status = RELATIONSHIP_TABS.get(tab)
    if status:
        qs = qs.filter(status=status)
    for word in search.split():
        qs = qs.filter(
            Q(mentor__first_name__icontains=word)
            | Q(mentor__last_name__icontains=word)
            | Q(mentee__first_name__icontains=word)
            | Q(mentee__last_name__icontains=word)
        )
    return qs.order_by("-created_at", "-pk")


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
