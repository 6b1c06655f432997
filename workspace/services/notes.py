"""«Notes»: a person's own notes on a relationship. Saved for the author only: no live
event, no email, no audit detail carries the text, and no other person's page reads it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.errors import DomainError
from programs.models import Relationship, User
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
