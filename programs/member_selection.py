"""Selection actions on the members list (issue 13 §2, docs/members.md "Selection
actions"): tick members — or take every member matching the list's filter — and
deactivate, reactivate, add to a group, write to them, or delete them, each previewed
first and applied only to the people the preview listed.

- `member_selection_prepare()` resolves the selection to ids (this organisation's only:
  another organisation's ids are ignored), sorts out who each action would refuse and
  why, and stores the outcome as a `MemberSelection`. Writes nothing else.
- `member_selection_apply()` claims the row (validated → done, one conditional UPDATE, so
  a second confirmation does nothing) and runs the existing service of the action on the
  stored ids: `members_set_active_many`, `group_set_members`, `member_delete_permanently`
  (each person in turn, refusals reported). A message is written on the community
  message page, which the web layer opens with the stored people as «chosen people».
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs import member_deactivation, member_delete, selectors, services
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.member_filters import MemberFilters
from programs.models import (
    OPEN_STATUSES,
    AuditEntry,
    BulkStatus,
    MemberDeactivation,
    MemberGroup,
    MemberSelection,
    Organisation,
    Relationship,
    Role,
    SelectionAction,
    User,
)
from programs.permissions import require_org_admin

# Why the preview leaves someone out (stored as the key, worded when shown, so the
# page speaks the reader's language whoever prepared it).
REASONS = {
    "administrator": gettext_lazy("Administrators are never changed by a selection."),
    "administrator_delete": gettext_lazy("An administrator can never be deleted."),
    "yourself": gettext_lazy("This is your own account."),
    "deleted": gettext_lazy("This member has already been deleted."),
    "already_inactive": gettext_lazy("Already deactivated."),
    "already_active": gettext_lazy("Already active."),
    "in_group": gettext_lazy("Already in this group."),
    "inactive": gettext_lazy("Deactivated: deactivated members receive no message."),
    "open_relationship": gettext_lazy(
        "Has an open relationship: end it before deleting the member."
    ),
}


# Deletions run one by one in the confirming request (each ~10–15 ms with the apps'
# receivers, measured on the 2-core machine): 1,000 stays well inside a proxy's timeout.
DELETE_AT_ONCE = 1000


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


def _people(
    *, organisation_id: int, member_ids: Iterable[int], filters: MemberFilters | None
) -> QuerySet[User]:
    """The organisation's members selected: the list's filter resolved, or the ticked
    ids — another organisation's ids simply match nobody."""
    if filters is not None:
        return selectors.members_filtered(organisation_id=organisation_id, filters=filters)
    return User.objects.filter(organisation_id=organisation_id, pk__in=set(member_ids))


def _refusal(
    action: str,
    person: Mapping[str, Any],
    *,
    actor: User,
    group_members: set[int],
    open_ids: set[int],
) -> str:
    """Why `action` leaves `person` out, or "" when it applies to them."""
    if person["deleted_at"] is not None:
        return "deleted"
    administrator = person["role"] == Role.ADMINISTRATOR or person["is_staff"]
    if action in (SelectionAction.DEACTIVATE, SelectionAction.REACTIVATE):
        # As `members_set_active_many` decides: never an administrator nor the actor.
        if administrator:
            return "administrator"
        if person["pk"] == actor.pk:
            return "yourself"
        if action == SelectionAction.DEACTIVATE and not person["is_active"]:
            return "already_inactive"
        if action == SelectionAction.REACTIVATE and person["is_active"]:
            return "already_active"
    elif action == SelectionAction.GROUP:
        if person["pk"] in group_members:
            return "in_group"
    elif action == SelectionAction.MESSAGE:
        if not person["is_active"]:
            return "inactive"
    elif action == SelectionAction.DELETE:
        # As `member_delete_permanently` decides, which checks each again when applied.
        if person["pk"] == actor.pk:
            return "yourself"
        if administrator:
            return "administrator_delete"
        if person["pk"] in open_ids:
            return "open_relationship"
    return ""


def _open_relationship_ids(*, organisation_id: int, people: QuerySet[User]) -> set[int]:
    """Which of `people` have a requested or matched relationship (one query)."""
    chosen = people.values("pk")
    rows = Relationship.objects.filter(
        Q(mentor_id__in=chosen) | Q(mentee_id__in=chosen),
        organisation_id=organisation_id,
        status__in=OPEN_STATUSES,
    ).values_list("mentor_id", "mentee_id")
    return {pk for pair in rows for pk in pair}


@transaction.atomic
def member_selection_prepare(
    *,
    actor: User,
    action: str,
    member_ids: Iterable[int] = (),
    filters: MemberFilters | None = None,
    list_query: str = "",
    group_id: int | None = None,
) -> MemberSelection:
    """The preview of `action` on the ticked members (`member_ids`) or, with `filters`,
    on every member the list's filter matches: stored as a MemberSelection holding, by
    name, the ids it will act on and those it refuses with the reason. Only this
    organisation's members are ever looked at. Nothing selected, an unknown action or
    (for «Ajouter au groupe») a group not of this program is a DomainError and nothing
    is stored."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    if action not in SelectionAction.values:
        raise DomainError(_("Choose what to do with the selected members."))
    group = None
    group_members: set[int] = set()
    if action == SelectionAction.GROUP:
        if group_id is not None:
            group = MemberGroup.objects.filter(pk=group_id, organisation_id=organisation_id).first()
        if group is None:
            raise DomainError(_("Choose one of your program's groups."))
        group_members = set(group.members.values_list("pk", flat=True))
    people = _people(organisation_id=organisation_id, member_ids=member_ids, filters=filters)
    open_ids = (
        _open_relationship_ids(organisation_id=organisation_id, people=people)
        if action == SelectionAction.DELETE
        else set()
    )
    rows = people.order_by("last_name", "first_name", "pk").values(
        "pk", "role", "is_staff", "is_active", "deleted_at"
    )
    chosen: list[int] = []
    refused: list[list] = []
    for person in rows:
        reason = _refusal(
            action, person, actor=actor, group_members=group_members, open_ids=open_ids
        )
        if reason:
            refused.append([person["pk"], reason])
        else:
            chosen.append(person["pk"])
    if not chosen and not refused:
        raise DomainError(_("Select at least one member first."))
    if action == SelectionAction.DELETE and len(chosen) > DELETE_AT_ONCE:
        raise DomainError(
            ngettext(
                "At most %(most)d member can be deleted at once, and %(count)d were "
                "selected: narrow the filter.",
                "At most %(most)d members can be deleted at once, and %(count)d were "
                "selected: narrow the filter.",
                DELETE_AT_ONCE,
            )
            % {"most": DELETE_AT_ONCE, "count": len(chosen)}
        )
    return MemberSelection.objects.create(
        organisation_id=organisation_id,
        created_by=actor,
        action=action,
        group=group,
        list_query=list_query[:2000],
        everyone_matching=filters is not None,
        member_ids=chosen,
        refused=refused,
    )


def selection_get(*, actor: User, selection_id: int) -> MemberSelection:
    """A stored selection of the actor's organisation; any other is not found."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    selection = (
        MemberSelection.objects.select_related("group")
        .filter(pk=selection_id, organisation_id=organisation_id)
        .first()
    )
    if selection is None:
        raise DomainError(_("This was not found in your program."), code="not_found")
    return selection


def selection_people(*, selection: MemberSelection, ids: Iterable[int]) -> dict[int, User]:
    """The selection's people among `ids` (a page of the preview), by id, in one query."""
    return {
        person.pk: person
        for person in User.objects.filter(
            pk__in=list(ids), organisation_id=selection.organisation_id
        ).only("pk", "first_name", "last_name", "email", "role", "deleted_at", "is_active")
    }


def selection_deleted_names(*, selection: MemberSelection) -> list[str]:
    """Who a deletion erased, by the names the audit log keeps (the people's rows no
    longer hold them)."""
    entries = AuditEntry.objects.filter(
        organisation_id=selection.organisation_id,
        action=AuditAction.MEMBER_DELETE,
        target_type="user",
        target_id__in=selection.applied_ids,
    ).values_list("target_id", "target_label")
    names = dict(entries)
    return [names.get(pk, "") for pk in selection.applied_ids]


def _claim(*, organisation_id: int, selection: MemberSelection) -> None:
    claimed = MemberSelection.objects.filter(
        pk=selection.pk, organisation_id=organisation_id, status=BulkStatus.VALIDATED
    ).update(status=BulkStatus.DONE, applied_at=timezone.now())
    if not claimed:
        raise DomainError(_("These changes have already been applied."))


def _set_active(*, actor: User, selection: MemberSelection) -> int:
    # The file tool's own service, on a row holding the previewed ids: one UPDATE, its
    # audit entry, the live event and the sessions closed, exactly as for a file.
    deactivation = MemberDeactivation.objects.create(
        organisation_id=selection.organisation_id,
        created_by=actor,
        active=selection.action == SelectionAction.REACTIVATE,
        member_ids=selection.member_ids,
    )
    return member_deactivation.members_set_active_many(actor=actor, deactivation=deactivation)


def _group_add(*, actor: User, organisation_id: int, selection: MemberSelection) -> int:
    group = (
        MemberGroup.objects.select_for_update()
        .filter(pk=selection.group_id or 0, organisation_id=organisation_id)
        .first()
    )
    if group is None:
        raise DomainError(_("This group no longer exists: nothing was changed."))
    current = set(group.members.values_list("pk", flat=True))
    added = [
        pk
        for pk in User.objects.filter(
            pk__in=selection.member_ids, organisation_id=organisation_id, deleted_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in current
    ]
    services.group_set_members(actor=actor, group=group, member_ids=[*current, *added])
    # group_set_members writes no audit entry: the selection's is the record.
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.GROUP_MEMBERS_ADD,
        target=group,
        count=len(added),
        details={"ids": added},
    )
    MemberSelection.objects.filter(pk=selection.pk).update(applied_ids=added)
    return len(added)


def _delete(
    *, actor: User, organisation_id: int, selection: MemberSelection, confirmation: str
) -> int:
    """Each previewed member through `member_delete_permanently`, which checks everything
    again (an administrator is refused there whatever was stored); each deletion in its
    own savepoint, so one refusal leaves the others done."""
    deleted: list[int] = []
    failures: list[list] = []
    people = User.objects.filter(pk__in=selection.member_ids, organisation_id=organisation_id)
    for person in people.order_by("last_name", "first_name", "pk"):
        try:
            member_delete.member_delete_permanently(
                actor=actor, member=person, confirmation=confirmation
            )
        except DomainError as error:
            failures.append([person.pk, str(error.message)])
        else:
            deleted.append(person.pk)
    MemberSelection.objects.filter(pk=selection.pk).update(applied_ids=deleted, failures=failures)
    return len(deleted)


@transaction.atomic
def member_selection_apply(
    *, actor: User, selection: MemberSelection, confirmation: str = ""
) -> MemberSelection:
    """«Confirmer»: apply the stored selection's action to exactly its stored ids, once.
    Deleting asks for the program's name typed (checked before anything changes). Each
    action's audit entry is its service's (one for a deactivation, one per person
    deleted); adding to a group writes one with the count. A message changes nothing
    here: the selection's people become the community message's «chosen people» on the
    message page. A selection already applied raises DomainError and changes nothing."""
    organisation_id = require_org_admin(actor, organisation_id=selection.organisation_id)
    if selection.action == SelectionAction.DELETE:
        organisation = Organisation.objects.get(pk=organisation_id)
        if not member_delete.confirmation_matches(organisation, confirmation):
            raise DomainError(
                _("Type the program's name exactly as shown to confirm: %(name)s")
                % {"name": organisation.name}
            )
    _claim(organisation_id=organisation_id, selection=selection)
    if selection.action in (SelectionAction.DEACTIVATE, SelectionAction.REACTIVATE):
        applied = _set_active(actor=actor, selection=selection)
    elif selection.action == SelectionAction.GROUP:
        applied = _group_add(actor=actor, organisation_id=organisation_id, selection=selection)
    elif selection.action == SelectionAction.DELETE:
        applied = _delete(
            actor=actor,
            organisation_id=organisation_id,
            selection=selection,
            confirmation=confirmation,
        )
    else:
        applied = len(selection.member_ids)
    MemberSelection.objects.filter(pk=selection.pk).update(applied=applied)
    selection.refresh_from_db()
    return selection
