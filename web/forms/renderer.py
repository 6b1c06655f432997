"""The form renderer (settings.FORM_RENDERER): Django's, with the widgets the list pages'
filter bars draw on every request — text, number, date and checkbox inputs and selects —
written in Python.

Through templates each of those widgets costs an include per option and per attribute
list: the members list's eleven filters took an eighth of the page's own time at 100,000
members (bench/members_list.py). Here they give the same HTML, character for character,
as Django's templates (tests/web/test_form_renderer.py renders every kind both ways);
any other widget, a widget with a template of its own, or a select whose options have
one, is rendered by the templates as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_WIDGETS = "django/forms/widgets/"
_INPUTS = {
    f"{_WIDGETS}{kind}.html"
    for kind in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "input",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value as a string, always escaped."""
    return escape(str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    drawn = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            drawn.append(f" {conditional_escape(name)}")
        else:
            drawn.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(drawn)


def _input(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html (and the inputs that include it), without the
    file's last newline (Django's renderer strips what a template gives)."""
    value = widget["value"]
    shown = f' value="{_text(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    """django/forms/widgets/select.html with select_option.html; None when an option has
    a template of its own."""
    drawn = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            drawn.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            drawn.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            drawn.append("\n  </optgroup>")
    drawn.append("\n</select>")
    return "".join(drawn)


_DRAWN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **dict.fromkeys(_INPUTS, _input),
    _SELECT: _select,
}


class FormRenderer(DjangoTemplates):
    """Django's template renderer, drawing the common widgets itself (module docstring)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> Any:
        draw = _DRAWN.get(template_name)
        widget = context.get("widget") if draw is not None else None
        if (
            draw is not None
            and isinstance(widget, Mapping)
            and widget.get("template_name") == (template_name)
        ):
            drawn = draw(widget)
            if drawn is not None:
                return mark_safe(drawn)  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request)
