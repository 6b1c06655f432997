"""Profiles, custom fields and profile completion (F11): every write, transactional.

- `profile_update`: a member edits their own profile, or an administrator anyone's.
- `field_save`, `field_delete`, `field_move`: «Gérer les champs personnalisés».
- `completion_recalculate_start` / `_run` / `completion_recalculation_sweep`: «Recalculer
  valeur du profil», a background job over the whole organisation.
- `profile_reminder_send`: «Rappel pour compléter le profil».

Reads for the pages are in programs.profile_selectors."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs import events, jobs
from programs.audit import AuditAction, audit_record
from programs.completion import completion_store
from programs.errors import DomainError
from programs.models import (
    UNFINISHED_RECALCULATION,
    CompletionRecalculation,
    FieldKind,
    ProfileField,
    ProfileFieldValue,
    RecalculationStatus,
    Role,
    User,
)
from programs.permissions import is_org_admin, require_active, require_org_admin
from programs.profiles import builtin_fields_for
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit

CHOICE_KINDS = frozenset({FieldKind.SINGLE, FieldKind.MULTIPLE})
TEXT_LIMIT = 2000
RECALCULATION_BATCH = 1000
# A running recalculation whose heartbeat is older than this has lost its worker.
RECALCULATION_STALE = datetime.timedelta(minutes=5)
# A queued run not claimed by then: its job was never queued (or was lost).
RECALCULATION_UNCLAIMED = datetime.timedelta(minutes=2)

Value = str | bool | list[str] | None


# -- profiles --------------------------------------------------------------------------


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
    if builtin_changed:
        member.save(update_fields=builtin_changed)
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


# -- custom fields -----------------------------------------------------------------------


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


# -- «Recalculer valeur du profil» ----------------------------------------------------


def _progress_on_commit(run: CompletionRecalculation) -> None:
    state = {
        RecalculationStatus.QUEUED: "running",
        RecalculationStatus.RUNNING: "running",
        RecalculationStatus.DONE: "done",
        RecalculationStatus.FAILED: "failed",
    }[RecalculationStatus(run.status)]
    publish_on_commit(
        org_admins_group(run.organisation_id),
        "job.progress",
        {
            "kind": "completion_recalculate",
            "id": run.pk,
            "done": run.done,
            "total": run.total,
            "state": state,
        },
    )


@transaction.atomic
def completion_recalculate_start(*, actor: User) -> CompletionRecalculation:
    """Start recomputing every member's «Achèvement des profils» in the background; a
    run already under way for the organisation is returned instead of a second one."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    running = CompletionRecalculation.objects.filter(
        organisation_id=organisation_id, status__in=UNFINISHED_RECALCULATION
    ).first()
    if running is not None:
        return running
    total = User.objects.filter(organisation_id=organisation_id).count()
    try:
        with transaction.atomic():
            run = CompletionRecalculation.objects.create(
                organisation_id=organisation_id, started_by=actor, total=total
            )
    except IntegrityError:  # another click, committed meanwhile
        return CompletionRecalculation.objects.get(
            organisation_id=organisation_id, status__in=UNFINISHED_RECALCULATION
        )
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.COMPLETION_RECALCULATE,
        count=total,
    )
    _progress_on_commit(run)
    transaction.on_commit(lambda: jobs.enqueue_completion_recalculation(run.pk))
    return run


def completion_recalculate_run(*, run_id: int) -> str:
    """The job: claims the run (a second delivery, or one while another worker is on it,
    finds nothing to claim), then recomputes the organisation's members in id order, a
    batch per transaction, from the run's cursor: a job run again resumes. Each batch
    announces the figures that changed and the progress. Returns the run's status."""
    now = timezone.now()
    claimable = Q(status=RecalculationStatus.QUEUED) | Q(
        status=RecalculationStatus.RUNNING, heartbeat_at__lt=now - RECALCULATION_STALE
    )
    claimed = CompletionRecalculation.objects.filter(claimable, pk=run_id).update(
        status=RecalculationStatus.RUNNING, heartbeat_at=now
    )
    if not claimed:
        run = CompletionRecalculation.objects.filter(pk=run_id).first()
        return run.status if run else "missing"
    while True:
        with transaction.atomic():
            run = CompletionRecalculation.objects.select_for_update().get(pk=run_id)
            ids = list(
                User.objects.filter(organisation_id=run.organisation_id, pk__gt=run.last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:RECALCULATION_BATCH]
            )
            if ids:
                figures = completion_store(user_ids=ids)
                events.completion_changed_on_commit(run.organisation_id, figures)
                run.last_id = ids[-1]
                run.done += len(ids)
                run.total = max(run.total, run.done)  # members added meanwhile
            else:
                run.status = RecalculationStatus.DONE
                run.total = run.done  # members deleted meanwhile
                run.finished_at = timezone.now()
            run.heartbeat_at = timezone.now()
            run.save()
            _progress_on_commit(run)
        if not ids:
            return str(run.status)


def completion_recalculation_sweep() -> int:
    """Queue again the runs whose job was lost: queued and never claimed, or running
    with a worker that stopped beating. Returns how many were queued again."""
    now = timezone.now()
    lost = CompletionRecalculation.objects.filter(
        Q(status=RecalculationStatus.QUEUED, created_at__lt=now - RECALCULATION_UNCLAIMED)
        | Q(status=RecalculationStatus.RUNNING, heartbeat_at__lt=now - RECALCULATION_STALE)
    ).values_list("pk", flat=True)
    run_ids = list(lost)
    for run_id in run_ids:
        jobs.enqueue_completion_recalculation(run_id)
    return len(run_ids)


# -- «Rappel pour compléter le profil» --------------------------------------------------


def reminder_threshold(value: Any) -> int:
    """The percentage N of a reminder: a whole number from 1 to 100."""
    try:
        threshold = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Enter a percentage from 1 to 100.")) from None
    if not 1 <= threshold <= 100:
        raise DomainError(_("Enter a percentage from 1 to 100."))
    return threshold


def reminder_recipients(*, organisation_id: int, below: int) -> Any:
    """Active mentors and mentees of the organisation whose profile is less than `below`
    percent complete, by name."""
    return User.objects.filter(
        organisation_id=organisation_id,
        is_active=True,
        role__in=[Role.MENTOR, Role.MENTEE],
        profile_completion__lt=below,
    ).order_by("first_name", "last_name", "pk")


@transaction.atomic
def profile_reminder_send(*, actor: User, below: Any) -> int:
    """Email «Rappel pour compléter le profil» to every active mentor and mentee whose
    profile is less than `below` percent complete. Each email is an outbox row queued in
    this transaction (notifications, through `events.profile_reminder_requested`): the
    sending itself is the outbox's background work. Returns how many were reminded."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    threshold = reminder_threshold(below)
    recipients = list(
        reminder_recipients(organisation_id=organisation_id, below=threshold).select_related(
            "organisation"
        )
    )
    if not recipients:
        raise DomainError(
            _("No active mentor or mentee has a profile less than %(percent)s%% complete.")
            % {"percent": threshold}
        )
    for person in recipients:
        events.profile_reminder_requested.send(
            sender=User, user=person, completion=person.profile_completion
        )
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.PROFILE_REMINDER,
        count=len(recipients),
        details={"below": threshold},
    )
    return len(recipients)
