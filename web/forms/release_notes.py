"""The staff's release-note desk."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReleaseNoteForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Sections (English)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("“## Heading” starts a section, “- ” a bullet, [text](https://…) a link."),
    )
    body_fr = forms.CharField(
        label=_("Sections (French)"), widget=forms.Textarea(attrs={"rows": 14}), required=False
    )
