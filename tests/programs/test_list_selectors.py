"""The administrator lists read a page at a time (issue 17): the same rows, in the same
order, with the same counts and totals as the straightforward queries they replaced —
kept here as the oracle — on every page (first, boundaries, middle, past the middle,
last), with ties in the order (same names, same creation hour, same start time), with
the filters and searches, and never another organisation's rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from programs import selectors
from programs.models import (
    ListTotal,
    MemberGroup,
    Organisation,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)
from programs.pagination import among
from scheduling import selectors as scheduling_selectors
from scheduling.models import Attendee, Meeting, MeetingSeries, MeetingStatus, Response
from scheduling.selectors import ACTIVE_STATUSES
from tests.conftest import make_member, make_org

pytestmark = pytest.mark.django_db

FIRST = ["Anna", "Marie", "Léa", "Marc"]
LAST = ["Martin", "Bouchard", "Gagné", "Roy", "Marchand"]
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def populate(org: Organisation, seed: int, members: int = 70) -> dict[str, list]:
    """Members with few distinct names (many ties), relationships created in few distinct
    hours (ties), meetings at few distinct times (ties) and a sender each."""
    rng = random.Random(seed)
    people = User.objects.bulk_create(
        User(
            email=f"p{n}-{org.slug}@list.test",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            organisation=org,
            role=Role.ADMINISTRATOR if n < 2 else (Role.MENTOR if n % 3 == 0 else Role.MENTEE),
            is_active=rng.random() > 0.2,
            password="!",
        )
        for n in range(members)
    )
    admins = [p for p in people if p.role == Role.ADMINISTRATOR]
    mentors = [p for p in people if p.role == Role.MENTOR]
    mentees = [p for p in people if p.role == Role.MENTEE]
    group = MemberGroup.objects.create(organisation=org, name=f"Cohort {seed}")
    group.members.set(people[::4])
    # A second group, created later but first by name: the rows list groups by name.
    earlier = MemberGroup.objects.create(organisation=org, name=f"Alumni {seed}")
    earlier.members.set(people[::6])
    relationships: list[Relationship] = []
    pairs = set()
    while len(relationships) < 45:
        mentor, mentee = rng.choice(mentors), rng.choice(mentees)
        if (mentor.pk, mentee.pk) in pairs:
            continue
        pairs.add((mentor.pk, mentee.pk))
        status = rng.choice(list(RelationshipStatus))
        created = T0 - timedelta(hours=rng.randrange(6))
        relationships.append(
            Relationship(
                organisation=org,
                mentor=mentor,
                mentee=mentee,
                status=status,
                created_at=created,
                started_at=None if status == RelationshipStatus.REQUESTED else created,
                ended_at=created if status == RelationshipStatus.COMPLETED else None,
            )
        )
    relationships = Relationship.objects.bulk_create(relationships)
    meetings = []
    for n, relationship in enumerate(relationships):
        series = MeetingSeries.objects.create(
            organisation=org,
            relationship=relationship,
            created_by=admins[n % 2],
            meeting_type="video",
            duration_minutes=60,
            frequency="weekly",
            occurrences=3,
            start_date=T0.date(),
            start_time=T0.time(),
            time_zone="UTC",
            uid=f"list-{org.slug}-{n}",
        )
        for _ in range(rng.randrange(4)):
            starts = T0 + timedelta(days=rng.randrange(-40, 40, 20))
            meetings.append(
                Meeting(
                    series=series,
                    organisation=org,
                    relationship=relationship,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=rng.choice([30, 60])),
                    original_start=starts,
                    status=rng.choice(list(MeetingStatus)),
                    meeting_type="video",
                )
            )
    meetings = Meeting.objects.bulk_create(meetings)
    Attendee.objects.bulk_create(
        Attendee(meeting=m, user_id=user_id, is_organiser=False, comment="c")
        for m in meetings
        for user_id in (m.relationship.mentor_id, m.relationship.mentee_id)
    )
    return {"people": people, "relationships": relationships, "meetings": meetings}


@pytest.fixture
def lists(db):
    org = make_org("lists", "Lists", "a@lists.test")
    elsewhere = make_org("elsewhere-lists", "Elsewhere", "a@elsewhere.test")
    data = populate(org, seed=1)
    other = populate(elsewhere, seed=2)  # the same names: a search must not cross over
    return {
        "org": org,
        "data": data,
        "outsider_ids": {
            "people": {p.pk for p in other["people"]},
            "relationships": {r.pk for r in other["relationships"]},
            "meetings": {m.pk for m in other["meetings"]},
        },
    }


# -- the oracles: the queries as they were before issue 17 -------------------------------


def members_reference(organisation_id: int, filters: selectors.MemberFilters) -> QuerySet[User]:
    open_mentor = Q(mentor_relationships__status=RelationshipStatus.MATCHED)
    open_mentee = Q(mentee_relationships__status=RelationshipStatus.MATCHED)
    qs = (
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
    for word in filters.search.split():
        qs = qs.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if filters.role in Role.values:
        qs = qs.filter(role=filters.role)
    if filters.active == "yes":
        qs = qs.filter(is_active=True)
    elif filters.active == "no":
        qs = qs.filter(is_active=False)
    return qs


def relationships_reference(organisation_id: int, tab: str, search: str) -> QuerySet:
    qs = Relationship.objects.filter(organisation_id=organisation_id).select_related(
        "mentor", "mentee", "relationship_administrator"
    )
    status = selectors.RELATIONSHIP_TABS.get(tab)
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


def meetings_reference(organisation_id: int, search: str, order: str) -> QuerySet[Meeting]:
    queryset = Meeting.objects.filter(organisation_id=organisation_id)
    for word in search.split():
        queryset = queryset.filter(
            Q(relationship__mentor__first_name__icontains=word)
            | Q(relationship__mentor__last_name__icontains=word)
            | Q(relationship__mentee__first_name__icontains=word)
            | Q(relationship__mentee__last_name__icontains=word)
            | Q(series__created_by__first_name__icontains=word)
            | Q(series__created_by__last_name__icontains=word)
        )
    ordering = ("starts_at", "pk") if order == "asc" else ("-starts_at", "-pk")
    return queryset.order_by(*ordering)


def every_page(new, reference, size: int, shape) -> int:
    """Compares every page (Paginator over each) and the totals; returns the count."""
    fast, slow = Paginator(new, size), Paginator(reference, size)
    assert fast.count == slow.count
    assert fast.num_pages == slow.num_pages
    for number in fast.page_range:
        assert [shape(x) for x in fast.page(number).object_list] == [
            shape(x) for x in slow.page(number).object_list
        ], f"page {number} of {fast.num_pages}"
    return fast.count


def member_shape(user: Any) -> tuple:
    """A row of the list (its groups' names read by the list itself) or of the reference
    (its groups prefetched)."""
    groups = getattr(user, "group_names", None)
    return (
        user.pk,
        user.current_as_mentor,
        user.current_as_mentee,
        user.total_as_mentor,
        user.total_as_mentee,
        groups if groups is not None else [g.name for g in user.member_groups.all()],
    )


MEMBER_FILTERS = [
    selectors.MemberFilters(),
    selectors.MemberFilters(search="mar"),
    selectors.MemberFilters(search="MAR tin"),
    selectors.MemberFilters(search="p1"),
    selectors.MemberFilters(search="nobody"),
    selectors.MemberFilters(role=Role.MENTOR),
    selectors.MemberFilters(role=Role.MENTEE, active="yes"),
    selectors.MemberFilters(active="no"),
    selectors.MemberFilters(search="an", role=Role.MENTEE, active="no"),
]


@pytest.mark.parametrize("filters", MEMBER_FILTERS, ids=repr)
@pytest.mark.parametrize("size", [10, 25])
def test_members_pages_equal_the_reference(lists, filters, size):
    org_id = lists["org"].pk
    new = selectors.member_list(organisation_id=org_id, filters=filters)
    every_page(new, members_reference(org_id, filters), size, member_shape)
    assert not {u.pk for u in new} & lists["outsider_ids"]["people"]


def test_the_members_list_has_ties_to_break_and_a_page_past_the_middle(lists):
    """The data really exercise what the equality above relies on."""
    org_id = lists["org"].pk
    names = list(User.objects.filter(organisation_id=org_id).values_list("last_name", "first_name"))
    assert len(names) > 2 * len(set(names))  # ties on the whole name
    paged = selectors.member_list(organisation_id=org_id, filters=selectors.MemberFilters())
    everyone = [u.pk for u in members_reference(org_id, selectors.MemberFilters())]
    # Past the middle the ids come from the other end of the order: still the same.
    assert [u.pk for u in paged[55:65]] == everyone[55:65]
    assert [u.pk for u in paged[60:200]] == everyone[60:]
    assert paged[3].pk == everyone[3]
    assert paged[80:90] == []


@pytest.mark.parametrize("tab", ["all", "matched", "completed"])
@pytest.mark.parametrize("search", ["", "mar", "Anna roy", "gagné", "p1", "zzz"])
def test_relationship_pages_equal_the_reference(lists, tab, search):
    org_id = lists["org"].pk
    new = selectors.relationship_list(organisation_id=org_id, tab=tab, search=search)
    every_page(new, relationships_reference(org_id, tab, search), 10, relationship_line)
    assert not {r.pk for r in new} & lists["outsider_ids"]["relationships"]


def relationship_line(r: Any) -> tuple:
    """What a relationships line shows: of a page's plain values or of a model."""
    administrator = r.relationship_administrator
    return (
        r.pk, r.status, r.get_status_display(), r.created_at, r.started_at, r.ended_at,
        r.mentor_id, r.mentor.pk, r.mentor.full_name, r.mentee_id, r.mentee.pk,
        r.mentee.full_name,
        (administrator.pk, administrator.full_name) if administrator is not None else None,
    )  # fmt: skip


def test_a_relationships_page_is_the_models(lists, django_assert_num_queries):
    """A page's plain lines — from a list of ids (compiled once) or a subquery — are the
    models' lines, in the list's order; a deleted person and an administrator included;
    one query each."""
    org = lists["org"]
    ordering = selectors.RELATIONSHIP_ORDER
    everyone = list(
        Relationship.objects.filter(organisation=org)
        .order_by(*ordering)
        .values_list("pk", flat=True)
    )
    some = everyone[:12]
    administrator = make_member(org, "ra@lists.test", "Rémi", "<Admin>", Role.ADMINISTRATOR)
    Relationship.objects.filter(pk=some[0]).update(relationship_administrator=administrator)
    User.objects.filter(pk=Relationship.objects.get(pk=some[1]).mentor_id).update(
        deleted_at=timezone.now()
    )
    shuffled = random.Random(5).sample(some, len(some))
    subquery = Relationship.objects.filter(organisation=org).order_by(*ordering).values("pk")[:12]
    for ids in (shuffled, subquery, [10**12]):
        expected = [
            relationship_line(r) for r in selectors._relationship_rows(ids).order_by(*ordering)
        ]
        with django_assert_num_queries(1):
            found = [relationship_line(r) for r in selectors._relationship_page(ids)]
        assert found == expected
    lines = [relationship_line(r) for r in selectors._relationship_page(some)]
    assert [line[0] for line in lines] == some
    assert lines[0][12] is not None and any(line[8] == gettext("Deleted member") for line in lines)


def test_relationship_tab_counts_equal_the_reference(lists):
    org_id = lists["org"].pk
    expected = Relationship.objects.filter(organisation_id=org_id).aggregate(
        all=Count("pk"),
        matched=Count("pk", filter=Q(status=RelationshipStatus.MATCHED)),
        completed=Count("pk", filter=Q(status=RelationshipStatus.COMPLETED)),
    )
    assert selectors.relationship_tab_counts(organisation_id=org_id) == expected
    empty = make_org("empty", "Empty", "e@empty.test")
    assert selectors.relationship_tab_counts(organisation_id=empty.pk) == {
        "all": 0,
        "matched": 0,
        "completed": 0,
    }


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("search", ["", "mar", "Michele", "p0", "anna roy", "zzz"])
def test_meeting_pages_equal_the_reference(lists, order, search):
    org_id = lists["org"].pk
    starts = list(Meeting.objects.filter(organisation_id=org_id).values_list("starts_at"))
    assert len(starts) > 2 * len(set(starts))  # ties on the start time
    new = scheduling_selectors.meetings_for_admin_list(
        organisation_id=org_id, search=search, order=order
    )

    def shape(m: Meeting | scheduling_selectors.MeetingRow) -> tuple:
        """A page's line (plain values) or the reference's meeting made into its line."""
        row = m if isinstance(m, scheduling_selectors.MeetingRow) else admin_row_of(m)
        return (row.meeting.pk, row.mentor.pk, row.mentee.pk, row.mentor_comment,
                len(row.attendees))  # fmt: skip

    every_page(new, meetings_reference(org_id, search, order), 10, shape)
    assert not {m.pk for m in new} & lists["outsider_ids"]["meetings"]


def test_meeting_search_finds_the_platform_staff_who_sent_it(lists):
    """A sender outside every organisation (platform staff) is still found by name."""
    org_id = lists["org"].pk
    staff = User.objects.create_user(
        "staff@lists.test", "x", first_name="Stéphane", last_name="Plateforme", is_staff=True
    )
    series = MeetingSeries.objects.filter(organisation_id=org_id).first()
    assert series is not None
    MeetingSeries.objects.filter(pk=series.pk).update(created_by=staff)
    new = scheduling_selectors.meetings_for_admin_list(organisation_id=org_id, search="plateforme")
    expected = meetings_reference(org_id, "plateforme", "desc")
    assert [m.pk for m in new] == [m.pk for m in expected]
    assert new.count() == series.meetings.count()


def test_meeting_counts_for_a_page_equal_those_of_the_whole_organisation(lists):
    org_id = lists["org"].pk
    everything = scheduling_selectors.meeting_counts_by_relationship(organisation_id=org_id)
    ids = [r.pk for r in lists["data"]["relationships"][5:30]]
    some = scheduling_selectors.meeting_counts_by_relationship(
        organisation_id=org_id, relationship_ids=ids
    )
    assert some == {pk: tally for pk, tally in everything.items() if pk in ids}
    assert some  # some of them held meetings
    outsiders = list(lists["outsider_ids"]["relationships"])
    assert (
        scheduling_selectors.meeting_counts_by_relationship(
            organisation_id=org_id, relationship_ids=outsiders
        )
        == {}
    )


@pytest.mark.parametrize("moment", [T0 - timedelta(days=400), T0, T0 + timedelta(days=45)])
def test_next_meetings_of_a_page_are_the_earliest_still_to_come(lists, moment):
    """«Prochaine réunion» from the query compiled once, against the ORM's minimum."""
    ids = [r.pk for r in lists["data"]["relationships"][:40]]
    with time_machine.travel(moment, tick=False):
        found = scheduling_selectors.next_meetings_by_relationship(relationship_ids=ids)
    expected = dict(
        Meeting.objects.filter(
            relationship_id__in=ids, status=MeetingStatus.SCHEDULED, starts_at__gt=moment
        )
        .values("relationship_id")
        .annotate(next=Min("starts_at"))
        .values_list("relationship_id", "next")
    )
    assert found == expected
    assert scheduling_selectors.next_meetings_by_relationship(relationship_ids=[]) == {}


@pytest.mark.parametrize(
    ("text", "role", "active_only"),
    [("", "", False), ("mar", "", False), ("an ma", "mentor,mentee", True), ("p2", "", True)],
)
def test_lookup_pages_equal_the_reference(lists, text, role, active_only):
    org_id = lists["org"].pk
    qs = User.objects.filter(organisation_id=org_id)
    for word in text.split():
        qs = qs.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if role:
        qs = qs.filter(role__in=role.split(","))
    if active_only:
        qs = qs.filter(is_active=True)
    expected = list(qs.order_by("last_name", "first_name", "pk").values_list("pk", flat=True))
    for offset in range(0, len(expected) + 10, 7):
        found = selectors.member_lookup(
            organisation_id=org_id, text=text, role=role, active_only=active_only,
            offset=offset, limit=7,
        )  # fmt: skip
        assert [u.pk for u in found] == expected[offset : offset + 7]


def test_dashboard_counts_equal_the_reference(lists):
    org_id = lists["org"].pk
    counts = selectors.dashboard_counts(organisation_id=org_id)
    assert counts["members"] == (
        User.objects.filter(organisation_id=org_id, is_active=True)
        .exclude(role=Role.ADMINISTRATOR)
        .count()
    )


def test_the_list_pages_cost_a_constant_number_of_queries(
    lists, client, django_assert_max_num_queries
):
    org_id = lists["org"].pk
    admin = User.objects.filter(organisation_id=org_id, role=Role.ADMINISTRATOR).first()
    client.force_login(admin)
    for url in (
        "/manage/members/?page=3&size=10",
        "/manage/members/?q=mar&page=2&size=10",
        "/manage/relationships/?tab=matched&page=2&size=10",
        "/manage/relationships/?q=mar&page=1&size=10",
        "/manage/relationships/meetings/?page=4&size=10",
        "/manage/relationships/meetings/?q=mar&page=2&size=10",
    ):
        # 14: the members list's filters offer the organisation's custom fields, its
        # sectors and functions (one query) and the administrator's saved searches; its
        # selection bar the groups («Ajouter au groupe»).
        with django_assert_max_num_queries(14):
            response = client.get(url)
        assert response.status_code == 200, url


# -- the totals the database keeps (programs.totals) -------------------------------------


def counted_totals() -> dict[tuple[int, str], int]:
    """Every kept kind, counted the straightforward way."""
    totals: dict[tuple[int, str], int] = {}
    for org_id in Organisation.objects.values_list("pk", flat=True):
        people = User.objects.filter(organisation_id=org_id)
        totals[(org_id, "members")] = people.count()
        totals[(org_id, "members_active")] = (
            people.filter(is_active=True).exclude(role=Role.ADMINISTRATOR).count()
        )
        for status in RelationshipStatus.values:
            totals[(org_id, f"relationships:{status}")] = Relationship.objects.filter(
                organisation_id=org_id, status=status
            ).count()
        totals[(org_id, "meetings")] = Meeting.objects.filter(organisation_id=org_id).count()
    return {key: n for key, n in totals.items() if n}


def kept_totals() -> dict[tuple[int, str], int]:
    return {
        (org_id, kind): n
        for org_id, kind, n in ListTotal.objects.values_list("organisation_id", "kind", "n")
        if n
    }


def test_kept_totals_follow_inserts_updates_and_deletes(lists):
    org = lists["org"]
    assert kept_totals() == counted_totals()
    people = lists["data"]["people"]
    # Updates that change what is counted, and one that changes nothing counted.
    User.objects.filter(pk__in=[p.pk for p in people[2:12]]).update(is_active=False)
    User.objects.filter(pk=people[20].pk).update(role=Role.ADMINISTRATOR)
    User.objects.filter(organisation=org).update(last_login=T0)
    Relationship.objects.filter(organisation=org, status=RelationshipStatus.MATCHED).update(
        status=RelationshipStatus.COMPLETED, ended_at=T0
    )
    assert kept_totals() == counted_totals()
    # Deletes, cascading from people to their relationships, meetings and attendees.
    User.objects.filter(pk__in=[p.pk for p in people[30:40]]).delete()
    Meeting.objects.filter(organisation=org)[:1].get().delete()
    assert kept_totals() == counted_totals()
    # A whole organisation goes.
    Organisation.objects.filter(slug="elsewhere-lists").delete()
    assert kept_totals() == counted_totals()


def test_pages_show_the_kept_totals(lists, client):
    org_id = lists["org"].pk
    admin = User.objects.filter(organisation_id=org_id, role=Role.ADMINISTRATOR).first()
    client.force_login(admin)
    meetings = Meeting.objects.filter(organisation_id=org_id).count()
    assert scheduling_selectors.meeting_count(organisation_id=org_id) == meetings
    paged = scheduling_selectors.meetings_for_admin_list(organisation_id=org_id)
    assert paged.count() == meetings
    members = selectors.member_list(organisation_id=org_id, filters=selectors.MemberFilters())
    assert members.count() == User.objects.filter(organisation_id=org_id).count()
    Meeting.objects.filter(organisation_id=org_id)[:1].get().delete()
    assert scheduling_selectors.meeting_count(organisation_id=org_id) == meetings - 1


@pytest.mark.parametrize("reader_lists", [True, False])
def test_a_search_with_too_many_rows_to_list_pages_as_an_unsearched_list(
    lists, monkeypatch, reader_lists
):
    """Past FEW_IDS matches a searched list counts and pages from the index instead —
    whether «Rencontres»' own reader of a search's ids still listed them (its limit
    higher) or said there were too many (its total then the count)."""
    from programs import pagination

    monkeypatch.setattr(pagination, "FEW_IDS", 3)
    reader = scheduling_selectors.lists._searched_ids_query
    if not reader_lists:
        reader.cache_clear()  # compiled anew with the lower limit (and again after)
        monkeypatch.setattr(scheduling_selectors.lists, "FEW_IDS", 3)
    try:
        org_id = lists["org"].pk
        for filters in (
            selectors.MemberFilters(search="mar"),
            selectors.MemberFilters(search="a"),
        ):
            new = selectors.member_list(organisation_id=org_id, filters=filters)
            every_page(new, members_reference(org_id, filters), 10, member_shape)
        for order in ("desc", "asc"):
            new_meetings = scheduling_selectors.meetings_for_admin_list(
                organisation_id=org_id, search="mar", order=order
            )
            reference = meetings_reference(org_id, "mar", order)
            assert every_page(new_meetings, reference, 10, meeting_line) > 3
    finally:
        reader.cache_clear()


def meeting_line(m: Meeting | scheduling_selectors.MeetingRow) -> tuple:
    """A page's line (plain values) or the reference's meeting made into its line."""
    return admin_line(m if isinstance(m, scheduling_selectors.MeetingRow) else admin_row_of(m))


# -- the dashboard's invitations waiting and quiet pairs (scheduling.kept) ---------------


def dashboard_shape(day: scheduling_selectors.AdminDay) -> tuple:
    """Every line and total of the administrator's day, and what each line shows."""
    return (
        [
            (m.pk, m.starts_at, m.relationship_id, m.relationship.mentor.full_name,
             m.relationship.mentee.full_name)
            for m in (*day.today, *day.week)
        ],
        (day.today_total, day.week_total, len(day.today), len(day.week)),
        [
            (a.pk, a.user.full_name, a.meeting.starts_at, a.meeting.relationship_id)
            for a in day.unanswered
        ],
        (day.unanswered_total, day.invitations_waiting, day.quiet_total, day.quiet_days),
        [(r.pk, r.last_meeting, r.mentor.full_name, r.mentee.full_name)  # type: ignore[attr-defined]
         for r in day.quiet],
    )  # fmt: skip


def dashboard_edges(org: Organisation) -> None:
    """What the random data lacks: answers, organisers, ties on the last meeting, pairs
    with no meeting or only cancelled ones, a meeting exactly at the cutoff."""
    meetings = list(Meeting.objects.filter(organisation=org).order_by("pk"))
    Attendee.objects.filter(meeting__in=meetings[::3]).update(response=Response.ACCEPTED)
    Attendee.objects.filter(meeting__in=meetings[1::5], user__role=Role.MENTEE).update(
        response=Response.DECLINED
    )
    admin = User.objects.filter(organisation=org, role=Role.ADMINISTRATOR).first()
    Attendee.objects.bulk_create(
        Attendee(meeting=m, user=admin, is_organiser=True) for m in meetings[::2]
    )
    matched = list(Relationship.objects.filter(organisation=org, status=RelationshipStatus.MATCHED))
    # Same last meeting for two pairs; a pair whose meetings are all cancelled.
    Meeting.objects.filter(relationship__in=matched[:2]).update(
        starts_at=T0 + timedelta(days=7), ends_at=T0 + timedelta(days=7, hours=1)
    )
    Meeting.objects.filter(relationship=matched[2]).update(status=MeetingStatus.CANCELLED)
    Meeting.objects.filter(relationship=matched[3]).delete()


@pytest.mark.parametrize(
    "now, quiet_days",
    [
        (T0 - timedelta(days=21), 30),
        (T0, 30),
        (T0 + timedelta(days=20), 30),  # a meeting starts exactly now: not waiting
        (T0 + timedelta(days=30), 30),  # the cutoff is T0: pairs started at T0 are not quiet
        (T0 + timedelta(days=30), 10),  # meetings exactly at the cutoff: not quiet
        (T0 + timedelta(days=37), 30),  # the tied last meetings exactly at the cutoff
        (T0 + timedelta(days=50, seconds=1), 30),
    ],
)
def test_admin_day_from_kept_values_equals_the_counted_queries(
    lists, now, quiet_days, django_assert_num_queries
):
    """The dashboard on PostgreSQL (kept values, queries compiled once) against the ORM
    counting every meeting, on two clocks (days end at different moments)."""
    org = lists["org"]
    dashboard_edges(org)
    for zone in (ZoneInfo("America/Toronto"), ZoneInfo("Pacific/Kiritimati")):
        for limit in (1, 3, 8, 100):
            values = {"now": now, "zone": zone, "quiet_days": quiet_days, "limit": limit}
            with django_assert_num_queries(7):
                kept = scheduling_selectors._admin_day_kept(organisation_id=org.pk, **values)
                shape = dashboard_shape(kept)  # the names shown: no further query
            counted = scheduling_selectors._admin_day_counted(organisation_id=org.pk, **values)
            assert shape == dashboard_shape(counted), (zone, limit)
            shown = (
                {r.pk for r in kept.quiet}
                | {a.meeting.relationship_id for a in kept.unanswered}
                | {m.relationship_id for m in (*kept.today, *kept.week)}
            )
            assert not shown & lists["outsider_ids"]["relationships"]
    assert any(dashboard_shape(kept)[index] for index in (0, 2, 4)), "lines to compare"


def kept_values() -> tuple[dict[int, int], dict[int, datetime | None]]:
    return (
        dict(Meeting.objects.values_list("pk", "pending_answers")),
        dict(Relationship.objects.values_list("pk", "last_meeting_at")),
    )


def counted_values() -> tuple[dict[int, int], dict[int, datetime | None]]:
    pending = Count(
        "attendees",
        filter=Q(attendees__response=Response.PENDING, attendees__is_organiser=False),
    )
    last = Max("meetings__starts_at", filter=Q(meetings__status__in=ACTIVE_STATUSES))
    return (
        dict(Meeting.objects.annotate(n=pending).values_list("pk", "n")),
        dict(Relationship.objects.annotate(last=last).values_list("pk", "last")),
    )


def test_kept_dashboard_values_follow_inserts_updates_and_deletes(lists):
    org = lists["org"]
    assert kept_values() == counted_values()
    dashboard_edges(org)
    assert kept_values() == counted_values()
    meeting = Meeting.objects.filter(organisation=org, status=MeetingStatus.SCHEDULED).first()
    assert meeting is not None
    # Answered and moved while the ORM holds rows read before: saving those (Django writes
    # every field) carries stale values, which the row triggers recompute.
    Attendee.objects.filter(meeting=meeting).update(response=Response.PENDING)
    stale_meeting = Meeting.objects.get(pk=meeting.pk)
    stale_relationship = Relationship.objects.get(pk=meeting.relationship_id)
    assert stale_meeting.pending_answers == 2
    Attendee.objects.filter(meeting=meeting).update(response=Response.ACCEPTED)
    stale_meeting.location = "Room 4"
    stale_meeting.save()
    moved = T0 + timedelta(days=300)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=moved, ends_at=moved + timedelta(hours=1)
    )
    stale_relationship.save()
    assert stale_relationship.last_meeting_at != moved
    assert Meeting.objects.get(pk=meeting.pk).pending_answers == 0
    assert Relationship.objects.get(pk=meeting.relationship_id).last_meeting_at == moved
    assert kept_values() == counted_values()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    Attendee.objects.filter(meeting__organisation=org, is_organiser=False)[:1].get().delete()
    assert kept_values() == counted_values()
    # A new series' meetings and attendees, then deletes cascading from people.
    populate(make_org("more-lists", "More", "a@more.test"), seed=3, members=20)
    people = lists["data"]["people"]
    User.objects.filter(pk__in=[p.pk for p in people[30:40]]).delete()
    Meeting.objects.filter(organisation=org)[:1].get().delete()
    assert kept_values() == counted_values()


def test_ids_as_one_array_parameter_select_what_in_selects(lists):
    people = User.objects.order_by("pk")
    ids = [p.pk for p in lists["data"]["people"][::3]] + [10**12]  # and one not there
    for chosen in (ids, ids[:1], []):
        expected = list(people.filter(pk__in=chosen).values_list("pk", flat=True))
        assert list(people.filter(among("pk", chosen)).values_list("pk", flat=True)) == expected
        either = people.filter(among("pk", chosen) | among("pk", ids[1:2]))
        assert set(either.values_list("pk", flat=True)) == set(expected) | set(ids[1:2])
    # A subquery stays a subquery.
    subquery = User.objects.filter(organisation=lists["org"]).values("pk")
    assert "ANY" not in str(people.filter(among("pk", subquery)).query)


def test_found_ids_come_back_as_one_array_text_and_select_the_same(lists):
    """`_matching_ids` (its query written once as SQL on PostgreSQL) finds exactly whom the
    ORM's `icontains` finds, scoped as asked: LIKE's own characters in a word are
    literal, another organisation's people never, platform staff only when asked."""
    from programs.pagination import IdArray
    from programs.selectors import NAME_FIELDS, PERSON_FIELDS, _matching_ids

    org = lists["org"]
    odd = [
        User.objects.create_user(
            email=f"odd{n}@lists.test",
            first_name=first,
            last_name="Zed",
            organisation=org,
            role=Role.MENTEE,
        )
        for n, first in enumerate(("50%_off", "back\\slash", "Ab_c", "AbXc"))
    ]
    staff = User.objects.create_user(
        email="staff@platform.test",
        first_name="Stafford",
        last_name=odd[0].last_name,
        is_staff=True,
    )
    words = [
        lists["data"]["people"][0].last_name[:4],
        "50%",
        "%_o",
        "k\\s",
        "b_c",
        "zed",
        "STAFF",
        "lists.te",
        "nobody-has-this",
    ]
    for word in words:
        for fields in (PERSON_FIELDS, NAME_FIELDS):
            for staff_too in (False, True):
                scope = Q(organisation=org) | (
                    Q(organisation__isnull=True) if staff_too else Q(pk=None)
                )
                matches = Q()
                for field in fields:
                    matches |= Q(**{f"{field}__icontains": word})
                expected = sorted(
                    User.objects.filter(scope).filter(matches).values_list("pk", flat=True)
                )
                found = _matching_ids(
                    organisation_id=org.pk, word=word, fields=fields, staff_too=staff_too
                )
                assert isinstance(found, IdArray)
                assert len(found) == len(expected), (word, fields, staff_too)
                assert sorted(found.ids()) == expected, (word, fields, staff_too)
                assert not set(found.ids()) & lists["outsider_ids"]["people"]
                selected = User.objects.filter(among("pk", found)).order_by("pk")
                assert list(selected.values_list("pk", flat=True)) == expected
    found_staff = _matching_ids(
        organisation_id=org.pk, word="stafford", fields=NAME_FIELDS, staff_too=True
    )
    assert isinstance(found_staff, IdArray)
    assert staff.pk in found_staff.ids()
    assert _matching_ids(organisation_id=org.pk, word="ab", fields=NAME_FIELDS) is None  # too short
    # What a search hands on: a lookup of every word, the same rows as the plain filter.
    from programs.selectors import people_matching

    word = lists["data"]["people"][0].last_name[:4]
    searched = people_matching(
        User.objects.filter(organisation=lists["org"]), word, organisation_id=lists["org"].pk
    )
    plain = User.objects.filter(organisation=lists["org"]).filter(
        Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    )
    assert "ANY" in str(searched.query)
    assert set(searched.values_list("pk", flat=True)) == set(plain.values_list("pk", flat=True))


def test_member_lines_as_plain_values_read_what_the_models_read(lists):
    """`member_page` (the members list's lines without model instances; a list of ids
    through the query compiled once, a subquery through the ORM) gives, line by line,
    every value the models of `_member_rows` give, in the list's order."""
    from programs.selectors import MEMBER_ORDER, MemberRow, _member_rows, member_page

    org = lists["org"]
    people = list(User.objects.filter(organisation=org).order_by("pk"))
    administrator = User.objects.filter(organisation=org, role=Role.ADMINISTRATOR).first()
    assert administrator is not None
    User.objects.filter(pk__in=[p.pk for p in people[::4]]).update(
        member_administrator=administrator
    )
    User.objects.filter(pk=people[1].pk).update(deleted_at=datetime(2026, 1, 2, tzinfo=UTC))
    User.objects.filter(pk=administrator.pk).update(last_name="O'Brien <b>")
    ids = [p.pk for p in people[:40]]
    models: list[Any] = list(_member_rows(ids).order_by(*MEMBER_ORDER))  # annotated Users
    assert any(m.member_administrator for m in models) and any(m.group_names for m in models)
    subquery = User.objects.filter(pk__in=ids).values("pk")
    for lines in (member_page(ids), member_page(subquery)):
        assert all(isinstance(line, MemberRow) for line in lines)
        assert len(lines) == len(models)
        for line, model in zip(lines, models, strict=True):
            for name in MemberRow.OWN:
                assert getattr(line, name) == getattr(model, name), name
            assert line.full_name == model.full_name
            theirs = line.member_administrator
            if model.member_administrator is None:
                assert theirs is None
            else:
                assert theirs is not None
                assert theirs.pk == model.member_administrator.pk
                assert theirs.full_name == model.member_administrator.full_name
    assert "Deleted member" in [line.full_name for line in member_page(ids)]
    assert member_page([10**12]) == []  # an id not there


def test_member_tallies_compiled_once_equal_the_orms(lists):
    """The members list's meeting tallies (their query compiled once, `programs.compiled`)
    equal the ORM's for the same values, and a tally made by hand from the attendees;
    another organisation's people have none, whatever ids are asked for."""
    from scheduling.selectors.counts import _hours, _member_tallies

    org = lists["org"]
    people = list(User.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    outsiders = sorted(lists["outsider_ids"]["people"])[:20]
    now = timezone.now()
    held: dict[int, tuple[set[int], timedelta]] = {}
    for attendee in Attendee.objects.filter(
        user_id__in=people,
        is_organiser=False,
        meeting__organisation=org,
        meeting__status__in=ACTIVE_STATUSES,
        meeting__ends_at__lte=now,
    ).select_related("meeting"):
        meetings, hours = held.get(attendee.user_id, (set(), timedelta()))
        meetings.add(attendee.meeting_id)
        held[attendee.user_id] = (
            meetings,
            hours + attendee.meeting.ends_at - attendee.meeting.starts_at,
        )
    assert held  # the data have meetings held
    for ids in (people, people[:7], [*people[:3], *outsiders]):
        with time_machine.travel(now, tick=False):
            tallies = scheduling_selectors.meeting_counts_by_member(
                organisation_id=org.pk, user_ids=ids
            )
        orm = {
            user_id: scheduling_selectors.Tally(meetings, _hours(duration))
            for user_id, meetings, duration in _member_tallies(org.pk, ids, now)
        }
        assert tallies == orm
        assert tallies == {
            pk: scheduling_selectors.Tally(len(meetings), _hours(hours))
            for pk, (meetings, hours) in held.items()
            if pk in ids
        }
        assert not set(tallies) & set(outsiders)


def test_group_choices_are_the_organisations_groups_by_name(db):
    org, other = (
        make_org("groups-here", "Here", "a@here.test"),
        make_org("groups-there", "There", "b@there.test"),
    )
    names = ["Cohorte été", "alumni 2025", "Zèbre", "Alumni 2026", "Cohorte"]
    made = [MemberGroup.objects.create(organisation=org, name=name) for name in names]
    MemberGroup.objects.create(organisation=other, name="Aaa theirs")
    expected = [
        (g.pk, g.name) for g in MemberGroup.objects.filter(organisation=org).order_by("name", "pk")
    ]
    assert [(g.pk, g.name) for g in selectors.group_choices(organisation_id=org.pk)] == expected
    assert {pk for pk, _name in expected} == {g.pk for g in made}
    assert selectors.group_choices(organisation_id=other.pk)[0].name == "Aaa theirs"
    assert selectors.group_choices(organisation_id=10**9) == []


def admin_row_of(meeting: Meeting) -> scheduling_selectors.MeetingRow:
    """The line of a meeting made from the models (`admin_row` over the ORM's prefetch)."""
    (model,) = _admin_list_rows([meeting.pk])
    return scheduling_selectors.admin_row(model)


def admin_line(row: scheduling_selectors.MeetingRow) -> tuple:
    """What a «Rencontres» line shows, attendees included."""
    m = row.meeting
    return (
        m.pk, m.relationship_id, m.starts_at, m.ends_at, m.status, m.meeting_type,
        m.duration_minutes, row.duration_minutes,
        row.mentor.pk, row.mentor.full_name, row.mentee.pk, row.mentee.full_name,
        (row.sent_by.pk, row.sent_by.full_name) if row.sent_by else None,
        [(a.pk, a.meeting_id, a.user_id, a.user.pk, a.user.full_name, a.response, a.comment,
          a.is_organiser) for a in row.attendees],
        row.mentor_comment, row.mentee_comment,
    )  # fmt: skip


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_rencontres_page_is_the_orms(lists, order, django_assert_max_num_queries):
    """A page's lines as plain values — from the ids of a searched page (a list: the
    meetings' query compiled once) or of an unsearched one (a subquery) — are the lines
    the models make (`admin_row` over the ORM's prefetch): the same meetings, people,
    names, attendees in order, and comments; in two queries, one when none is found.
    (The ids are the organisation's: the list's own search found them.)"""
    org = lists["org"]
    first = Attendee.objects.filter(meeting__organisation=org).order_by("pk").first()
    assert first is not None
    Attendee.objects.filter(pk=first.pk).update(comment="On time <b>'ok'</b>")
    deleted = Meeting.objects.filter(organisation=org).order_by("pk").first()
    assert deleted is not None
    User.objects.filter(pk=deleted.relationship.mentee_id).update(deleted_at=timezone.now())
    ordering = scheduling_selectors.MEETING_ORDER[order]
    everyone = list(
        Meeting.objects.filter(organisation=org).order_by(*ordering).values_list("pk", flat=True)
    )
    shuffled = random.Random(4).sample(everyone[:12], 12)  # the list's order, whatever theirs
    subquery = Meeting.objects.filter(organisation=org).order_by(*ordering).values("pk")[3:9]
    for ids in (everyone[:10], everyone[-7:], everyone[3:4], shuffled, [10**12], subquery):
        expected = [
            admin_line(scheduling_selectors.admin_row(m))
            for m in _admin_list_rows(ids).order_by(*ordering)
        ]
        with django_assert_max_num_queries(2):
            page = scheduling_selectors.lists._admin_list_page(ids, ordering=ordering)
            found = [admin_line(row) for row in page]
        assert found == expected
        wanted = set(ids) if isinstance(ids, list) else set(everyone[3:9])
        assert [line[0] for line in found] == [pk for pk in everyone if pk in wanted]
    lines = expected_all(org, ordering)
    commented = [a for line in lines for a in line[13] if a[6]]
    assert commented and any(a[6] == "On time <b>'ok'</b>" for a in commented)
    assert any(line[11] == gettext("Deleted member") for line in lines)
    assert any(line[12] is not None for line in lines) and all(len(line[13]) for line in lines)


def _admin_list_rows(ids):
    return scheduling_selectors.lists._admin_list_rows(ids)


def expected_all(org, ordering):
    ids = list(Meeting.objects.filter(organisation=org).values_list("pk", flat=True))
    return [
        admin_line(row)
        for row in scheduling_selectors.lists._admin_list_page(ids, ordering=ordering)
    ]
