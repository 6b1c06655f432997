"""«Importer des membres» (F12, docs/members.md "Importing members"): a CSV file of members
read, checked row by row, shown to the administrator, then applied in batches by a
background job that also sends each new member «Informations de connexion».

- Reading and checking the file is pure (`programs.import_rows`: bytes and the
  organisation's fields in, problems and normalised rows out); `member_import_check()`
  adds what the database knows (addresses already taken) and `member_import_prepare()`
  stores a clean file as a MemberImport waiting for confirmation. A file with any problem is never stored.
- `member_import_confirm()` queues the job; `member_import_run()` is the job: idempotent
  and resumable (each batch commits its members together with the import's `done`
  counter, so a retried job starts after the last committed batch and nobody is created or
  emailed twice). `member_import_sweep()` queues again an import whose job was lost.
- An address taken by someone else between the check and the job is not applied: that
  row is reported on the import's page (`skipped`), the others are imported.
- Unknown group names are created (a file may introduce a cohort's groups).
"""

from __future__ import annotations

import csv
import datetime
import io
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs import events, jobs
from programs.accounts import login_information_send_many
from programs.audit import AuditAction, audit_record, audit_source, current_source
from programs.bulk import copy_create
from programs.completion import completion_of
from programs.errors import DomainError
from programs.import_rows import (
    CORE,
    Check,
    Problem,
    column_header,
    default_time_zone,
    header_key,
    rows_check,
)
from programs.models import (
    FieldKind,
    ImportStatus,
    MemberGroup,
    MemberImport,
    Organisation,
    ProfileField,
    ProfileFieldValue,
    Role,
    User,
)
from programs.permissions import require_org_admin
from programs.profiles import BUILTIN_FIELDS
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit

BATCH = 500
# A job that failed this many times in a row gives up: the import is «Échec».
MAX_ATTEMPTS = 5
PREVIEW_ROWS = 20


def taken_addresses(emails: Iterable[str]) -> dict[str, int | None]:
    """Address (lower case) → organisation id, for the addresses that have an account."""
    found = (
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=list(emails))
        .values_list("address", "organisation_id")
    )
    return dict(found)


def member_import_check(*, organisation: Organisation, content: bytes) -> Check:
    """Check a file against the organisation and the addresses already in Tandem (one
    query for all of them). Writes nothing."""
    fields = list(ProfileField.objects.filter(organisation=organisation))
    check = rows_check(content, fields=fields, organisation_zone=default_time_zone(organisation))
    taken = taken_addresses(row.row["email"] for row in check.rows if row.row["email"])
    for result in check.rows:
        email = result.row["email"]
        if email in taken:
            message = (
                _("Already a member of this program.")
                if taken[email] == organisation.pk
                else _("This address already has a Tandem account.")
            )
            result.errors.append(
                Problem(result.line, column_header(check.columns, "email"), message)
            )
    return check


@transaction.atomic
def member_import_prepare(
    *, actor: User | None, organisation: Organisation, file_name: str, content: bytes
) -> tuple[Check, MemberImport | None]:
    """Check a file; a clean one is stored as an import waiting for confirmation (nothing
    else is written). `actor` None: a command run by the operator."""
    if actor is not None:
        require_org_admin(actor, organisation_id=organisation.pk)
    check = member_import_check(organisation=organisation, content=content)
    if not check.is_clean:
        return check, None
    member_import = MemberImport.objects.create(
        organisation=organisation,
        created_by=actor,
        file_name=file_name[:255],
        rows=[result.row for result in check.rows],
        total=len(check.rows),
    )
    return check, member_import


@transaction.atomic
def member_import_confirm(
    *, actor: User | None, member_import: MemberImport, queue: bool = True
) -> MemberImport:
    """The administrator confirmed the preview: the import is queued for the job (with
    `queue` False the caller runs it itself, as the command does; the sweeper still
    covers it)."""
    if actor is not None:
        require_org_admin(actor, organisation_id=member_import.organisation_id)
    queued = MemberImport.objects.filter(pk=member_import.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.QUEUED, source=current_source(), updated_at=timezone.now()
    )
    if not queued:
        raise DomainError(_("This import has already been started."))
    if queue:
        transaction.on_commit(lambda: jobs.enqueue_member_import(member_import.pk))
    member_import.refresh_from_db()
    return member_import


# Applying ---------------------------------------------------------------------------------


def progress_on_commit(member_import: MemberImport) -> None:
    """job.progress to the organisation's administrators (and only them)."""
    state = {ImportStatus.DONE: "done", ImportStatus.FAILED: "failed"}.get(
        ImportStatus(member_import.status), "running"
    )
    publish_on_commit(
        org_admins_group(member_import.organisation_id),
        "job.progress",
        {
            "kind": "member_import",
            "id": member_import.pk,
            "done": member_import.done,
            "total": member_import.total,
            "state": state,
        },
    )


def _groups_for(organisation_id: int, names: set[str]) -> dict[str, int]:
    """Group name (header_key) → id, creating the groups the file names that do not exist."""

    def existing() -> dict[str, int]:
        groups = MemberGroup.objects.filter(organisation_id=organisation_id)
        return {header_key(name): pk for pk, name in groups.values_list("pk", "name")}

    by_key = existing()
    missing = {header_key(name): name for name in names if header_key(name) not in by_key}
    if not missing:
        return by_key
    MemberGroup.objects.bulk_create(
        [MemberGroup(organisation_id=organisation_id, name=name) for name in missing.values()],
        ignore_conflicts=True,
    )
    return existing()


def _option_ids(custom: ProfileField) -> set[str]:
    return {str(option.get("id")) for option in custom.options or []}


def _still_valid(custom: ProfileField, value: Any) -> bool:
    """A value checked against the field as it is now (it may have changed since)."""
    if custom.kind == FieldKind.SINGLE:
        return value in _option_ids(custom)
    if custom.kind == FieldKind.MULTIPLE:
        return isinstance(value, list) and set(value) <= _option_ids(custom)
    return True


def unusable_password() -> str:
    """What `set_unusable_password` stores (the unusable prefix and a random suffix),
    without its per-character random choice: 160 random bits as hex."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20)


def batch_apply(member_import: MemberImport, rows: list[dict[str, Any]]) -> tuple[int, list]:
    """Create the members of `rows` (inside the caller's transaction): equivalent to
    services.member_create for each, in a constant number of queries plus each one's
    «Informations de connexion». Returns (created, skipped rows)."""
    organisation = member_import.organisation
    taken = taken_addresses(row["email"] for row in rows)
    skipped = [
        {"line": row["line"], "email": row["email"]} for row in rows if row["email"] in taken
    ]
    rows = [row for row in rows if row["email"] not in taken]
    if not rows:
        return 0, skipped
    fields = {str(f.pk): f for f in ProfileField.objects.filter(organisation=organisation)}
    now = timezone.now()
    users: list[User] = []
    values: list[dict[int, Any]] = []
    for row in rows:
        answers = {
            fields[key].pk: value
            for key, value in row["custom"].items()
            if key in fields
            and fields[key].applies_to(row["role"])
            and _still_valid(fields[key], value)
        }
        user = User(
            email=row["email"],
            password=unusable_password(),
            organisation=organisation,
            role=row["role"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            language=row["language"],
            time_zone=row["time_zone"],
            date_joined=now,
            # Every profile column set, as create_user would leave it (some have only a
            # database default, which the completion below would count as filled).
            **{
                f.name: row["profile"].get(f.name, None if f.kind == "number" else "")
                for f in BUILTIN_FIELDS[2:]
            },
        )
        user.profile_completion = completion_of(user, list(fields.values()), answers)
        users.append(user)
        values.append(answers)
    copy_create(User, users)
    copy_create(
        ProfileFieldValue,
        [
            ProfileFieldValue(field_id=field_id, user_id=user.pk, value=value, updated_at=now)
            for user, answers in zip(users, values, strict=True)
            for field_id, value in answers.items()
        ],
    )
    names = {name for row in rows for name in row["groups"]}
    if names:
        groups = _groups_for(organisation.pk, names)
        Through = MemberGroup.members.through
        # New members: no membership can exist yet, and a row's groups are distinct.
        copy_create(
            Through,
            [
                Through(membergroup_id=groups[header_key(name)], user_id=user.pk)
                for user, row in zip(users, rows, strict=True)
                for name in row["groups"]
            ],
        )
    login_information_send_many(users=users)
    events.counts_changed_on_commit(organisation.pk)
    return len(users), skipped


def _finish(member_import: MemberImport, *, status: str, error: str = "") -> None:
    member_import.status = status
    member_import.error = error
    member_import.finished_at = timezone.now()
    member_import.updated_at = member_import.finished_at


def member_import_run(*, import_id: int) -> str:
    """The job: apply the import batch by batch. Idempotent: a finished import is left
    alone; each batch locks the import, starts at its committed `done` and commits its
    members, their emails and the new `done` together."""
    member_import = MemberImport.objects.select_related("organisation").filter(pk=import_id).first()
    if member_import is None or member_import.status not in (
        ImportStatus.QUEUED,
        ImportStatus.RUNNING,
    ):
        return member_import.status if member_import else "missing"
    attempts = MemberImport.objects.filter(pk=import_id).values_list("attempts", flat=True)[0]
    if attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            locked = MemberImport.objects.select_for_update().get(pk=import_id)
            _finish(locked, status=ImportStatus.FAILED, error="Stopped after repeated failures.")
            locked.save(update_fields=["status", "error", "finished_at", "updated_at"])
            progress_on_commit(locked)
        return ImportStatus.FAILED
    MemberImport.objects.filter(pk=import_id).update(
        attempts=attempts + 1, status=ImportStatus.RUNNING, updated_at=timezone.now()
    )
    rows: list[dict[str, Any]] = member_import.rows
    with audit_source(member_import.source):
        while True:
            with transaction.atomic():
                locked = (
                    MemberImport.objects.select_for_update(of=("self",))
                    .select_related("organisation", "created_by")
                    .defer("rows")
                    .get(pk=import_id)
                )
                if locked.status != ImportStatus.RUNNING:
                    return locked.status
                batch = rows[locked.done : locked.done + BATCH]
                created, skipped = batch_apply(locked, batch)
                locked.done += len(batch)
                locked.created += created
                locked.skipped = [*locked.skipped, *skipped]
                locked.updated_at = timezone.now()
                if locked.done >= locked.total:
                    _finish(locked, status=ImportStatus.DONE)
                    locked.attempts = 0
                    audit_record(
                        actor=locked.created_by,
                        organisation_id=locked.organisation_id,
                        action=AuditAction.MEMBER_IMPORT,
                        target=locked,
                        count=locked.created,
                        details={
                            "file": locked.file_name,
                            "rows": locked.total,
                            "skipped": len(locked.skipped),
                        },
                    )
                locked.save()
                progress_on_commit(locked)
            if locked.status == ImportStatus.DONE:
                return ImportStatus.DONE


def member_import_sweep() -> int:
    """Every minute: an import queued or running that has not moved for
    MEMBER_IMPORT_GRACE seconds (its job was lost, or its worker died) is queued again;
    the job picks up after its last committed batch. Returns how many were queued."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.MEMBER_IMPORT_GRACE)
    ids = list(
        MemberImport.objects.filter(
            status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], updated_at__lt=stale
        ).values_list("pk", flat=True)
    )
    MemberImport.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    for import_id in ids:
        jobs.enqueue_member_import(import_id)
    return len(ids)


# The sample -------------------------------------------------------------------------------


def sample_csv(*, organisation: Organisation | None, language: str) -> str:
    """A file to start from, in `language`: every column the organisation's import takes,
    with one example row per role; importing it as it is works."""
    fields = list(ProfileField.objects.filter(organisation=organisation)) if organisation else []
    zone = default_time_zone(organisation) if organisation else settings.DEFAULT_MEMBER_TIME_ZONE
    names, others = BUILTIN_FIELDS[:2], BUILTIN_FIELDS[2:]
    examples = {
        "city": "Toronto",
        "country": "Canada",
        "linkedin": "https://www.linkedin.com/in/example",
    }
    with translation.override(language):
        header = [str(b.label) for b in names] + [str(label) for _key, label, _more in CORE]
        header += [str(b.label) for b in others] + [f.name for f in fields]
        rows = []
        for role, first, word in (
            (Role.MENTOR, "Anna", _("mentor")),
            (Role.MENTEE, "Charlotte", _("mentee")),
        ):
            row = [first, "Example", f"{first.lower()}.example@example.com", word, language]
            row += [zone, _("Cohort 2026")]
            for builtin in others:
                value = examples.get(builtin.name, "2" if builtin.kind == "number" else "")
                row.append(value if builtin.applies_to(role) else "")
            for custom in fields:
                row.append(_sample_value(custom, language) if custom.applies_to(role) else "")
            rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _sample_value(custom: ProfileField, language: str) -> str:
    options = custom.options or []
    if custom.kind in (FieldKind.SINGLE, FieldKind.MULTIPLE):
        return str(options[0].get(language) or options[0].get("en", "")) if options else ""
    if custom.kind == FieldKind.YES_NO:
        return _("yes")
    if custom.kind == FieldKind.DATE:
        return "2026-01-15"
    return _("Example")
