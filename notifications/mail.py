"""The one email pipeline (F2, F8, F10): queue → worker claims → send → log.

Every email Tandem sends is first an EmailLog row, rendered in the recipient's language.
A django-q2 job (`notifications.tasks.email_deliver`) claims the row with a conditional
UPDATE (queued → sending), so a retried or duplicated job never sends twice.
"""

from __future__ import annotations

import base64
import logging
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from notifications import catalogue, emails
from notifications.community import tag_values
from notifications.events import email_status_changed_on_commit
from notifications.models import EmailLog, EmailStatus, SystemMessage
from programs.models import Organisation, User

logger = logging.getLogger(__name__)

PIXEL_SALT = "tandem.email-open"


def pixel_token(log_id: int) -> str:
    return signing.dumps(log_id, salt=PIXEL_SALT, compress=True)


def pixel_log_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=PIXEL_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def recipient_values(recipient: User, organisation: Organisation | None) -> dict[str, str]:
    """The keywords every message may use, for one recipient."""
    with translation.override(recipient.language):
        org_name = organisation.name if organisation else "Tandem"
    return {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "full_name": recipient.full_name,
        "email": recipient.email,
        "org_name": org_name,
        "admin_email": organisation.support_email if organisation else "",
    }


def system_wording(organisation: Organisation | None, key: str) -> tuple[bool, dict[str, str]]:
    """(active, {subject_en, body_en, subject_fr, body_fr}) for a catalogue message: the
    organisation's own copy when it has one, otherwise the default."""
    default = catalogue.BY_KEY[key]
    own = (
        SystemMessage.objects.filter(organisation=organisation, key=key).first()
        if organisation
        else None
    )
    source = own or default
    return (own.active if own else True), {
        "subject_en": source.subject_en,
        "body_en": source.body_en,
        "subject_fr": source.subject_fr,
        "body_fr": source.body_fr,
    }


def _in_language(wording: dict[str, str], language: str) -> tuple[str, str]:
    """Subject and body in `language`, falling back to the other when only one exists."""
    other = "en" if language == "fr" else "fr"
    subject = wording.get(f"subject_{language}") or wording.get(f"subject_{other}") or ""
    body = wording.get(f"body_{language}") or wording.get(f"body_{other}") or ""
    return subject, body


def _log(*, recipient: User, organisation: Organisation | None, **fields) -> EmailLog:
    return EmailLog.objects.create(
        organisation=organisation,
        recipient=recipient,
        to_name=recipient.full_name,
        to_email=recipient.email,
        language=recipient.language,
        **fields,
    )


def _finish_html(log: EmailLog, body_html: str, organisation: Organisation | None) -> None:
    pixel = f"{settings.SITE_URL}/o/{pixel_token(log.pk)}.gif"
    with translation.override(log.language):
        log.body_html = emails.wrap(
            body_html=body_html,
            subject=log.subject,
            organisation_name=organisation.name if organisation else "Tandem",
            language=log.language,
            pixel_url=pixel,
        )
    log.save(update_fields=["body_html"])


def _enqueue(log: EmailLog) -> None:
    from notifications.tasks import enqueue_email_delivery

    transaction.on_commit(lambda: enqueue_email_delivery(log.pk))


@transaction.atomic
def email_send_system(
    *,
    key: str,
    recipient: User,
    values: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> EmailLog:
    """Queue one catalogue message to one person, in their language, with their values
    and small generated attachments `(filename, content, mimetype)` such as a calendar
    invitation. A message the organisation turned off is logged as not sent, and not sent."""
    organisation = recipient.organisation
    active, wording = system_wording(organisation, key)
    subject_tpl, body_tpl = _in_language(wording, recipient.language)
    filled = {**recipient_values(recipient, organisation), **(values or {})}
    subject = emails.fill(subject_tpl, filled)
    body_text = emails.fill(body_tpl, filled)
    if not active:
        return _log(
            recipient=recipient,
            organisation=organisation,
            message_key=key,
            subject=subject,
            status=EmailStatus.SUPPRESSED,
        )
    log = _log(
        recipient=recipient,
        organisation=organisation,
        message_key=key,
        subject=subject,
        body_text=body_text,
        attachments=[
            {"name": name, "type": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in attachments
        ],
    )
    _finish_html(log, emails.text_to_html(body_text), organisation)
    _enqueue(log)
    return log


@transaction.atomic
def email_send_community(*, message, recipient: User) -> EmailLog:
    """Queue a community message to one recipient: their language's version (or the
    other), their tag values, sanitised HTML in the organisation's layout."""
    organisation = message.organisation
    subject_tpl, body_tpl = _in_language(
        {
            "subject_en": message.subject_en,
            "body_en": message.body_en,
            "subject_fr": message.subject_fr,
            "body_fr": message.body_fr,
        },
        recipient.language,
    )
    values = tag_values(recipient, organisation)
    subject = emails.fill(subject_tpl, values)
    body_html = emails.fill(emails.sanitise(body_tpl), values, escape_values=True)
    log = _log(
        recipient=recipient,
        organisation=organisation,
        community_message=message,
        subject=subject,
        body_text=emails.html_to_text(body_html),
    )
    _finish_html(log, body_html, organisation)
    _enqueue(log)
    return log


def email_deliver(*, log_id: int) -> str:
    """Send one queued email. Claims the row first (queued → sending) with a conditional
    UPDATE: a second run of the same job finds nothing to claim and sends nothing.
    Returns the status the row ends in."""
    claimed = EmailLog.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, status_at=timezone.now()
    )
    if not claimed:
        return "already-claimed"
    log = EmailLog.objects.select_related("community_message").get(pk=log_id)
    message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
    email = EmailMultiAlternatives(
        subject=log.subject,
        body=log.body_text,
        to=[f"{log.to_name} <{log.to_email}>" if log.to_name else log.to_email],
        headers={"Message-ID": message_id},
    )
    email.attach_alternative(log.body_html, "text/html")
    for attachment in log.attachments:
        email.attach(
            attachment["name"], base64.b64decode(attachment["content"]), attachment["type"]
        )
    if log.community_message_id:
        for attachment in log.community_message.attachments.all():
            with attachment.file.open("rb") as handle:
                email.attach(attachment.name, handle.read(), attachment.content_type)
    try:
        email.send()
    except Exception as exc:  # noqa: BLE001 - any transport error is a failed send
        logger.warning("email %s failed", log_id, exc_info=True)
        _set_status(log, EmailStatus.FAILED, error=str(exc)[:2000])
        return EmailStatus.FAILED
    anymail_status = getattr(email, "anymail_status", None)
    provider_id = getattr(anymail_status, "message_id", None) or message_id.strip("<>")
    EmailLog.objects.filter(pk=log.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.SENT,
        status_at=timezone.now(),
        sent_at=timezone.now(),
        provider_message_id=provider_id,
    )
    log.refresh_from_db()
    email_status_changed_on_commit(log)
    return EmailStatus.SENT


def _set_status(log: EmailLog, status: str, *, error: str = "") -> None:
    EmailLog.objects.filter(pk=log.pk).update(status=status, status_at=timezone.now(), error=error)
    log.refresh_from_db()
    email_status_changed_on_commit(log)
