"""The audit log's filters («Journal d'audit»)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.audit import AuditAction


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All"))] + AuditAction.choices,
    )
    actor = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=100)
    start = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must be on or before the end date."), code="date_order"
            )
        return self.cleaned_data

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments: dates are whole days on the viewer's clock."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        start, end = data.get("start"), data.get("end")
        return {
            "action": data.get("action") or "",
            "actor": (data.get("actor") or "").strip(),
            "start": dt.datetime.combine(start, dt.time.min, tzinfo=zone) if start else None,
            "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
            if end and end < dt.date.max
            else None,
        }
