"""The outbox (F2, F8, F10): every email Tandem sends is first an EmailLog row.

A feature renders its email (`notifications.email.render.render_email`) and hands the
result to `email_queue`, which writes the row — already rendered, in the recipient's
language — and queues its delivery job after commit. The job
(`notifications.tasks.email_deliver`) claims the row with a conditional UPDATE
(queued → sending), so a retried or duplicated job never sends twice.

Nothing is lost (docs/email.md): `email_outbox_sweep`, every minute, queues again a row
whose job never claimed it (its process died between commit and queueing, or the job was
lost) and sends again a row whose worker died after claiming it — at least once: that
email may reach its recipient twice, with the same Message-ID, never not at all. A
transient failure (SMTP 4xx, a refused connection, a provider's 429 or 5xx) is retried
after each delay of EMAIL_RETRY_DELAYS before it is «Échec»; a permanent one fails at once
with its reason.
"""

from __future__ import annotations

import base64
import datetime
import logging
import smtplib
from collections.abc import Sequence
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from notifications import jobs
from notifications.email.events import email_status_changed_on_commit
from notifications.email.faults import crash_point
from notifications.email.pixel import with_pixel
from notifications.email.render import RenderedEmail
from notifications.models import CommunityMessage, CommunityMessageStatus, EmailLog, EmailStatus
from programs.bulk import copy_create
from programs.models import Organisation, User

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
    log.enqueued_at = log.created_at
    log.save(update_fields=["body_html", "enqueued_at"])
    transaction.on_commit(lambda: _enqueue(log.pk))
    return log


@transaction.atomic
def email_queue_many(
    *,
    recipients: Sequence[User],
    organisation: Organisation | None,
    emails: Sequence[RenderedEmail],
    message_key: str,
) -> list[EmailLog]:
    """`email_queue` for many recipients at once: the rows written in two queries (their
    ids, then the rows with COPY) and delivered after commit by one job per DELIVERY_CHUNK rows
    (each row is still claimed one by one, so nothing is sent twice; the sweep covers a
    lost job). Elsewhere than on PostgreSQL (the SQLite demo), one email_queue each."""
    if connection.vendor != "postgresql":
        return [
            email_queue(
                recipient=recipient, organisation=organisation, email=email, message_key=message_key
            )
            for recipient, email in zip(recipients, emails, strict=True)
        ]
    now = timezone.now()
    # The rows' ids first (one query), so each body carries its own pixel when written.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [EmailLog._meta.db_table, len(recipients)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    # Streamed with COPY (programs.bulk): the bodies are large and there are many.
    logs = copy_create(
        EmailLog,
        [
            EmailLog(
                pk=log_id,
                organisation=organisation,
                recipient=recipient,
                to_name=recipient.full_name,
                to_email=recipient.email,
                language=recipient.language,
                message_key=message_key,
                subject=email.subject,
                body_text=email.text,
                body_html=with_pixel(email.html, log_id),
                attachments=[],
                created_at=now,
                status_at=now,
                enqueued_at=now,
            )
            for log_id, recipient, email in zip(ids, recipients, emails, strict=True)
        ],
    )
    transaction.on_commit(lambda: _enqueue_many(ids))
    return logs


DELIVERY_CHUNK = 100


def _enqueue_many(log_ids: list[int]) -> None:
    for start in range(0, len(log_ids), DELIVERY_CHUNK):
        jobs.enqueue_email_deliveries(log_ids[start : start + DELIVERY_CHUNK])


def _enqueue(log_id: int) -> None:
    crash_point("queued")  # the row is committed, its job not yet queued
    jobs.enqueue_email_delivery(log_id)


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
    """Send one queued email. Claims the row first (queued → sending, once any retry
    delay has passed) with a conditional UPDATE: a second run of the same job finds
    nothing to claim and sends nothing. Returns the status the row ends in."""
    now = timezone.now()
    claimed = EmailLog.objects.filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now), pk=log_id, status=EmailStatus.QUEUED
    ).update(status=EmailStatus.SENDING, status_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "already-claimed"
    log = EmailLog.objects.select_related("community_message").get(pk=log_id)
    if not log.message_id:
        # Fixed at the first claim: a re-send after a crash is recognisably the same email.
        log.message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN).strip("<>")
        EmailLog.objects.filter(pk=log.pk).update(message_id=log.message_id)
    crash_point("claimed")
    email = EmailMultiAlternatives(
        subject=log.subject,
        body=log.body_text,
        to=[f"{log.to_name} <{log.to_email}>" if log.to_name else log.to_email],
        headers={"Message-ID": f"<{log.message_id}>"},
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
    except Exception as exc:  # noqa: BLE001 - every transport error is handled below
        return _failed(log, exc)
    crash_point("sent")
    anymail_status = getattr(email, "anymail_status", None)
    provider_id = getattr(anymail_status, "message_id", None) or log.message_id
    EmailLog.objects.filter(pk=log.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.SENT,
        status_at=timezone.now(),
        sent_at=timezone.now(),
        provider_message_id=provider_id,
        retry_at=None,
        error="",
    )
    log.refresh_from_db()
    email_status_changed_on_commit(log)
    settle(log.community_message_id)
    return EmailStatus.SENT


def is_transient(exc: BaseException) -> bool:
    """Worth trying again later: the server or the network said "not now" — an SMTP 4xx
    reply, a refused or dropped connection, a time-out, a provider's 429 or 5xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return True
    status = getattr(exc, "status_code", None)  # anymail's API errors
    if isinstance(status, int):
        return status == 429 or status >= 500
    # anymail's request errors without a response: the provider could not be reached.
    return type(exc).__name__ == "AnymailRequestsAPIError" and status is None


def _failed(log: EmailLog, exc: Exception) -> str:
    reason = (str(exc) or type(exc).__name__)[:2000]
    delays = settings.EMAIL_RETRY_DELAYS
    if is_transient(exc) and log.attempts <= len(delays):
        delay = delays[log.attempts - 1]
        logger.info(
            "email %s: attempt %s failed (%s), again in %ss", log.pk, log.attempts, reason, delay
        )
        # Back in the queue, claimable after the delay (the sweep queues its job then).
        EmailLog.objects.filter(pk=log.pk, status=EmailStatus.SENDING).update(
            status=EmailStatus.QUEUED,
            status_at=timezone.now(),
            retry_at=timezone.now() + datetime.timedelta(seconds=delay),
            enqueued_at=None,
            error=reason,
        )
        log.refresh_from_db()
        email_status_changed_on_commit(log)
        return EmailStatus.QUEUED
    logger.warning("email %s failed for good after %s attempt(s): %s", log.pk, log.attempts, reason)
    _set_status(log, EmailStatus.FAILED, error=reason)
    settle(log.community_message_id)
    return EmailStatus.FAILED


def settle(community_message_id: int | None) -> None:
    """A community message is «Envoyé» once it was dispatched to everyone and none of its
    emails waits in the outbox any more (each sent, or failed for good)."""
    if community_message_id is None:
        return
    waiting = EmailLog.objects.filter(
        community_message_id=community_message_id,
        status__in=[EmailStatus.QUEUED, EmailStatus.SENDING],
    )
    # «Envoyé le» is never before its last email's send: when two workers finish a
    # message's last emails together, the one that settles it may have read its clock
    # before the other recorded its send — so the time is the later of the two, both
    # read by this one UPDATE.
    now = timezone.now()
    last_sent = (
        EmailLog.objects.filter(community_message_id=OuterRef("pk"), sent_at__isnull=False)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    CommunityMessage.objects.filter(
        pk=community_message_id,
        status=CommunityMessageStatus.SENDING,
        dispatched_at__isnull=False,
    ).exclude(pk__in=waiting.values("community_message_id")).update(
        status=CommunityMessageStatus.SENT,
        sent_at=Greatest(Value(now), Coalesce(Subquery(last_sent), Value(now))),
        updated_at=now,
    )


def email_outbox_sweep() -> dict[str, int]:
    """The every-minute job that keeps the outbox moving (see the module's doc):
    - a row claimed longer ago than EMAIL_SENDING_STALE (its worker died mid-send) goes
      back to the queue to be sent again (at least once), or fails once it has been
      interrupted as many times as a send may be tried;
    - a queued row whose job was queued longer ago than EMAIL_OUTBOX_GRACE without
      claiming it (or never queued), and whose retry delay has passed, is queued again —
      duplicate jobs are harmless, the claim lets one through;
    - a community message dispatched to everyone whose emails have all left the queue is
      «Envoyé».
    Returns how many rows each step took up."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.EMAIL_SENDING_STALE)
    most = len(settings.EMAIL_RETRY_DELAYS) + 1
    interrupted = EmailLog.objects.filter(status=EmailStatus.SENDING, status_at__lt=stale)
    given_up = list(interrupted.filter(attempts__gte=most).values_list("pk", flat=True))
    for log in EmailLog.objects.filter(pk__in=given_up):
        _set_status(log, EmailStatus.FAILED, error="Sending was interrupted too many times.")
        settle(log.community_message_id)
    resent = interrupted.filter(attempts__lt=most).update(
        status=EmailStatus.QUEUED, status_at=now, retry_at=None, enqueued_at=None
    )
    grace = now - datetime.timedelta(seconds=settings.EMAIL_OUTBOX_GRACE)
    due = list(
        EmailLog.objects.filter(
            Q(retry_at__isnull=True) | Q(retry_at__lte=now),
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=grace),
            status=EmailStatus.QUEUED,
        )
        .order_by("status_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    EmailLog.objects.filter(pk__in=due).update(enqueued_at=now)
    for log_id in due:
        jobs.enqueue_email_delivery(log_id)
    settled = 0
    for message_id in CommunityMessage.objects.filter(
        status=CommunityMessageStatus.SENDING, dispatched_at__isnull=False
    ).values_list("pk", flat=True):
        settle(message_id)
        settled += 1
    return {"failed": len(given_up), "resent": resent, "queued": len(due), "messages": settled}


SWEEP_BATCH = 5000


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
