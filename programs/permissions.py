"""The one permission rule every service applies before it changes anything.

- Another organisation's object is always *not found* (code "not_found"): refusing it as
  forbidden would confirm that it exists.
- A deactivated account is always refused, whatever its role (its sessions are closed
  when it is deactivated, but a request already under way must not slip through).
- Within the organisation, only its administrators may act (code "forbidden").

Views check access too (web.access), which is what a person sees; this is the rule that
holds whatever the page sends.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.errors import DomainError
from programs.models import User

NOT_FOUND = _("This was not found in your program.")


def is_member(actor: User) -> bool:
    """An active member (any role) of an organisation."""
    return actor.is_active and actor.organisation_id is not None


def is_org_admin(actor: User) -> bool:
    """An active administrator of their own organisation."""
    return actor.is_active and actor.is_org_admin


def is_support_staff(actor: User) -> bool:
    return actor.is_active and actor.is_staff


def require_active(actor: User) -> None:
    if not actor.is_active:
        raise DomainError(_("This account is deactivated."), code="forbidden")


def require_org_admin(
    actor: User, *, organisation_id: int | None, not_found: str | Promise = NOT_FOUND
) -> int:
    """`actor` is an active administrator of organisation `organisation_id`; an object of
    another organisation (or of none) is not found, with the sentence `not_found`.
    Returns the organisation's id, now known to be the actor's."""
    require_active(actor)
    if organisation_id is None or actor.organisation_id != organisation_id:
        raise DomainError(not_found, code="not_found")
    if not is_org_admin(actor):
        raise DomainError(_("Only an administrator of this program can do that."), code="forbidden")
    return organisation_id


def require_staff(actor: User) -> None:
    """`actor` is active platform support staff (release notes)."""
    require_active(actor)
    if not is_support_staff(actor):
        raise DomainError(_("Only platform support staff can do that."), code="forbidden")
