"""Community messages (F8), the writes: compose, send now or at a set time, cancel,
delete — and the sending job.

Sending is idempotent (the ORM broker delivers a job at least once): the job claims the
message with a conditional UPDATE (queued → sending, only once its time has come) and
writes one email-log row per recipient, unique per (message, recipient), so a retried
or duplicated job never emails anyone twice. A job that died half-way leaves the message
"sending"; once that claim is stale the every-minute job hands it to a new run, which
skips everyone already emailed.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Sequence

import nh3
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import jobs
from notifications.community.attachments import clean_attachments
from notifications.community.selectors import (
    audience_recipients,
    community_email_render,
    community_recipients,
)
from notifications.community.tags import unknown_tags
from notifications.email import outbox, render
from notifications.models import (
    Audience,
    CommunityAttachment,
    CommunityMessage,
    CommunityMessageStatus,
    EmailLog,
    EmailStatus,
)
from programs.errors import DomainError
from programs.models import MemberGroup, User
from programs.permissions import require_org_admin

EDITABLE = (CommunityMessageStatus.DRAFT, CommunityMessageStatus.QUEUED)
SUBJECT_MAX_LENGTH = 300
BODY_MAX_LENGTH = 200_000
HEARTBEAT_EVERY = 50
DISPATCH_CHUNK = 500


def _locked(message: CommunityMessage) -> CommunityMessage:
    locked = (
        CommunityMessage.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=message.pk)
        .first()
    )
    if locked is None:
        raise DomainError(_("This message no longer exists."), code="gone")
    return locked


def _is_blank(body_html: str) -> bool:
    if "<img" in body_html.lower():
        return False
    return not html.unescape(nh3.clean(body_html, tags=set())).strip()


def _clean_content(
    *, subject_en: str, body_en: str, subject_fr: str, body_fr: str
) -> dict[str, str]:
    """Both versions tidied and sanitised; each complete (subject and body) or empty,
    at least one complete, and no unknown tag."""
    incomplete = {
        "en": _("The English version needs both a subject and a message, or neither."),
        "fr": _("The French version needs both a subject and a message, or neither."),
    }
    content: dict[str, str] = {}
    for language, subject, body in (("en", subject_en, body_en), ("fr", subject_fr, body_fr)):
        # One line: a line break in a subject is a header injection.
        subject = " ".join((subject or "").split())
        if len(subject) > SUBJECT_MAX_LENGTH:
            raise DomainError(
                _("A subject can be at most %(count)d characters long.")
                % {"count": SUBJECT_MAX_LENGTH}
            )
        if len(body or "") > BODY_MAX_LENGTH:
            raise DomainError(_("The message is too long."))
        body = render.sanitise(body or "")
        if _is_blank(body):
            body = ""
        if bool(subject) != bool(body):
            raise DomainError(incomplete[language])
        content[f"subject_{language}"], content[f"body_{language}"] = subject, body
    if not (content["subject_en"] or content["subject_fr"]):
        raise DomainError(_("Write a subject and a message in English, in French, or in both."))
    unknown = unknown_tags(*content.values())
    if unknown:
        tags = ", ".join(f"{{{tag}}}" for tag in sorted(unknown))
        raise DomainError(
            ngettext(
                "Unknown tag: %(tags)s. Use only the tags listed beside the message.",
                "Unknown tags: %(tags)s. Use only the tags listed beside the message.",
                len(unknown),
            )
            % {"tags": tags}
        )
    return content


def _clean_audience(
    *, organisation_id: int, audience: str, group: MemberGroup | None, chosen_ids: Iterable
) -> tuple[MemberGroup | None, list[User]]:
    if audience not in Audience.values:
        raise DomainError(_("Choose who receives the message."))
    if audience != Audience.GROUP:
        group = None
    elif group is None:
        raise DomainError(_("Choose the group that receives the message."))
    elif group.organisation_id != organisation_id:
        raise DomainError(_("That group is not one of your program's groups."))
    chosen: list[User] = []
    if audience == Audience.CHOSEN:
        try:
            ids = {int(pk) for pk in chosen_ids}
        except (TypeError, ValueError) as error:
            raise DomainError(_("Choose the people who receive the message.")) from error
        if not ids:
            raise DomainError(_("Choose the people who receive the message."))
        chosen = list(User.objects.filter(organisation_id=organisation_id, pk__in=ids))
        if len(chosen) != len(ids):
            raise DomainError(_("Some of the chosen people are not members of your program."))
    return group, chosen


def _delete_files_on_commit(attachments: Iterable[CommunityAttachment]) -> None:
    files = [(attachment.file.storage, attachment.file.name) for attachment in attachments]
    if files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def community_message_save(
    *,
    actor: User,
    message: CommunityMessage | None = None,
    audience: str,
    group: MemberGroup | None = None,
    chosen_ids: Iterable[int] = (),
    subject_en: str,
    body_en: str,
    subject_fr: str,
    body_fr: str,
    attachments: Sequence[UploadedFile] = (),
    remove_attachment_ids: Iterable[int] = (),
) -> CommunityMessage:
    """Write a new message, or rewrite one not yet sent (a draft, or one queued: it keeps
    its send time). Everything is checked before anything is written: the content (one
    complete language at least, known tags only), the recipients (of this organisation,
    at least one person) and the attachments. Bodies are stored sanitised."""
    organisation_id = require_org_admin(
        actor, organisation_id=message.organisation_id if message else actor.organisation_id
    )
    if message is not None:
        message = _locked(message)
        if message.status not in EDITABLE:
            raise DomainError(_("This message has been sent: it can no longer be edited."))
    content = _clean_content(
        subject_en=subject_en, body_en=body_en, subject_fr=subject_fr, body_fr=body_fr
    )
    group, chosen = _clean_audience(
        organisation_id=organisation_id, audience=audience, group=group, chosen_ids=chosen_ids
    )
    count = audience_recipients(
        organisation_id=organisation_id,
        audience=audience,
        group_id=group.pk if group else None,
        chosen_ids=[person.pk for person in chosen],
    ).count()
    if not count:
        raise DomainError(_("Nobody would receive this message: choose other recipients."))
    remove_ids = set(remove_attachment_ids)
    existing = list(message.attachments.all()) if message else []
    removed = [attachment for attachment in existing if attachment.pk in remove_ids]
    files = clean_attachments(attachments, kept=len(existing) - len(removed))

    if message is None:
        message = CommunityMessage(organisation_id=organisation_id, created_by=actor)
    for field, value in content.items():
        setattr(message, field, value)
    message.audience, message.group = audience, group
    message.recipient_count = count
    message.updated_at = timezone.now()
    message.save()
    message.chosen.set(chosen)
    _delete_files_on_commit(removed)
    CommunityAttachment.objects.filter(pk__in=[attachment.pk for attachment in removed]).delete()
    for upload, name, content_type in files:
        CommunityAttachment.objects.create(
            message=message,
            file=upload,
            name=name,
            content_type=content_type,
            size=upload.size or 0,
        )
    return message


@transaction.atomic
def community_message_send(
    *, actor: User, message: CommunityMessage, send_at: datetime.datetime | None = None
) -> CommunityMessage:
    """«Envoyer un message»: queue it to go now (the sending job starts after commit) or
    at `send_at` (the every-minute job starts it then). The recipients are counted now
    and read again when it goes out."""
    require_org_admin(actor, organisation_id=message.organisation_id)
    message = _locked(message)
    if message.status not in EDITABLE:
        raise DomainError(_("This message has already been sent."))
    now = timezone.now()
    if send_at is not None and send_at <= now:
        raise DomainError(_("The date and time to send it are in the past."))
    count = community_recipients(message=message).count()
    if not count:
        raise DomainError(_("Nobody would receive this message: choose other recipients."))
    message.status = CommunityMessageStatus.QUEUED
    message.send_at = send_at
    message.recipient_count = count
    message.updated_at = now
    message.save(update_fields=["status", "send_at", "recipient_count", "updated_at"])
    if send_at is None:
        transaction.on_commit(lambda: jobs.enqueue_community_dispatch(message.pk))
    return message


@transaction.atomic
def community_message_cancel(*, actor: User, message: CommunityMessage) -> CommunityMessage:
    """Stop a queued message before it goes out: it is a draft again and nobody gets it."""
    require_org_admin(actor, organisation_id=message.organisation_id)
    message = _locked(message)
    if message.status != CommunityMessageStatus.QUEUED:
        if message.status == CommunityMessageStatus.DRAFT:
            raise DomainError(_("This message is not waiting to be sent."))
        raise DomainError(_("This message is going out or has gone out: it cannot be cancelled."))
    message.status = CommunityMessageStatus.DRAFT
    message.send_at = None
    message.updated_at = timezone.now()
    message.save(update_fields=["status", "send_at", "updated_at"])
    return message


@transaction.atomic
def community_message_delete(*, actor: User, message: CommunityMessage) -> None:
    """Delete a message and its attachments. Refused while its emails are going out; the
    email log keeps what was sent."""
    require_org_admin(actor, organisation_id=message.organisation_id)
    message = _locked(message)
    going_out = EmailLog.objects.filter(
        community_message=message, status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]
    ).exists()
    if message.status == CommunityMessageStatus.SENDING or going_out:
        raise DomainError(_("This message is being sent: it can be deleted once it has gone out."))
    _delete_files_on_commit(message.attachments.all())
    message.delete()


def community_email_send(*, message: CommunityMessage, recipient: User) -> EmailLog:
    """Queue one recipient's email of a community message, rendered for them. Raises
    IntegrityError when they already have one (a concurrent run emailed them first)."""
    return outbox.email_queue(
        recipient=recipient,
        organisation=message.organisation,
        email=community_email_render(message=message, recipient=recipient),
        community_message=message,
    )


def community_message_dispatch(*, message_id: int) -> int:
    """The sending job: email every recipient of a queued message whose time has come,
    each in their language with their tag values. Idempotent (see the module's doc):
    nobody is ever emailed twice. Returns how many emails this run queued."""
    now = timezone.now()
    due = Q(send_at__isnull=True) | Q(send_at__lte=now)
    claimed = CommunityMessage.objects.filter(
        due, pk=message_id, status=CommunityMessageStatus.QUEUED
    ).update(status=CommunityMessageStatus.SENDING, updated_at=now)
    if not claimed:
        # Take over a run that died half-way (its claim went stale).
        claimed = CommunityMessage.objects.filter(
            pk=message_id,
            status=CommunityMessageStatus.SENDING,
            dispatched_at__isnull=True,
            updated_at__lt=now - _dispatch_stale(),
        ).update(updated_at=now)
    if not claimed:
        return 0
    message = CommunityMessage.objects.select_related("organisation").get(pk=message_id)
    emailed = set(
        EmailLog.objects.filter(community_message=message, recipient__isnull=False).values_list(
            "recipient_id", flat=True
        )
    )
    pending = [
        pk
        for pk in community_recipients(message=message).values_list("pk", flat=True)
        if pk not in emailed
    ]
    queued = 0
    for start in range(0, len(pending), DISPATCH_CHUNK):
        chunk = User.objects.filter(pk__in=pending[start : start + DISPATCH_CHUNK]).order_by("pk")
        for recipient in chunk:
            try:
                community_email_send(message=message, recipient=recipient)
            except IntegrityError:
                continue  # a concurrent run of this job emailed them first
            queued += 1
            if queued % HEARTBEAT_EVERY == 0:
                CommunityMessage.objects.filter(
                    pk=message.pk, status=CommunityMessageStatus.SENDING
                ).update(updated_at=timezone.now())
    finished = timezone.now()
    # Every recipient is in the outbox: «Envoyé» once none of their emails waits any more
    # (now, if every one went out already; otherwise when the last one leaves the queue).
    CommunityMessage.objects.filter(pk=message.pk, status=CommunityMessageStatus.SENDING).update(
        dispatched_at=finished,
        updated_at=finished,
        recipient_count=EmailLog.objects.filter(community_message=message).count(),
    )
    outbox.settle(message.pk)
    return queued


def _dispatch_stale() -> datetime.timedelta:
    # A dispatch refreshes its claim (updated_at) as it goes; one silent this long has died.
    return datetime.timedelta(seconds=settings.COMMUNITY_DISPATCH_STALE)


def community_messages_due() -> int:
    """The every-minute job: start sending each queued message whose time has come, and
    hand a dispatch that died half-way (or was never started) to a new run. Returns how
    many dispatches it started."""
    now = timezone.now()
    stale = now - _dispatch_stale()
    due = CommunityMessage.objects.filter(
        Q(status=CommunityMessageStatus.QUEUED, send_at__lte=now)
        | Q(status=CommunityMessageStatus.QUEUED, send_at__isnull=True, updated_at__lt=stale)
        | Q(status=CommunityMessageStatus.SENDING, dispatched_at__isnull=True, updated_at__lt=stale)
    ).values_list("pk", flat=True)
    started = 0
    for message_id in list(due):
        jobs.enqueue_community_dispatch(message_id)
        started += 1
    return started
