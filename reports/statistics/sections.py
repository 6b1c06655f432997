"""The charts of the «Statistiques» page, as a registry of sections: each section is a
title, a sentence saying what is counted, and a function that turns the organisation's
monthly figures (`Sources`) into one value per month for each of its series. The page
shows them in the order registered; another app's section (survey and evaluation
response rates) is one more `@section(...)` function here, reading its own figures with
one aggregate query, as `Sources` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.models import Role
from reports.statistics.periods import Month
from reports.statistics.sources import Counts, Sources


class Kind(StrEnum):
    BAR = "bar"
    LINE = "line"


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int] | list[float]
    kind: Kind = Kind.BAR


Build = Callable[[Sources, list[Month]], list[Series]]


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    description: Promise
    build: Build


SECTIONS: list[Section] = []


def section(*, key: str, title: Promise, description: Promise) -> Callable[[Build], Build]:
    """Register a chart section (the page shows them in this order)."""

    def register(build: Build) -> Build:
        assert all(s.key != key for s in SECTIONS), f"section {key} registered twice"
        SECTIONS.append(Section(key=key, title=title, description=description, build=build))
        return build

    return register


def _before(month: Month, counts: Counts) -> int:
    """How many counted in the months before `month`."""
    return sum(n for m, n in counts.items() if (m.year, m.month) < (month.year, month.month))


def running_total(counts: Counts, months: list[Month], *, through: bool = True) -> list[int]:
    """For each month, the sum of `counts` up to its end (`through`) or up to its start."""
    totals = []
    total = _before(months[0], counts)
    for month in months:
        if through:
            total += counts.get(month, 0)
            totals.append(total)
        else:
            totals.append(total)
            total += counts.get(month, 0)
    return totals


def _role_label(role: str) -> str:
    return str(_("Mentors") if role == Role.MENTOR else _("Mentees"))


@section(
    key="members",
    title=_("Members"),
    description=_("Mentors and mentees in the program at the end of each month."),
)
def members_total(sources: Sources, months: list[Month]) -> list[Series]:
    series = []
    for role, joined in sources.members_joined.items():
        ended = sources.members_ended[role]
        values = [
            j - e
            for j, e in zip(
                running_total(joined, months), running_total(ended, months), strict=True
            )
        ]
        series.append(Series(label=_role_label(role), values=values, kind=Kind.LINE))
    return series


@section(
    key="new_members",
    title=_("New members"),
    description=_("Mentors and mentees who joined the program during each month."),
)
def members_new(sources: Sources, months: list[Month]) -> list[Series]:
    return [
        Series(label=_role_label(role), values=[joined.get(m, 0) for m in months])
        for role, joined in sources.members_joined.items()
    ]


@section(
    key="relationships",
    title=_("Relationships"),
    description=_(
        "Relationships active at some time during each month, and those that started and "
        "ended during it."
    ),
)
def relationships(sources: Sources, months: list[Month]) -> list[Series]:
    started = sources.relationships_started
    ended = sources.relationships_ended
    active = [
        s - e
        for s, e in zip(
            running_total(started, months), running_total(ended, months, through=False), strict=True
        )
    ]
    return [
        Series(label=str(_("Active relationships")), values=active, kind=Kind.LINE),
        Series(label=str(_("Relationships started")), values=[started.get(m, 0) for m in months]),
        Series(label=str(_("Relationships ended")), values=[ended.get(m, 0) for m in months]),
    ]


@section(
    key="meetings",
    title=_("Meetings held"),
    description=_("Meetings that took place during each month (cancelled ones excluded)."),
)
def meetings(sources: Sources, months: list[Month]) -> list[Series]:
    held = sources.meetings_held
    return [
        Series(label=str(_("Meetings held")), values=[held.get(m, (0, 0.0))[0] for m in months])
    ]


@section(
    key="meeting_hours",
    title=_("Mentoring hours"),
    description=_("The length of the meetings held during each month, in hours."),
)
def meeting_hours(sources: Sources, months: list[Month]) -> list[Series]:
    held = sources.meetings_held
    return [Series(label=str(_("Hours")), values=[held.get(m, (0, 0.0))[1] for m in months])]


@section(
    key="emails",
    title=_("Emails"),
    description=_("Emails sent during each month that were delivered, opened or bounced."),
)
def emails(sources: Sources, months: list[Month]) -> list[Series]:
    figures = sources.emails
    labels = (_("Emails delivered"), _("Emails opened"), _("Emails bounced"))
    return [
        Series(label=str(label), values=[figures.get(m, (0, 0, 0))[i] for m in months])
        for i, label in enumerate(labels)
    ]


def _rate(asked: dict[Month, tuple[int, int]], months: list[Month]) -> list[float]:
    """The share answered (%) of those asked in each month; 0 for a month nobody was."""
    rates = []
    for month in months:
        total, answered = asked.get(month, (0, 0))
        rates.append(round(100 * answered / total, 1) if total else 0.0)
    return rates


@section(
    key="evaluation_responses",
    title=_("Program evaluation responses"),
    description=_(
        "Program evaluations requested during each month, those answered since, and the "
        "response rate in percent (0 for a month with no request)."
    ),
)
def evaluation_responses(sources: Sources, months: list[Month]) -> list[Series]:
    asked = sources.evaluations
    return [
        Series(
            label=str(_("Evaluations requested")), values=[asked.get(m, (0, 0))[0] for m in months]
        ),
        Series(
            label=str(_("Evaluations answered")), values=[asked.get(m, (0, 0))[1] for m in months]
        ),
        Series(label=str(_("Response rate (%)")), values=_rate(asked, months), kind=Kind.LINE),
    ]


@section(
    key="survey_responses",
    title=_("Survey responses"),
    description=_(
        "People invited to a survey during each month, those who answered since, and the "
        "response rate in percent (0 for a month with no invitation)."
    ),
)
def survey_responses(sources: Sources, months: list[Month]) -> list[Series]:
    asked = sources.surveys
    return [
        Series(label=str(_("People invited")), values=[asked.get(m, (0, 0))[0] for m in months]),
        Series(label=str(_("Surveys answered")), values=[asked.get(m, (0, 0))[1] for m in months]),
        Series(label=str(_("Response rate (%)")), values=_rate(asked, months), kind=Kind.LINE),
    ]
