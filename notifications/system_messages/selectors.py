"""System-generated messages (F10), the reads: the catalogue grouped by category as one
organisation has it, one message for editing, and the preview with sample values."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.email import render
from notifications.models import SystemMessage
from notifications.system_messages import catalogue, services
from notifications.system_messages.services import WORDING_FIELDS
from programs import dates
from programs.models import Language, Organisation, User


@dataclass(frozen=True)
class SystemMessageRow:
    key: str
    name: str
    subject: str
    active: bool
    customised: bool


@dataclass(frozen=True)
class SystemMessageCategory:
    key: str
    name: str
    messages: list[SystemMessageRow]


@dataclass(frozen=True)
class SystemMessageDetail:
    key: str
    name: str
    category_name: str
    keywords: list[str]
    active: bool
    customised: bool
    wording: dict[str, str]


@dataclass(frozen=True)
class SystemMessagePreview:
    language: str
    language_name: str
    email: render.RenderedEmail

    @property
    def subject(self) -> str:
        return self.email.subject

    @property
    def html(self) -> str:
        return self.email.html


def _is_customised(default: catalogue.Default, own: SystemMessage | None) -> bool:
    return own is not None and any(
        getattr(own, field) != getattr(default, field) for field in WORDING_FIELDS
    )


def system_message_catalogue(
    *, organisation_id: int, language: str | None = None
) -> list[SystemMessageCategory]:
    """Every catalogue message for one organisation, grouped by category in catalogue
    order: name, subject in `language` (default: the viewer's), active, customised."""
    language = language or translation.get_language() or Language.ENGLISH
    subject_field = "subject_fr" if language.startswith("fr") else "subject_en"
    own_by_key = {
        own.key: own for own in SystemMessage.objects.filter(organisation_id=organisation_id)
    }
    grouped: dict[str, list[SystemMessageRow]] = {key: [] for key in catalogue.CATEGORIES}
    for default in catalogue.CATALOGUE:
        own = own_by_key.get(default.key)
        grouped.setdefault(default.category, []).append(
            SystemMessageRow(
                key=default.key,
                name=str(default.name),
                subject=getattr(own or default, subject_field),
                active=own.active if own else True,
                customised=_is_customised(default, own),
            )
        )
    return [
        SystemMessageCategory(
            key=key, name=str(catalogue.CATEGORIES.get(key, key)), messages=messages
        )
        for key, messages in grouped.items()
        if messages
    ]


def _default_or_404(key: str) -> catalogue.Default:
    default = catalogue.BY_KEY.get(key)
    if default is None:
        raise Http404
    return default


def system_message_detail(*, organisation_id: int, key: str) -> SystemMessageDetail:
    """One message as this organisation has it (its copy, or the default); 404 for a key
    the catalogue does not have."""
    default = _default_or_404(key)
    own = SystemMessage.objects.filter(organisation_id=organisation_id, key=key).first()
    source = own or default
    return SystemMessageDetail(
        key=key,
        name=str(default.name),
        category_name=str(catalogue.CATEGORIES.get(default.category, default.category)),
        keywords=default.keywords_listed,
        active=own.active if own else True,
        customised=_is_customised(default, own),
        wording={field: getattr(source, field) for field in WORDING_FIELDS},
    )


def sample_values(*, viewer: User, organisation: Organisation, language: str) -> dict[str, str]:
    """What the preview puts in each keyword: the viewer's own name and address, the
    organisation's name and email (the values every email has), and plausible stand-ins
    for the rest."""
    with translation.override(language):
        meeting = timezone.localdate() + datetime.timedelta(days=7)
        values = {
            **render.recipient_values(viewer, organisation, language=language),
            "here": f"{settings.SITE_URL}/",
            "completion": "80",
            "partner_name": "Alex Martin",
            "organiser_name": viewer.full_name,
            "meeting_date": dates.date_label(meeting),
            "meeting_time": dates.time_label(datetime.time(14, 0)),
            "group_name": _("Sample group"),
        }
    return values


def system_message_preview(*, viewer: User, key: str) -> list[SystemMessagePreview]:
    """The message in English and in French as a recipient would receive it: this
    organisation's wording, keywords filled with sample values — rendered by the very
    function that sends it (`services.system_email_render`), minus the open pixel."""
    organisation = viewer.organisation
    _default_or_404(key)
    if organisation is None:
        raise Http404
    _active, wording = services.system_wording(organisation, key)
    return [
        SystemMessagePreview(
            language=language,
            language_name=str(language_name),
            email=services.system_email_render(
                organisation=organisation,
                wording=wording,
                language=language,
                values=sample_values(viewer=viewer, organisation=organisation, language=language),
            ),
        )
        for language, language_name in Language.choices
    ]
