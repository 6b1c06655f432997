"""«Importer des membres» (F12, docs/members.md "Importing members"): a CSV file of members
read, checked row by row, shown to the administrator, then applied in batches by a
background job that also sends each new member «Informations de connexion».

- `file_read()` and `rows_check()` are pure (bytes and the organisation's fields in,
  problems and normalised rows out); `member_import_check()` adds what the database knows
  (addresses already taken) and `member_import_prepare()` stores a clean file as a
  MemberImport waiting for confirmation. A file with any problem is never stored.
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
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs import events, jobs
from programs.accounts import login_information_send_many
from programs.audit import AuditAction, audit_record, audit_source, current_source
from programs.completion import completion_of
from programs.errors import DomainError
from programs.models import (
    TIME_ZONE_CHOICES,
    FieldKind,
    ImportStatus,
    Language,
    MemberGroup,
    MemberImport,
    Organisation,
    ProfileField,
    ProfileFieldValue,
    Role,
    User,
)
from programs.permissions import require_org_admin
from programs.profiles import BUILTIN_FIELDS, BuiltinField
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit

BATCH = 500
# A job that failed this many times in a row gives up: the import is «Échec».
MAX_ATTEMPTS = 5
PREVIEW_ROWS = 20
TIME_ZONES = {name.casefold(): name for name, _label in TIME_ZONE_CHOICES}
ROLES = {"mentor": Role.MENTOR, "mentee": Role.MENTEE, "mentoré": Role.MENTEE}
ROLES |= {"mentorée": Role.MENTEE, "mentore": Role.MENTEE, "mentoree": Role.MENTEE}
LANGUAGES = {"en": "en", "english": "en", "anglais": "en", "fr": "fr", "french": "fr"}
LANGUAGES |= {"français": "fr", "francais": "fr"}
YES = {"yes", "oui", "true", "vrai", "1", "y", "o"}
NO = {"no", "non", "false", "faux", "0", "n"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_MAX = 32767  # PositiveSmallIntegerField
SEPARATOR = "|"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old .xls workbook

# The columns that are not profile fields: (key, label, more accepted headers).
CORE: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("email", gettext_lazy("Email"), ("email", "e-mail", "email address", "courriel")),
    ("role", gettext_lazy("Role"), ("role", "rôle", "type")),
    ("language", gettext_lazy("Language"), ("language", "langue")),
    ("time_zone", gettext_lazy("Time zone"), ("time zone", "timezone", "fuseau horaire")),
    ("groups", gettext_lazy("Groups"), ("groups", "group", "groupes", "groupe")),
)
REQUIRED = ("first_name", "last_name", "email", "role")


def header_key(text: str) -> str:
    """How headers and choices compare: spaces around and inside collapsed, case folded
    (accents kept: «É» and «é» match, «e» and «é» do not)."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


@dataclass(frozen=True)
class Problem:
    """One thing wrong: `line` in the file (None: the whole file), the column's header."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}: {self.column or '-'}: {self.message}"


@dataclass
class Column:
    header: str  # as written in the file
    key: str  # "email", a built-in field's name, or "custom:<id>"
    builtin: BuiltinField | None = None
    custom: ProfileField | None = None


@dataclass
class RowResult:
    line: int
    cells: dict[str, str]  # key → raw text, for the preview
    row: dict[str, Any]  # normalised
    errors: list[Problem] = field(default_factory=list)


@dataclass
class Check:
    """What a file holds: file-level `problems` (nothing else is known then) or every
    row, each with its own errors."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [error for row in self.rows for error in row.errors]

    @property
    def is_clean(self) -> bool:
        return not self.all_problems

    @property
    def bad_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    def by_role(self) -> dict[str, int]:
        counts = Counter(row.row["role"] for row in self.rows)
        return {role: counts.get(role, 0) for role in (Role.MENTOR, Role.MENTEE)}


# Reading the file ---------------------------------------------------------------------------


class FileProblem(DomainError):
    pass


def file_decode(content: bytes) -> str:
    """Excel's CSV: UTF-8 (with or without its BOM) when the bytes are valid UTF-8,
    otherwise Windows-1252. A workbook or any binary file is refused."""
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    if content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise FileProblem(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, choose “Save as” and "
                "the type “CSV UTF-8”, then import that file."
            )
        )
    if b"\x00" in content:
        raise FileProblem(_("This is not a CSV file (it holds binary data)."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("The file's characters could not be read: save it as “CSV UTF-8” and try again.")
        ) from exc


def delimiter_of(header_line: str) -> str:
    """Excel writes «;» where the decimal separator is a comma (French settings)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def file_read(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows (with their line numbers) of a CSV file; raises
    FileProblem when it is not one, is empty or too big."""
    if len(content) > settings.MEMBER_IMPORT_MAX_BYTES:
        raise FileProblem(
            _("The file is too big: at most %(size)s MB.")
            % {"size": f"{settings.MEMBER_IMPORT_MAX_BYTES / 1024 / 1024:g}"}
        )
    text = file_decode(content)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > settings.MEMBER_IMPORT_MAX_ROWS:
                raise FileProblem(
                    _("The file has too many rows: at most %(rows)d members per import.")
                    % {"rows": settings.MEMBER_IMPORT_MAX_ROWS}
                )
    except csv.Error as exc:
        raise FileProblem(
            _("The file could not be read as CSV near line %(line)d.") % {"line": reader.line_num}
        ) from exc
    if header is None:
        raise FileProblem(_("The file is empty."))
    if not rows:
        raise FileProblem(_("The file has a header line but no members."))
    return header, rows


# The columns ------------------------------------------------------------------------------


def _labels(label: Promise | str) -> set[str]:
    """A label in English and in French, as headers."""
    found = set()
    for language in ("en", "fr"):
        with translation.override(language):
            found.add(header_key(str(label)))
    return found


def column_names(fields: Sequence[ProfileField]) -> dict[str, Column]:
    """Every header a file may use (compared with header_key) → its column."""
    names: dict[str, Column] = {}
    for key, label, more in CORE:
        for name in {header_key(h) for h in more} | _labels(label):
            names[name] = Column(header="", key=key)
    for builtin in BUILTIN_FIELDS:
        for name in {header_key(h) for h in builtin.headers} | _labels(builtin.label):
            names.setdefault(name, Column(header="", key=builtin.name, builtin=builtin))
    core = {key for key, _label, _more in CORE}
    for custom in fields:
        for name in {custom.name_en, custom.name_fr}:
            # The organisation's own field wins over a built-in field's other names (a
            # custom "Industry" is that field, not «Secteur»), never over the core columns.
            known = names.get(header_key(name))
            if name.strip() and (known is None or known.key not in core):
                column = Column(header="", key=f"custom:{custom.pk}", custom=custom)
                names[header_key(name)] = column
    return names


def columns_of(header: list[str], fields: Sequence[ProfileField]) -> tuple[list[Column], list]:
    names = column_names(fields)
    columns: list[Column] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for text in header:
        known = names.get(header_key(text))
        if not text.strip():
            columns.append(Column(header="", key=""))  # an empty header: cells must be empty
            continue
        if known is None:
            problems.append(Problem(1, text.strip(), _("Unknown column.")))
            columns.append(Column(header=text, key=""))
            continue
        if known.key in seen:
            problems.append(
                Problem(
                    1,
                    text.strip(),
                    _("This column repeats the column “%(other)s”.") % {"other": seen[known.key]},
                )
            )
        seen[known.key] = text.strip()
        columns.append(Column(text.strip(), known.key, known.builtin, known.custom))
    missing = [key for key in REQUIRED if key not in seen]
    if missing:
        labels = [str(required_label(key)) for key in missing]
        problems.append(
            Problem(
                1,
                ", ".join(labels),
                ngettext(
                    "The file has no column for this required information.",
                    "The file has no columns for this required information.",
                    len(labels),
                ),
            )
        )
    return columns, problems


def required_label(key: str) -> Promise | str:
    for core_key, label, _more in CORE:
        if core_key == key:
            return label
    return next(f.label for f in BUILTIN_FIELDS if f.name == key)


# The rows ---------------------------------------------------------------------------------


def default_time_zone(organisation: Organisation) -> str:
    return getattr(organisation, "default_time_zone", "") or settings.DEFAULT_MEMBER_TIME_ZONE


def _option(custom: ProfileField, text: str) -> str | None:
    wanted = header_key(text)
    for option in custom.options or []:
        if wanted in {header_key(option.get("en", "")), header_key(option.get("fr", ""))}:
            return str(option["id"])
    return None


def custom_value(custom: ProfileField, text: str) -> Any:
    """The stored value of a custom field's cell; raises ValueError with the reason."""
    if custom.kind == FieldKind.SINGLE:
        option = _option(custom, text)
        if option is None:
            raise ValueError(_("“%(value)s” is not one of this field's options.") % {"value": text})
        return option
    if custom.kind == FieldKind.MULTIPLE:
        chosen: list[str] = []
        for part in (p.strip() for p in text.split(SEPARATOR)):
            if not part:
                continue
            option = _option(custom, part)
            if option is None:
                raise ValueError(
                    _("“%(value)s” is not one of this field's options.") % {"value": part}
                )
            if option not in chosen:
                chosen.append(option)
        return chosen
    if custom.kind == FieldKind.YES_NO:
        if text.casefold() in YES:
            return True
        if text.casefold() in NO:
            return False
        raise ValueError(_("Write yes or no."))
    if custom.kind == FieldKind.DATE:
        try:
            if not DATE.match(text):
                raise ValueError
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("Write a date as YYYY-MM-DD.")) from None
    return text


def builtin_value(builtin: BuiltinField, text: str) -> Any:
    if builtin.kind == "number":
        if not text.isdigit() or int(text) > NUMBER_MAX:
            raise ValueError(_("Write a whole number, 0 or more."))
        return int(text)
    if builtin.kind == "url":
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValueError(_("Write a full web address (https://…).")) from None
    limit = getattr(User._meta.get_field(builtin.name), "max_length", None)
    if limit and len(text) > limit:
        raise ValueError(_("At most %(limit)d characters.") % {"limit": limit})
    return text


def row_check(line: int, cells: list[str], columns: list[Column], organisation_zone: str):
    raw = {col.key: cell.strip() for col, cell in zip(columns, cells, strict=False) if col.key}
    result = RowResult(line=line, cells=raw, row={"line": line})
    errors = result.errors

    def error(key: str, message: str) -> None:
        header = next((c.header for c in columns if c.key == key), "") or str(required_label(key))
        errors.append(Problem(line, header, message))

    extra = [cell for cell in cells[len(columns) :] if cell.strip()]
    if extra or any(cell.strip() for col, cell in zip(columns, cells, strict=False) if not col.key):
        errors.append(Problem(line, "", _("This row has a value in a column without a header.")))
    email = raw.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        error("email", _("A valid email address is required.") if email else _("Required."))
    role = ROLES.get(header_key(raw.get("role", "")))
    if role is None:
        error("role", _("Write mentor or mentee.") if raw.get("role") else _("Required."))
    for key in ("first_name", "last_name"):
        if not raw.get(key):
            error(key, _("Required."))
        elif len(raw[key]) > 150:
            error(key, _("At most %(limit)d characters.") % {"limit": 150})
    language = LANGUAGES.get(header_key(raw.get("language", "")) or "en")
    if language is None:
        error("language", _("Write en or fr."))
    zone = TIME_ZONES.get(header_key(raw.get("time_zone", "")) or organisation_zone.casefold())
    if zone is None:
        error("time_zone", _("Unknown time zone (write a name such as America/Toronto)."))
    groups: list[str] = []
    for name in (" ".join(p.split()) for p in raw.get("groups", "").split(SEPARATOR)):
        if name and header_key(name) not in {header_key(g) for g in groups}:
            if len(name) > 200:
                error("groups", _("At most %(limit)d characters.") % {"limit": 200})
            groups.append(name)
    profile: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for col in columns:
        text = raw.get(col.key, "") if col.key else ""
        target = col.builtin or col.custom
        if target is None or (role and not target.applies_to(role)):
            continue
        if not text:
            if col.custom is not None and col.custom.required and role:
                error(col.key, _("Required for this role."))
            continue
        try:
            if col.builtin is not None:
                profile[col.key] = builtin_value(col.builtin, text)
            elif col.custom is not None:
                custom[str(col.custom.pk)] = custom_value(col.custom, text)
        except ValueError as exc:
            error(col.key, str(exc))
    profile.pop("first_name", None)
    profile.pop("last_name", None)
    result.row.update(
        email=email,
        first_name=raw.get("first_name", ""),
        last_name=raw.get("last_name", ""),
        role=role or "",
        language=language or Language.ENGLISH,
        time_zone=zone or "",
        groups=groups,
        profile=profile,
        custom=custom,
    )
    return result


def required_custom_missing(fields: Sequence[ProfileField], columns: list[Column]) -> list:
    """A required custom field with no column at all: every row it applies to lacks it."""
    present = {col.key for col in columns}
    return [f for f in fields if f.required and f"custom:{f.pk}" not in present]


def rows_check(content: bytes, *, fields: Sequence[ProfileField], organisation_zone: str) -> Check:
    """Pure: a file against the organisation's custom fields, without the database."""
    check = Check()
    try:
        header, rows = file_read(content)
    except FileProblem as exc:
        check.problems.append(Problem(None, "", str(exc.message)))
        return check
    check.columns, check.problems = columns_of(header, fields)
    if check.problems:
        return check
    lacking = required_custom_missing(fields, check.columns)
    first_line: dict[str, int] = {}
    for line, cells in rows:
        result = row_check(line, cells, check.columns, organisation_zone)
        email = result.row["email"]
        if email and email in first_line:
            result.errors.append(
                Problem(
                    line,
                    _column_header(check.columns, "email"),
                    _("This address is already on line %(line)d of the file.")
                    % {"line": first_line[email]},
                )
            )
        elif email:
            first_line[email] = line
        for missing in lacking:
            if result.row["role"] and missing.applies_to(result.row["role"]):
                result.errors.append(Problem(line, missing.name, _("Required for this role.")))
        check.rows.append(result)
    return check


def _column_header(columns: list[Column], key: str) -> str:
    return next((c.header for c in columns if c.key == key), "") or str(required_label(key))


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
                Problem(result.line, _column_header(check.columns, "email"), message)
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
            password=make_password(None),
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
    User.objects.bulk_create(users)
    ProfileFieldValue.objects.bulk_create(
        ProfileFieldValue(field_id=field_id, user_id=user.pk, value=value, updated_at=now)
        for user, answers in zip(users, values, strict=True)
        for field_id, value in answers.items()
    )
    names = {name for row in rows for name in row["groups"]}
    if names:
        groups = _groups_for(organisation.pk, names)
        Through = MemberGroup.members.through
        Through.objects.bulk_create(
            [
                Through(membergroup_id=groups[header_key(name)], user_id=user.pk)
                for user, row in zip(users, rows, strict=True)
                for name in row["groups"]
            ],
            ignore_conflicts=True,
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
