"""Every write on the programs domain: one function per use case, transactional."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import accounts, events
from programs.audit import AuditAction, audit_record
from programs.completion import completion_store
from programs.errors import DomainError
from programs.models import (
    OPEN_STATUSES,
    TIME_ZONE_CHOICES,
    Language,
    MemberGroup,
    Organisation,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)
from programs.permissions import require_org_admin

TIME_ZONES = frozenset(name for name, _label in TIME_ZONE_CHOICES)


@transaction.atomic
def member_create(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    password: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    **profile: str,
) -> User:
    """Create a member of `organisation`. Refuses a duplicate email or an unknown role.
    Without a language or time zone, the member gets the organisation's defaults."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise DomainError(_("Unknown role: %(role)s.") % {"role": role})
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("A member with the email %(email)s already exists.") % {"email": email})
    fields: dict[str, object] = dict(profile)
    fields["time_zone"] = time_zone or organisation.default_time_zone
    user = User.objects.create_user(
        email,
        password,
        organisation=organisation,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language or organisation.default_language,
        **fields,
    )
    completion_store(user_ids=[user.pk])
    user.refresh_from_db(fields=["profile_completion"])
    events.counts_changed_on_commit(organisation.pk)
    return user


@transaction.atomic
def member_set_active(*, actor: User, member: User, active: bool) -> User:
    """Deactivate or reactivate a member at once («Actif»). Deactivation ends the
    member's live sessions; their data is kept."""
    organisation_id = require_org_admin(actor, organisation_id=member.organisation_id)
    if member.pk == actor.pk and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.is_active == active:
        return member
    member.is_active = active
    # «Date de fin»: the day the member left, on the organisation's calendar; a
    # reactivated member has none.
    member.ended_at = None if active else timezone.localdate()
    member.save(update_fields=["is_active", "ended_at"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_REACTIVATE if active else AuditAction.MEMBER_DEACTIVATE,
        target=member,
    )
    events.member_active_changed_on_commit(member)
    if not active:
        events.sessions_end_on_commit(member.pk)
    events.counts_changed_on_commit(organisation_id)
    return member


@transaction.atomic
def member_set_administrator(*, actor: User, member: User, administrator: User | None) -> User:
    """Name the administrator who follows this member («Administrateur des membres»)."""
    organisation_id = require_org_admin(actor, organisation_id=member.organisation_id)
    if administrator is not None and (
        administrator.organisation_id != member.organisation_id or not administrator.is_org_admin
    ):
        raise DomainError(_("The member administrator must be an administrator of your program."))
    before = member.member_administrator
    if (before.pk if before else None) == (administrator.pk if administrator else None):
        return member
    member.member_administrator = administrator
    member.save(update_fields=["member_administrator"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_ADMINISTRATOR,
        target=member,
        details={
            "old": before.full_name if before else "",
            "new": administrator.full_name if administrator else "",
        },
    )
    return member


@transaction.atomic
def member_add(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str = Language.ENGLISH,
    time_zone: str | None = None,
    group_ids: list[int] | None = None,
) -> User:
    """«Ajouter un membre»: an administrator creates a member of their organisation, with
    no password; «Informations de connexion» is sent with a link to choose one (a
    password never travels by email). The members lists update live."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    if language not in Language.values:
        raise DomainError(_("Unknown language."))
    if time_zone is not None and time_zone not in TIME_ZONES:
        raise DomainError(_("Unknown time zone."))
    groups = list(
        MemberGroup.objects.filter(organisation_id=organisation_id, pk__in=group_ids or [])
    )
    if len(groups) != len(set(group_ids or [])):
        raise DomainError(_("Some of the chosen groups are not part of your program."))
    organisation = Organisation.objects.get(pk=organisation_id)
    user = member_create(
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language,
        time_zone=time_zone,
    )
    for group in groups:
        group.members.add(user)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_ADD,
        target=user,
        details={"role": role, "groups": sorted(group.name for group in groups)},
    )
    accounts.login_information_send(user=user)
    events.members_added_on_commit(organisation_id, [user.pk])
    return user


@transaction.atomic
def member_login_information_resend(*, actor: User, member: User) -> None:
    """«Renvoyer les informations de connexion»: a fresh set-password link by email."""
    organisation_id = require_org_admin(actor, organisation_id=member.organisation_id)
    if not member.is_active:
        raise DomainError(_("%(name)s is deactivated.") % {"name": member.full_name})
    accounts.login_information_send(user=member)
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_INVITE,
        target=member,
    )


@transaction.atomic
def member_change_role(*, actor: User, member: User, role: str) -> User:
    """«Changer le rôle» between mentor and mentee. Refused while the member has an open
    relationship in their current role (it would leave the pair the wrong way round)."""
    organisation_id = require_org_admin(actor, organisation_id=member.organisation_id)
    member = User.objects.select_for_update().get(pk=member.pk)
    swappable = (Role.MENTOR, Role.MENTEE)
    if role not in swappable or member.role not in swappable:
        raise DomainError(_("Only a mentor can become a mentee, and a mentee a mentor."))
    if member.role == role:
        return member
    side = "mentor" if member.role == Role.MENTOR else "mentee"
    if Relationship.objects.filter(**{side: member}, status__in=OPEN_STATUSES).exists():
        raise DomainError(
            _("%(name)s has an open relationship as %(role)s: end it before changing their role.")
            % {"name": member.full_name, "role": member.get_role_display().lower()}
        )
    old = member.role
    member.role = role
    member.save(update_fields=["role"])
    # Completion counts the fields of the member's role.
    completion_store(user_ids=[member.pk])
    member.refresh_from_db(fields=["profile_completion"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBER_ROLE,
        target=member,
        details={"old": old, "new": role},
    )
    return member


def member_set_preferences(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """Store the UI language and/or time zone a person chose for themselves."""
    fields = []
    if language is not None:
        if language not in Language.values:
            raise DomainError(_("Unknown language."))
        user.language = language
        fields.append("language")
    if time_zone is not None:
        if time_zone not in TIME_ZONES:
            raise DomainError(_("Unknown time zone."))
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user


def member_record_last_seen(*, user_ids_seen: Mapping[int, datetime]) -> None:
    """Keep «Dernière session» when presence says someone went offline or connected.
    Called on transitions only, never per heartbeat."""
    # One UPDATE per distinct time: presence announces a batch with one time.
    by_time: dict[datetime, list[int]] = {}
    for user_id, seen_at in user_ids_seen.items():
        by_time.setdefault(seen_at, []).append(user_id)
    for seen_at, user_ids in by_time.items():
        User.objects.filter(pk__in=user_ids).update(last_seen=seen_at)


@transaction.atomic
def relationship_match(
    *,
    actor: User,
    mentor: User,
    mentee: User,
    relationship_administrator: User | None = None,
) -> Relationship:
    """Match a mentor with a mentee («Jumelé») in the actor's organisation. Each of the
    pair is told (by notifications, through `events.relationship_matched`)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    if mentor.organisation_id != organisation_id or mentee.organisation_id != organisation_id:
        raise DomainError(_("Both people must belong to your program."), code="not_found")
    if mentor.pk == mentee.pk:
        raise DomainError(_("A member cannot be matched with themselves."))
    if mentor.role != Role.MENTOR:
        raise DomainError(_("%(name)s is not a mentor.") % {"name": mentor.full_name})
    if mentee.role != Role.MENTEE:
        raise DomainError(_("%(name)s is not a mentee.") % {"name": mentee.full_name})
    for person in (mentor, mentee):
        if not person.is_active:
            raise DomainError(_("%(name)s is deactivated.") % {"name": person.full_name})
    if relationship_administrator is not None and (
        relationship_administrator.organisation_id != organisation_id
        or not relationship_administrator.is_org_admin
    ):
        raise DomainError(
            _("The relationship administrator must be an administrator of your program.")
        )
    if Relationship.objects.filter(mentor=mentor, mentee=mentee, status__in=OPEN_STATUSES).exists():
        raise DomainError(_("These two people are already matched."))
    now = timezone.now()
    relationship = Relationship.objects.create(
        organisation_id=organisation_id,
        mentor=mentor,
        mentee=mentee,
        status=RelationshipStatus.MATCHED,
        created_at=now,
        started_at=now,
        relationship_administrator=relationship_administrator,
    )
    events.relationship_matched.send(sender=Relationship, relationship=relationship)
    events.counts_changed_on_commit(organisation_id)
    return relationship


@transaction.atomic
def relationship_end(*, actor: User, relationship: Relationship) -> Relationship:
    """End a relationship: it becomes «Complété» with today's end date; through
    `events.relationship_ended` its meetings still to come are cancelled (scheduling) and
    each of the pair is told (notifications)."""
    organisation_id = require_org_admin(actor, organisation_id=relationship.organisation_id)
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status == RelationshipStatus.COMPLETED:
        raise DomainError(_("This relationship has already ended."))
    relationship.status = RelationshipStatus.COMPLETED
    relationship.ended_at = timezone.now()
    relationship.save(update_fields=["status", "ended_at"])
    events.relationship_ended.send(sender=Relationship, relationship=relationship)
    events.counts_changed_on_commit(organisation_id)
    return relationship


@transaction.atomic
def group_create(*, actor: User, name: str) -> MemberGroup:
    """Create a named group in the actor's organisation."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    name = name.strip()
    if not name:
        raise DomainError(_("A group needs a name."))
    if MemberGroup.objects.filter(organisation_id=organisation_id, name__iexact=name).exists():
        raise DomainError(_("A group named %(name)s already exists.") % {"name": name})
    return MemberGroup.objects.create(organisation_id=organisation_id, name=name)


@transaction.atomic
def group_set_members(*, actor: User, group: MemberGroup, member_ids: list[int]) -> MemberGroup:
    """Replace a group's members. Every id must be a member of the same organisation."""
    require_org_admin(actor, organisation_id=group.organisation_id)
    members = list(User.objects.filter(organisation_id=group.organisation_id, pk__in=member_ids))
    if len(members) != len(set(member_ids)):
        raise DomainError(_("Some of the chosen people are not members of your program."))
    group.members.set(members)
    return group
