"""System-generated messages (F10), the writes: an organisation's own wording of the
catalogue's messages, whether each is sent at all — and sending one (`email_send_system`),
which every feature that emails someone on an event calls.

The catalogue (`system_messages.catalogue`) is the shipped default; a SystemMessage row
is the organisation's copy. Reads and the preview are in `system_messages.selectors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.email import outbox, render
from notifications.models import EmailLog, SystemMessage
from notifications.system_messages import catalogue
from programs.errors import DomainError
from programs.models import Organisation, User
from programs.permissions import require_org_admin

WORDING_FIELDS = ("subject_en", "body_en", "subject_fr", "body_fr")
SUBJECT_MAX_LENGTH: int = SystemMessage._meta.get_field("subject_en").max_length or 0


def _default_for(key: str) -> catalogue.Default:
    default = catalogue.BY_KEY.get(key)
    if default is None:
        raise DomainError(
            _("There is no system-generated message called “%(key)s”.") % {"key": key},
            code="not_found",
        )
    return default


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
        unknown |= render.unknown_keywords(wording[field], default.allowed)
    if unknown:
        raise DomainError(
            ngettext(
                "This message cannot use the keyword %(unknown)s. It may use: %(allowed)s.",
                "This message cannot use the keywords %(unknown)s. It may use: %(allowed)s.",
                len(unknown),
            )
            % {"unknown": _braced(sorted(unknown)), "allowed": _braced(default.keywords_listed)},
            code="unknown_keyword",
        )


@transaction.atomic
def system_message_save(
    *, actor: User, key: str, subject_en: str, body_en: str, subject_fr: str, body_fr: str
) -> SystemMessage:
    """Store the organisation's own wording of a catalogue message, in English and French.
    Every {keyword} must be one this message may use; on any error nothing is saved.
    Whether the message is sent (active) is left as it was."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    default = _default_for(key)
    wording = _clean_wording(
        subject_en=subject_en, body_en=body_en, subject_fr=subject_fr, body_fr=body_fr
    )
    _validate_wording(default, wording)
    own, _created = SystemMessage.objects.update_or_create(
        organisation_id=organisation_id,
        key=key,
        defaults={**wording, "updated_at": timezone.now()},
    )
    return own


@transaction.atomic
def system_message_set_active(*, actor: User, key: str, active: bool) -> SystemMessage:
    """Turn a catalogue message on or off for the organisation. An inactive message is
    not sent: each would-be email is logged as not sent (EmailStatus.SUPPRESSED)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    default = _default_for(key)
    own, created = SystemMessage.objects.select_for_update().get_or_create(
        organisation_id=organisation_id,
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
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    default = _default_for(key)
    own = (
        SystemMessage.objects.select_for_update()
        .filter(organisation_id=organisation_id, key=key)
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


# Sending ---------------------------------------------------------------------------------


def system_wording(organisation: Organisation | None, key: str) -> tuple[bool, render.Wording]:
    """(active, wording) of a catalogue message for an organisation: its own copy when it
    has one, otherwise the shipped default (always active)."""
    default = catalogue.BY_KEY[key]
    own = (
        SystemMessage.objects.filter(organisation=organisation, key=key).first()
        if organisation
        else None
    )
    return (own.active if own else True), render.Wording.of(own or default)


def system_email_render(
    *,
    organisation: Organisation | None,
    wording: render.Wording,
    language: str,
    values: Mapping[str, str],
) -> render.RenderedEmail:
    """A system message as it is sent — and previewed: plain text in the layout."""
    return render.render_email(
        wording=wording,
        body_format=render.BodyFormat.TEXT,
        language=language,
        values=values,
        organisation=organisation,
    )


@transaction.atomic
def email_send_system(
    *,
    key: str,
    recipient: User,
    values: Mapping[str, str] | None = None,
    attachments: Sequence[outbox.Attachment] = (),
) -> EmailLog:
    """Queue one catalogue message to one person, in their language, with their values
    and small generated attachments `(filename, content, mimetype)` such as a calendar
    invitation. A message the organisation turned off is logged as not sent, and not sent."""
    organisation = recipient.organisation
    active, wording = system_wording(organisation, key)
    email = system_email_render(
        organisation=organisation,
        wording=wording,
        language=recipient.language,
        values={**render.recipient_values(recipient, organisation), **(values or {})},
    )
    if not active:
        return outbox.email_suppressed(
            recipient=recipient,
            organisation=organisation,
            message_key=key,
            subject=email.subject,
        )
    return outbox.email_queue(
        recipient=recipient,
        organisation=organisation,
        email=email,
        message_key=key,
        attachments=attachments,
    )


@transaction.atomic
def email_send_system_many(
    *, key: str, recipients: Sequence[User], values: Sequence[Mapping[str, str]]
) -> list[EmailLog]:
    """`email_send_system` for many people of one organisation (`values[i]` are
    `recipients[i]`'s): the wording is read once and the emails are written and queued
    together (`outbox.email_queue_many`) — an import's batch of invitations."""
    if not recipients:
        return []
    organisation = recipients[0].organisation
    active, wording = system_wording(organisation, key)
    # Rendered once per language, each recipient's values put in (byte for byte what
    # system_email_render gives each of them: render.render_emails).
    emails = render.render_emails(
        wording=wording,
        organisation=organisation,
        recipients=[
            (
                recipient.language,
                {**render.recipient_values(recipient, organisation), **own},
            )
            for recipient, own in zip(recipients, values, strict=True)
        ],
    )
    if not active:
        return [
            outbox.email_suppressed(
                recipient=recipient,
                organisation=organisation,
                message_key=key,
                subject=email.subject,
            )
            for recipient, email in zip(recipients, emails, strict=True)
        ]
    return outbox.email_queue_many(
        recipients=recipients, organisation=organisation, emails=emails, message_key=key
    )
