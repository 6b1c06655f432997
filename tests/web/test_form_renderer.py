"""The form renderer (web/forms/renderer.py) draws what Django's templates draw: every
widget it handles is rendered both ways, with values and labels that need escaping,
booleans, None, option groups, selected options, errors (aria-invalid) and help text."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from web.forms.renderer import FormRenderer

TRICKY = 'Zoé "<b>O\'Brien</b>" & Cie'


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="A hint", label=TRICKY)
    optional = forms.CharField(required=False)
    number = forms.IntegerField(min_value=0, max_value=100, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    tick = forms.BooleanField(required=False)
    tick_custom = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"data-x": TRICKY, "disabled": True})
    )
    choice = forms.ChoiceField(
        choices=[
            ("", "All"),
            ("a&b", TRICKY),
            ("c", gettext_lazy("Mentor")),
            (3, mark_safe("<i>safe</i>")),
        ],
        required=False,
    )
    grouped = forms.ChoiceField(
        choices=[("", "—"), (TRICKY, [("x", "X"), ("y", "Y")]), ("Other", [("z", "Z")])],
        required=False,
    )
    many = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two"), ("3", TRICKY)], required=False
    )
    long = forms.CharField(required=False, widget=forms.Textarea)
    radio = forms.ChoiceField(choices=[("a", "A")], required=False, widget=forms.RadioSelect)
    dated = forms.DateField(required=False, widget=forms.SelectDateWidget)


DATA: list[dict[str, Any]] = [
    {},
    {"text": TRICKY, "number": "140", "email": "not an email", "day": "2026-02-31",
     "choice": "a&b", "grouped": "y", "many": ["1", "3"], "tick": "on", "hidden": TRICKY,
     "long": TRICKY, "secret": TRICKY, "radio": "a", "moment": "x"},
    {"choice": "3", "grouped": "nope", "number": "7", "tick_custom": "on"},
]  # fmt: skip


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("bound", [True, False])
def test_every_widget_is_drawn_as_the_templates_draw_it(data, bound):
    initial = {"text": TRICKY, "day": datetime.date(2026, 12, 1), "choice": "c", "many": ["2"]}
    ours = Everything(data if bound else None, initial=initial, renderer=FormRenderer())
    theirs = Everything(data if bound else None, initial=initial, renderer=DjangoTemplates())
    if bound:
        ours.is_valid()
        theirs.is_valid()
    for name in Everything.base_fields:
        assert str(ours[name]) == str(theirs[name]), name
    assert str(ours) == str(theirs)


def test_it_is_the_form_renderer_of_the_project(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
    assert settings.FORM_RENDERER == "web.forms.renderer.FormRenderer"


def test_inputs_and_selects_need_no_template(monkeypatch):
    """The widgets it draws are drawn without Django's templates (what made them slow)."""

    def no_template(*args, **kwargs):
        raise AssertionError("a template was loaded")

    monkeypatch.setattr(DjangoTemplates, "get_template", no_template)
    form = Everything(DATA[1], renderer=FormRenderer())
    form.is_valid()
    for name in ("text", "number", "email", "day", "hidden", "tick", "choice", "grouped", "many"):
        assert str(form[name])
    with pytest.raises(AssertionError, match="a template was loaded"):
        str(form["radio"])  # drawn by its templates, as before
