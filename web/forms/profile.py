"""The member's own preferences."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import TIME_ZONE_CHOICES, Language


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
