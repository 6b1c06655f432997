"""The member's own preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Language
from programs.time_zones import time_zone_choices


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, current_time_zone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form: the labels carry today's UTC offsets, in the page's language,
        # and a member keeps a zone the curated list lacks (programs.time_zones).
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = time_zone_choices(current=current_time_zone)
