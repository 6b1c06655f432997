"""The relationship workspace's forms: a goal, its status or place, an agreement answer,
one's own notes, the agreement template (administrators)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workspace.models import GoalStatus
from workspace.models.goals import TITLE_MAX
from workspace.models.notes import NOTE_MAX
from workspace.services.agreement import ANSWER_MAX


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=TITLE_MAX)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices, required=False)
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    status = forms.ChoiceField(choices=GoalStatus.choices, required=False)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)


class AnswerForm(forms.Form):
    key = forms.CharField(max_length=40)
    text = forms.CharField(required=False, max_length=ANSWER_MAX, strip=False)
    version = forms.IntegerField(min_value=0)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("My notes"), required=False, max_length=NOTE_MAX, widget=forms.Textarea
    )


class AgreementTemplateForm(forms.Form):
    text = forms.CharField(
        label=_("Sections and questions"),
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=50000,
    )
