"""The monthly figures the charts are drawn from: each one aggregate query grouped by
month in the organisation's time zone (`TruncMonth(…, tzinfo=zone)`), scoped to the
organisation, run at most once per page whatever the number of rows or of charts using
it. The figures are {Month: count}; the charts' sums over time (members at a month's
end, relationships active during it) are computed from them in Python, so history before
the period shown counts without a query per month.

What counts:
- members: mentors and mentees (administrators run the program; the dashboard's
  «Membres» tile counts the same people), by `date_joined`; a deactivated member leaves
  on their `ended_at` date (a reactivated one has none: counted throughout);
- relationships: those that started (`started_at`: a match); active during a month when
  started before its end and not ended before its start;
- meetings held: not cancelled and over (scheduling.selectors.counts' definition), in
  the month they started; hours are their scheduled length;
- emails, in the month they were sent (or queued, if never sent): delivered (delivered,
  opened or reported as spam: each one reached the inbox), opened (opened at least once),
  bounced;
- program evaluations, in the month they were requested: requested, and answered since;
- surveys, in the month each person was invited: invited, and answered since.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from feedback.models import EvaluationRequest, SurveyRecipient
from notifications.models import EmailLog, EmailStatus
from programs.models import Organisation, Relationship, Role, User
from reports.statistics.periods import Month
from scheduling.models import Meeting
from scheduling.selectors import ACTIVE_STATUSES

PARTICIPANT_ROLES = (Role.MENTOR, Role.MENTEE)
# Statuses an email only reaches after it arrived in the inbox (a status only moves
# forward, notifications.models.STATUS_RANK).
ARRIVED = (EmailStatus.DELIVERED, EmailStatus.OPENED, EmailStatus.SPAM)

Counts = dict[Month, int]
# Longest time between queueing an email and sending it that the emails chart allows for.
SEND_DELAY_BOUND = dt.timedelta(days=7)


class Sources:
    """The figures of one organisation, each read on first use. `window_start` bounds the
    queries that only need the months shown (meetings, emails): program_statistics sets it
    once the months are known (the program's start, for «since the program started», is
    read from the running totals' own rows). The running totals read every month since
    the beginning (one row per month and role: a few hundred at most)."""

    def __init__(self, *, organisation: Organisation, zone: ZoneInfo, now: dt.datetime) -> None:
        self.organisation = organisation
        self.organisation_id = organisation.pk
        self.zone = zone
        self.now = now
        self.window_start = now

    def _month(self, value: dt.date | dt.datetime) -> Month:
        if isinstance(value, dt.datetime):
            value = value.astimezone(self.zone)
        return Month.of(value)

    def _trunc(self, field: str | Coalesce) -> TruncMonth:
        return TruncMonth(field, tzinfo=self.zone)

    @cached_property
    def members_joined(self) -> dict[str, Counts]:
        """{role: {month: members who joined}}, every month since the first."""
        rows = (
            User.objects.filter(organisation_id=self.organisation_id, role__in=PARTICIPANT_ROLES)
            .annotate(month=self._trunc("date_joined"))
            .values("month", "role")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return self._by_role(rows)

    @cached_property
    def members_ended(self) -> dict[str, Counts]:
        """{role: {month: members deactivated}} (`ended_at` is already a local date)."""
        rows = (
            User.objects.filter(
                organisation_id=self.organisation_id,
                role__in=PARTICIPANT_ROLES,
                is_active=False,
                ended_at__isnull=False,
            )
            .annotate(month=TruncMonth("ended_at"))
            .values("month", "role")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return self._by_role(rows)

    def _by_role(self, rows: Iterable[dict[str, Any]]) -> dict[str, Counts]:
        counts: dict[str, Counts] = {role: defaultdict(int) for role in PARTICIPANT_ROLES}
        for row in rows:
            counts[row["role"]][self._month(row["month"])] += row["n"]
        return counts

    def _relationships(self, field: str) -> Counts:
        rows = (
            Relationship.objects.filter(organisation_id=self.organisation_id)
            .exclude(started_at__isnull=True)
            .exclude(**{f"{field}__isnull": True})
            .annotate(month=self._trunc(field))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts: Counts = defaultdict(int)
        for row in rows:
            counts[self._month(row["month"])] += row["n"]
        return counts

    @cached_property
    def relationships_started(self) -> Counts:
        return self._relationships("started_at")

    @cached_property
    def relationships_ended(self) -> Counts:
        """Ends of relationships that had started (a request declined never started)."""
        return self._relationships("ended_at")

    @cached_property
    def meetings_held(self) -> dict[Month, tuple[int, float]]:
        """{month: (meetings held, hours)} for the months shown."""
        rows = (
            Meeting.objects.filter(
                organisation_id=self.organisation_id,
                status__in=ACTIVE_STATUSES,
                ends_at__lte=self.now,
                starts_at__gte=self.window_start,
            )
            .annotate(month=self._trunc("starts_at"))
            .values("month")
            .annotate(
                n=Count("pk"),
                held=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
            )
            .order_by()
        )
        held: dict[Month, tuple[int, float]] = {}
        for row in rows:
            month = self._month(row["month"])
            seconds = (row["held"] or dt.timedelta()).total_seconds()
            count, before = held.get(month, (0, 0.0))
            held[month] = (count + row["n"], round(before + seconds / 3600, 2))
        return held

    @cached_property
    def emails(self) -> dict[Month, tuple[int, int, int]]:
        """{month: (delivered, opened, bounced)} for the months shown."""
        since = self.window_start
        rows = (
            EmailLog.objects.filter(
                Q(sent_at__gte=since) | Q(sent_at__isnull=True, created_at__gte=since),
                organisation_id=self.organisation_id,
                # An email is sent soon after it is queued (the outbox's retries span a few
                # hours, EMAIL_RETRY_DELAYS): this bound lets the organisation's
                # (created_at) index pick the rows, however long the log.
                created_at__gte=since - SEND_DELAY_BOUND,
            )
            .annotate(month=self._trunc(Coalesce("sent_at", "created_at")))
            .values("month")
            .annotate(
                delivered=Count("pk", filter=Q(status__in=ARRIVED)),
                opened=Count(
                    "pk", filter=Q(opened_at__isnull=False) | Q(status=EmailStatus.OPENED)
                ),
                bounced=Count("pk", filter=Q(status=EmailStatus.BOUNCED)),
            )
            .order_by()
        )
        emails: dict[Month, tuple[int, int, int]] = {}
        for row in rows:
            month = self._month(row["month"])
            totals = emails.get(month, (0, 0, 0))
            emails[month] = (
                totals[0] + row["delivered"],
                totals[1] + row["opened"],
                totals[2] + row["bounced"],
            )
        return emails

    def _asked(self, rows: Any) -> dict[Month, tuple[int, int]]:
        asked: dict[Month, tuple[int, int]] = {}
        for row in rows:
            month = self._month(row["month"])
            total, answered = asked.get(month, (0, 0))
            asked[month] = (total + row["n"], answered + row["answered"])
        return asked

    @cached_property
    def evaluations(self) -> dict[Month, tuple[int, int]]:
        """{month: (evaluations requested, of which answered)} for the months shown."""
        return self._asked(
            EvaluationRequest.objects.filter(
                organisation_id=self.organisation_id, created_at__gte=self.window_start
            )
            .annotate(month=self._trunc("created_at"))
            .values("month")
            .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
            .order_by()
        )

    @cached_property
    def surveys(self) -> dict[Month, tuple[int, int]]:
        """{month: (people invited to a survey, of whom answered)} for the months shown."""
        return self._asked(
            SurveyRecipient.objects.filter(
                survey__organisation_id=self.organisation_id,
                invited_at__gte=self.window_start,
            )
            .annotate(month=self._trunc("invited_at"))
            .values("month")
            .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
            .order_by()
        )

    def program_start(self) -> Month:
        """The program's first month: the organisation's creation, or the first member or
        relationship if the data is older (an imported program)."""
        months = [Month.of(self.organisation.created_at.astimezone(self.zone))]
        for counts in (*self.members_joined.values(), self.relationships_started):
            months.extend(counts)
        return min(months, key=lambda m: (m.year, m.month))
