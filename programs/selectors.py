"""Reads of the programs domain, always scoped to one organisation."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from django.db import connections
from django.db.models import Count, Field, IntegerField, JSONField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from programs.compiled import CompiledOnce, CompiledQuery, compile_once, id_array
from programs.member_filters import (
    MemberFilters,
    member_filter_conditions,
    member_filters_blank,
)
from programs.models import (
    MemberGroup,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)
from programs.models.organisations import full_name_of
from programs.pagination import IdArray, IdPaged, among
from programs.totals import stored_total, stored_totals


def dashboard_counts(*, organisation_id: int) -> dict[str, int]:
    """The admin dashboard tiles. «Invitations» are mentoring requests not yet answered.
    Read from the totals the database keeps (programs.totals); counted on SQLite."""
    kept = stored_totals(organisation_id=organisation_id, prefix="")  # every kind: one read
    if kept is not None:
        active = kept.get("members_active", 0)
        per_status = {
            kind.removeprefix("relationships:"): n
            for kind, n in kept.items()
            if kind.startswith("relationships:")
        }
    else:
        members = User.objects.filter(organisation_id=organisation_id).exclude(
            role=Role.ADMINISTRATOR
        )
        active = members.filter(is_active=True).count()
        per_status = _relationships_per_status(organisation_id)
    return {
        "members": active,
        "relationships": per_status.get(RelationshipStatus.MATCHED, 0),
        "invitations": per_status.get(RelationshipStatus.REQUESTED, 0),
    }


def _relationships_per_status(organisation_id: int) -> dict[str, int]:
    return dict(
        Relationship.objects.filter(organisation_id=organisation_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def members_among(*, organisation_id: int, user_ids: set[int], limit: int) -> list[User]:
    """Up to `limit` of this organisation's people among `user_ids` (e.g. those online),
    by name, their names only; ids of anyone else are ignored. No query when none."""
    if not user_ids:
        return []
    return list(
        User.objects.filter(organisation_id=organisation_id, pk__in=user_ids)
        .only(*User.NAME_FIELDS)
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def member_get(*, organisation_id: int, member_id: int) -> User:
    """A member of this organisation, or 404 — never another organisation's."""
    return get_object_or_404(User, pk=member_id, organisation_id=organisation_id)


def _text_matches(word: str, *fields: str) -> Q:
    """`word` inside any of `fields`, case-insensitively (UPPER(field) LIKE UPPER(…))."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


# A word shorter than a trigram cannot be looked up in the trigram indexes; a word that
# matches more people than this is common enough for the list's own order to find a
# page of them soon (the name index walked and filtered).
TRIGRAM = 3
FEW_ENOUGH = 5_000


def _matching_ids(
    *, organisation_id: int | None, word: str, fields: tuple[str, ...], staff_too: bool = False
) -> list[int] | IdArray | None:
    """The ids of the organisation's people (and platform staff, who have none, when
    `staff_too`) with `word` in one of `fields`, found from the trigram indexes (programs
    migration 0013) in a query of their own; None when the word is too short for them or
    matches too many people (then the caller filters its own query instead).

    The organisation is compared as `organisation_id + 0`: the planner then starts from
    the trigram indexes (the few people matching, in every organisation) and keeps the
    organisation's, instead of walking every member of the organisation to test each."""
    if len(word) < TRIGRAM:
        return None
    connection = connections[User.objects.db]
    if connection.vendor == "postgresql":
        sql = _matching_ids_sql(fields, organisation_id is not None, staff_too)
        pattern = f"%{connection.ops.prep_for_like_query(word)}%"
        params: list[Any] = [pattern] * len(fields)
        if organisation_id is not None:
            params.append(organisation_id)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, FEW_ENOUGH + 1])
            count, text = cursor.fetchone()
        return None if count > FEW_ENOUGH else IdArray(text=text, count=count)
    qs = User.objects.filter(_text_matches(word, *fields))
    if organisation_id is not None:
        scope = Q(organisation_id=organisation_id)
        if staff_too:
            scope |= Q(organisation__isnull=True)
        qs = qs.filter(scope)
    ids = list(qs.order_by().values_list("pk", flat=True)[: FEW_ENOUGH + 1])
    return None if len(ids) > FEW_ENOUGH else ids


@functools.cache
def _matching_ids_sql(fields: tuple[str, ...], scoped: bool, staff_too: bool) -> str:
    """`_matching_ids`' query on PostgreSQL, written once per shape: what the ORM compiles
    for `icontains` on each field (UPPER(column::text) LIKE UPPER(%s), the expression the
    trigram indexes hold) and the organisation as `organisation_id + 0`, with the ids
    read back in one row — their count and their array as text. Compiling the same
    query through the ORM on every keystroke cost more than running it. Parameters: the
    pattern once per field, the organisation when `scoped`, the limit."""
    users = User._meta.db_table
    matches = " OR ".join(
        f'UPPER("{users}"."{cast(Field, User._meta.get_field(field)).column}"::text) LIKE UPPER(%s)'
        for field in fields
    )
    scope = ""
    if scoped:
        staff = f' OR "{users}"."organisation_id" IS NULL' if staff_too else ""
        scope = f' AND ("{users}"."organisation_id" + 0 = %s{staff})'
    return (
        "SELECT COUNT(*), COALESCE(array_agg(found.id)::text, '{}') FROM "
        f'(SELECT "{users}"."id" FROM "{users}" WHERE ({matches}){scope} LIMIT %s) AS found(id)'
    )


PERSON_FIELDS = ("first_name", "last_name", "email")
NAME_FIELDS = ("first_name", "last_name")


def people_matching(
    qs: QuerySet[User], text: str, *, organisation_id: int | None = None
) -> QuerySet[User]:
    """Those whose first name, last name or email contains every word of `text`; everyone
    when `text` is blank. With `organisation_id` (that of every person of `qs`), each
    word's matches are first found from the trigram indexes (`_matching_ids`)."""
    for word in text.split():
        ids = None
        if organisation_id is not None:
            ids = _matching_ids(organisation_id=organisation_id, word=word, fields=PERSON_FIELDS)
        if ids is None:
            qs = qs.filter(_text_matches(word, *PERSON_FIELDS))
        else:
            qs = qs.filter(among("pk", ids))
    return qs


def people_named(
    *, organisation_id: int, word: str, staff_too: bool = False
) -> list[int] | IdArray | QuerySet[User, Any]:
    """The ids of the organisation's people (and of platform staff when `staff_too`)
    whose first or last name contains `word`: found from the trigram indexes (an
    `IdArray` on PostgreSQL, a list elsewhere), or a subquery when the word is too short
    or too common for them."""
    ids = _matching_ids(
        organisation_id=organisation_id, word=word, fields=NAME_FIELDS, staff_too=staff_too
    )
    if ids is not None:
        return ids
    scope = Q(organisation_id=organisation_id)
    if staff_too:
        scope |= Q(organisation__isnull=True)
    return User.objects.filter(scope).filter(_text_matches(word, *NAME_FIELDS)).values("pk")


MEMBER_ORDER = ("last_name", "first_name", "pk")
# What the members list shows of a member (web/rows.py `member_rows`).
MEMBER_ROW_FIELDS = (
    *User.NAME_FIELDS,
    "email",
    "email_problem",
    "role",
    "is_active",
    "profile_completion",
    "last_seen",
    "last_login",
    "date_joined",
    "ended_at",
    "organisation",
)


def _relationship_count(side: str, *, matched_only: bool = False) -> RawSQL:
    """How many relationships the row's member has on `side` ("mentor" or "mentee"), as a
    subquery per row (the index on the side's foreign key: a few entries per member).
    Written as SQL: the page's rows query compiles four of them, and as ORM subqueries
    they cost more to compile than the rows take to read (bench/members_list.py)."""
    relationships, users = Relationship._meta.db_table, User._meta.db_table
    status = " AND r.status = %s" if matched_only else ""
    return RawSQL(
        f'(SELECT COUNT(*) FROM "{relationships}" r WHERE r."{side}_id" = "{users}"."id"{status})',
        [RelationshipStatus.MATCHED] if matched_only else [],
        output_field=IntegerField(),
    )


class _GroupNames(RawSQL):
    """The row's member groups' names in name order, as a list: one correlated subquery
    per row (a JSON array: `jsonb_agg` here, `json_group_array` on SQLite) instead of a
    prefetch, whose managers and group instances cost more than the page's other rows."""

    def __init__(self) -> None:
        groups, links = MemberGroup._meta.db_table, MemberGroup.members.through._meta.db_table
        self.sql_from = (
            f'FROM "{groups}" g JOIN "{links}" l ON l."membergroup_id" = g."id"'
            f' WHERE l."user_id" = "{User._meta.db_table}"."id"'
        )
        super().__init__(
            f'SELECT COALESCE(jsonb_agg(g."name" ORDER BY g."name"), \'[]\'::jsonb) {self.sql_from}',
            [],
            output_field=JSONField(),
        )

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return (
            f'(SELECT json_group_array(name) FROM (SELECT g."name" AS name {self.sql_from}'
            ' ORDER BY g."name"))',
            [],
        )


def _member_rows(ids: Any) -> QuerySet[User]:
    """The members list's rows for these ids (a list, an `IdArray` or a subquery): the
    member, their member administrator, the names of their groups (`group_names`) and
    relationship counts — each computed for these rows only."""
    return (
        User.objects.filter(among("pk", ids))
        .select_related("member_administrator")
        .only(*MEMBER_ROW_FIELDS, "member_administrator", *User.name_fields("member_administrator"))
        .annotate(
            group_names=_GroupNames(),
            current_as_mentor=_relationship_count("mentor", matched_only=True),
            current_as_mentee=_relationship_count("mentee", matched_only=True),
            total_as_mentor=_relationship_count("mentor"),
            total_as_mentee=_relationship_count("mentee"),
        )
    )


class PersonName:
    """A person a list line names, as plain values: their id and `User.NAME_FIELDS`,
    with the same `pk` and `full_name` as on a User (a members line's member
    administrator, a «Rencontres» line's pair and sender)."""

    __slots__ = ("pk", "first_name", "last_name", "deleted_at")

    def __init__(self, pk: int, first_name: str, last_name: str, deleted_at: Any) -> None:
        self.pk, self.first_name, self.last_name = pk, first_name, last_name
        self.deleted_at = deleted_at

    @property
    def full_name(self) -> str:
        return full_name_of(self.first_name, self.last_name, self.deleted_at)


class PlainValues:
    """A list line's own values by a model's names, from a row's first columns: each
    subclass names them in `FIELDS` (and its `__slots__`)."""

    FIELDS: tuple[str, ...] = ()
    __slots__ = ()

    def __init__(self, values: Sequence[Any]) -> None:
        for name, value in zip(self.FIELDS, values, strict=False):
            setattr(self, name, value)


class MemberRow:
    """A line of the members list as plain values (`member_page`): what `_member_rows`
    reads, without a model instance per member and per administrator — the attributes
    web/rows.py `member_rows` and the view read, with the same names as on a User."""

    OWN = (
        "pk",
        *(field for field in MEMBER_ROW_FIELDS if field != "organisation"),
        "group_names",
        "current_as_mentor",
        "current_as_mentee",
        "total_as_mentor",
        "total_as_mentee",
    )
    COLUMNS = (*OWN, "member_administrator_id", *User.name_fields("member_administrator"))
    __slots__ = (*OWN, "member_administrator")
    pk: int
    first_name: str
    last_name: str
    deleted_at: Any
    member_administrator: PersonName | None

    def __init__(self, values: Sequence[Any]) -> None:
        for name, value in zip(self.OWN, values, strict=False):
            setattr(self, name, value)
        administrator_id, *names = values[len(self.OWN) :]
        self.member_administrator = (
            PersonName(administrator_id, *names) if administrator_id is not None else None
        )

    @property
    def full_name(self) -> str:
        return full_name_of(self.first_name, self.last_name, self.deleted_at)


def member_page(ids: Any) -> list[MemberRow]:
    """The members list's lines for these ids, in the list's order (`IdPaged` page rows).

    A page of a searched list has its ids as a list: on PostgreSQL its query (the same
    but for the one array of ids) is compiled once (`programs.compiled`) and its rows read
    as they come. Otherwise (a subquery of ids, SQLite) the ORM compiles it each time."""
    if isinstance(ids, list) and connections[User.objects.db].vendor == "postgresql":
        groups_at = MemberRow.OWN.index("group_names")
        return [
            MemberRow((*row[:groups_at], json.loads(row[groups_at]), *row[groups_at + 1 :]))
            for row in _member_page_query().rows(ids=id_array(ids))
        ]
    return [MemberRow(values) for values in _member_page_values(ids)]


def _member_page_values(ids: Any) -> QuerySet[User, tuple[Any, ...]]:
    return _member_rows(ids).order_by(*MEMBER_ORDER).values_list(*MemberRow.COLUMNS)


@functools.cache
def _member_page_query() -> CompiledQuery:
    return compile_once(
        lambda ids: _member_page_values(IdArray(text=ids, count=1)), ids=id_array([-1])
    )


def members_filtered(*, organisation_id: int, filters: MemberFilters) -> QuerySet[User]:
    """The organisation's members that `filters` keep, unordered: what the members list
    pages through and what every member report («Rapport complet», «Rapport
    personnalisé») writes — one definition, so a report's rows are the list's. Each
    filter is a condition of programs.member_filters; the text is looked up first in
    the trigram indexes."""
    qs = people_matching(
        User.objects.filter(organisation_id=organisation_id),
        filters.search,
        organisation_id=organisation_id,
    )
    return qs.filter(member_filter_conditions(filters, organisation_id=organisation_id))


def member_list(*, organisation_id: int, filters: MemberFilters) -> IdPaged[User]:
    """The members list: the organisation's members by name, each page's rows with their
    relationship counts and groups. Paged by `programs.pagination.IdPaged`: a count of
    the filtered members, the page's ids from the (organisation, last name, first name,
    id) index, then those rows with their counts — two queries plus one for groups,
    whatever the organisation's size."""
    qs = members_filtered(organisation_id=organisation_id, filters=filters)
    unfiltered = member_filters_blank(filters)
    return IdPaged(
        filtered=qs,
        ordering=MEMBER_ORDER,
        rows=_member_rows,
        page=member_page,
        searched=bool(filters.search.split()),
        total=(
            (lambda: stored_total(organisation_id=organisation_id, kind="members"))
            if unfiltered
            else None
        ),
    )


def relationship_get(*, organisation_id: int, relationship_id: int) -> Relationship:
    return get_object_or_404(Relationship, pk=relationship_id, organisation_id=organisation_id)


RELATIONSHIP_TABS = {
    "all": None,
    "matched": RelationshipStatus.MATCHED,
    "completed": RelationshipStatus.COMPLETED,
}


def relationship_tab_counts(*, organisation_id: int) -> dict[str, int]:
    """The tabs' totals: kept by the database (programs.totals); counted on SQLite."""
    per_status = stored_totals(organisation_id=organisation_id, prefix="relationships:")
    if per_status is None:
        per_status = _relationships_per_status(organisation_id)
    return {
        "all": sum(per_status.values()),
        "matched": per_status.get(RelationshipStatus.MATCHED, 0),
        "completed": per_status.get(RelationshipStatus.COMPLETED, 0),
    }


RELATIONSHIP_ORDER = ("-created_at", "-pk")


def _relationship_rows(ids: Any) -> QuerySet[Relationship]:
    """The lists' relationships as models: what a line shows of the pair and their
    administrator, their names only (iterating a list: a report, a test)."""
    people = ("mentor", "mentee", "relationship_administrator")
    return (
        Relationship.objects.filter(pk__in=ids)
        .select_related(*people)
        .only("status", "created_at", "started_at", "ended_at", *people, *User.name_fields(*people))
    )


class RelationshipRow(PlainValues):
    """A line of the relationships list (and of «Conversations») as plain values: the
    attributes web/rows.py `relationship_rows` and the templates read, by a
    Relationship's names, its people as `PersonName`s."""

    FIELDS = (
        "pk",
        "status",
        "created_at",
        "started_at",
        "ended_at",
        "mentor_id",
        "mentee_id",
        "relationship_administrator_id",
    )
    COLUMNS = (*FIELDS, *User.name_fields("mentor", "mentee", "relationship_administrator"))
    __slots__ = (*FIELDS, "mentor", "mentee", "relationship_administrator")
    pk: int
    status: str
    mentor_id: int
    mentee_id: int
    relationship_administrator_id: int | None

    def __init__(self, values: Sequence[Any]) -> None:
        super().__init__(values)
        at = len(self.FIELDS)
        self.mentor = PersonName(self.mentor_id, *values[at : at + 3])
        self.mentee = PersonName(self.mentee_id, *values[at + 3 : at + 6])
        administrator = self.relationship_administrator_id
        self.relationship_administrator = (
            PersonName(administrator, *values[at + 6 : at + 9])
            if administrator is not None
            else None
        )

    def get_status_display(self) -> str:
        """As Django's `get_status_display()`: the label, or the value if it has none."""
        return str(dict(RelationshipStatus.choices).get(self.status, self.status))


def _relationship_values(ids: Any) -> QuerySet[Relationship, tuple[Any, ...]]:
    return (
        Relationship.objects.filter(among("pk", ids))
        .order_by(*RELATIONSHIP_ORDER)
        .values_list(*RelationshipRow.COLUMNS)
    )


def _relationship_page(ids: Any) -> list[RelationshipRow]:
    """A page's lines in the list's order (`IdPaged` page rows), one query, no model:
    a searched page's ids as a list, compiled once on PostgreSQL (`programs.compiled`);
    a subquery of ids, built by the ORM."""
    if isinstance(ids, list):
        found = _relationship_page_query.rows(ids=id_array(ids))
    else:
        found = list(_relationship_values(ids))
    return [RelationshipRow(values) for values in found]


_relationship_page_query = CompiledOnce(
    lambda ids: _relationship_values(IdArray(text=ids, count=1)), ids=id_array([-1])
)


def relationship_list(*, organisation_id: int, tab: str, search: str = "") -> IdPaged[Relationship]:
    """The relationships list, newest first, on a tab, searched by the mentor's or the
    mentee's name (every word in one of them). The people named are found first (from the
    trigram indexes), then their relationships; a page reads its ids from the
    (organisation[, status], created, id) index and then those rows: a slice is a list of
    `RelationshipRow`s (plain values); iterating reads models."""
    qs = Relationship.objects.filter(organisation_id=organisation_id)
    status = RELATIONSHIP_TABS.get(tab)
    if status:
        qs = qs.filter(status=status)
    for word in search.split():
        named = people_named(organisation_id=organisation_id, word=word)
        qs = qs.filter(among("mentor_id", named) | among("mentee_id", named))

    def total() -> int | None:
        if search.split():
            return None
        per_status = stored_totals(organisation_id=organisation_id, prefix="relationships:")
        if per_status is None:
            return None
        return per_status.get(status, 0) if status else sum(per_status.values())

    return IdPaged(
        filtered=qs,
        ordering=RELATIONSHIP_ORDER,
        rows=_relationship_rows,
        page=_relationship_page,
        total=total,
        searched=bool(search.split()),
    )


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
        # A permanently deleted member (programs.member_delete) is nobody to pick.
        (User.objects if among is None else among).filter(
            organisation_id=organisation_id, deleted_at__isnull=True
        ),
        " ".join(text.split()[:5]),  # a type-ahead: five words narrow enough
        organisation_id=organisation_id,
    )
    roles = [name for name in role.split(",") if name in Role.values]
    if roles:
        qs = qs.filter(role__in=roles)
    if active_only:
        qs = qs.filter(is_active=True)
    ordered = qs.only("id", "first_name", "last_name", "email", "deleted_at").order_by(
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


class GroupName(NamedTuple):
    pk: int
    name: str


def group_choices(*, organisation_id: int) -> list[GroupName]:
    """The organisation's groups by name, their ids and names, without counting their
    members: for a menu (the members page's selection bar). Every members page asks, so
    on PostgreSQL the query is compiled once (`programs.compiled`)."""
    return [GroupName(*row) for row in _group_names.rows(organisation_id=organisation_id)]


def _groups_by_name(organisation_id: int) -> QuerySet[MemberGroup, Any]:
    return (
        MemberGroup.objects.filter(organisation_id=organisation_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


_group_names = CompiledOnce(_groups_by_name, organisation_id=-1)


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
