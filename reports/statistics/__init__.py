"""«Statistiques»: the program's figures per month, as chart sections (see sections.py
for the registry and sources.py for what is counted, docs/statistics.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from programs.models import Organisation
from reports.statistics.periods import DEFAULT_PERIOD, PERIOD_LABELS, Month, Period, period_months
from reports.statistics.sections import SECTIONS, Kind, Section, Series, section
from reports.statistics.sources import Sources


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    series: list[Series]


@dataclass(frozen=True)
class ProgramStatistics:
    period: Period
    months: list[Month]
    charts: list[Chart]


def program_statistics(
    *, organisation: Organisation, period: Period, now: dt.datetime | None = None
) -> ProgramStatistics:
    """Every registered section's series for `period`, months in the organisation's time
    zone (its default zone: the program's calendar, whoever looks at it). One query per
    source, whatever the number of rows or months."""
    zone = ZoneInfo(organisation.default_time_zone)
    now = now or timezone.now()
    sources = Sources(organisation=organisation, zone=zone, now=now)
    current = Month.of(now.astimezone(zone))
    start = sources.program_start() if period is Period.SINCE_START else current
    months = period_months(period=period, current=current, program_start=start)
    sources.window_start = months[0].start(zone)
    charts = [
        Chart(
            key=s.key,
            title=str(s.title),
            description=str(s.description),
            series=s.build(sources, months),
        )
        for s in SECTIONS
    ]
    return ProgramStatistics(period=period, months=months, charts=charts)


__all__ = [
    "DEFAULT_PERIOD",
    "PERIOD_LABELS",
    "SECTIONS",
    "Chart",
    "Kind",
    "Month",
    "Period",
    "ProgramStatistics",
    "Section",
    "Series",
    "program_statistics",
    "section",
]
