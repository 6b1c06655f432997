"""What the email pipeline announces: a log row's new delivery status."""

from __future__ import annotations

from notifications.models import EmailLog
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit


def email_status_changed_on_commit(log: EmailLog) -> None:
    """A row of the email log changed status: admins watching the log see it at once."""
    if log.organisation_id is None:
        return
    publish_on_commit(
        org_admins_group(log.organisation_id),
        "email.updated",
        {
            "id": log.pk,
            "status": log.status,
            "status_at": log.status_at.isoformat(),
            "opened_at": log.opened_at.isoformat() if log.opened_at else None,
        },
    )
