"""Reading and checking a member-import file (programs.imports, docs/members.md): pure
functions — bytes and the organisation's custom fields in, normalised rows and problems
out; no database, no request."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs.errors import DomainError
from programs.models import (
    TIME_ZONE_CHOICES,
    FieldKind,
    Language,
    Organisation,
    ProfileField,
    Role,
    User,
)
from programs.profiles import BUILTIN_FIELDS, BuiltinField

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
                    column_header(check.columns, "email"),
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


def column_header(columns: list[Column], key: str) -> str:
    return next((c.header for c in columns if c.key == key), "") or str(required_label(key))
