"""Typed requests for views behind the access decorators (django-stubs' documented
pattern): `request.user` is then a `User`, never `AnonymousUser`.

Types only: at run time they are plain `HttpRequest`s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from programs.models import Organisation, User

if TYPE_CHECKING:

    class OrgUser(User):
        """A `User` who belongs to an organisation (what `member_required` and
        `admin_required` let through): `organisation_id` is never None."""

        organisation_id: int
        organisation: Organisation

else:
    OrgUser = User


class AuthedRequest(HttpRequest):
    """Behind `staff_required` (or any check that someone is signed in)."""

    user: User


class MemberRequest(HttpRequest):
    """Behind `member_required` or `admin_required`: signed in, in an organisation."""

    user: OrgUser
