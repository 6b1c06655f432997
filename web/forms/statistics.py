"""The statistics page's period selector («Statistiques»)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from reports.statistics import DEFAULT_PERIOD, PERIOD_LABELS, Period


class StatisticsPeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[(period.value, label) for period, label in PERIOD_LABELS.items()],
        initial=DEFAULT_PERIOD.value,
        # No period (a bare link, another parameter): the default, without a complaint.
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose one of the periods offered: %(value)s is not one of them."
            )
        },
    )

    def chosen(self) -> Period:
        """The valid period, or the default when the form was not sent or is invalid."""
        if self.is_bound and self.is_valid() and self.cleaned_data["period"]:
            return Period(self.cleaned_data["period"])
        return DEFAULT_PERIOD
