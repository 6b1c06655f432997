"""The member's own preferences and profile; the custom fields' definitions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import FieldKind, Language, ProfileField, User
from programs.profile_fields import FLAGS, TEXTS, FieldData
from programs.profile_services import TEXT_LIMIT
from programs.profiles import BuiltinField, builtin_fields_for
from programs.time_zones import time_zone_choices
from web.forms import options_parse, options_text


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


# -- the profile (built-in and custom fields) --------------------------------------------

CUSTOM_PREFIX = "custom_"
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def in_language(obj: ProfileField, attribute: str, language: str) -> str:
    """`obj.<attribute>_fr` for French when it is filled, else the English text."""
    french = getattr(obj, f"{attribute}_fr", "") if language == "fr" else ""
    return str(french or getattr(obj, f"{attribute}_en"))


def option_label(option: dict[str, str], language: str) -> str:
    return (option.get("fr") if language == "fr" else "") or option["en"]


def _custom_form_field(field: ProfileField, language: str) -> forms.Field:
    label = in_language(field, "name", language)
    help_parts = [
        in_language(field, "description", language),
        in_language(field, "hint", language),
    ]
    common: dict[str, Any] = {
        "label": label,
        "required": field.required,
        "help_text": " ".join(part for part in help_parts if part),
    }
    choices = [(option["id"], option_label(option, language)) for option in field.options]
    if field.kind == FieldKind.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_LIMIT, **common
        )
    if field.kind == FieldKind.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if field.kind == FieldKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if field.kind == FieldKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    if field.kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=TEXT_LIMIT, **common)


def _builtin_form_field(spec: BuiltinField) -> forms.Field:
    label = str(spec.label)  # forms are built per request, in its language
    column = User._meta.get_field(spec.name)
    required = spec.name in {"first_name", "last_name"}
    if spec.kind == "number":
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=32767)
    max_length = getattr(column, "max_length", None)
    if spec.kind == "url":
        return forms.URLField(
            label=label, required=False, max_length=max_length, assume_scheme="https"
        )
    if spec.kind == "long_text":
        return forms.CharField(
            label=label,
            required=False,
            max_length=TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    return forms.CharField(label=label, required=required, max_length=max_length)


class ProfileForm(forms.Form):
    """A member's profile: the built-in fields of their role, then the custom fields
    given (those the person editing may fill), labelled in `language`."""

    def __init__(
        self,
        *args: Any,
        member: User,
        custom_fields: list[ProfileField],
        answers: dict[int, Any],
        language: str,
        **kwargs: Any,
    ) -> None:
        self.builtin = builtin_fields_for(member.role)
        self.custom = custom_fields
        initial: dict[str, Any] = {spec.name: getattr(member, spec.name) for spec in self.builtin}
        for field in custom_fields:
            value = answers.get(field.pk)
            if field.kind == FieldKind.YES_NO and isinstance(value, bool):
                value = "yes" if value else "no"
            initial[f"{CUSTOM_PREFIX}{field.pk}"] = value
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for spec in self.builtin:
            self.fields[spec.name] = _builtin_form_field(spec)
        for field in custom_fields:
            self.fields[f"{CUSTOM_PREFIX}{field.pk}"] = _custom_form_field(field, language)

    def builtin_fields(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in self.builtin]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"{CUSTOM_PREFIX}{field.pk}"] for field in self.custom]

    def builtin_values(self) -> dict[str, Any]:
        return {spec.name: self.cleaned_data[spec.name] for spec in self.builtin}

    def custom_values(self) -> dict[int, Any]:
        values: dict[int, Any] = {}
        for field in self.custom:
            value = self.cleaned_data[f"{CUSTOM_PREFIX}{field.pk}"]
            if field.kind == FieldKind.YES_NO:
                value = {"yes": True, "no": False}.get(value)
            elif field.kind == FieldKind.DATE:
                value = value.isoformat() if value else None
            values[field.pk] = value
        return values


# -- «Gérer les champs personnalisés» ----------------------------------------------------

ROLE_CHOICES = [
    ("both", _("Mentors and mentees")),
    ("mentor", _("Mentors")),
    ("mentee", _("Mentees")),
]


def roles_choice(*, for_mentors: bool, for_mentees: bool) -> str:
    """ROLE_CHOICES' value for a thing asked of mentors, mentees or both (a custom field,
    an evaluation question)."""
    if for_mentors and for_mentees:
        return "both"
    return "mentor" if for_mentors else "mentee"


def roles_flags(choice: str) -> dict[str, bool]:
    """`for_mentors` and `for_mentees` of a ROLE_CHOICES value."""
    return {
        "for_mentors": choice in {"both", "mentor"},
        "for_mentees": choice in {"both", "mentee"},
    }


class FieldForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=120, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hint_en = forms.CharField(label=_("Hint (English)"), max_length=200, required=False)
    hint_fr = forms.CharField(label=_("Hint (French)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=FieldKind.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Single and multiple choice only: one option per line, “English | Français” "
            "(the French part is optional)."
        ),
    )
    roles = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    required = forms.BooleanField(label=_("Required field"), required=False)
    in_search = forms.BooleanField(label=_("Appears in search"), required=False)
    admin_only = forms.BooleanField(label=_("Administrators only"), required=False)
    in_profile = forms.BooleanField(label=_("Shown in profile"), required=False)
    in_reports = forms.BooleanField(label=_("Shown in reports"), required=False)
    # Set by the confirmation page when options that answers use are removed.
    confirm_removals = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def initial_for(field: ProfileField) -> dict[str, Any]:
        roles = roles_choice(for_mentors=field.for_mentors, for_mentees=field.for_mentees)
        initial: dict[str, Any] = {name: getattr(field, name) for name in (*TEXTS, *FLAGS)}
        initial.update(
            kind=field.kind,
            roles=roles,
            options=options_text(field.options),
        )
        return initial

    def clean_options(self) -> list[tuple[str, str]]:
        return options_parse(self.cleaned_data["options"])

    def field_data(self) -> FieldData:
        data = self.cleaned_data
        return FieldData(
            name_en=data["name_en"],
            name_fr=data["name_fr"],
            description_en=data["description_en"],
            description_fr=data["description_fr"],
            hint_en=data["hint_en"],
            hint_fr=data["hint_fr"],
            kind=data["kind"],
            options=data["options"],
            **roles_flags(data["roles"]),
            required=data["required"],
            in_search=data["in_search"],
            admin_only=data["admin_only"],
            in_profile=data["in_profile"],
            in_reports=data["in_reports"],
        )


class ReminderForm(forms.Form):
    below = forms.IntegerField(
        label=_("Members whose profile is less complete than (%)"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("Enter a percentage from 1 to 100."),
            "invalid": _("Enter a percentage from 1 to 100."),
            "min_value": _("Enter a percentage from 1 to 100."),
            "max_value": _("Enter a percentage from 1 to 100."),
        },
    )
