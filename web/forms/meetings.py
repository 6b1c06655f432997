"""Meetings: a member's availability and answers, an administrator's booking and
rescheduling (F3–F5)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.forms import formset_factory
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy, ngettext

from programs.models import Organisation
from scheduling.models import DURATIONS, MeetingType
from scheduling.services.checks import allowed_types
from scheduling.services.rsvp import COMMENT_MAX
from web.forms import choice

MAX_RANGES = 21  # 7 weekdays, up to 3 ranges each
DEFAULT_DURATION = 60
FREQUENCIES = (
    ("none", gettext_lazy("Does not repeat")),
    ("daily", gettext_lazy("Daily")),
    ("weekly", gettext_lazy("Weekly")),
    ("monthly", gettext_lazy("Monthly")),
    ("yearly", gettext_lazy("Yearly")),
)


class SlotField(forms.CharField):
    """A slot from the select: an ISO 8601 instant with its UTC offset."""

    default_error_messages = {"invalid": gettext_lazy("Choose a date and a time slot.")}

    def to_python(self, value: str | None) -> datetime | None:  # type: ignore[override]
        value = super().to_python(value)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class MeetingBookForm(forms.Form):
    duration = forms.TypedChoiceField(
        label=gettext_lazy("Duration"), coerce=int, initial=DEFAULT_DURATION
    )
    meeting_type = forms.ChoiceField(label=gettext_lazy("Meeting type"))
    location = forms.CharField(label=gettext_lazy("Location"), required=False, max_length=500)
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=FREQUENCIES, initial="none"
    )
    occurrences = forms.IntegerField(
        label=gettext_lazy("Number of occurrences"),
        min_value=1,
        max_value=52,
        initial=1,
        error_messages={
            "min_value": gettext_lazy("Give between 1 and 52 occurrences."),
            "max_value": gettext_lazy("Give between 1 and 52 occurrences."),
        },
    )
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start = SlotField(label=gettext_lazy("Time slot"))

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "duration").choices = [
            (
                minutes,
                ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes)
                % {"minutes": minutes},
            )
            for minutes in DURATIONS
        ]
        allowed = allowed_types(organisation)
        choice(self, "meeting_type").choices = [
            (value, label) for value, label in MeetingType.choices if value in allowed
        ]


class MeetingRescheduleForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start = SlotField(label=gettext_lazy("Time slot"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AvailabilityRangeForm(forms.Form):
    # A row of a table: the column headings are the labels, so each field names itself.
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day"),
        choices=[("", "---------"), *WEEKDAYS.items()],
        coerce=int,
        widget=forms.Select(attrs={"aria-label": gettext_lazy("Day")}),
    )
    start = forms.TimeField(
        label=gettext_lazy("From"),
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "aria-label": gettext_lazy("From")}
        ),
    )
    end = forms.TimeField(
        label=gettext_lazy("To"),
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "aria-label": gettext_lazy("To")}
        ),
    )


class BaseAvailabilityFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext_lazy("Remove")


AvailabilityFormSet = formset_factory(
    AvailabilityRangeForm,
    formset=BaseAvailabilityFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_RANGES,
    validate_max=True,
)


class RespondForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    rest_of_series = forms.BooleanField(required=False)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
