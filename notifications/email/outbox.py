"""The outbox (F2, F8, F10): every email Tandem sends is first an EmailLog row.

A feature renders its email (`notifications.email.render.render_email`) and hands the
result to `email_queue`, which writes the row — already rendered, in the recipient's
language — and queues its delivery job after commit. The job
(`notifications.tasks.email_deliver`) claims the row with a conditional UPDATE
(queued → sending), so a retried or duplicated job never sends twice.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications import jobs
from notifications.email.events import email_status_changed_on_commit
from notifications.email.pixel import with_pixel
from notifications.email.render import RenderedEmail
from notifications.models import EmailLog, EmailStatus
from programs.models import Organisation, User

if TYPE_CHECKING:
    from notifications.models import CommunityMessage

logger = logging.getLogger(__name__)

# A small generated attachment, such as a calendar invitation: (filename, content, type).
Attachment = tuple[str, bytes, str]


def _log(*, recipient: User, organisation: Organisation | None, **fields: object) -> EmailLog:
    return EmailLog.objects.create(
        organisation=organisation,
        recipient=recipient,
        to_name=recipient.full_name,
        to_email=recipient.email,
        language=recipient.language,
        **fields,
    )


@transaction.atomic
def email_queue(
    *,
    recipient: User,
    organisation: Organisation | None,
    email: RenderedEmail,
    message_key: str = "",
    community_message: CommunityMessage | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailLog:
    """Write one rendered email to the log and deliver it after commit (with its open
    pixel added). Raises IntegrityError when this community message already has a row
    for this recipient."""
    log = _log(
        recipient=recipient,
        organisation=organisation,
        message_key=message_key,
        community_message=community_message,
        subject=email.subject,
        body_text=email.text,
        attachments=[
            {"name": name, "type": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in attachments
        ],
    )
    log.body_html = with_pixel(email.html, log.pk)
    log.save(update_fields=["body_html"])
    transaction.on_commit(lambda: jobs.enqueue_email_delivery(log.pk))
    return log


def email_suppressed(
    *, recipient: User, organisation: Organisation | None, message_key: str, subject: str
) -> EmailLog:
    """Log an email the organisation turned off: shown as not sent, and not sent."""
    return _log(
        recipient=recipient,
        organisation=organisation,
        message_key=message_key,
        subject=subject,
        status=EmailStatus.SUPPRESSED,
    )


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
            _attachment_part(
                attachment["name"], base64.b64decode(attachment["content"]), attachment["type"]
            )
        )
    if log.community_message is not None:
        for file in log.community_message.attachments.all():
            with file.file.open("rb") as handle:
                email.attach(file.name, handle.read(), file.content_type)
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


def _attachment_part(name: str, content: bytes, content_type: str) -> MIMEBase:
    """One attachment as a MIME part that keeps its Content-Type's parameters (such as a
    calendar's `method=REQUEST`), which Django's `attach(name, content, type)` would not."""
    header = Message()
    header["Content-Type"] = content_type
    maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(content.decode(header.get_content_charset() or "utf-8"), subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for key, value in header.get_params(failobj=[])[1:]:
        if key.lower() != "charset":
            part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _set_status(log: EmailLog, status: str, *, error: str = "") -> None:
    EmailLog.objects.filter(pk=log.pk).update(status=status, status_at=timezone.now(), error=error)
    log.refresh_from_db()
    email_status_changed_on_commit(log)
