"""«Statistiques» (issue 12 §7): known data gives exact monthly figures, months cut in the
organisation's time zone, another organisation's rows never counted, one query per
source whatever the data size."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from notifications.models import EmailLog, EmailStatus
from programs.models import Organisation, Relationship, RelationshipStatus, Role, User
from reports.statistics import Month, Period, ProgramStatistics, program_statistics
from scheduling.models import Meeting, MeetingSeries, MeetingStatus
from tests.conftest import make_member

TORONTO = ZoneInfo("America/Toronto")
# Sunday 15 March 2026, noon in Toronto: the last 12 months are April 2025 – March 2026.
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=TORONTO)
SERIAL = itertools.count()


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TORONTO)


def member(org: Organisation, role: str, joined: dt.datetime, **extra: object) -> User:
    n = next(SERIAL)
    person = make_member(org, f"p{n}-{org.slug}@stats.test", f"P{n}", "Stats", role, **extra)
    User.objects.filter(pk=person.pk).update(date_joined=joined)
    return person


LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=TORONTO)


def pair(
    org: Organisation, started: dt.datetime | None, ended: dt.datetime | None = None
) -> Relationship:
    if started is None:
        status = RelationshipStatus.REQUESTED
    else:
        status = RelationshipStatus.COMPLETED if ended else RelationshipStatus.MATCHED
    return Relationship.objects.create(
        organisation=org,
        mentor=member(org, Role.MENTOR, LONG_AGO),
        mentee=member(org, Role.MENTEE, LONG_AGO),
        status=status,
        started_at=started,
        ended_at=ended,
    )


def meeting(
    relationship: Relationship, starts: dt.datetime, minutes: int = 60, status: str = "scheduled"
) -> Meeting:
    n = next(SERIAL)
    series = MeetingSeries.objects.create(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        meeting_type="video",
        duration_minutes=60,
        frequency="once",
        start_date=starts.date(),
        start_time=starts.time(),
        time_zone="America/Toronto",
        uid=f"stats-{n}",
    )
    return Meeting.objects.create(
        series=series,
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        original_start=starts,
        status=status,
        meeting_type="video",
    )


def email(person: User, status: str, sent: dt.datetime | None, *, opened: bool = False) -> EmailLog:
    return EmailLog.objects.create(
        organisation_id=person.organisation_id,
        recipient=person,
        to_name=person.full_name,
        to_email=person.email,
        language="en",
        subject="S",
        status=status,
        created_at=sent or at(2026, 3, 1),
        sent_at=sent,
        opened_at=sent if opened else None,
    )


def chart(result: ProgramStatistics, key: str) -> dict[str, list]:
    found = next(c for c in result.charts if c.key == key)
    return {series.label: series.values for series in found.series}


def by_month(result: ProgramStatistics, values: list) -> dict[tuple[int, int], float]:
    return {(m.year, m.month): v for m, v in zip(result.months, values, strict=True)}


def stats(org: Organisation, period: Period = Period.LAST_12) -> ProgramStatistics:
    org.refresh_from_db()
    return program_statistics(organisation=org, period=period, now=NOW)


def test_the_periods_end_with_the_current_month(org):
    twelve = stats(org).months
    assert (twelve[0], twelve[-1], len(twelve)) == (Month(2025, 4), Month(2026, 3), 12)
    twenty_four = stats(org, Period.LAST_24).months
    assert (twenty_four[0], len(twenty_four)) == (Month(2024, 4), 24)
    Organisation.objects.filter(pk=org.pk).update(created_at=at(2025, 11, 20))
    assert stats(org, Period.SINCE_START).months[0] == Month(2025, 11)
    # Members older than the organisation's row (an imported program) move the start back.
    member(org, Role.MENTOR, at(2025, 8, 3))
    since = stats(org, Period.SINCE_START).months
    assert (since[0], since[-1]) == (Month(2025, 8), Month(2026, 3))


def test_members_at_each_months_end_and_new_members_by_role(org, other_org):
    member(org, Role.MENTOR, at(2024, 6, 10))  # before the period: in every total
    member(org, Role.MENTEE, at(2026, 1, 31, 23, 30))  # 04:30 UTC on 1 February: January
    member(org, Role.MENTEE, at(2026, 2, 1, 0, 30))
    left = member(org, Role.MENTOR, at(2025, 12, 5), is_active=False)
    User.objects.filter(pk=left.pk).update(ended_at=dt.date(2026, 2, 10))
    member(org, Role.ADMINISTRATOR, at(2026, 2, 2))  # administrators are not counted
    member(org, Role.MENTEE, at(2026, 4, 1))  # after now: nowhere
    for role in (Role.MENTOR, Role.MENTEE):
        member(other_org, role, at(2026, 2, 3))

    result = stats(org)
    totals = chart(result, "members")
    assert by_month(result, totals["Mentors"])[(2025, 4)] == 1
    assert [by_month(result, totals["Mentors"])[(2025, m)] for m in (11, 12)] == [1, 2]
    assert [by_month(result, totals["Mentors"])[(2026, m)] for m in (1, 2, 3)] == [2, 1, 1]
    assert [by_month(result, totals["Mentees"])[(2026, m)] for m in (1, 2, 3)] == [1, 2, 2]
    assert by_month(result, totals["Mentees"])[(2025, 12)] == 0
    new = chart(result, "new_members")
    assert sum(new["Mentors"]) == 1 and by_month(result, new["Mentors"])[(2025, 12)] == 1
    assert by_month(result, new["Mentees"])[(2026, 1)] == 1
    assert by_month(result, new["Mentees"])[(2026, 2)] == 1
    assert sum(new["Mentees"]) == 2


def test_relationships_active_started_and_ended(org, other_org):
    pair(org, at(2025, 12, 15))  # still matched
    pair(org, at(2024, 1, 1), at(2026, 1, 31, 23, 30))  # ends late on 31 January, local
    pair(org, None)  # requested, never started
    pair(org, at(2026, 3, 2), at(2026, 3, 9))  # started and ended in March
    pair(other_org, at(2026, 1, 5))
    pair(other_org, at(2025, 6, 5), at(2026, 2, 5))

    result = stats(org)
    figures = {k: by_month(result, v) for k, v in chart(result, "relationships").items()}
    active, started, ended = (
        figures["Active relationships"],
        figures["Relationships started"],
        figures["Relationships ended"],
    )
    assert [active[(2025, m)] for m in (4, 11, 12)] == [1, 1, 2]
    assert [active[(2026, m)] for m in (1, 2, 3)] == [2, 1, 2]
    assert [started[(2025, 12)], started[(2026, 3)], sum(started.values())] == [1, 1, 2]
    assert [ended[(2026, 1)], ended[(2026, 2)], ended[(2026, 3)]] == [1, 0, 1]


def test_meetings_held_and_hours(org, other_org):
    pairing = pair(org, at(2025, 1, 1))
    meeting(pairing, at(2026, 1, 31, 23, 30), minutes=30)  # 04:30 UTC in February: January
    meeting(pairing, at(2026, 2, 1, 0, 0), minutes=90)
    meeting(pairing, at(2026, 2, 10), minutes=45)
    meeting(pairing, at(2026, 2, 11), status=MeetingStatus.CANCELLED)
    meeting(pairing, at(2026, 3, 15, 11, 30), minutes=60)  # not over at noon
    meeting(pairing, at(2026, 3, 2), status=MeetingStatus.COMPLETED, minutes=15)
    meeting(pairing, at(2025, 3, 31, 12))  # before the period
    meeting(pair(other_org, at(2025, 1, 1)), at(2026, 2, 10))

    result = stats(org)
    held = by_month(result, chart(result, "meetings")["Meetings held"])
    hours = by_month(result, chart(result, "meeting_hours")["Hours"])
    assert [held[(2026, m)] for m in (1, 2, 3)] == [1, 2, 1]
    assert [hours[(2026, m)] for m in (1, 2, 3)] == [0.5, 2.25, 0.25]
    assert sum(held.values()) == 4


def test_emails_delivered_opened_bounced(org, other_org):
    person = member(org, Role.MENTEE, at(2025, 1, 1))
    email(person, EmailStatus.DELIVERED, at(2026, 2, 28, 23, 30))  # 04:30 UTC, 1 March
    email(person, EmailStatus.OPENED, at(2026, 3, 1), opened=True)
    email(person, EmailStatus.SPAM, at(2026, 3, 2), opened=True)
    email(person, EmailStatus.BOUNCED, at(2026, 3, 3))
    email(person, EmailStatus.SENT, at(2026, 3, 4))
    email(person, EmailStatus.QUEUED, None)  # never sent: its queueing month (March)
    email(person, EmailStatus.DELIVERED, at(2025, 3, 20))  # before the period
    # Queued on the last evening before the period, sent in its first month: counted there.
    late = email(person, EmailStatus.DELIVERED, at(2025, 4, 1, 0, 10))
    EmailLog.objects.filter(pk=late.pk).update(created_at=at(2025, 3, 31, 23, 50))
    email(member(other_org, Role.MENTEE, at(2025, 1, 1)), EmailStatus.BOUNCED, at(2026, 3, 3))

    result = stats(org)
    figures = {k: by_month(result, v) for k, v in chart(result, "emails").items()}
    assert figures["Emails delivered"][(2026, 2)] == 1
    assert figures["Emails delivered"][(2025, 4)] == 1
    assert figures["Emails delivered"][(2026, 3)] == 2
    assert figures["Emails opened"][(2026, 3)] == 2
    assert figures["Emails bounced"][(2026, 3)] == 1
    assert sum(figures["Emails delivered"].values()) == 4
    assert sum(figures["Emails bounced"].values()) == 1


def _some_of_everything(org: Organisation, n: int) -> None:
    for i in range(n):
        pairing = pair(org, at(2025, 3 + i % 10, 3), at(2026, 2, 1) if i % 2 else None)
        meeting(pairing, at(2025, 4 + i % 8, 4))
        email(pairing.mentee, EmailStatus.OPENED, at(2025, 5 + i % 8, 5), opened=True)


@pytest.mark.parametrize("period", list(Period))
def test_one_query_per_source_whatever_the_size(org, django_assert_num_queries, period):
    org.refresh_from_db()
    _some_of_everything(org, 2)
    with django_assert_num_queries(8):
        small = program_statistics(organisation=org, period=period, now=NOW)
    _some_of_everything(org, 12)
    with django_assert_num_queries(8):
        large = program_statistics(organisation=org, period=period, now=NOW)
    assert sum(chart(large, "meetings")["Meetings held"]) > sum(
        chart(small, "meetings")["Meetings held"]
    )
