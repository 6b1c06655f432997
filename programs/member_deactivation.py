"""«Désactiver les membres» (F9, docs/members.md "Deactivating members from a file"): a CSV
file of addresses, checked whole and previewed, then applied at once.

- `deactivation_check()` reads the file (the member import's reader: UTF-8 with or without
  BOM, Windows-1252, «,» or «;») and checks every row against this organisation in one
  query. Writes nothing.
- `member_deactivation_prepare()` stores a clean file's outcome as a MemberDeactivation:
  the ids and addresses the preview shows. A file with any error is never stored.
- `members_set_active_many()` applies exactly that: one UPDATE, one audit entry, one live
  event for the administrators' lists, the deactivated people's sockets closed. Claimed
  with a conditional UPDATE of the row's status, so confirming twice applies once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import events
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.import_rows import FileProblem, file_read
from programs.models import BulkStatus, MemberDeactivation, Role, User
from programs.permissions import require_org_admin

# Headers accepted for the one column, compared without case or accents.
HEADERS = {"email", "e-mail", "email address", "courriel", "adresse courriel", "adresse e-mail"}


def plain(text: str) -> str:
    """Case, accents and inner spaces ignored: «Courriel», «COURRIEL » and «courriél» match."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split()).casefold()


@dataclass
class DeactivationRow:
    line: int
    email: str  # as written, trimmed
    name: str = ""
    member_id: int | None = None
    error: str = ""
    notice: str = ""  # already in the wanted state: nothing to do, not an error


@dataclass
class DeactivationCheck:
    problems: list[str] = field(default_factory=list)  # the whole file's
    rows: list[DeactivationRow] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[DeactivationRow]:
        return [row for row in self.rows if row.error]

    @property
    def is_clean(self) -> bool:
        return not self.problems and not self.bad_rows

    @property
    def to_change(self) -> list[DeactivationRow]:
        return [row for row in self.rows if row.member_id and not row.error and not row.notice]

    @property
    def unchanged(self) -> list[DeactivationRow]:
        return [row for row in self.rows if row.notice]


def _read(content: bytes) -> tuple[set[int], list[tuple[int, str]]]:
    """The file's rows (line, address) and the lines with more than one filled cell;
    raises FileProblem for a file that is not a one-column list of addresses."""
    header, rows = file_read(content)
    named = [cell for cell in header if cell.strip()]
    if len(named) != 1 or plain(named[0]) not in HEADERS:
        raise FileProblem(_("The first line must be one column headed “email” or “courriel”."))
    column = header.index(named[0])
    crowded = set()
    addresses = []
    for line, cells in rows:
        if any(cell.strip() for index, cell in enumerate(cells) if index != column):
            crowded.add(line)
        addresses.append((line, cells[column].strip() if column < len(cells) else ""))
    return crowded, addresses


def deactivation_check(
    *, actor: User, organisation_id: int, content: bytes, active: bool
) -> DeactivationCheck:
    """Every row of the file checked: a valid address, once in the file, of a member of
    this organisation (one query for all), never an administrator nor the actor. Rows
    already in the wanted state are notices. Writes nothing."""
    check = DeactivationCheck()
    try:
        crowded, addresses = _read(content)
    except FileProblem as problem:
        check.problems.append(str(problem.message))
        return check
    seen: dict[str, int] = {}
    for line, email in addresses:
        row = DeactivationRow(line=line, email=email)
        check.rows.append(row)
        if line in crowded:
            row.error = _("This row has more than one column: only addresses are expected.")
            continue
        try:
            validate_email(email)
        except ValidationError:
            row.error = (
                _("The address is missing.") if not email else _("This is not a valid address.")
            )
            continue
        key = email.lower()
        if key in seen:
            row.error = _("This address is already on line %(line)d.") % {"line": seen[key]}
            continue
        seen[key] = line
    found = {
        person["address"]: person
        for person in User.objects.annotate(address=Lower("email"))
        .filter(organisation_id=organisation_id, address__in=list(seen), deleted_at__isnull=True)
        .values("pk", "address", "first_name", "last_name", "role", "is_active")
    }
    for row in check.rows:
        if row.error:
            continue
        person = found.get(row.email.lower())
        if person is None:
            # Worded for this program only: whether the address exists elsewhere in
            # Tandem is none of its administrators' business.
            row.error = _("No member of this program has this address.")
            continue
        row.member_id = person["pk"]
        row.name = f"{person['first_name']} {person['last_name']}".strip()
        if person["role"] == Role.ADMINISTRATOR:
            row.error = (
                _("This is an administrator: administrators cannot be reactivated from a file.")
                if active
                else _("This is an administrator: administrators cannot be deactivated.")
            )
        elif person["pk"] == actor.pk:
            row.error = _("This is your own account: you cannot deactivate it.")
        elif person["is_active"] == active:
            row.notice = _("Already active.") if active else _("Already deactivated.")
    return check


@transaction.atomic
def member_deactivation_prepare(
    *, actor: User, file_name: str, content: bytes, active: bool
) -> tuple[DeactivationCheck, MemberDeactivation | None]:
    """Check a file; a clean one is stored as the preview waiting for «Confirmer»
    (nothing else is written)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    check = deactivation_check(
        actor=actor, organisation_id=organisation_id, content=content, active=active
    )
    if not check.is_clean:
        return check, None
    rows = check.to_change
    deactivation = MemberDeactivation.objects.create(
        organisation_id=organisation_id,
        created_by=actor,
        file_name=file_name[:255],
        active=active,
        member_ids=[row.member_id for row in rows],
        emails=[row.email.lower() for row in rows],
        unchanged=[row.email.lower() for row in check.unchanged],
    )
    return check, deactivation


def deactivation_get(*, actor: User, deactivation_id: int) -> MemberDeactivation:
    """A stored preview of the actor's organisation; any other is not found."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    deactivation = MemberDeactivation.objects.filter(
        pk=deactivation_id, organisation_id=organisation_id
    ).first()
    if deactivation is None:
        raise DomainError(_("This was not found in your program."), code="not_found")
    return deactivation


@transaction.atomic
def members_set_active_many(*, actor: User, deactivation: MemberDeactivation) -> int:
    """«Confirmer»: deactivate (or reactivate) every member of the preview at once, in
    one UPDATE. Administrators, the actor, other organisations' people and anyone already
    in the wanted state are left out by the UPDATE itself, whatever was stored. One audit
    entry with the count and the addresses; one `members.updated` event for the
    administrators' lists; the deactivated people's sockets closed. Returns how many
    changed; a preview already applied raises DomainError and changes nothing."""
    organisation_id = require_org_admin(actor, organisation_id=deactivation.organisation_id)
    now = timezone.now()
    claimed = MemberDeactivation.objects.filter(
        pk=deactivation.pk, organisation_id=organisation_id, status=BulkStatus.VALIDATED
    ).update(status=BulkStatus.DONE, applied_at=now)
    if not claimed:
        raise DomainError(_("These changes have already been applied."))
    active = deactivation.active
    targets = (
        User.objects.filter(
            pk__in=deactivation.member_ids,
            organisation_id=organisation_id,
            is_active=not active,
            deleted_at__isnull=True,
        )
        .exclude(role=Role.ADMINISTRATOR)
        .exclude(pk=actor.pk)
    )
    changed = list(targets.select_for_update().order_by("pk").values_list("pk", "email"))
    ids = [pk for pk, _email in changed]
    # «Date de fin»: the day they left, on the organisation's calendar; none when back.
    ended_on = None if active else timezone.localdate()
    User.objects.filter(pk__in=ids).update(is_active=active, ended_at=ended_on)
    MemberDeactivation.objects.filter(pk=deactivation.pk).update(applied=len(ids))
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.MEMBERS_REACTIVATE if active else AuditAction.MEMBERS_DEACTIVATE,
        target=deactivation,
        count=len(ids),
        # A selection on the members list has no file (programs.member_selection).
        details={
            **({"file": deactivation.file_name} if deactivation.file_name else {}),
            "ids": ids,
            "emails": [email for _pk, email in changed],
        },
    )
    events.members_active_changed_on_commit(
        organisation_id, ids, active=active, ended_on=ended_on.isoformat() if ended_on else None
    )
    if not active:
        events.sessions_end_many_on_commit(ids)
    events.counts_changed_on_commit(organisation_id)
    deactivation.refresh_from_db()
    return len(ids)


def sample_csv(*, language: str) -> str:
    """The sample file: the one column, headed in the administrator's language."""
    header = "courriel" if language == "fr" else "email"
    return f"{header}\r\nanna.example@example.com\r\ncharlotte.example@example.com\r\n"
