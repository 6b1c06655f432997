"""«Rappel pour compléter le profil» (F11): email the active mentors and mentees whose
profile is less than N percent complete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from programs import events
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Role, User
from programs.permissions import require_org_admin


def reminder_threshold(value: Any) -> int:
    """The percentage N of a reminder: a whole number from 1 to 100."""
    try:
        threshold = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Enter a percentage from 1 to 100.")) from None
    if not 1 <= threshold <= 100:
        raise DomainError(_("Enter a percentage from 1 to 100."))
    return threshold


def reminder_recipients(*, organisation_id: int, below: int) -> Any:
    """Active mentors and mentees of the organisation whose profile is less than `below`
    percent complete, by name."""
    return User.objects.filter(
        organisation_id=organisation_id,
        is_active=True,
        role__in=[Role.MENTOR, Role.MENTEE],
        profile_completion__lt=below,
    ).order_by("first_name", "last_name", "pk")


@transaction.atomic
def profile_reminder_send(*, actor: User, below: Any) -> int:
    """Email «Rappel pour compléter le profil» to every active mentor and mentee whose
    profile is less than `below` percent complete. Each email is an outbox row queued in
    this transaction (notifications, through `events.profile_reminder_requested`): the
    sending itself is the outbox's background work. Returns how many were reminded."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    threshold = reminder_threshold(below)
    recipients = list(
        reminder_recipients(organisation_id=organisation_id, below=threshold).select_related(
            "organisation"
        )
    )
    if not recipients:
        raise DomainError(
            _("No active mentor or mentee has a profile less than %(percent)s%% complete.")
            % {"percent": threshold}
        )
    for person in recipients:
        events.profile_reminder_requested.send(
            sender=User, user=person, completion=person.profile_completion
        )
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.PROFILE_REMINDER,
        count=len(recipients),
        details={"below": threshold},
    )
    return len(recipients)
