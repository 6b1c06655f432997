"""The months a statistics page covers («Statistiques»): the last 12 or 24 months, or
every month since the program started, always ending with the current month in the
organisation's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _


class Period(StrEnum):
    LAST_12 = "12"
    LAST_24 = "24"
    SINCE_START = "all"

    @property
    def label(self) -> str:
        return str(PERIOD_LABELS[self])


PERIOD_LABELS = {
    Period.LAST_12: _("Last 12 months"),
    Period.LAST_24: _("Last 24 months"),
    Period.SINCE_START: _("Since the program started"),
}
DEFAULT_PERIOD = Period.LAST_12


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def start(self, zone: ZoneInfo) -> dt.datetime:
        """The month's first instant in `zone` (midnight local on the 1st)."""
        return dt.datetime(self.year, self.month, 1, tzinfo=zone)

    @classmethod
    def of(cls, value: dt.date) -> Month:
        return cls(value.year, value.month)


def month_range(first: Month, last: Month) -> list[Month]:
    months = []
    month = first
    while (month.year, month.month) <= (last.year, last.month):
        months.append(month)
        month = month.next()
    return months


def period_months(*, period: Period, current: Month, program_start: Month) -> list[Month]:
    """The months shown, oldest first, ending with `current`."""
    if period is Period.SINCE_START:
        first = min(program_start, current, key=lambda m: (m.year, m.month))
        return month_range(first, current)
    first = current
    for _step in range(int(period.value) - 1):
        first = first.previous()
    return month_range(first, current)
