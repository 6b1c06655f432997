"""The pages' forms, one module per feature."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's own copy of a ModelChoiceField (or ModelMultipleChoiceField), typed:
    `BaseForm.fields` only knows it holds some `Field`."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


def choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of a ChoiceField, typed."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def options_text(options: Iterable[dict[str, Any]]) -> str:
    """Stored options ({"id", "en", "fr"}) as the form's text: one per line, «English |
    français» (a custom field's and a question's options alike)."""
    return "\n".join(
        f"{option['en']} | {option['fr']}" if option.get("fr") else option["en"]
        for option in options
    )


def options_parse(text: str) -> list[tuple[str, str]]:
    """The form's options text as (English, French) pairs; blank lines skipped, a line
    without its English text refused."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        en, _bar, fr = line.partition("|")
        if not en.strip():
            raise forms.ValidationError(_("Every option needs its English text."))
        options.append((en.strip(), fr.strip()))
    return options
