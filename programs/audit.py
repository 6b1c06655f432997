"""The audit log: every administrator action on people and settings, append-only.

Services call `audit_record()` inside the transaction that made the change, so the entry
commits or rolls back with it. "From where" is the request's address (set for the whole
request by web.middleware.AuditSourceMiddleware) or the command that ran
(`with audit_source("manage.py org_create"):`); services never take a request.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import AuditEntry, User

_source: contextvars.ContextVar[str] = contextvars.ContextVar("audit_source", default="")


class AuditAction(models.TextChoices):
    """What an entry records. Later features add their own actions here (the column has
    no database choices: adding one needs no migration)."""

    ORGANISATION_CREATE = "organisation.create", _("Organisation created")
    SETTINGS_EDIT = "settings.edit", _("Settings changed")
    AVAILABILITY_EDIT = "availability.edit", _("Member's availability changed")
    AGREEMENT_TEMPLATE_EDIT = "agreement_template.edit", _("Mentoring agreement template changed")
    VISIBILITY_EDIT = "visibility.edit", _("Visibility setting changed")
    ADMIN_INVITE = "admin.invite", _("Administrator invited")
    MEMBER_ADD = "member.add", _("Member added")
    MEMBER_INVITE = "member.invite", _("Login information sent")
    MEMBER_SIGN_UP = "member.sign_up", _("Member signed up")
    MEMBER_IMPORT = "member.import", _("Members imported")
    MEMBER_EDIT = "member.edit", _("Member's profile edited")
    MEMBER_ROLE = "member.role", _("Member's role changed")
    MEMBER_DEACTIVATE = "member.deactivate", _("Member deactivated")
    MEMBER_REACTIVATE = "member.reactivate", _("Member reactivated")
    # Several at once: from a file («Désactiver les membres») or a selection on the list.
    MEMBERS_DEACTIVATE = "members.deactivate", _("Members deactivated together")
    MEMBERS_REACTIVATE = "members.reactivate", _("Members reactivated together")
    MEMBER_DELETE = "member.delete", _("Member deleted permanently")
    GROUP_MEMBERS_ADD = "group.members_add", _("Members added to a group")
    RELATIONSHIPS_END_ALL = "relationships.end_all", _("All relationships ended")
    MEMBER_ADMINISTRATOR = "member.administrator", _("Member administrator changed")
    INVITATION_LINK = "invitation_link.edit", _("Invitation link changed")
    FIELD_CREATE = "field.create", _("Custom field added")
    FIELD_EDIT = "field.edit", _("Custom field changed")
    FIELD_DELETE = "field.delete", _("Custom field deleted")
    COMPLETION_RECALCULATE = "completion.recalculate", _("Profile completion recalculated")
    PROFILE_REMINDER = "profile_reminder.send", _("Profile completion reminder sent")
    CONVERSATION_READ = "conversation.read", _("Conversation read by an administrator")
    NOTES_READ = "notes.read", _("Private notes read by an administrator")
    EVALUATION_QUESTION_CREATE = "evaluation_question.create", _("Evaluation question added")
    EVALUATION_QUESTION_EDIT = "evaluation_question.edit", _("Evaluation question changed")
    EVALUATION_QUESTION_DELETE = "evaluation_question.delete", _("Evaluation question deleted")
    EVALUATION_REQUEST = "evaluation.request", _("Program evaluation requested")
    EVALUATION_REMINDER = "evaluation.remind", _("Program evaluation reminder sent")
    SURVEY_EDIT = "survey.edit", _("Survey written or changed")
    SURVEY_SEND = "survey.send", _("Survey sent")
    SURVEY_CLOSE = "survey.close", _("Survey closed")
    SURVEY_REMINDER = "survey.remind", _("Survey reminder sent")
    REPORT_EXPORT = "report.export", _("Report downloaded")
    REPORT_COLUMNS = "report.columns", _("Custom report columns saved")
    REPORT_ARCHIVE_REQUEST = "report.archive", _("All reports export requested")
    REPORT_ARCHIVE_DOWNLOAD = "report.archive_download", _("Reports archive downloaded")
    CYCLE_START = "cycle.start", _("End of cycle started")
    CYCLE_STEP = "cycle.step", _("End of cycle step confirmed")
    CYCLE_FINISH = "cycle.finish", _("End of cycle finished")
    CYCLE_ABANDON = "cycle.abandon", _("End of cycle stopped before its end")


def current_source() -> str:
    return _source.get()


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Every entry written inside the block says it came from `source` (an IP address,
    a management command)."""
    token = _source.set(source[:100])
    try:
        yield
    finally:
        _source.reset(token)


def audit_record(
    *,
    actor: User | None,
    organisation_id: int | None,
    action: AuditAction,
    target: User | models.Model | None = None,
    target_label: str = "",
    count: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `target` names the object acted on (its type, id and label are
    copied in); `count` is how many people or rows a bulk action touched; `details` holds
    what changed (field names, old and new values) as plain JSON."""
    if target is not None and not target_label:
        target_label = target.full_name if isinstance(target, User) else str(target)
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor_id=actor.pk if actor is not None else None,
        actor_name=(actor.full_name or actor.email) if actor is not None else "",
        action=str(action),
        target_type=target._meta.model_name or "" if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=target_label[:300],
        count=count,
        details=details or {},
        source=current_source(),
    )


AUDIT_PAGE = 50


def audit_entries(
    *,
    organisation_id: int,
    action: str = "",
    actor: str = "",
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    after: tuple[datetime.datetime, int] | None = None,
    limit: int = AUDIT_PAGE,
) -> list[AuditEntry]:
    """«Journal d'audit»: this organisation's entries, newest first, `limit` of them after
    the cursor `after` (the (at, id) of the last entry of the previous page: keyset
    pagination, as fast on the thousandth page as on the first). `actor` matches the
    copied name; `start` ≤ at < `end`."""
    qs = AuditEntry.objects.filter(organisation_id=organisation_id)
    if action:
        qs = qs.filter(action=action)
    for word in actor.split():
        qs = qs.filter(actor_name__icontains=word)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    if after is not None:
        at, entry_id = after
        qs = qs.filter(Q(at__lt=at) | Q(at=at, id__lt=entry_id))
    return list(qs.order_by("-at", "-id")[:limit])
