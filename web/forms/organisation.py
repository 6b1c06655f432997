"""Organisations: the staff's «Nouvelle organisation» and visibility forms; an
administrator's «Profil de l'organisation», logo and administrator invitation forms.
The services (programs.organisations) check everything again; these give each field its
own error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.errors import DomainError
from programs.models import Language
from programs.organisations import LOGO_MAX_BYTES, logo_check, video_template_check
from programs.time_zones import time_zone_choices
from web.forms import choice


class AdministratorForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.FRENCH
    )


class OrganisationCreateForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    slug = forms.SlugField(
        label=_("Short name (slug)"),
        max_length=50,
        help_text=_("Letters, digits and hyphens, e.g. mentor-canada."),
    )
    support_email = forms.EmailField(label=_("Administrator email"), max_length=254)
    first_name = forms.CharField(label=_("Administrator's first name"), max_length=150)
    last_name = forms.CharField(label=_("Administrator's last name"), max_length=150)
    email = forms.EmailField(label=_("Administrator's email"), max_length=254)
    language = forms.ChoiceField(
        label=_("Administrator's language"), choices=Language.choices, initial=Language.FRENCH
    )


class VisibilityForm(forms.Form):
    notes_in_reports = forms.BooleanField(label=_("Mentor/mentee notes in reports"), required=False)
    messages_in_reports = forms.BooleanField(label=_("Messages in reports"), required=False)


class OrganisationSettingsForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    support_email = forms.EmailField(label=_("Administrator email"), max_length=254)
    default_language = forms.ChoiceField(label=_("Default language"), choices=Language.choices)
    default_time_zone = forms.ChoiceField(label=_("Default time zone"))
    allow_video = forms.BooleanField(label=_("Video call"), required=False)
    allow_in_person = forms.BooleanField(label=_("In person"), required=False)
    allow_phone = forms.BooleanField(label=_("Phone"), required=False)
    video_url_template = forms.CharField(
        label=_("Video call address"),
        max_length=300,
        help_text=_(
            "An https:// address; {uid} is replaced by each meeting's identifier, e.g. "
            "https://meet.jit.si/tandem-{uid}."
        ),
    )

    def __init__(self, *args: Any, current_time_zone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Today's offsets in the page's language; a zone outside the curated list that
        # the organisation already has stays selectable (programs.time_zones).
        choice(self, "default_time_zone").choices = time_zone_choices(current=current_time_zone)

    def clean_video_url_template(self) -> str:
        try:
            return video_template_check(self.cleaned_data["video_url_template"])
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("allow_video") or data.get("allow_in_person") or data.get("allow_phone")):
            raise forms.ValidationError(_("Allow at least one meeting type."))
        return data


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("A PNG, JPEG or WebP image of at most 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_logo(self) -> bytes:
        upload = self.cleaned_data["logo"]
        # Read one byte more than allowed: enough to tell "too large" without holding
        # an arbitrarily large upload in memory.
        content = upload.read(LOGO_MAX_BYTES + 1)
        try:
            logo_check(content)
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from None
        return content
