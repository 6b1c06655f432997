"""The prepared reports («Générer des rapports»): one registry entry per report.

A report is a key, a title, and two functions of the export's `ReportContext`: the
header (called inside the administrator's language) and the rows, in batches (lists of
cell values). Adding a report is one `register(Report(…))` call in the module that
computes it, and that module named in `reports.prepared` (which imports them all and
answers lookups); the page lists every entry and the download view streams any of them
as CSV or .xlsx."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise

from programs.audit import AuditAction
from programs.models import Organisation, User
from programs.selectors import MemberFilters

Row = Sequence[object]


@dataclass(frozen=True)
class ReportContext:
    """Everything an export needs, fixed when the download starts (the stream runs after
    the view returned, outside the request's language and zone)."""

    organisation: Organisation
    actor: User
    language: str
    zone: dt.tzinfo
    filters: MemberFilters = field(default_factory=MemberFilters)
    # The custom member report's chosen column keys, in order (None: every column).
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    description: str | Promise
    header: Callable[[ReportContext], list[str]]
    batches: Callable[[ReportContext], Iterator[list[Row]]]
    # How many rows the file will have (shown on the page, used by the progress bar and
    # written to the audit log): one COUNT query.
    count: Callable[[ReportContext], int]
    # Extra audit actions the export counts as (e.g. an administrator reading the
    # conversations through the relationships report).
    reads: Callable[[ReportContext], list[AuditAction]] = lambda context: []
    # Honours the members list's filter (its links carry the list's query string).
    member_filtered: bool = False
    # Listed on «Générer des rapports» (the custom report is reached from the members list).
    listed: bool = True


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.key in REPORTS:
        raise ValueError(f"report {report.key!r} registered twice")
    REPORTS[report.key] = report
    return report
