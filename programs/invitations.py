"""«Lien d'invitation»: a public sign-up address per organisation and role, the sign-up
it opens, and the proof that the new member reads the address they gave.

- An administrator sees the mentor link and the mentee link of their organisation
  (created the first time they are asked for), switches either off or on, or
  regenerates it — the old address then stops working at once.
- A visitor who follows an active link creates their own account in that organisation
  with that role. They are not signed in: a signed link (3 days) is emailed to them, and
  until they follow it they cannot sign in. Following it verifies the address, sends
  «Bienvenue» and signs them in (the view does that part).
"""

from __future__ import annotations

import secrets
from typing import cast

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programs import accounts, events, services
from programs.audit import AuditAction, audit_record
from programs.compiled import CompiledObjects
from programs.errors import DomainError
from programs.models import InvitationLink, Language, Role, User
from programs.permissions import require_org_admin

SIGN_UP_ROLES = (Role.MENTOR, Role.MENTEE)
VERIFICATION_SALT = "tandem.email-verification"
VERIFICATION_MAX_AGE = 3 * 24 * 3600

LINK_GONE = _(
    "This invitation link no longer works. Please ask your mentoring program for a new one."
)
# Neutral: never says which program (if any) holds the address.
ACCOUNT_EXISTS = _("An account already exists for this address: sign in or reset your password.")


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _link(organisation_id: int, role: str) -> InvitationLink:
    """The organisation's link for `role`, created the first time it is asked for."""
    link, _created = InvitationLink.objects.get_or_create(
        organisation_id=organisation_id, role=role, defaults={"token": _new_token()}
    )
    return link


def invitation_url(link: InvitationLink) -> str:
    return settings.SITE_URL + reverse("web:join", args=[link.token])


def invitation_links(*, actor: User) -> list[InvitationLink]:
    """The mentor link and the mentee link of the actor's organisation, in that order;
    one query once they exist (the dashboard shows them on every visit)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    found = _links_of(organisation_id)
    if len(found) < len(SIGN_UP_ROLES):
        # First time asked: create what is missing (a concurrent request may win the race).
        InvitationLink.objects.bulk_create(
            [
                InvitationLink(organisation_id=organisation_id, role=role, token=_new_token())
                for role in SIGN_UP_ROLES
                if role not in found
            ],
            ignore_conflicts=True,
        )
        found = _links_of(organisation_id)
    return [found[role] for role in SIGN_UP_ROLES]


def _links_of(organisation_id: int) -> dict[str, InvitationLink]:
    """The organisation's links by role: one query compiled once (`programs.compiled`)."""
    links = cast(list[InvitationLink], _links_query.objects(organisation_id=organisation_id))
    return {link.role: link for link in links}


_links_query = CompiledObjects(
    lambda organisation_id: InvitationLink.objects.filter(organisation_id=organisation_id),
    organisation_id=-1,
)


def _locked_link(actor: User, role: str) -> tuple[int, InvitationLink]:
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    if role not in SIGN_UP_ROLES:
        raise DomainError(_("Unknown role: %(role)s.") % {"role": role})
    _link(organisation_id, role)
    link = InvitationLink.objects.select_for_update().get(
        organisation_id=organisation_id, role=role
    )
    return organisation_id, link


@transaction.atomic
def invitation_link_set_active(*, actor: User, role: str, active: bool) -> InvitationLink:
    """Switch the organisation's link for `role` off (sign-ups through it are refused)
    or on again (the same address works again)."""
    organisation_id, link = _locked_link(actor, role)
    if link.is_active == active:
        return link
    link.is_active = active
    link.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.INVITATION_LINK,
        target=link,
        target_label=str(Role(role).label),
        details={"role": role, "active": active},
    )
    return link


@transaction.atomic
def invitation_link_regenerate(*, actor: User, role: str) -> InvitationLink:
    """A new address for the organisation's link for `role`; the old one stops working
    at once (the token is replaced, not kept beside it)."""
    organisation_id, link = _locked_link(actor, role)
    link.token = _new_token()
    link.save(update_fields=["token"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.INVITATION_LINK,
        target=link,
        target_label=str(Role(role).label),
        details={"role": role, "regenerated": True},
    )
    return link


def invitation_link_open(*, token: str) -> InvitationLink | None:
    """The active link with this token, or None (unknown, regenerated or switched off)."""
    if not token or len(token) > 64:
        return None
    return (
        InvitationLink.objects.select_related("organisation")
        .filter(token=token, is_active=True)
        .first()
    )


@transaction.atomic
def member_sign_up(
    *,
    token: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    language: str,
    time_zone: str,
) -> User:
    """Create the visitor's account through an invitation link: in the link's
    organisation, with its role, not yet verified. Sends the verification email and
    tells the administrators' members lists. Refuses a link that no longer works, an
    address that already has an account (without saying where) and a weak password."""
    link = (
        InvitationLink.objects.select_for_update()
        .select_related("organisation")
        .filter(token=token, is_active=True)
        .first()
    )
    if link is None:
        raise DomainError(LINK_GONE, code="not_found")
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ACCOUNT_EXISTS, code="exists")
    if language not in Language.values:
        raise DomainError(_("Unknown language."))
    if time_zone not in services.TIME_ZONES:
        raise DomainError(_("Unknown time zone."))
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="password") from None
    try:
        with transaction.atomic():
            user = services.member_create(
                organisation=link.organisation,
                email=email,
                first_name=first_name,
                last_name=last_name,
                role=link.role,
                password=password,
                language=language,
                time_zone=time_zone,
            )
    except (IntegrityError, DomainError):
        # The same address signed up a moment ago, in another request.
        raise DomainError(ACCOUNT_EXISTS, code="exists") from None
    user.email_verification_required = True
    user.save(update_fields=["email_verification_required"])
    audit_record(
        actor=None,
        organisation_id=link.organisation_id,
        action=AuditAction.MEMBER_SIGN_UP,
        target=user,
        details={"role": link.role},
    )
    events.members_added_on_commit(link.organisation_id, [user.pk])
    email_verification_send(user=user)
    return user


def verification_url(user: User) -> str:
    token = signing.dumps({"id": user.pk, "email": user.email}, salt=VERIFICATION_SALT)
    return settings.SITE_URL + reverse("web:join_verify", args=[token])


def email_verification_send(*, user: User) -> None:
    """Email the signed verification link (through `events.email_verification_requested`:
    notifications sends it in the person's language)."""
    events.email_verification_requested.send(sender=User, user=user, url=verification_url(user))


def verification_pending(user: User) -> bool:
    return user.email_verification_required and user.email_verified_at is None


def email_verification_resend(*, email: str) -> bool:
    """Send the link again to an account still waiting for it. Returns whether one went
    out (never shown: the page answers the same either way)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not verification_pending(user):
        return False
    email_verification_send(user=user)
    return True


@transaction.atomic
def email_verification_confirm(*, token: str) -> User | None:
    """The person followed the link: their address is verified and «Bienvenue» is sent
    (through `events.member_welcomed`). None for a forged, expired or already used link."""
    try:
        claims = signing.loads(token, salt=VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE)
        user_id, email = claims["id"], claims["email"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(email, str):
        return None
    user = (
        User.objects.select_for_update()
        .filter(pk=user_id, email__iexact=email, is_active=True)
        .first()
    )
    if user is None or not verification_pending(user):
        return None
    accounts.email_verified(user=user)
    events.member_welcomed.send(
        sender=User, user=user, url=settings.SITE_URL + reverse("web:profile")
    )
    return user
