"""Which members a filter keeps: the members list's filters and every member report's.

`MemberFilters` is the whole filter (every part optional, all of them AND-ed) and
`members_filtered()` the one definition of the members it keeps. Each part is a
condition on the member's own row (indexed with the organisation: programs migration
0015) or an EXISTS on one of their rows elsewhere (a custom field's answer, a
relationship), so the list's queries stay the same in number whatever is asked.
The web form (web.forms.members) checks the values first: here a value that is not one
of the expected ones keeps everybody rather than failing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from programs.compiled import CompiledObjects
from programs.models import (
    FieldKind,
    ProfileField,
    ProfileFieldValue,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)

# «Activité récente»: signed in within this many days, or never.
ACTIVITY_DAYS = {"7": 7, "30": 30, "90": 90}
ACTIVITY_NEVER = "never"
# «Relation»: matched now; never matched (a request not answered is not a match); had a
# relationship that ended and has none now. The three split the members.
RELATIONSHIP_CURRENT = "current"
RELATIONSHIP_NEVER = "never"
RELATIONSHIP_ENDED = "ended"
RELATIONSHIP_STATES = (RELATIONSHIP_CURRENT, RELATIONSHIP_NEVER, RELATIONSHIP_ENDED)
CHOICE_KINDS = (FieldKind.SINGLE, FieldKind.MULTIPLE, FieldKind.YES_NO)
YES, NO = "yes", "no"


@dataclass(frozen=True)
class MemberFilters:
    search: str = ""
    role: str = ""
    active: str = ""  # "", "yes", "no"
    field_id: int | None = None  # «Champ personnalisé»: one of the organisation's choice fields
    option: str = ""  # «Options»: an option id of that field, or "yes"/"no" for a yes/no one
    # The field's kind, when whoever built the filter read it among the organisation's
    # choice fields (the web form); blank: looked up, in the organisation's fields.
    field_kind: str = ""
    sectors: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    completion_below: int | None = None  # «Complétude du profil inférieure à» N %
    joined_after: datetime.date | None = None  # «Créé au-delà du»: joined after that day
    current_positions: bool = False  # «Postes actuels uniquement»: job title or company given
    activity: str = ""  # "", "7", "30", "90", "never"
    relationship: str = ""  # "", "current", "never", "ended"


def _field_answered(field_id: int, kind: str, option: str) -> Q:
    """EXISTS an answer of the row's member to the field that names `option` (any
    non-empty answer when `option` is blank): one probe of the (user, field) index per
    member."""
    answers = ProfileFieldValue.objects.filter(user=OuterRef("pk"), field_id=field_id)
    if not option:
        answers = answers.exclude(value__in=["", [], None])
    elif kind == FieldKind.YES_NO:
        answers = answers.filter(value=(option == YES))
    elif kind == FieldKind.SINGLE:
        answers = answers.filter(value=option)
    elif connection.features.supports_json_field_contains:
        answers = answers.filter(value__contains=[option])
    else:  # the SQLite demo: a multiple choice's list read by its text
        answers = answers.filter(value__icontains=f'"{option}"')
    return Q(Exists(answers))


def _relationships(*, status: str) -> Q:
    """EXISTS a relationship with `status` on either side (the index of each side)."""
    as_mentor = Relationship.objects.filter(mentor=OuterRef("pk"), status=status)
    as_mentee = Relationship.objects.filter(mentee=OuterRef("pk"), status=status)
    return Q(Exists(as_mentor)) | Q(Exists(as_mentee))


def _relationship_state(state: str) -> Q:
    current = _relationships(status=RelationshipStatus.MATCHED)
    ended = _relationships(status=RelationshipStatus.COMPLETED)
    if state == RELATIONSHIP_CURRENT:
        return current
    if state == RELATIONSHIP_ENDED:
        return ended & ~current
    return ~current & ~ended


def _recently_active(activity: str, now: datetime.datetime) -> Q:
    """The members list shows the last session (`last_seen`), else the last sign-in:
    «Activité récente» reads the same two."""
    if activity == ACTIVITY_NEVER:
        return Q(last_seen__isnull=True, last_login__isnull=True)
    since = now - datetime.timedelta(days=ACTIVITY_DAYS[activity])
    return Q(last_seen__gte=since) | Q(last_seen__isnull=True, last_login__gte=since)


def member_filter_conditions(
    filters: MemberFilters, *, organisation_id: int, now: datetime.datetime | None = None
) -> Q:
    """Every part of `filters` but the text search, as one condition on the user table."""
    condition = Q()
    if filters.role in Role.values:
        condition &= Q(role=filters.role)
    if filters.active in (YES, NO):
        condition &= Q(is_active=filters.active == YES)
    if filters.field_id is not None:
        kind: str | None = filters.field_kind
        if kind not in CHOICE_KINDS:
            kind = (
                ProfileField.objects.filter(
                    pk=filters.field_id, organisation_id=organisation_id, kind__in=CHOICE_KINDS
                )
                .values_list("kind", flat=True)
                .first()
            )
        # Another organisation's field, or one deleted since: nobody has answered it here.
        condition &= (
            _field_answered(filters.field_id, kind, filters.option) if kind else Q(pk__in=[])
        )
    if filters.sectors:
        condition &= Q(sector__in=filters.sectors)
    if filters.functions:
        condition &= Q(function__in=filters.functions)
    if filters.completion_below is not None:
        condition &= Q(profile_completion__lt=filters.completion_below)
    if filters.joined_after is not None:
        # After that day, in the server's time zone: from the next midnight on.
        midnight = datetime.datetime.combine(
            filters.joined_after + datetime.timedelta(days=1), datetime.time.min
        )
        condition &= Q(date_joined__gte=timezone.make_aware(midnight))
    if filters.current_positions:
        condition &= ~Q(job_title="") | ~Q(company="")
    if filters.activity in ACTIVITY_DAYS or filters.activity == ACTIVITY_NEVER:
        condition &= _recently_active(filters.activity, now or timezone.now())
    if filters.relationship in RELATIONSHIP_STATES:
        condition &= _relationship_state(filters.relationship)
    return condition


def member_filters_blank(filters: MemberFilters) -> bool:
    """True when `filters` keep every member (the stored total then counts them)."""
    return (
        not filters.search.split()
        and filters.role not in Role.values
        and filters.active not in (YES, NO)
        and filters.field_id is None
        and not filters.sectors
        and not filters.functions
        and filters.completion_below is None
        and filters.joined_after is None
        and not filters.current_positions
        and filters.activity not in (*ACTIVITY_DAYS, ACTIVITY_NEVER)
        and filters.relationship not in RELATIONSHIP_STATES
    )


DISTINCT_VALUES = 300
DISTINCT_COLUMNS = ("sector", "function")


def _walk(column: str) -> str:
    table = User._meta.db_table
    return f"""{column}_walk(value, n) AS (
            SELECT (SELECT {column} FROM {table}
                    WHERE organisation_id = %(org)s AND {column} > ''
                    ORDER BY {column} LIMIT 1), 1
            UNION ALL
            SELECT (SELECT {column} FROM {table}
                    WHERE organisation_id = %(org)s AND {column} > w.value
                    ORDER BY {column} LIMIT 1), w.n + 1
            FROM {column}_walk w WHERE w.value IS NOT NULL AND w.n < %(most)s
        )"""  # noqa: S608 — the column is one of DISTINCT_COLUMNS


def distinct_values(*, organisation_id: int) -> dict[str, list[str]]:
    """The organisation's distinct non-empty sectors and functions, each in order, at most
    DISTINCT_VALUES of each, in one query: a walk of each (organisation, column) index
    jumping from one value to the next, so it costs the number of values, not of members."""
    walks = ",\n".join(_walk(column) for column in DISTINCT_COLUMNS)
    selects = " UNION ALL ".join(
        f"SELECT '{column}', n, value FROM {column}_walk WHERE value IS NOT NULL"
        for column in DISTINCT_COLUMNS
    )
    values: dict[str, list[str]] = {column: [] for column in DISTINCT_COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE {walks} {selects} ORDER BY 1, 2",
            {"org": organisation_id, "most": DISTINCT_VALUES},
        )
        for column, _n, value in cursor.fetchall():
            values[column].append(value)
    return values


def choice_fields(*, organisation_id: int) -> list[ProfileField]:
    """The organisation's choice fields (single, multiple, yes/no) a filter can name,
    administrators-only ones included (only administrators filter the members). Every
    members page asks, so on PostgreSQL the query is compiled once (`programs.compiled`)."""
    return cast(list[ProfileField], _choice_fields.objects(organisation_id=organisation_id))


def _choice_fields_of(organisation_id: int) -> QuerySet[ProfileField, ProfileField]:
    return (
        ProfileField.objects.filter(organisation_id=organisation_id, kind__in=CHOICE_KINDS)
        .only("id", "name_en", "name_fr", "kind", "options", "position")
        .order_by("position", "pk")
    )


_choice_fields = CompiledObjects(_choice_fields_of, organisation_id=-1)
