"""The pages' forms, one module per feature."""

from __future__ import annotations

from django import forms


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
