"""System-generated messages (F10): an organisation's own wording of the catalogue's
messages, whether each is sent at all, and the pages' reads (the catalogue grouped by
category, one message for editing, a preview with sample values).

The catalogue (notifications.catalogue) is the shipped default; a SystemMessage row is
the organisation's copy. notifications.mail.email_send_system reads whichever applies.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import catalogue, emails
from notifications.models import SystemMessage
from programs.errors import DomainError
from programs.models import Language, Organisation, User

WORDING_FIELDS = ("subject_en", "body_en", "subject_fr", "body_fr")
SUBJECT_MAX_LENGTH = SystemMessage._meta.get_field("subject_en").max_length


# Writes ---------------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not actor.is_org_admin:
        raise DomainError(_("Only an administrator of this program can do that."), code="forbidden")


def _default_for(key: str) -> catalogue.Default:
    default = catalogue.BY_KEY.get(key)
    if default is None:
        raise DomainError(
            _("There is no system-generated message called “%(key)s”.") % {"key": key},
            code="not_found",
        )
    return default


def keywords_for(default: catalogue.Default) -> list[str]:
    """The keywords a message may use, its own first, in the order the page lists them."""
    return list(dict.fromkeys(default.keywords + catalogue.COMMON_KEYWORDS))


def _braced(keywords: list[str]) -> str:
    return " ".join("{" + keyword + "}" for keyword in keywords)


def _clean_wording(*, subject_en: str, body_en: str, subject_fr: str, body_fr: str) -> dict:
    # A subject is one header line: a pasted line break must not reach the mail headers.
    subjects = {
        "subject_en": " ".join((subject_en or "").split()),
        "subject_fr": " ".join((subject_fr or "").split()),
    }
    # Browsers post textareas with CRLF; the plain-text part uses LF.
    bodies = {
        "body_en": (body_en or "").replace("\r\n", "\n").replace("\r", "\n").strip(),
        "body_fr": (body_fr or "").replace("\r\n", "\n").replace("\r", "\n").strip(),
    }
    return {**subjects, **bodies}


def _validate_wording(default: catalogue.Default, wording: dict[str, str]) -> None:
    required = {
        "subject_en": _("The English subject is required."),
        "body_en": _("The English text is required."),
        "subject_fr": _("The French subject is required."),
        "body_fr": _("The French text is required."),
    }
    for field, message in required.items():
        if not wording[field]:
            raise DomainError(message, code="required")
    for field in ("subject_en", "subject_fr"):
        if len(wording[field]) > SUBJECT_MAX_LENGTH:
            raise DomainError(
                _("A subject may have at most %(limit)d characters.")
                % {"limit": SUBJECT_MAX_LENGTH},
                code="too_long",
            )
    unknown: set[str] = set()
    for field in WORDING_FIELDS:
        unknown |= emails.unknown_keywords(wording[field], default.allowed)
    if unknown:
        raise DomainError(
            ngettext(
                "This message cannot use the keyword %(unknown)s. It may use: %(allowed)s.",
                "This message cannot use the keywords %(unknown)s. It may use: %(allowed)s.",
                len(unknown),
            )
            % {"unknown": _braced(sorted(unknown)), "allowed": _braced(keywords_for(default))},
            code="unknown_keyword",
        )


@transaction.atomic
def system_message_save(
    *, actor: User, key: str, subject_en: str, body_en: str, subject_fr: str, body_fr: str
) -> SystemMessage:
    """Store the organisation's own wording of a catalogue message, in English and French.
    Every {keyword} must be one this message may use; on any error nothing is saved.
    Whether the message is sent (active) is left as it was."""
    _require_admin(actor)
    default = _default_for(key)
    wording = _clean_wording(
        subject_en=subject_en, body_en=body_en, subject_fr=subject_fr, body_fr=body_fr
    )
    _validate_wording(default, wording)
    own, _created = SystemMessage.objects.update_or_create(
        organisation_id=actor.organisation_id,
        key=key,
        defaults={**wording, "updated_at": timezone.now()},
    )
    return own


@transaction.atomic
def system_message_set_active(*, actor: User, key: str, active: bool) -> SystemMessage:
    """Turn a catalogue message on or off for the organisation. An inactive message is
    not sent: each would-be email is logged as not sent (EmailStatus.SUPPRESSED)."""
    _require_admin(actor)
    default = _default_for(key)
    own, created = SystemMessage.objects.select_for_update().get_or_create(
        organisation_id=actor.organisation_id,
        key=key,
        defaults={
            **{field: getattr(default, field) for field in WORDING_FIELDS},
            "active": active,
        },
    )
    if not created and own.active != active:
        own.active = active
        own.updated_at = timezone.now()
        own.save(update_fields=["active", "updated_at"])
    return own


@transaction.atomic
def system_message_reset(*, actor: User, key: str) -> None:
    """Back to the shipped wording: the organisation's copy is deleted. A message the
    organisation turned off stays off (only its wording is restored), so resetting the
    text never starts sending an email the administrator had stopped."""
    _require_admin(actor)
    default = _default_for(key)
    own = (
        SystemMessage.objects.select_for_update()
        .filter(organisation_id=actor.organisation_id, key=key)
        .first()
    )
    if own is None:
        return
    if own.active:
        own.delete()
        return
    for field in WORDING_FIELDS:
        setattr(own, field, getattr(default, field))
    own.updated_at = timezone.now()
    own.save(update_fields=[*WORDING_FIELDS, "updated_at"])


# Reads ----------------------------------------------------------------------------------


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
    subject: str
    html: str


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
                name=default.name,
                subject=getattr(own or default, subject_field),
                active=own.active if own else True,
                customised=_is_customised(default, own),
            )
        )
    return [
        SystemMessageCategory(key=key, name=catalogue.CATEGORIES.get(key, key), messages=messages)
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
        name=default.name,
        category_name=catalogue.CATEGORIES.get(default.category, default.category),
        keywords=keywords_for(default),
        active=own.active if own else True,
        customised=_is_customised(default, own),
        wording={field: getattr(source, field) for field in WORDING_FIELDS},
    )


def sample_values(*, viewer: User, organisation: Organisation, language: str) -> dict[str, str]:
    """What the preview puts in each keyword: the viewer's own name and address, the
    organisation's name and email, and plausible stand-ins for the rest."""
    with translation.override(language):
        meeting = timezone.localdate() + datetime.timedelta(days=7)
        values = {
            "first_name": viewer.first_name,
            "last_name": viewer.last_name,
            "full_name": viewer.full_name,
            "email": viewer.email,
            "org_name": organisation.name,
            "admin_email": organisation.support_email,
            "here": f"{settings.SITE_URL}/",
            "password": "Xq7-Kp2-Lm9",
            "completion": "80",
            "partner_name": "Alex Martin",
            "organiser_name": viewer.full_name,
            "meeting_date": formats.date_format(meeting, "DATE_FORMAT"),
            "meeting_time": formats.time_format(datetime.time(14, 0), "TIME_FORMAT"),
            "group_name": _("Sample group"),
        }
    return values


def system_message_preview(*, viewer: User, key: str) -> list[SystemMessagePreview]:
    """The message in English and in French as a recipient would receive it: this
    organisation's wording, keywords filled with sample values, inside the real email
    layout. Rendered exactly like notifications.mail.email_send_system (minus the pixel)."""
    organisation = viewer.organisation
    detail = system_message_detail(organisation_id=organisation.pk, key=key)
    previews = []
    for language, language_name in Language.choices:
        values = sample_values(viewer=viewer, organisation=organisation, language=language)
        subject = emails.fill(detail.wording[f"subject_{language}"], values)
        body_text = emails.fill(detail.wording[f"body_{language}"], values)
        with translation.override(language):
            html = emails.wrap(
                body_html=emails.text_to_html(body_text),
                subject=subject,
                organisation_name=organisation.name,
                language=language,
            )
        previews.append(
            SystemMessagePreview(
                language=language, language_name=language_name, subject=subject, html=html
            )
        )
    return previews
