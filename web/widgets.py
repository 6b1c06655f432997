"""Form widgets of the admin pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from programs.selectors import LOOKUP_PAGE


def member_label(user: Any) -> str:
    return f"{user.full_name} ({user.email})"


# Pages a picker may scroll through: 50 a page, so 50,000 people at most.
LOOKUP_MAX_PAGE = 1000


def lookup_response(request: HttpRequest, fetch: Callable[..., list[Any]]) -> JsonResponse:
    """A picker's page, in the shape web/static/tandem/app.js reads: the people matching
    what was typed (`q`, bounded) on the page asked for (`page`; 1 when absent or
    malformed), and the next page's number if there is one. `fetch(text=, offset=,
    limit=)` reads them."""
    text = request.GET.get("q", "")[:100]
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), LOOKUP_MAX_PAGE)
    except ValueError:
        page = 1
    people = fetch(text=text, offset=(page - 1) * LOOKUP_PAGE, limit=LOOKUP_PAGE + 1)
    more = len(people) > LOOKUP_PAGE and page < LOOKUP_MAX_PAGE
    return JsonResponse(
        {
            "results": [
                {"value": str(user.pk), "text": member_label(user)} for user in people[:LOOKUP_PAGE]
            ],
            "next": page + 1 if more else None,
        }
    )


def picker_attrs() -> dict[str, Any]:
    """tom-select's own words in the page's language (it ships them in English: "Remove",
    "No results found for …"); web/static/tandem/*.js reads them from the <select>."""
    return {
        "data-picker-remove": gettext_lazy("Remove"),
        "data-picker-empty": gettext_lazy("No results"),
    }


class _MemberLookupSelect(forms.Select):
    """A people picker that renders only the people already chosen and asks the server
    for the rest as the administrator types (`web:member_lookup`, tom-select in the
    browser): an organisation of 20,000 members never sends 20,000 options with the page.
    The field's queryset still decides what may be chosen."""

    choices: Any  # a ModelChoiceIterator: `.field` is the form field

    def lookup(self, *, role: str = "", active_only: bool = False) -> None:
        params = {"role": role} if role else {}
        if active_only:
            params["active"] = "1"
        url = reverse("web:member_lookup")
        self.attrs["data-lookup"] = f"{url}?{urlencode(params)}" if params else url
        self.attrs["data-lookup-empty"] = gettext_lazy("No member matches")
        self.attrs["data-lookup-hint"] = gettext_lazy("Type a name or an email")
        self.attrs.update(picker_attrs())

    def optgroups(self, name: str, value: list[str], attrs: dict | None = None) -> list:
        field = self.choices.field
        ids = [int(item) for item in value if str(item).isdigit()]
        chosen = field.queryset.filter(pk__in=ids) if ids else field.queryset.none()
        groups = []
        if not getattr(self, "allow_multiple_selected", False):
            groups.append((None, [self.create_option(name, "", "", False, 0, attrs=attrs)], 0))
        for index, user in enumerate(chosen, start=len(groups)):
            option = self.create_option(
                name, user.pk, field.label_from_instance(user), True, index, attrs=attrs
            )
            groups.append((None, [option], index))
        return groups


class MemberLookupSelect(_MemberLookupSelect):
    pass


class MemberLookupSelectMultiple(_MemberLookupSelect, forms.SelectMultiple):
    pass


def use_member_lookup(
    field: forms.ModelChoiceField, *, role: str = "", active_only: bool = False
) -> None:
    """Give a ModelChoiceField / ModelMultipleChoiceField the server-side picker."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (MemberLookupSelectMultiple if multiple else MemberLookupSelect)(
        attrs=dict(field.widget.attrs)
    )
    widget.choices = field.choices
    widget.is_required = field.required
    field.widget = widget
    # Per field instance, as the picker's JSON labels people (lookup_response).
    field.label_from_instance = member_label  # type: ignore[method-assign,assignment]
    widget.lookup(role=role, active_only=active_only)
