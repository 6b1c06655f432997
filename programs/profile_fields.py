"""Custom profile fields («Gérer les champs personnalisés», F11): `field_save` (add or
change), `field_delete`, `field_move` (reorder); every write transactional and audited.
Answers to the fields are saved by programs.profile_services.profile_update."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import FieldKind, ProfileField, ProfileFieldValue, User
from programs.permissions import require_org_admin

CHOICE_KINDS = frozenset({FieldKind.SINGLE, FieldKind.MULTIPLE})


@dataclass(frozen=True)
class FieldData:
    """What «Gérer les champs personnalisés» submits for one field. `options`: (English,
    French) per option, in order; the French may be blank."""

    name_en: str
    kind: str
    for_mentors: bool
    for_mentees: bool
    name_fr: str = ""
    description_en: str = ""
    description_fr: str = ""
    hint_en: str = ""
    hint_fr: str = ""
    options: Sequence[tuple[str, str]] = ()
    required: bool = False
    in_search: bool = False
    admin_only: bool = False
    in_profile: bool = True
    in_reports: bool = True


FLAGS = (
    "for_mentors",
    "for_mentees",
    "required",
    "in_search",
    "admin_only",
    "in_profile",
    "in_reports",
)
TEXTS = ("name_en", "name_fr", "description_en", "description_fr", "hint_en", "hint_fr")


def _new_option_id() -> str:
    return uuid.uuid4().hex[:10]


def options_merge(
    existing: Sequence[Mapping[str, str]], wanted: Sequence[tuple[str, str]]
) -> list[dict[str, str]]:
    """The field's new options, keeping an existing option's id when the same English text
    is still there (wherever it moved), else when the option at the same position was
    renamed (its English text gone from the list); any other line is a new option."""
    by_text = {option["en"].strip().casefold(): option["id"] for option in existing}
    wanted_texts = {en.strip().casefold() for en, _fr in wanted}
    used: set[str] = set()
    merged: list[dict[str, str]] = []
    for position, (en, fr) in enumerate(wanted):
        key = en.strip().casefold()
        option_id = by_text.get(key)
        if option_id is None and position < len(existing):
            old = existing[position]
            if old["en"].strip().casefold() not in wanted_texts and old["id"] not in used:
                option_id = old["id"]
        if option_id is None or option_id in used:
            option_id = _new_option_id()
        used.add(option_id)
        merged.append({"id": option_id, "en": en.strip(), "fr": fr.strip()})
    return merged


def _check_field_data(data: FieldData) -> None:
    if not data.name_en.strip():
        raise DomainError(_("A custom field needs an English name."))
    if len(data.name_en.strip()) > 120 or len(data.name_fr.strip()) > 120:
        raise DomainError(_("A field's name has at most 120 characters."))
    if len(data.hint_en.strip()) > 200 or len(data.hint_fr.strip()) > 200:
        raise DomainError(_("A field's hint has at most 200 characters."))
    if data.kind not in FieldKind.values:
        raise DomainError(_("Unknown field type."))
    if not (data.for_mentors or data.for_mentees):
        raise DomainError(_("Choose at least one role: mentors, mentees or both."))
    if data.kind in CHOICE_KINDS:
        if not data.options:
            raise DomainError(_("A choice field needs at least one option."))
        texts = [en.strip().casefold() for en, _fr in data.options]
        if any(not text for text in texts):
            raise DomainError(_("Every option needs its English text."))
        if len(set(texts)) != len(texts):
            raise DomainError(_("Two options have the same English text."))
    elif data.options:
        raise DomainError(_("Only single and multiple choice fields have options."))


def answers_losing_options(field: ProfileField, removed: set[str]) -> int:
    """How many answers to `field` name one of the option ids `removed`."""
    if not removed:
        return 0
    answers = ProfileFieldValue.objects.filter(field=field)
    if field.kind == FieldKind.SINGLE:
        return answers.filter(value__in=list(removed)).count()
    return sum(1 for value in answers.values_list("value", flat=True) if set(value) & removed)


def field_options_removed(field: ProfileField, wanted: Sequence[tuple[str, str]]) -> set[str]:
    """The ids of `field`'s options that the list `wanted` no longer has."""
    kept = {option["id"] for option in options_merge(field.options, wanted)}
    return {option["id"] for option in field.options} - kept


@transaction.atomic
def field_save(
    *,
    actor: User,
    data: FieldData,
    field: ProfileField | None = None,
    confirm_removals: bool = False,
) -> ProfileField:
    """Add a custom field to the actor's organisation, or change `field`. Its type cannot
    change once members answered it. Removing options some answers use needs
    `confirm_removals` (a DomainError with code "confirm" otherwise): those answers are
    then deleted (a multiple choice answer loses just those options). The stored
    completion figures are recalculated by «Recalculer valeur du profil»."""
    organisation_id = require_org_admin(
        actor, organisation_id=field.organisation_id if field else actor.organisation_id
    )
    _check_field_data(data)
    if field is None:
        field = ProfileField(organisation_id=organisation_id)
        top = ProfileField.objects.filter(organisation_id=organisation_id).aggregate(
            top=Max("position")
        )["top"]
        field.position = 0 if top is None else top + 1
        before: dict[str, Any] = {}
    else:
        field = ProfileField.objects.select_for_update().get(pk=field.pk)
        before = {name: getattr(field, name) for name in (*TEXTS, *FLAGS, "kind", "options")}
        if data.kind != field.kind and ProfileFieldValue.objects.filter(field=field).exists():
            raise DomainError(
                _(
                    "Members have answered this field: its type cannot change. Add a new "
                    "field instead."
                )
            )
    options = options_merge(field.options if before else [], data.options)
    removed = {option["id"] for option in field.options} - {option["id"] for option in options}
    lost = answers_losing_options(field, removed) if before else 0
    if lost and not confirm_removals:
        raise DomainError(
            _("%(count)s answers use the options removed; confirm to delete them.")
            % {"count": lost},
            code="confirm",
        )
    for name in TEXTS:
        setattr(field, name, getattr(data, name).strip())
    for name in FLAGS:
        setattr(field, name, bool(getattr(data, name)))
    field.kind = data.kind
    field.options = options
    field.save()
    if lost:
        _answers_drop_options(field, removed)
    if before:
        after = {name: getattr(field, name) for name in before}
        audit_record(
            actor=actor,
            organisation_id=organisation_id,
            action=AuditAction.FIELD_EDIT,
            target=field,
            target_label=field.name_en,
            count=lost or None,
            details={"changed": [name for name in before if before[name] != after[name]]},
        )
    else:
        audit_record(
            actor=actor,
            organisation_id=organisation_id,
            action=AuditAction.FIELD_CREATE,
            target=field,
            target_label=field.name_en,
            details={"kind": field.kind},
        )
    return field


def _answers_drop_options(field: ProfileField, removed: set[str]) -> None:
    for answer in ProfileFieldValue.objects.filter(field=field).select_for_update():
        if field.kind == FieldKind.SINGLE:
            if answer.value in removed:
                answer.delete()
            continue
        kept = [option_id for option_id in answer.value if option_id not in removed]
        if not kept:
            answer.delete()
        elif kept != answer.value:
            answer.value = kept
            answer.save(update_fields=["value"])


@transaction.atomic
def field_delete(*, actor: User, field: ProfileField) -> int:
    """Delete a custom field and every answer to it; returns how many answers went."""
    organisation_id = require_org_admin(actor, organisation_id=field.organisation_id)
    answers = ProfileFieldValue.objects.filter(field_id=field.pk).count()
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.FIELD_DELETE,
        target=field,
        target_label=field.name_en,
        count=answers,
    )
    ProfileField.objects.filter(pk=field.pk).delete()
    return answers


@transaction.atomic
def field_move(*, actor: User, field: ProfileField, direction: str) -> None:
    """Move a custom field one place up or down in its organisation's order."""
    organisation_id = require_org_admin(actor, organisation_id=field.organisation_id)
    if direction not in {"up", "down"}:
        raise DomainError(_("Move a field up or down."))
    fields = list(
        ProfileField.objects.filter(organisation_id=organisation_id)
        .select_for_update()
        .order_by("position", "pk")
    )
    index = next(i for i, candidate in enumerate(fields) if candidate.pk == field.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(fields):
        return
    fields[index], fields[other] = fields[other], fields[index]
    for position, candidate in enumerate(fields):
        if candidate.position != position:
            candidate.position = position
            candidate.save(update_fields=["position"])
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.FIELD_EDIT,
        target=field,
        target_label=field.name_en,
        details={"changed": ["position"], "moved": direction},
    )
