"""«Statistiques»: the program's charts over time (issue 12 §7). The figures come from
reports.statistics; this view picks the period, labels the months in the viewer's
language and hands the series to web/static/tandem/statistics.js as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats

from reports.statistics import ProgramStatistics, program_statistics
from web.access import admin_required
from web.forms.statistics import StatisticsPeriodForm
from web.typing import MemberRequest

# Each series' colour, in order: every one has at least 3:1 contrast with the white page
# (WCAG 1.4.11, graphical objects) and they differ in lightness, not only in hue.
PALETTE = ("#1d4f91", "#b2461d", "#2b6e36", "#6b3f98")


def chart_data(statistics: ProgramStatistics, labels: list[str]) -> dict[str, Any]:
    """What the script draws: month labels, and each chart's series with its colour."""
    return {
        "labels": labels,
        "charts": [
            {
                "key": chart.key,
                "series": [
                    {
                        "label": series.label,
                        "values": series.values,
                        "kind": str(series.kind),
                        "colour": PALETTE[index % len(PALETTE)],
                    }
                    for index, series in enumerate(chart.series)
                ],
            }
            for chart in statistics.charts
        ],
    }


@admin_required
def statistics(request: MemberRequest) -> HttpResponse:
    form = StatisticsPeriodForm(request.GET or None)
    period = form.chosen()
    if form.is_bound and not form.is_valid():
        # An invalid period says so and keeps the default: the selector shows the period
        # the charts are drawn for, with the error beside it.
        shown = StatisticsPeriodForm({"period": period.value})
        shown.is_valid()
        for error in form.errors["period"]:
            shown.add_error("period", error)
        form = shown
    # The user's own organisation, cached on it: the page's header reads it again.
    organisation = request.user.organisation
    result = program_statistics(organisation=organisation, period=period)
    # Month names in the viewer's language (the active one), formatted by Django.
    labels = [formats.date_format(m.first_day, "YEAR_MONTH_FORMAT") for m in result.months]
    rows = [
        {
            "chart": chart,
            "rows": [
                (label, [series.values[i] for series in chart.series])
                for i, label in enumerate(labels)
            ],
        }
        for chart in result.charts
    ]
    return render(
        request,
        "web/statistics.html",
        {
            "form": form,
            "period": period,
            "sections": rows,
            "data": chart_data(result, labels),
        },
    )
