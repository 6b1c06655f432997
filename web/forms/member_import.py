"""The member import's upload form («Importer des membres»)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
