"""Forms of the cohort tools: «Désactiver les membres» and «Supprimer un membre
définitivement»."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class MemberDeactivationForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What to do with the members listed"),
        choices=[
            ("deactivate", gettext_lazy("Deactivate them")),
            ("reactivate", gettext_lazy("Reactivate them")),
        ],
        initial="deactivate",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MemberDeleteForm(forms.Form):
    confirmation = forms.CharField(
        label=gettext_lazy("Type the program's name to confirm"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
