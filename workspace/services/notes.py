"""«Notes»: a person's own notes on a relationship. Saved for the author only: no live
event, no email, no audit detail carries the text, and no other person's page reads it.

The one exception is the organisation's administrators, and only when platform staff
have turned on the organisation's notes setting (`Organisation.notes_in_reports`):
`notes_admin_read` then returns the pair's notes and writes each read to the audit log.
The partner never reads the other's notes, whatever the setting."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Relationship, User
from programs.permissions import NOT_FOUND, require_org_admin
from workspace.models import PrivateNote
from workspace.models.notes import NOTE_MAX
from workspace.pair import require_pair


@transaction.atomic
def note_save(*, actor: User, relationship: Relationship, text: str) -> PrivateNote:
    require_pair(actor, relationship)
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(
            _("Your notes are too long (%(max)d characters at most).") % {"max": NOTE_MAX}
        )
    note, _created = PrivateNote.objects.update_or_create(
        relationship=relationship,
        author=actor,
        defaults={"text": text, "updated_at": timezone.now()},
    )
    return note


def notes_visible_to_admins(relationship: Relationship) -> bool:
    return relationship.organisation.notes_in_reports


@transaction.atomic
def notes_admin_read(*, actor: User, relationship: Relationship) -> list[PrivateNote]:
    """An administrator reads the pair's private notes (mentor's first): only when the
    organisation lets administrators read notes, and every read is audited (the entry
    names the relationship and how many notes, never their text)."""
    require_org_admin(actor, organisation_id=relationship.organisation_id, not_found=NOT_FOUND)
    if not notes_visible_to_admins(relationship):
        raise DomainError(
            _("Your program does not let administrators read private notes."),
            code="forbidden",
        )
    notes = sorted(
        PrivateNote.objects.filter(relationship=relationship)
        .exclude(text="")
        .select_related("author"),
        key=lambda note: note.author_id != relationship.mentor_id,
    )
    audit_record(
        actor=actor,
        organisation_id=relationship.organisation_id,
        action=AuditAction.NOTES_READ,
        target=relationship,
        count=len(notes),
    )
    return notes
