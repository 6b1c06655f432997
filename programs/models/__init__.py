"""The programs app's models, by sub-domain. Every model and public name is imported
here, so `from programs.models import X` works for all of them (and Django registers
every model when it imports the app's `models`).

- organisations: `Organisation`, its members (`User`), `InvitationLink`;
- relationships: `Relationship`, `MemberGroup`;
- profiles: the custom fields `ProfileField` and their answers `ProfileFieldValue`;
- audit: `AuditEntry`;
- jobs: the background jobs' rows `CompletionRecalculation` and `MemberImport`;
- saved_filters: `SavedMemberFilter` («Recherches récentes»);
- selections: `MemberSelection`, the members list's selection actions;
- totals: `ListTotal`."""

from __future__ import annotations

from programs.models.audit import AuditEntry
from programs.models.jobs import (
    UNFINISHED_RECALCULATION,
    BulkStatus,
    CompletionRecalculation,
    ImportStatus,
    MemberDeactivation,
    MemberImport,
    RecalculationStatus,
    RelationshipEnding,
)
from programs.models.organisations import (
    TIME_ZONE_CHOICES,
    InvitationLink,
    Language,
    Organisation,
    Role,
    User,
    UserManager,
)
from programs.models.profiles import FieldKind, ProfileField, ProfileFieldValue
from programs.models.relationships import (
    OPEN_STATUSES,
    MemberGroup,
    Relationship,
    RelationshipStatus,
)
from programs.models.saved_filters import SavedMemberFilter
from programs.models.selections import MemberSelection, SelectionAction
from programs.models.totals import ListTotal

__all__ = [
    "OPEN_STATUSES",
    "TIME_ZONE_CHOICES",
    "UNFINISHED_RECALCULATION",
    "AuditEntry",
    "BulkStatus",
    "CompletionRecalculation",
    "FieldKind",
    "ImportStatus",
    "InvitationLink",
    "Language",
    "ListTotal",
    "MemberGroup",
    "MemberDeactivation",
    "MemberImport",
    "MemberSelection",
    "Organisation",
    "ProfileField",
    "ProfileFieldValue",
    "RecalculationStatus",
    "Relationship",
    "RelationshipEnding",
    "RelationshipStatus",
    "Role",
    "SavedMemberFilter",
    "SelectionAction",
    "User",
    "UserManager",
]
