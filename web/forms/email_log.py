"""The email log's filters (F2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import EmailStatus
from programs.models import User
from web.forms import model_choice
from web.widgets import picker_attrs, use_member_lookup


class EmailLogFilterForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Enter a member to see the notifications sent to them"),
        queryset=User.objects.none(),
        required=False,
    )
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Status"), choices=EmailStatus.choices, required=False
    )
    # ISO in and out whatever the language: that is what <input type=date> speaks.
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

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's people, deactivated ones included (they were emailed
        # too): another organisation's id is "not one of the available choices".
        members = model_choice(self, "members")
        members.queryset = (
            User.objects.filter(organisation_id=organisation_id)
            .only("id", "first_name", "last_name", "email", "deleted_at")
            .order_by("last_name", "first_name", "pk")
        )
        # A type-ahead picker asking the server: the page never lists every member.
        use_member_lookup(members)
        self.fields["statuses"].widget.attrs["data-email-log-picker"] = ""
        self.fields["statuses"].widget.attrs.update(picker_attrs())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must be on or before the end date."), code="date_order"
            )
        return data

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments. Dates are whole days in the viewer's time
        zone: from the start date's midnight to the midnight after the end date."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        start, end = data.get("start"), data.get("end")
        return {
            "member_ids": [member.pk for member in data.get("members") or ()],
            "statuses": list(data.get("statuses") or ()),
            "start": _midnight(start, zone) if start else None,
            # The last representable day has no day after: it bounds nothing.
            "end": _midnight(end + dt.timedelta(days=1), zone)
            if end and end < dt.date.max
            else None,
        }


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)
