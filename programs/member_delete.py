"""«Supprimer un membre définitivement» (F12, docs/members.md "Deleting a member
permanently").

The person's row is kept as an anonymous tombstone and everything that identified them is
erased, because the program's history must keep counting them: their relationships,
meetings and conversation posts stay (reports and the partner's pages show them as
«Membre supprimé»). Deleting the row itself would cascade those away.

Removed: the account (it can never sign in again: no password, an address that cannot
receive mail, deactivated), the name and every profile field, the custom field answers,
group memberships; through `events.member_deleted`, the apps above remove the rest —
availability and calendar feed (scheduling), private notes and read receipts (workspace),
bell lines (notifications) — and the email log keeps its rows (what was sent when, for the
program's statistics) with the address replaced by a one-way hash and the bodies erased;
any email still waiting to go out to them is not sent.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import events
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import (
    OPEN_STATUSES,
    Organisation,
    ProfileFieldValue,
    Relationship,
    Role,
    User,
)
from programs.permissions import require_org_admin
from programs.profiles import BUILTIN_FIELDS

DELETED_DOMAIN = "deleted.invalid"


def address_hash(email: str) -> str:
    """The one-way stand-in of an erased address (the email log's rows keep it): the same
    address always gives the same hash, so support can still answer «was x emailed?»."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def confirmation_matches(organisation: Organisation, confirmation: str) -> bool:
    """The program's name typed exactly (in either of its languages), spaces around ignored."""
    names = {name for name in (organisation.name_en, organisation.name_fr) if name}
    return confirmation.strip() in names


@transaction.atomic
def member_delete_permanently(*, actor: User, member: User, confirmation: str) -> None:
    """Erase a member for good, keeping the program's anonymised history (module
    docstring). Refused — with nothing changed — for another organisation's member (not
    found), any administrator, the actor themself, a member with an open relationship,
    and a confirmation that is not the program's name. Audited: the entry has no foreign
    key, it outlives the person."""
    organisation_id = require_org_admin(actor, organisation_id=member.organisation_id)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.deleted_at is not None:
        raise DomainError(_("This member has already been deleted."))
    if member.pk == actor.pk:
        raise DomainError(_("You cannot delete your own account."))
    if member.role == Role.ADMINISTRATOR or member.is_staff:
        raise DomainError(_("An administrator can never be deleted."))
    organisation = Organisation.objects.get(pk=organisation_id)
    if not confirmation_matches(organisation, confirmation):
        raise DomainError(
            _("Type the program's name exactly as shown to confirm: %(name)s")
            % {"name": organisation.name}
        )
    open_count = (
        Relationship.objects.filter(organisation_id=organisation_id, status__in=OPEN_STATUSES)
        .filter(mentor=member)
        .count()
        + Relationship.objects.filter(
            organisation_id=organisation_id, status__in=OPEN_STATUSES, mentee=member
        ).count()
    )
    if open_count:
        raise DomainError(
            _("%(name)s still has an open relationship: end it before deleting them.")
            % {"name": member.full_name}
        )
    name, email, role = member.full_name, member.email, member.get_role_display()
    ProfileFieldValue.objects.filter(user=member).delete()
    member.member_groups.clear()
    # Every later signal receiver sees the old address (to erase its traces) before the
    # row forgets it.
    events.member_deleted.send(sender=User, user_id=member.pk, email=email)
    for builtin in BUILTIN_FIELDS[2:]:
        setattr(member, builtin.name, None if builtin.kind == "number" else "")
    member.first_name = ""
    member.last_name = ""
    member.email = f"deleted-{member.pk}@{DELETED_DOMAIN}"
    member.password = make_password(None)
    member.is_active = False
    member.ended_at = member.ended_at or timezone.localdate()
    member.deleted_at = timezone.now()
    member.email_problem = ""
    member.email_problem_at = None
    member.member_administrator = None
    member.unlock_nonce = ""
    member.last_seen = None
    member.last_login = None
    member.email_verified_at = None
    member.profile_completion = 0
    member.save()
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_DELETE,
        target=member,
        # The name stays in the audit log (who was deleted, for the administrators'
        # accountability); the address only as its hash.
        target_label=name,
        count=1,
        details={"role": role, "email_hash": address_hash(email)},
    )
    events.member_active_changed_on_commit(member)
    events.sessions_end_on_commit(member.pk)
    events.counts_changed_on_commit(organisation_id)
