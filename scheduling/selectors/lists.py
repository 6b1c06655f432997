"""The administrators' lists: the «Rencontres» tab (and its «Appels téléphoniques»
filter), its total, and the next meeting of each relationship on a list page."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Min, Prefetch, Q, QuerySet, When
from django.db.models.lookups import Exact
from django.utils import timezone

from programs.compiled import CompiledOnce, id_array
from programs.models import Relationship, User
from programs.pagination import FEW_IDS, IdArray, IdPaged, among
from programs.selectors import PersonName, PlainValues, people_named
from programs.totals import stored_total
from scheduling.models import (
    Attendee,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    minutes_between,
)


@dataclass(frozen=True)
class MeetingRow:
    """One line of the «Rencontres» tab: its meeting, pair, sender and attendees — plain
    values from a list page (`MeetingValues`, `PersonName`, `AttendeeValues`), or the
    models themselves (`admin_row`), which have the same attributes."""

    meeting: Meeting | MeetingValues
    mentor: User | PersonName
    mentee: User | PersonName
    sent_by: User | PersonName | None
    attendees: list[Attendee] | list[AttendeeValues]
    mentor_comment: str
    mentee_comment: str

    @property
    def duration_minutes(self) -> int:
        return self.meeting.duration_minutes


class MeetingValues(PlainValues):
    """The meeting of a «Rencontres» line as plain values, by a Meeting's names."""

    FIELDS = ("pk", "relationship_id", "starts_at", "ends_at", "status", "meeting_type")
    __slots__ = FIELDS
    pk: int
    relationship_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    meeting_type: str

    @property
    def duration_minutes(self) -> int:
        return minutes_between(self.starts_at, self.ends_at)


class AttendeeValues(PlainValues):
    """An attendee of a «Rencontres» line as plain values, by an Attendee's names."""

    FIELDS = ("pk", "meeting_id", "user_id", "response", "comment", "is_organiser")
    __slots__ = (*FIELDS, "user")
    pk: int
    meeting_id: int
    user_id: int
    response: str
    comment: str
    is_organiser: bool
    user: PersonName

    def __init__(self, values: Sequence[Any]) -> None:
        super().__init__(values)
        self.user = PersonName(self.user_id, *values[len(self.FIELDS) :])


MEETING_ORDER = {"asc": ("starts_at", "pk"), "desc": ("-starts_at", "-pk")}


def meetings_for_admin_list(
    *, organisation_id: int, search: str = "", order: str = "desc", meeting_type: str | None = None
) -> IdPaged[Meeting]:
    """Meetings of one organisation for the «Rencontres» tab, newest first by default,
    searched by mentor, mentee or sender name (every word in one of them). The people
    named are found first (trigram indexes), then their relationships' and series'
    meetings. A page reads its ids from the (organisation, starts_at, id) index — from the
    nearer end — then those meetings with their people and attendees: a slice is a list of
    `MeetingRow`s (plain values), read in three queries plus the count, whatever the
    organisation's size. Iterating reads every meeting as a model (`admin_row()` makes
    its line)."""
    queryset = Meeting.objects.filter(organisation_id=organisation_id)
    if meeting_type:
        queryset = queryset.filter(meeting_type=meeting_type)  # «Appels téléphoniques»
    ordering = MEETING_ORDER["asc" if order == "asc" else "desc"]
    ordered_ids = None
    for word in search.split():
        # The sender may be platform staff, who belong to no organisation (and are never
        # a mentor or a mentee: those are the organisation's).
        named = people_named(organisation_id=organisation_id, word=word, staff_too=True)
        if isinstance(named, QuerySet):
            queryset = queryset.filter(
                Q(relationship_id__in=_pairs_of(organisation_id, named).values("pk"))
                | Q(series_id__in=_series_of(organisation_id, named).values("pk"))
            )
            continue
        # Few people: their relationships and series, then their meetings from the
        # (relationship, starts_at) index — not the organisation's meetings tested.
        pairs, sent = _relationships_and_series_of(organisation_id, named)
        if ordered_ids is None and len(search.split()) == 1 and not meeting_type:
            ordered_ids = _searched_ids_reader(organisation_id, pairs, sent, ordering)
        queryset = queryset.filter(among("relationship_id", pairs) | among("series_id", sent))
    return IdPaged(
        filtered=queryset,
        ordering=ordering,
        rows=_admin_list_rows,
        page=functools.partial(_admin_list_page, ordering=ordering),
        total=None
        if search.split() or meeting_type
        else lambda: meeting_count(organisation_id=organisation_id),
        searched=bool(search.split()),
        ordered_ids=ordered_ids,
    )


def _pairs_of(organisation_id: int, named: Any) -> QuerySet[Relationship]:
    """The organisation's relationships of the people `named` (mentor or mentee)."""
    return Relationship.objects.filter(organisation_id=organisation_id).filter(
        among("mentor_id", named) | among("mentee_id", named)
    )


def _series_of(organisation_id: int, named: Any) -> QuerySet[MeetingSeries]:
    """The organisation's meeting series sent by the people `named`."""
    return MeetingSeries.objects.filter(organisation_id=organisation_id).filter(
        among("created_by_id", named)
    )


def _relationships_and_series_of(
    organisation_id: int, named: list[int] | IdArray
) -> tuple[IdArray, IdArray]:
    """The ids of the relationships and series of a few people found by name, each as
    one array: on PostgreSQL from two queries compiled once (`programs.compiled`)."""
    text = named.text if isinstance(named, IdArray) else id_array(named)
    found = []
    for query in (_pairs_query, _series_query):
        ids = [pk for (pk,) in query.rows(organisation_id=organisation_id, named=text)]
        found.append(IdArray(text=id_array(ids), count=len(ids)))
    return found[0], found[1]


# Stand-ins no call uses: an organisation, three arrays of ids.
_ORG, _NAMED, _PAIRS, _SENT = -1, id_array([-1]), id_array([-2]), id_array([-3])


def _ids_of_named(of: Callable[[int, Any], QuerySet[Any]]) -> CompiledOnce:
    """`of(organisation, named)`'s ids, the people named as `id_array` text."""
    return CompiledOnce(
        lambda organisation_id, named: of(
            organisation_id, IdArray(text=named, count=1)
        ).values_list("pk"),
        organisation_id=_ORG,
        named=_NAMED,
    )


_pairs_query, _series_query = _ids_of_named(_pairs_of), _ids_of_named(_series_of)


def _searched_ids_reader(
    organisation_id: int, pairs: IdArray, sent: IdArray, ordering: tuple[str, ...]
) -> Callable[[], tuple[list[int] | None, int]] | None:
    """A one-word search's meeting ids in the list's order (None past FEW_IDS) and how
    many match in all (what `IdPaged` counts and pages): on PostgreSQL one row of one
    query compiled once per order — the total and, when at most FEW_IDS, the ids as one
    array — so a search's ids are neither sent one row each nor counted twice. None
    elsewhere (SQLite): `IdPaged` reads them with the ORM."""
    if connection.vendor != "postgresql":
        return None
    query = _searched_ids_query(ordering)
    values = {"organisation_id": organisation_id, "pairs": pairs.text, "sent": sent.text}

    def read() -> tuple[list[int] | None, int]:
        found = query.rows(**values)  # one row (total, ids), or none when nothing matches
        if not found:
            return [], 0
        total, ids = found[0]
        return ids, total

    return read


@functools.cache
def _searched_ids_query(ordering: tuple[str, ...]) -> CompiledOnce:
    from django.contrib.postgres.aggregates import ArrayAgg  # PostgreSQL's alone

    def build(organisation_id: int, pairs: str, sent: str) -> QuerySet[Meeting, Any]:
        return (
            # The organisation tested on each meeting found, not through its index: the
            # pairs' and series' own indexes find a search's few meetings, and PostgreSQL
            # would otherwise AND them with a bitmap of every meeting of the organisation
            # (at 194,000 meetings, half the query's time).
            Meeting.objects.filter(Exact(F("organisation_id") + 0, organisation_id))
            .filter(
                among("relationship_id", IdArray(text=pairs, count=1))
                | among("series_id", IdArray(text=sent, count=1))
            )
            .values("organisation_id")  # one group: the organisation's
            .annotate(total=Count("pk"))
            .annotate(ids=Case(When(total__lte=FEW_IDS, then=ArrayAgg("pk", order_by=ordering))))
            .values_list("total", "ids")
        )

    return CompiledOnce(build, organisation_id=_ORG, pairs=_PAIRS, sent=_SENT)


def _admin_list_meetings(ids: Any) -> QuerySet[Meeting]:
    """«Rencontres»' meetings with their pair and sender — names only: the models that
    `admin_row` reads."""
    people = ("series__created_by", "relationship__mentor", "relationship__mentee")
    return (
        Meeting.objects.filter(among("pk", ids))
        .select_related(*people)
        .only(
            "relationship",
            "series",
            "starts_at",
            "ends_at",
            "status",
            "meeting_type",
            "relationship__mentor",
            "relationship__mentee",
            "series__created_by",
            *User.name_fields(*people),
        )  # fmt: skip
    )


def _admin_list_rows(ids: Any) -> QuerySet[Meeting]:
    """«Rencontres»' meetings (`_admin_list_meetings`) with their attendees, the
    organiser first, prefetched: every line as models (`admin_row`)."""
    attendees = (
        Attendee.objects.select_related("user")
        .only("meeting", "user", "response", "comment", "is_organiser", *User.name_fields("user"))
        .order_by(*_ATTENDEE_ORDER)
    )
    return _admin_list_meetings(ids).prefetch_related(Prefetch("attendees", queryset=attendees))


_ATTENDEE_ORDER = ("-is_organiser", "pk")
# A line's pair and sender, each as an id and `User.NAME_FIELDS` after the meeting's own.
_LINE_PEOPLE = ("relationship__mentor", "relationship__mentee", "series__created_by")
_LINE_COLUMNS = (
    *MeetingValues.FIELDS,
    *(column for path in _LINE_PEOPLE for column in (f"{path}_id", *User.name_fields(path))),
)


def _line_values(ids: Any) -> QuerySet[Meeting, tuple[Any, ...]]:
    """The meetings of those ids as `_LINE_COLUMNS`: one query, no model."""
    return Meeting.objects.filter(among("pk", ids)).values_list(*_LINE_COLUMNS)


def _attendee_values(ids: str) -> QuerySet[Attendee, tuple[Any, ...]]:
    """The attendees of those meetings (`id_array` text), the organiser first, as
    `AttendeeValues.FIELDS` and their names."""
    return (
        Attendee.objects.filter(among("meeting_id", IdArray(text=ids, count=1)))
        .order_by(*_ATTENDEE_ORDER)
        .values_list(*AttendeeValues.FIELDS, *User.name_fields("user"))
    )


def _admin_list_page(ids: Any, *, ordering: tuple[str, ...]) -> list[MeetingRow]:
    """A page's lines in the list's order, as plain values (`IdPaged` page rows): the
    meetings with their pair and sender in one query, their attendees in another —
    no model instance. A page's ids as a list (a searched list): on PostgreSQL the
    meetings' query is compiled once per order (`programs.compiled`); a subquery of ids
    (an unsearched list's page), the ORM builds it. The attendees' query, over the
    meetings found, is compiled once."""
    if isinstance(ids, list):
        found = _line_query(ordering).rows(ids=id_array(ids))
    else:
        found = list(_line_values(ids).order_by(*ordering))
    if not found:
        return []
    attendees: dict[int, list[AttendeeValues]] = {values[0]: [] for values in found}
    for values in _attendees_query.rows(ids=id_array(list(attendees))):
        attendee = AttendeeValues(values)
        attendees[attendee.meeting_id].append(attendee)
    start = len(MeetingValues.FIELDS)
    rows = []
    for values in found:
        mentor, mentee, sent_by = (
            PersonName(*values[at : at + 4]) if values[at] is not None else None
            for at in range(start, len(values), 4)
        )
        rows.append(_row(MeetingValues(values), mentor, mentee, sent_by, attendees[values[0]]))
    return rows


@functools.cache
def _line_query(ordering: tuple[str, ...]) -> CompiledOnce:
    return CompiledOnce(
        lambda ids: _line_values(IdArray(text=ids, count=1)).order_by(*ordering), ids=_NAMED
    )


_attendees_query = CompiledOnce(_attendee_values, ids=_NAMED)


def admin_row(meeting: Meeting) -> MeetingRow:
    """A «Rencontres» line from a meeting of `_admin_list_rows` (no further queries)."""
    relationship = meeting.relationship
    return _row(
        meeting,
        relationship.mentor,
        relationship.mentee,
        meeting.series.created_by,
        list(meeting.attendees.all()),
    )


def _row(meeting: Any, mentor: Any, mentee: Any, sent_by: Any, attendees: list[Any]) -> MeetingRow:
    comments = {a.user_id: a.comment for a in attendees}
    return MeetingRow(
        meeting=meeting,
        mentor=mentor,
        mentee=mentee,
        sent_by=sent_by,
        attendees=attendees,
        mentor_comment=comments.get(mentor.pk, ""),
        mentee_comment=comments.get(mentee.pk, ""),
    )


def meeting_count(*, organisation_id: int, meeting_type: str | None = None) -> int:
    """Every meeting of the organisation, whatever its status (the «Rencontres» total):
    kept by the database (programs.totals); counted on SQLite. With `meeting_type`,
    those of one type (counted)."""
    if meeting_type:
        return Meeting.objects.filter(
            organisation_id=organisation_id, meeting_type=meeting_type
        ).count()
    kept = stored_total(organisation_id=organisation_id, kind="meetings")
    if kept is not None:
        return kept
    return Meeting.objects.filter(organisation_id=organisation_id).count()


def next_meetings_by_relationship(*, relationship_ids: list[int]) -> dict[int, datetime]:
    """{relationship id: start of its next scheduled meeting} for a list page's rows, in
    one query («Prochaine réunion»): the ids as one array, compiled once on PostgreSQL;
    none, no query."""
    if not relationship_ids:
        return {}
    return dict(_next_meetings_query.rows(ids=id_array(relationship_ids), now=timezone.now()))


def _next_meetings(ids: str, now: datetime) -> QuerySet[Meeting, tuple[int, datetime]]:
    return (
        Meeting.objects.filter(
            among("relationship_id", IdArray(text=ids, count=1)),
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
        )
        .values("relationship_id")
        .annotate(next=Min("starts_at"))
        .values_list("relationship_id", "next")
    )


_next_meetings_query = CompiledOnce(
    _next_meetings, ids=_NAMED, now=datetime(1900, 1, 1, tzinfo=UTC)
)
