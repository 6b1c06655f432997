"""Reads of the scheduling domain: slots, meeting lists, counts and calendar feeds.

"Held" meetings (for counts): a meeting that was not cancelled and whose end is past,
whether or not the follow-up job has already marked it completed. Scheduled meetings in
the future are "upcoming"; cancelled ones count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from programs.models import Relationship, RelationshipStatus, User
from programs.pagination import IdPaged, among
from programs.selectors import people_named
from programs.totals import stored_total
from scheduling import ics
from scheduling.calendar import feed_name, series_events
from scheduling.models import (
    Attendee,
    Availability,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    Response,
)
from scheduling.slots import Busy, Person, WeeklyRange, free_slots, slot_label

ACTIVE_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED)


# -- slots -------------------------------------------------------------------------------


def weekly_ranges(*, user: User) -> list[WeeklyRange]:
    return [
        WeeklyRange(a.weekday, a.start, a.end)
        for a in Availability.objects.filter(user=user).order_by("weekday", "start")
    ]


def busy_for(
    *,
    user: User,
    start: datetime,
    end: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[Busy]:
    """The person's non-cancelled meetings overlapping [start, end)."""
    rows = (
        Meeting.objects.filter(
            attendees__user=user,
            status__in=ACTIVE_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .exclude(pk__in=list(exclude_meeting_ids))
        .values_list("starts_at", "ends_at")
    )
    return [Busy(s, e) for s, e in rows]


def person_for(
    *,
    user: User,
    start: datetime,
    end: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> Person:
    """A participant as slots.py sees them, over the window [start, end)."""
    return Person(
        user.time_zone,
        weekly_ranges(user=user),
        busy_for(user=user, start=start, end=end, exclude_meeting_ids=exclude_meeting_ids),
    )


def slots_for(
    *,
    relationship: Relationship,
    day: date,
    viewer: User,
    duration_minutes: int,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[datetime]:
    """Start times offered to `viewer` (on their clock) on `day` for the pair: inside both
    people's availability, clear of both people's meetings, in the future."""
    duration = timedelta(minutes=duration_minutes)
    # Wide enough for any zone's idea of `day`, plus the meeting's length.
    window_start = timezone.make_aware(datetime.combine(day, datetime.min.time())) - timedelta(
        days=2
    )
    window_end = window_start + timedelta(days=5)
    excluded = list(exclude_meeting_ids)
    people = [
        person_for(user=person, start=window_start, end=window_end, exclude_meeting_ids=excluded)
        for person in (relationship.mentor, relationship.mentee)
    ]
    return free_slots(
        day=day,
        viewer_zone=viewer.time_zone,
        duration=duration,
        people=people,
        now=timezone.now(),
    )


def slot_choices(
    *,
    relationship: Relationship,
    day: date,
    viewer: User,
    duration_minutes: int,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[tuple[str, str]]:
    """`slots_for` as the form's options: (ISO 8601 instant, label on the viewer's clock in
    the active language). The label names the zone and offset on a fall-back night's
    repeated readings, whose values differ only by their offset (see `slot_label`)."""
    return [
        (slot.isoformat(), slot_label(slot))
        for slot in slots_for(
            relationship=relationship,
            day=day,
            viewer=viewer,
            duration_minutes=duration_minutes,
            exclude_meeting_ids=exclude_meeting_ids,
        )
    ]


def series_zone(*, relationship: Relationship) -> str:
    """The clock a recurring series keeps its wall time on: the mentee's.

    The pair are the ones who meet, so a weekly meeting must not move for them because the
    booking administrator's clock changed. When the mentor's and mentee's zones change on
    different dates (Toronto on 8 March, Paris on 29 March) one of them has to see the time
    move for those weeks; it is the mentor's, because the program exists for the mentee,
    whose week is usually the fixed one (school, family), while mentors are volunteers who
    fit the meeting in. The same rule whoever books keeps a series predictable."""
    return relationship.mentee.time_zone


def availability_for(*, user: User) -> QuerySet[Availability]:
    return Availability.objects.filter(user=user).order_by("weekday", "start")


def availability_week(*, user: User) -> list[dict]:
    """The member's ranges day by day, Monday first, for the relationship dashboard."""
    ranges = list(availability_for(user=user))
    return [
        {"day": WEEKDAYS[weekday], "ranges": [r for r in ranges if r.weekday == weekday]}
        for weekday in range(7)
    ]


# -- lists -------------------------------------------------------------------------------


def _with_people(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.select_related(
        "series__created_by", "relationship__mentor", "relationship__mentee"
    ).prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.select_related("user").order_by("-is_organiser", "pk"),
        )
    )


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
    for word in search.split():
        # The sender may be platform staff, who belong to no organisation (and are never
        # a mentor or a mentee: those are the organisation's).
        named = people_named(organisation_id=organisation_id, word=word, staff_too=True)
        pairs = Relationship.objects.filter(organisation_id=organisation_id).filter(
            among("mentor_id", named) | among("mentee_id", named)
        )
        sent = MeetingSeries.objects.filter(organisation_id=organisation_id).filter(
            among("created_by_id", named)
        )
        if isinstance(named, list):
            # Few people: their relationships and series, then their meetings from the
            # (relationship, starts_at) index — not the organisation's meetings tested.
            queryset = queryset.filter(
                among("relationship_id", list(pairs.values_list("pk", flat=True)))
                | among("series_id", list(sent.values_list("pk", flat=True)))
            )
        else:
            queryset = queryset.filter(
                Q(relationship_id__in=pairs.values("pk")) | Q(series_id__in=sent.values("pk"))
            )
    ordering = MEETING_ORDER["asc" if order == "asc" else "desc"]
    return IdPaged(
        filtered=queryset,
        ordering=ordering,
        rows=lambda ids: _with_people(Meeting.objects.filter(pk__in=ids)),
        total=None
        if search.split() or meeting_type
        else lambda: meeting_count(organisation_id=organisation_id),
        searched=bool(search.split()),
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


@dataclass(frozen=True)
class Split:
    upcoming: list[Meeting]
    past: list[Meeting]

    @property
    def planned(self) -> int:
        """Meetings still to come and not cancelled (beside the tally of those held)."""
        return sum(1 for m in self.upcoming if m.status == MeetingStatus.SCHEDULED)


def meetings_for_relationship(*, relationship: Relationship) -> Split:
    """The pair's meetings: upcoming (not ended, soonest first) and past (latest first).
    Cancelled meetings stay in the list they belong to by date."""
    now = timezone.now()
    meetings = list(_with_people(relationship.meetings.order_by("starts_at", "pk")))
    upcoming = [m for m in meetings if m.ends_at > now]
    past = [m for m in meetings if m.ends_at <= now]
    past.reverse()
    return Split(upcoming=upcoming, past=past)


def meetings_for_member(*, user: User) -> Split:
    """Meetings a member is invited to, split like `meetings_for_relationship`."""
    now = timezone.now()
    meetings = list(
        _with_people(Meeting.objects.filter(attendees__user=user).order_by("starts_at", "pk"))
    )
    upcoming = [m for m in meetings if m.ends_at > now]
    past = [m for m in meetings if m.ends_at <= now]
    past.reverse()
    return Split(upcoming=upcoming, past=past)


def attendee_for(*, meeting: Meeting, user: User) -> Attendee | None:
    return Attendee.objects.filter(meeting=meeting, user=user).select_related("meeting").first()


def meeting_get(*, organisation_id: int, meeting_id: int) -> Meeting | None:
    """A meeting of this organisation, or None (another organisation's is not found)."""
    return (
        _with_people(Meeting.objects.filter(organisation_id=organisation_id, pk=meeting_id))
        .select_related("series", "organisation")
        .first()
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
    one query («Prochaine réunion»)."""
    rows = (
        Meeting.objects.filter(
            relationship_id__in=relationship_ids,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .values("relationship_id")
        .annotate(next=Min("starts_at"))
    )
    return {row["relationship_id"]: row["next"] for row in rows}


# -- a participant's view ----------------------------------------------------------------


@dataclass(frozen=True)
class MyMeeting:
    """A meeting as one of its participants sees it."""

    meeting: Meeting
    mine: Attendee
    other: User | None

    @property
    def is_series(self) -> bool:
        return self.meeting.series.occurrences > 1

    @property
    def video_url(self) -> str:
        location = self.meeting.location
        if self.meeting.meeting_type == MeetingType.VIDEO and location.startswith(
            ("https://", "http://")
        ):
            return location
        return ""

    @property
    def can_answer(self) -> bool:
        return (
            self.meeting.status == MeetingStatus.SCHEDULED
            and self.meeting.starts_at > timezone.now()
        )

    @property
    def can_comment(self) -> bool:
        return self.meeting.status != MeetingStatus.CANCELLED

    @property
    def is_pending(self) -> bool:
        return self.mine.response == Response.PENDING


def my_meeting(*, meeting: Meeting, user: User, attendee: Attendee | None = None) -> MyMeeting:
    """`meeting` (from a selector here, its attendees prefetched) as `user` sees it."""
    if attendee is None:
        # The attendees were prefetched: no query here.
        attendee = next(a for a in meeting.attendees.all() if a.user_id == user.pk)
    relationship = meeting.relationship
    if user.pk == relationship.mentor_id:
        other = relationship.mentee
    elif user.pk == relationship.mentee_id:
        other = relationship.mentor
    else:
        other = None
    return MyMeeting(meeting=meeting, mine=attendee, other=other)


@dataclass(frozen=True)
class MySplit:
    upcoming: list[MyMeeting]
    past: list[MyMeeting]


def my_meetings(*, user: User) -> MySplit:
    """The member's «Rencontres»: `meetings_for_member` as they see each meeting."""
    split = meetings_for_member(user=user)
    return MySplit(
        upcoming=[my_meeting(meeting=m, user=user) for m in split.upcoming],
        past=[my_meeting(meeting=m, user=user) for m in split.past],
    )


def my_invited_meeting(*, attendee: Attendee) -> MyMeeting | None:
    """The meeting an invitation (from an email's signed link) is for, as its invitee
    sees it; None if it is gone."""
    meeting = meeting_get(
        organisation_id=attendee.meeting.organisation_id, meeting_id=attendee.meeting_id
    )
    if meeting is None:
        return None
    return my_meeting(meeting=meeting, user=attendee.user, attendee=attendee)


def member_meetings_summary(*, user: User, limit: int = 3) -> dict[str, list[MyMeeting]]:
    """The home tile: the next meetings and the invitations still waiting for an answer."""
    upcoming = [
        my_meeting(meeting=m, user=user)
        for m in meetings_for_member(user=user).upcoming
        if m.status == MeetingStatus.SCHEDULED
    ]
    return {
        "next_meetings": upcoming[:limit],
        "pending": [row for row in upcoming if row.is_pending and row.can_answer],
    }


# -- counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    meetings: int
    hours: float


def _held(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.filter(status__in=ACTIVE_STATUSES, ends_at__lte=timezone.now())


def _tally(queryset: QuerySet[Meeting]) -> Tally:
    totals = _held(queryset).aggregate(
        meetings=Count("pk", distinct=True),
        held=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
    )
    return Tally(meetings=totals["meetings"] or 0, hours=_hours(totals["held"]))


def meeting_counts_for_relationship(*, relationship: Relationship) -> Tally:
    """Meetings held by the pair and their length in hours (see the module docstring)."""
    return _tally(Meeting.objects.filter(relationship=relationship))


def meeting_counts_for_member(*, user: User) -> Tally:
    """Meetings held by a member (as mentor or mentee) and their length in hours."""
    return _tally(
        Meeting.objects.filter(Q(relationship__mentor=user) | Q(relationship__mentee=user))
    )


def meeting_counts_by_member(*, organisation_id: int, user_ids: list[int]) -> dict[int, Tally]:
    """{member id: Tally} of meetings held as mentor or mentee, for a list page, in one
    query («Heures de mentorat»)."""
    rows = (
        Attendee.objects.filter(
            user_id__in=user_ids,
            meeting__organisation_id=organisation_id,
            meeting__status__in=ACTIVE_STATUSES,
            meeting__ends_at__lte=timezone.now(),
            is_organiser=False,
        )
        .values("user_id")
        .annotate(
            meetings=Count("meeting_id", distinct=True),
            held=Sum(F("meeting__ends_at") - F("meeting__starts_at"), output_field=DurationField()),
        )
    )
    return {row["user_id"]: Tally(row["meetings"], _hours(row["held"])) for row in rows}


def _hours(held: timedelta | None) -> float:
    # A duration sum works on PostgreSQL and on the demo's SQLite alike (an epoch
    # extract does not exist on SQLite).
    return round((held or timedelta()).total_seconds() / 3600, 2)


def meeting_counts_by_relationship(
    *, organisation_id: int, relationship_ids: Iterable[int] | None = None
) -> dict[int, Tally]:
    """{relationship id: Tally}, in one query: of the relationships `relationship_ids`
    (a list page's: read from the (relationship, starts_at) index, a few meetings each),
    or of every relationship of the organisation (a report) when None."""
    meetings = Meeting.objects.filter(organisation_id=organisation_id)
    if relationship_ids is not None:
        meetings = meetings.filter(relationship_id__in=list(relationship_ids))
    rows = (
        _held(meetings)
        .values("relationship_id")
        .annotate(
            meetings=Count("pk"),
            held=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
        )
    )
    return {row["relationship_id"]: Tally(row["meetings"], _hours(row["held"])) for row in rows}


# -- calendar feed -----------------------------------------------------------------------


def feed_events(*, token: str) -> bytes | None:
    """The member's calendar (every meeting they are invited to) for a valid feed token,
    or None for an unknown or revoked one."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    user = feed.user
    series_list = (
        MeetingSeries.objects.filter(meetings__attendees__user=user)
        .distinct()
        .select_related("created_by", "relationship__mentor", "relationship__mentee")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("original_start")),
            Prefetch("meetings__attendees", queryset=Attendee.objects.select_related("user")),
        )
        .order_by("pk")
    )
    events: list[ics.Event] = []
    for series in series_list:
        events.extend(series_events(series, language=user.language))
    return ics.feed(events, feed_name(user))


# -- the administrator's day (the dashboard) ----------------------------------------------

UPCOMING_LIMIT = 8


@dataclass(frozen=True)
class AdminDay:
    """What needs the administrator's attention, a few lines of each with the totals.
    Seven queries whatever the size of the organisation."""

    today: list[Meeting]
    week: list[Meeting]  # from tomorrow to the seventh day after today
    today_total: int
    week_total: int
    unanswered: list[Attendee]  # people who have not answered an invitation still to come
    unanswered_total: int
    invitations_waiting: int  # meetings still to come that someone has not answered
    quiet: Sequence[Relationship]  # each with `last_meeting` (None: never met)
    quiet_total: int
    quiet_days: int


def admin_day(
    *, organisation_id: int, viewer: User, quiet_days: int = 30, limit: int = UPCOMING_LIMIT
) -> AdminDay:
    """Meetings today and in the next seven days (days on the viewer's clock), invitations
    nobody answered yet, and matched pairs with no meeting in the last `quiet_days` days
    and none planned."""
    now = timezone.now()
    zone = ZoneInfo(viewer.time_zone)
    day = timezone.localtime(now, zone).date()
    # Midnights on the viewer's wall clock, whatever the clocks do in between.
    today_start, tomorrow, week_end = (
        datetime.combine(day + timedelta(days=n), time(0), tzinfo=zone) for n in (0, 1, 8)
    )

    scheduled = Meeting.objects.filter(
        organisation_id=organisation_id, status=MeetingStatus.SCHEDULED
    )
    totals = scheduled.filter(starts_at__gte=today_start, starts_at__lt=week_end).aggregate(
        today=Count("pk", filter=Q(starts_at__lt=tomorrow)),
        week=Count("pk", filter=Q(starts_at__gte=tomorrow)),
    )
    meetings = scheduled.select_related("relationship__mentor", "relationship__mentee")
    today = list(
        meetings.filter(starts_at__gte=today_start, starts_at__lt=tomorrow).order_by(
            "starts_at", "pk"
        )[:limit]
    )
    week = list(
        meetings.filter(starts_at__gte=tomorrow, starts_at__lt=week_end).order_by(
            "starts_at", "pk"
        )[:limit]
    )

    if connection.vendor == "postgresql":
        waiting_totals, unanswered, quiet_qs = _waiting_and_quiet_kept(
            organisation_id=organisation_id, now=now, quiet_days=quiet_days, limit=limit
        )
    else:  # SQLite (the demo): no triggers keep the values; counted from the meetings.
        waiting_totals, unanswered, quiet_qs = _waiting_and_quiet_counted(
            organisation_id=organisation_id, now=now, quiet_days=quiet_days, limit=limit
        )
    # Counted without the last meeting (no join, no grouping).
    quiet_total = quiet_qs.count()
    quiet = list(
        quiet_qs.select_related("mentor", "mentee").order_by(
            F("last_meeting").asc(nulls_first=True), "started_at", "pk"
        )[:limit]
    )
    return AdminDay(
        today=today,
        week=week,
        today_total=totals["today"],
        week_total=totals["week"],
        unanswered=unanswered,
        unanswered_total=waiting_totals["people"],
        invitations_waiting=waiting_totals["meetings"],
        quiet=quiet,
        quiet_total=quiet_total,
        quiet_days=quiet_days,
    )


def _pending_attendees(*, organisation_id: int, now: datetime) -> QuerySet[Attendee]:
    return Attendee.objects.filter(
        meeting__organisation_id=organisation_id,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gt=now,
        response=Response.PENDING,
        is_organiser=False,
    )


def _waiting_and_quiet_counted(
    *, organisation_id: int, now: datetime, quiet_days: int, limit: int
) -> tuple[dict[str, int], list[Attendee], QuerySet[Relationship]]:
    """Invitations waiting and quiet pairs read from every meeting of the organisation
    (SQLite; the oracle of the tests)."""
    pending = _pending_attendees(organisation_id=organisation_id, now=now)
    totals = pending.aggregate(people=Count("pk"), meetings=Count("meeting", distinct=True))
    unanswered = list(
        pending.select_related("user", "meeting").order_by("meeting__starts_at", "pk")[:limit]
    )
    cutoff = now - timedelta(days=quiet_days)
    quiet = (
        Relationship.objects.filter(
            organisation_id=organisation_id,
            status=RelationshipStatus.MATCHED,
            started_at__lt=cutoff,
        )
        .exclude(
            Exists(
                Meeting.objects.filter(
                    relationship=OuterRef("pk"),
                    status__in=ACTIVE_STATUSES,
                    starts_at__gte=cutoff,
                )
            )
        )
        .annotate(
            last_meeting=Subquery(
                Meeting.objects.filter(relationship=OuterRef("pk"), status__in=ACTIVE_STATUSES)
                .order_by("-starts_at")
                .values("starts_at")[:1]
            )
        )
    )
    return totals, unanswered, quiet


def _waiting_and_quiet_kept(
    *, organisation_id: int, now: datetime, quiet_days: int, limit: int
) -> tuple[dict[str, int], list[Attendee], QuerySet[Relationship]]:
    """The same from the values PostgreSQL triggers keep (scheduling.kept): the waiting
    meetings are a range of the partial index `meeting_org_pending_idx`, the quiet pairs
    one of `rel_org_status_last_idx` (a pair is quiet when its last meeting not cancelled
    started before the cutoff, or it has none)."""
    waiting = Meeting.objects.filter(
        organisation_id=organisation_id,
        status=MeetingStatus.SCHEDULED,
        pending_answers__gt=0,
        starts_at__gt=now,
    )
    totals = waiting.aggregate(
        people=Coalesce(Sum("pending_answers"), Value(0)), meetings=Count("pk")
    )
    # The first `limit` waiting meetings each have someone to list: the attendees to show
    # start no later than the `limit`-th of them (ties included), or the last if fewer.
    by_start = waiting.order_by("starts_at", "pk").values("starts_at")
    last_shown = Coalesce(
        Subquery(by_start[limit - 1 : limit]),
        Subquery(waiting.order_by("-starts_at", "-pk").values("starts_at")[:1]),
    )
    unanswered = list(
        _pending_attendees(organisation_id=organisation_id, now=now)
        .filter(meeting__pending_answers__gt=0, meeting__starts_at__lte=last_shown)
        .select_related("user", "meeting")
        .order_by("meeting__starts_at", "pk")[:limit]
    )
    cutoff = now - timedelta(days=quiet_days)
    quiet = (
        Relationship.objects.filter(
            organisation_id=organisation_id,
            status=RelationshipStatus.MATCHED,
            started_at__lt=cutoff,
        )
        .filter(Q(last_meeting_at__isnull=True) | Q(last_meeting_at__lt=cutoff))
        .annotate(last_meeting=F("last_meeting_at"))
    )
    return totals, unanswered, quiet
