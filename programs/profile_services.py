"""Profile updates (F11): a member edits their own profile, or an administrator anyone's.

- `profile_update`: checks every value against its field's definition, saves it and
  recomputes the member's «Achèvement des profils».
- `fields_editable`, `field_value_clean`: which custom fields an actor may fill, and an
  answer checked against its field.

The custom fields themselves are in programs.profile_fields, «Recalculer valeur du
profil» in programs.completion_recalculation, «Rappel pour compléter le profil» in
programs.profile_reminders; reads for the pages in programs.profile_selectors."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import events
from programs.audit import AuditAction, audit_record
from programs.completion import completion_store
from programs.errors import DomainError
from programs.models import FieldKind, ProfileField, ProfileFieldValue, User
from programs.permissions import is_org_admin, require_active, require_org_admin
from programs.profiles import builtin_fields_for

TEXT_LIMIT = 2000

Value = str | bool | list[str] | None


def fields_editable(*, actor: User, member: User) -> list[ProfileField]:
    """The custom fields `actor` may fill on `member`'s profile: those of the member's
    role; a member themselves only those shown in the profile and not administrators'."""
    if member.organisation_id is None:
        return []
    fields = ProfileField.objects.filter(organisation_id=member.organisation_id).order_by(
        "position", "pk"
    )
    as_admin = is_org_admin(actor) and actor.organisation_id == member.organisation_id
    return [
        field
        for field in fields
        if field.applies_to(member.role)
        and (as_admin or (field.in_profile and not field.admin_only))
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _clean_builtin(member: User, name: str, value: Any) -> Any:
    """One built-in field's value, checked against the member's column."""
    field = User._meta.get_field(name)
    spec = {f.name: f for f in builtin_fields_for(member.role)}[name]
    if spec.kind == "number":
        if _empty(value):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(
                _("%(field)s must be a whole number.") % {"field": spec.label}
            ) from None
        if not 0 <= number <= 32767:
            raise DomainError(_("%(field)s must be between 0 and 32767.") % {"field": spec.label})
        return number
    text = "" if value is None else str(value).strip()
    if name in {"first_name", "last_name"} and not text:
        raise DomainError(_("%(field)s is required.") % {"field": spec.label})
    limit = getattr(field, "max_length", None) or TEXT_LIMIT
    if len(text) > limit:
        raise DomainError(
            _("%(field)s is too long (at most %(limit)s characters).")
            % {"field": spec.label, "limit": limit}
        )
    if spec.kind == "url" and text:
        try:
            URLValidator()(text)
        except ValidationError:
            raise DomainError(
                _("%(field)s must be a web address.") % {"field": spec.label}
            ) from None
    return text


def field_value_clean(field: ProfileField, value: Any) -> Value:
    """An answer to custom `field`, checked against its definition; None when empty.
    Refuses what the field's kind cannot hold (an unknown option, a malformed date)."""
    option_ids = {option["id"] for option in field.options}
    if field.kind == FieldKind.YES_NO:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        raise DomainError(_("%(field)s: answer yes or no.") % {"field": field.name})
    if field.kind == FieldKind.MULTIPLE:
        if _empty(value):
            return None
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise DomainError(_("%(field)s: choose among its options.") % {"field": field.name})
        if not set(value) <= option_ids:
            raise DomainError(_("%(field)s: choose among its options.") % {"field": field.name})
        return [option["id"] for option in field.options if option["id"] in set(value)]
    if not isinstance(value, (str, type(None))):
        raise DomainError(_("%(field)s: this value is not valid.") % {"field": field.name})
    text = (value or "").strip()
    if not text:
        return None
    if field.kind == FieldKind.SINGLE:
        if text not in option_ids:
            raise DomainError(_("%(field)s: choose among its options.") % {"field": field.name})
        return text
    if field.kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise DomainError(
                _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": field.name}
            ) from None
    if len(text) > TEXT_LIMIT:
        raise DomainError(
            _("%(field)s is too long (at most %(limit)s characters).")
            % {"field": field.name, "limit": TEXT_LIMIT}
        )
    return text


@transaction.atomic
def profile_update(
    *,
    actor: User,
    member: User,
    builtin: Mapping[str, Any],
    custom: Mapping[int, Any],
) -> User:
    """Save `member`'s profile: `builtin` (User column → value) and `custom` (custom field
    id → answer; an empty answer deletes it). A member edits their own, an administrator
    anyone's in their organisation (audited). Every value is checked against the field's
    definition; the member's «Achèvement des profils» is recomputed and, when it changed,
    announced to the organisation's administrators."""
    require_active(actor)
    if actor.pk != member.pk:
        require_org_admin(actor, organisation_id=member.organisation_id)
    elif member.organisation_id is None:
        raise DomainError(_("Only members of a program have a profile."), code="forbidden")
    member = User.objects.select_for_update().get(pk=member.pk)
    allowed_builtin = {field.name for field in builtin_fields_for(member.role)}
    unknown = set(builtin) - allowed_builtin
    if unknown:
        raise DomainError(_("These profile fields cannot be changed here."))
    editable = {field.pk: field for field in fields_editable(actor=actor, member=member)}
    if set(custom) - set(editable):
        raise DomainError(_("These profile fields cannot be changed here."))

    changed: list[str] = []
    for name, raw in builtin.items():
        value = _clean_builtin(member, name, raw)
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed.append(name)
    existing = {
        answer.field_id: answer
        for answer in ProfileFieldValue.objects.filter(user=member, field_id__in=list(custom))
    }
    now = timezone.now()
    for field_id, raw in custom.items():
        field = editable[field_id]
        value = field_value_clean(field, raw)
        if value is None and field.required:
            raise DomainError(_("%(field)s is required.") % {"field": field.name})
        answer = existing.get(field_id)
        if value is None:
            if answer is not None:
                answer.delete()
                changed.append(field.name_en)
        elif answer is None:
            ProfileFieldValue.objects.create(field=field, user=member, value=value, updated_at=now)
            changed.append(field.name_en)
        elif answer.value != value:
            answer.value = value
            answer.updated_at = now
            answer.save(update_fields=["value", "updated_at"])
            changed.append(field.name_en)
    builtin_changed = [name for name in changed if name in allowed_builtin]
    if changed:
        member.profile_updated_at = now
        member.save(update_fields=[*builtin_changed, "profile_updated_at"])
    figures = completion_store(user_ids=[member.pk])
    member.refresh_from_db(fields=["profile_completion"])
    if member.organisation_id is not None:
        events.completion_changed_on_commit(member.organisation_id, figures)
    if changed and is_org_admin(actor) and actor.organisation_id == member.organisation_id:
        audit_record(
            actor=actor,
            organisation_id=member.organisation_id,
            action=AuditAction.MEMBER_EDIT,
            target=member,
            details={"fields": changed},
        )
    return member
