"""«Rapport personnalisé»: the column picker's catalogue and each administrator's saved
choice. Reads give only keys that exist now; a new administrator (nothing saved yet)
starts with every column."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import User
from programs.permissions import require_org_admin
from reports.members import Column, member_columns
from reports.models import ReportColumnChoice


def columns_available(*, actor: User) -> list[Column]:
    """Every column the custom report can have, in order (call in the reader's language)."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    return member_columns(organisation_id=organisation_id)


def columns_saved(*, actor: User) -> tuple[str, ...]:
    """The administrator's saved column keys that still exist, in the catalogue's order;
    every column when nothing is saved."""
    available = [column.key for column in columns_available(actor=actor)]
    choice = ReportColumnChoice.objects.filter(user=actor).first()
    if choice is None:
        return tuple(available)
    wanted = {str(key) for key in choice.columns if isinstance(key, str | int)}
    return tuple(key for key in available if key in wanted)


@transaction.atomic
def columns_save(*, actor: User, columns: list[str]) -> tuple[str, ...]:
    """«Sauvegarder»: keep `columns` as this administrator's custom report (their own;
    another administrator's choice is untouched), audited. Keys that are not columns of
    the report are refused; choosing none is an error and changes nothing."""
    available = [column.key for column in columns_available(actor=actor)]
    unknown = sorted(set(columns) - set(available))
    if unknown:
        raise DomainError(
            _("These columns do not exist: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    chosen = tuple(key for key in available if key in set(columns))
    if not chosen:
        raise DomainError(_("Choose at least one column for your custom report."))
    ReportColumnChoice.objects.update_or_create(
        user=actor, defaults={"columns": list(chosen), "updated_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        organisation_id=actor.organisation_id,
        action=AuditAction.REPORT_COLUMNS,
        count=len(chosen),
        details={"columns": list(chosen)},
    )
    return chosen
