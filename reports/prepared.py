"""Every prepared report, registered: this module imports each module that calls
`registry.register`, so a lookup never depends on what happened to be imported before.
Pages, exports and the year's archive look reports up here; the report modules import
only `reports.registry` (no circle)."""

from __future__ import annotations

# Imported for their registrations.
from reports import answers, meetings, members, relationships  # noqa: F401
from reports.registry import REPORTS, Report

# The page's order, as the source platform lists them; a report not named here follows.
PAGE_ORDER = (
    "members",
    "relationships",
    "meetings_relationships",
    "meetings_members",
    "evaluation",
    "surveys",
)


def report_get(key: str) -> Report | None:
    return REPORTS.get(key)


def reports_listed() -> list[Report]:
    """The reports «Générer des rapports» lists (and the year's archive holds), in the
    page's order."""
    listed = [report for report in REPORTS.values() if report.listed]
    position = {key: index for index, key in enumerate(PAGE_ORDER)}
    return sorted(listed, key=lambda report: position.get(report.key, len(PAGE_ORDER)))
