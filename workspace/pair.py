"""Who may work in a relationship's workspace: its mentor and its mentee, while their
accounts are active. Anyone else — a third member, an administrator, another
organisation — is told the relationship is not found."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from programs.errors import DomainError
from programs.models import Relationship, RelationshipStatus, User
from programs.permissions import NOT_FOUND, require_active


class StaleEdit(DomainError):
    """An edit based on a version someone else has changed since. `current` holds what
    is there now (display strings), `by` who changed it."""

    def __init__(self, message: str, *, current: dict[str, str], by: str) -> None:
        super().__init__(message, code="stale")
        self.current = current
        self.by = by


def is_pair(user: User, relationship: Relationship) -> bool:
    return (
        user.is_active
        and user.organisation_id == relationship.organisation_id
        and user.pk in (relationship.mentor_id, relationship.mentee_id)
    )


def require_pair(actor: User, relationship: Relationship, *, editing: bool = True) -> None:
    require_active(actor)
    if not is_pair(actor, relationship):
        raise DomainError(NOT_FOUND, code="not_found")
    if editing and relationship.status == RelationshipStatus.COMPLETED:
        raise DomainError(
            _("This relationship has ended: its workspace can be read but no longer changed."),
            code="forbidden",
        )


def partner_of(user: User, relationship: Relationship) -> User:
    return relationship.mentee if user.pk == relationship.mentor_id else relationship.mentor
