"""The administrator's members, relationships and groups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programs import selectors
from programs.member_filters import (
    ACTIVITY_NEVER,
    NO,
    RELATIONSHIP_CURRENT,
    RELATIONSHIP_ENDED,
    RELATIONSHIP_NEVER,
    YES,
    choice_fields,
    distinct_values,
)
from programs.models import FieldKind, Language, MemberGroup, ProfileField, Role, User
from programs.time_zones import time_zone_choices
from web.forms import choice, model_choice
from web.widgets import use_member_lookup


def _option_label(option: dict[str, str]) -> str:
    if get_language() == "fr" and option.get("fr"):
        return option["fr"]
    return option.get("en", "")


class MemberFilterForm(forms.Form):
    """The members list's filters (programs.member_filters), read from the query string.
    The basic row: text, role, custom field and its option; «Filtre avancé»: the rest.
    Sectors, functions and fields offered are the organisation's own."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Please enter the first name, last name or email")}
        ),
    )
    role = forms.ChoiceField(
        label=_("Select a role"), required=False, choices=[("", _("All"))] + Role.choices
    )
    field = forms.TypedChoiceField(
        label=_("Custom field"), required=False, coerce=int, empty_value=None
    )
    option = forms.ChoiceField(label=_("Options"), required=False)
    sector = forms.MultipleChoiceField(label=_("Sectors"), required=False)
    function = forms.MultipleChoiceField(label=_("Functions held"), required=False)
    completion_below = forms.IntegerField(
        label=_("Profile completion below (%)"), required=False, min_value=0, max_value=100
    )
    joined_after = forms.DateField(
        label=_("Created after"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    current = forms.BooleanField(label=_("Current positions only"), required=False)
    active = forms.ChoiceField(
        label=_("Account activated"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )
    activity = forms.ChoiceField(
        label=_("Recent activity"),
        required=False,
        choices=[
            ("", _("All")),
            ("7", _("Signed in within 7 days")),
            ("30", _("Signed in within 30 days")),
            ("90", _("Signed in within 90 days")),
            (ACTIVITY_NEVER, _("Never signed in")),
        ],
    )
    relationship = forms.ChoiceField(
        label=_("Relationship"),
        required=False,
        choices=[
            ("", _("All")),
            (RELATIONSHIP_CURRENT, _("Currently matched")),
            (RELATIONSHIP_NEVER, _("Never matched")),
            (RELATIONSHIP_ENDED, _("Relationship ended, none now")),
        ],
    )

    ADVANCED = (
        "sector",
        "function",
        "completion_below",
        "joined_after",
        "current",
        "active",
        "activity",
        "relationship",
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_fields = choice_fields(organisation_id=organisation_id)
        choice(self, "field").choices = [("", _("Please select"))] + [
            (str(f.pk), f.name) for f in self.custom_fields
        ]
        # Every option grouped by its field: without JavaScript, all are offered; the
        # page's script (member_filters.js) keeps the chosen field's.
        self.option_groups = [(f, self._options_of(f)) for f in self.custom_fields]
        choice(self, "option").choices = [("", _("All"))] + [
            (f.name, options) for f, options in self.option_groups
        ]
        for column, values in distinct_values(organisation_id=organisation_id).items():
            choice(self, column).choices = [(v, v) for v in values]

    @staticmethod
    def _options_of(field: ProfileField) -> list[tuple[str, str]]:
        if field.kind == FieldKind.YES_NO:
            return [(YES, str(_("Yes"))), (NO, str(_("No")))]
        return [(str(o.get("id", "")), _option_label(o)) for o in field.options or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field_id, option = data.get("field"), data.get("option")
        if option and field_id is None and "field" not in self.errors:
            self.add_error("option", _("Choose the custom field this option belongs to."))
        elif option and field_id is not None:
            field = next(f for f in self.custom_fields if f.pk == field_id)
            if option not in {value for value, _label in self._options_of(field)}:
                self.add_error(
                    "option",
                    _("This option is not one of the field «%(field)s».") % {"field": field.name},
                )
        return data

    @property
    def option_menu(self) -> list[tuple[ProfileField, list[tuple[str, str, bool]]]]:
        """«Options» grouped by field, each (value, label, selected): the page renders the
        groups itself so each carries its field's id for the script."""
        chosen_field = str(self.data.get("field", "")) if self.is_bound else ""
        chosen = str(self.data.get("option", "")) if self.is_bound else ""
        return [
            (
                field,
                [
                    (value, label, str(field.pk) == chosen_field and value == chosen)
                    for value, label in options
                ],
            )
            for field, options in self.option_groups
        ]

    @property
    def advanced_used(self) -> bool:
        """Whether the «Filtre avancé» part holds a value or an error (then shown open)."""
        if not self.is_bound:
            return False
        return any(self.data.get(name) for name in self.ADVANCED) or any(
            name in self.errors for name in self.ADVANCED
        )


def member_filters_read(
    query: QueryDict, *, organisation_id: int
) -> tuple[MemberFilterForm, selectors.MemberFilters]:
    """The members list's filter form bound to the query string, and the filters it
    gives (none when it is invalid: the form then shows why). The members list and every
    member report read their filters here, so a report honours the list's filter."""
    form = MemberFilterForm(query or None, organisation_id=organisation_id)
    filters = selectors.MemberFilters()
    if form.is_valid():
        data = form.cleaned_data
        # The field is one of the organisation's choice fields (the form's choices).
        kinds = {field.pk: field.kind for field in form.custom_fields}
        filters = selectors.MemberFilters(
            search=data["q"],
            role=data["role"],
            active=data["active"],
            field_id=data["field"],
            field_kind=kinds.get(data["field"], ""),
            option=data["option"],
            sectors=tuple(data["sector"]),
            functions=tuple(data["function"]),
            completion_below=data["completion_below"],
            joined_after=data["joined_after"],
            current_positions=data["current"],
            activity=data["activity"],
            relationship=data["relationship"],
        )
    return form, filters


def member_filters_query(filters: selectors.MemberFilters) -> str:
    """The query string of `filters` (what `member_filters_read` reads back into the
    same filters): the list's links, a saved filter and the report downloads carry it."""
    pairs: list[tuple[str, str]] = []
    for name, value in (
        ("q", filters.search.strip()),
        ("role", filters.role),
        ("field", "" if filters.field_id is None else str(filters.field_id)),
        ("option", filters.option),
        (
            "completion_below",
            "" if filters.completion_below is None else str(filters.completion_below),
        ),
        ("joined_after", filters.joined_after.isoformat() if filters.joined_after else ""),
        ("current", "on" if filters.current_positions else ""),
        ("active", filters.active),
        ("activity", filters.activity),
        ("relationship", filters.relationship),
    ):
        if value:
            pairs.append((name, value))
    pairs += [("sector", value) for value in filters.sectors]
    pairs += [("function", value) for value in filters.functions]
    return urlencode(pairs)


class RelationshipMatchForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none())
    mentee = forms.ModelChoiceField(label=_("Mentee"), queryset=User.objects.none())
    relationship_administrator = forms.ModelChoiceField(
        label=_("Relationship administrator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's people can be chosen: another id is "not a valid choice".
        members = User.objects.filter(organisation_id=organisation_id, is_active=True).order_by(
            "last_name", "first_name"
        )
        model_choice(self, "mentor").queryset = members.filter(role=Role.MENTOR)
        model_choice(self, "mentee").queryset = members.filter(role=Role.MENTEE)
        model_choice(self, "relationship_administrator").queryset = members.filter(
            role=Role.ADMINISTRATOR
        )
        # Type-ahead pickers asking the server: the page never lists every member.
        use_member_lookup(model_choice(self, "mentor"), role=Role.MENTOR, active_only=True)
        use_member_lookup(model_choice(self, "mentee"), role=Role.MENTEE, active_only=True)
        use_member_lookup(
            model_choice(self, "relationship_administrator"),
            role=Role.ADMINISTRATOR,
            active_only=True,
        )


class GroupCreateForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=200)


class GroupMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "members").queryset = (
            User.objects.filter(organisation_id=organisation_id)
            .exclude(role=Role.ADMINISTRATOR)
            .order_by("last_name", "first_name")
        )
        # The group's people are listed; others are looked up as the administrator types.
        use_member_lookup(model_choice(self, "members"), role=f"{Role.MENTOR},{Role.MENTEE}")


class MemberAdministratorForm(forms.Form):
    member_administrator = forms.ModelChoiceField(
        label=_("Member administrator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "member_administrator").queryset = User.objects.filter(
            organisation_id=organisation_id, role=Role.ADMINISTRATOR, is_active=True
        ).order_by("last_name", "first_name")


class MemberAddForm(forms.Form):
    """«Ajouter un membre»: the person gets «Informations de connexion» to choose their
    password; an administrator never types or sees one."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=MemberGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "time_zone").choices = time_zone_choices()
        self.initial.setdefault("time_zone", settings.DEFAULT_MEMBER_TIME_ZONE)
        model_choice(self, "groups").queryset = MemberGroup.objects.filter(
            organisation_id=organisation_id
        ).order_by("name")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("New role"),
        choices=[(Role.MENTOR, Role.MENTOR.label), (Role.MENTEE, Role.MENTEE.label)],
    )
