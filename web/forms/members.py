"""The administrator's members, relationships and groups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from programs import selectors
from programs.models import Language, MemberGroup, Role, User
from programs.time_zones import time_zone_choices
from web.forms import choice, model_choice
from web.widgets import use_member_lookup


class MemberFilterForm(forms.Form):
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
    active = forms.ChoiceField(
        label=_("Account activated"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )


def member_filters_read(
    query: QueryDict, *, organisation_id: int
) -> tuple[MemberFilterForm, selectors.MemberFilters]:
    """The members list's filter form bound to the query string, and the filters it
    gives (none when it is invalid: the form then shows why). The members list and every
    member report read their filters here, so a report honours the list's filter."""
    form = MemberFilterForm(query or None)
    filters = selectors.MemberFilters()
    if form.is_valid():
        filters = selectors.MemberFilters(
            search=form.cleaned_data["q"],
            role=form.cleaned_data["role"],
            active=form.cleaned_data["active"],
        )
    return form, filters


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
