"""The administrators' lists: the «Rencontres» tab (and its «Appels téléphoniques»
filter), its total, and the next meeting of each relationship on a list page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from programs.compiled import CompiledObjects, CompiledOnce, id_array
from programs.models import Relationship, User
from programs.pagination import FEW_IDS, IdArray, IdPaged, among
from programs.selectors import people_named
from programs.totals import stored_total
from scheduling.models import Attendee, Meeting, MeetingSeries, MeetingStatus


@dataclass(frozen=True)
class MeetingRow:
    """One line of the «Rencontres» tab."""

    meeting: Meeting
    mentor: User
    mentee: User
    sent_by: User | None
    attendees: list[Attendee]
    mentor_comment: str
    mentee_comment: str

    @property
    def duration_minutes(self) -> int:
        return self.meeting.duration_minutes


MEETING_ORDER = {"asc": ("starts_at", "pk"), "desc": ("-starts_at", "-pk")}


def meetings_for_admin_list(
    *, organisation_id: int, search: str = "", order: str = "desc", meeting_type: str | None = None
) -> IdPaged[Meeting]:
    """Meetings of one organisation for the «Rencontres» tab, newest first by default,
    searched by mentor, mentee or sender name (every word in one of them). The people
    named are found first (trigram indexes), then their relationships' and series'
    meetings. A page reads its ids from the (organisation, starts_at, id) index — from the
    nearer end — then those meetings with their people: three queries plus the count,
    whatever the organisation's size. Wrap each item with `admin_row()` for the mentor's
    and mentee's comments."""
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
) -> Callable[[], list[int]]:
    """A one-word search's meeting ids in the list's order, at most FEW_IDS + 1 (what
    `IdPaged` counts and pages): on PostgreSQL one query compiled once per order."""
    query = _searched_ids_query(ordering)
    values = {"organisation_id": organisation_id, "pairs": pairs.text, "sent": sent.text}
    return lambda: [pk for (pk,) in query.rows(**values)]


@functools.cache
def _searched_ids_query(ordering: tuple[str, ...]) -> CompiledOnce:
    def build(organisation_id: int, pairs: str, sent: str) -> QuerySet[Meeting, Any]:
        return (
            Meeting.objects.filter(organisation_id=organisation_id)
            .filter(
                among("relationship_id", IdArray(text=pairs, count=1))
                | among("series_id", IdArray(text=sent, count=1))
            )
            .order_by(*ordering)
            .values_list("pk")[: FEW_IDS + 1]
        )

    return CompiledOnce(build, organisation_id=_ORG, pairs=_PAIRS, sent=_SENT)


def _admin_list_meetings(ids: Any) -> QuerySet[Meeting]:
    """«Rencontres»' meetings with what a line shows of them, their pair and sender —
    names only (each person has some fifty columns, and compiling a query costs in
    proportion to the columns it selects): `_with_people`, narrowed."""
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


def _admin_list_attendees() -> QuerySet[Attendee]:
    """A line's attendees, the organiser first: their answer and comment, their name."""
    return (
        Attendee.objects.select_related("user")
        .only("meeting", "user", "response", "comment", "is_organiser", *User.name_fields("user"))
        .order_by("-is_organiser", "pk")
    )


def _admin_list_rows(ids: Any) -> QuerySet[Meeting]:
    """«Rencontres»' meetings (`_admin_list_meetings`) with their attendees prefetched."""
    return _admin_list_meetings(ids).prefetch_related(
        Prefetch("attendees", queryset=_admin_list_attendees())
    )


def _admin_list_page(ids: Any, *, ordering: tuple[str, ...]) -> list[Meeting]:
    """A page's meetings in the list's order with their attendees (`IdPaged` page rows).

    A searched list's page has its ids as a list: on PostgreSQL its two queries (the
    meetings, their attendees) are compiled once each (`programs.compiled`) and the
    attendees put where Django's prefetch puts them. Otherwise (a subquery of ids,
    SQLite) the ORM builds them each time."""
    if not (isinstance(ids, list) and connection.vendor == "postgresql"):
        return list(_admin_list_rows(ids).order_by(*ordering))
    meetings_query, attendees_query = _admin_list_page_queries(ordering)
    array = id_array(ids)
    meetings = cast(list[Meeting], meetings_query.objects(ids=array))
    attendees: dict[int, list[Attendee]] = {meeting.pk: [] for meeting in meetings}
    for attendee in cast(list[Attendee], attendees_query.objects(ids=array)):
        attendees[attendee.meeting_id].append(attendee)
    for meeting in meetings:
        # What prefetch_related leaves: `meeting.attendees.all()` is this list, no query
        # (an empty queryset underneath: filtering it finds nothing, never another's).
        prefetched = Attendee.objects.none()
        prefetched._result_cache = attendees[meeting.pk]
        prefetched._prefetch_done = True  # type: ignore[attr-defined]
        meeting._prefetched_objects_cache = {"attendees": prefetched}  # type: ignore[attr-defined]
    return meetings


@functools.cache
def _admin_list_page_queries(ordering: tuple[str, ...]) -> tuple[CompiledObjects, CompiledObjects]:
    stand_in = id_array([-1])
    return (
        CompiledObjects(
            lambda ids: _admin_list_meetings(IdArray(text=ids, count=1)).order_by(*ordering),
            ids=stand_in,
        ),
        CompiledObjects(
            lambda ids: _admin_list_attendees().filter(
                among("meeting_id", IdArray(text=ids, count=1))
            ),
            ids=stand_in,
        ),
    )


def admin_row(meeting: Meeting) -> MeetingRow:
    """Display fields of a meeting from `meetings_for_admin_list` (no further queries)."""
    relationship = meeting.relationship
    attendees = list(meeting.attendees.all())
    comments = {a.user_id: a.comment for a in attendees}
    return MeetingRow(
        meeting=meeting,
        mentor=relationship.mentor,
        mentee=relationship.mentee,
        sent_by=meeting.series.created_by,
        attendees=attendees,
        mentor_comment=comments.get(relationship.mentor_id, ""),
        mentee_comment=comments.get(relationship.mentee_id, ""),
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
