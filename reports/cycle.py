"""«Terminer le cycle» (issue 13 §6, docs/members.md "End of cycle"): the guided end of a
program year, as the source manual's «Actualisation» describes it, in steps that each
compose a service that already exists — never a copy of it:

1. archive the year: `reports.archives.archive_start` (the ZIP job, its progress);
2. end every current relationship: `programs.relationships_end_all` (preview, confirm,
   resumable job);
3. choose who stays: nobody but the administrators («Actualisation complète», and the
   quick re-import), or the members the administrator ticks («Garder certains membres»);
4. deactivate or delete the others: `programs.member_selection` (preview, confirm once);
5. re-import (third method only): the member import, fed the members report's CSV.

A `CycleRun` keeps the ids of the rows those services created; each step's state is read
from its row (`step_states`), so reopening the page resumes where it stopped, a failed
step is previewed again, and a step done is never done twice — the services themselves
claim their rows with a conditional UPDATE. One unfinished run per organisation.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import member_selection, relationships_end_all, selectors
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.member_filters import MemberFilters
from programs.models import (
    BulkStatus,
    MemberSelection,
    RelationshipEnding,
    Role,
    SelectionAction,
    User,
)
from programs.permissions import NOT_FOUND, require_org_admin
from reports import archives
from reports.models import ArchiveStatus, CycleMethod, CycleRun, CycleStep, StepState

STEPS = {
    CycleMethod.FULL: [CycleStep.ARCHIVE, CycleStep.END, CycleStep.STAY, CycleStep.REMOVE],
    CycleMethod.KEEP: [CycleStep.ARCHIVE, CycleStep.END, CycleStep.STAY, CycleStep.REMOVE],
    CycleMethod.REIMPORT: [
        CycleStep.ARCHIVE,
        CycleStep.END,
        CycleStep.STAY,
        CycleStep.REMOVE,
        CycleStep.REIMPORT,
    ],
}
REMOVE_ACTIONS = (SelectionAction.DEACTIVATE, SelectionAction.DELETE)

_BULK_STATE = {
    BulkStatus.VALIDATED: StepState.PREVIEWED,
    BulkStatus.QUEUED: StepState.RUNNING,
    BulkStatus.RUNNING: StepState.RUNNING,
    BulkStatus.DONE: StepState.DONE,
    BulkStatus.FAILED: StepState.FAILED,
}
_ARCHIVE_STATE = {
    ArchiveStatus.QUEUED: StepState.RUNNING,
    ArchiveStatus.RUNNING: StepState.RUNNING,
    ArchiveStatus.DONE: StepState.DONE,
    # Made, downloadable for its days, then cleaned up: the year was archived.
    ArchiveStatus.EXPIRED: StepState.DONE,
    ArchiveStatus.FAILED: StepState.FAILED,
}


def step_states(run: CycleRun) -> dict[str, str]:
    """Each step of the run's method and its state, in order: read from the rows the
    steps created (the archive, the ending, the selection), the others as stored."""
    states: dict[str, str] = {}
    for step in STEPS[CycleMethod(run.method)]:
        stored = run.states.get(step, StepState.TODO)
        if step == CycleStep.ARCHIVE and run.archive is not None:
            stored = _ARCHIVE_STATE[ArchiveStatus(run.archive.status)]
        elif step == CycleStep.END and run.ending is not None:
            stored = _BULK_STATE[BulkStatus(run.ending.status)]
        elif step == CycleStep.REMOVE and run.selection is not None and stored != StepState.DONE:
            stored = _BULK_STATE[BulkStatus(run.selection.status)]
        states[step] = str(stored)
    return states


def current_step(run: CycleRun) -> str | None:
    """The first step not done, or None when every step is."""
    for step, state in step_states(run).items():
        if state != StepState.DONE:
            return step
    return None


def _sync(run: CycleRun) -> None:
    """Store the states read from the rows, and the step the run is at."""
    run.states = step_states(run)
    run.step = current_step(run) or STEPS[CycleMethod(run.method)][-1]
    run.save(update_fields=["states", "step"])


def _audit_step(actor: User, run: CycleRun, step: str, **details: object) -> None:
    audit_record(
        actor=actor,
        organisation_id=run.organisation_id,
        action=AuditAction.CYCLE_STEP,
        target=run,
        details={"step": step, **details},
    )


def _require_step(run: CycleRun, step: str) -> None:
    """`step` is the one the run is at: steps go in order, and a finished run is closed."""
    if run.finished_at is not None:
        raise DomainError(_("This end of cycle is finished."))
    if current_step(run) != step:
        raise DomainError(_("Finish the steps before this one first."))


def cycle_current(*, actor: User) -> CycleRun | None:
    """The organisation's unfinished end of cycle, if one was started."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    return (
        CycleRun.objects.select_related("archive", "ending", "selection")
        .filter(organisation_id=organisation_id, finished_at__isnull=True)
        .first()
    )


def cycle_get(*, actor: User, run_id: int) -> CycleRun:
    """One run of the administrator's organisation; any other is not found."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    run = (
        CycleRun.objects.select_related("archive", "ending", "selection")
        .filter(pk=run_id, organisation_id=organisation_id)
        .first()
    )
    if run is None:
        raise DomainError(NOT_FOUND, code="not_found")
    return run


def cycle_start(*, actor: User, method: str) -> CycleRun:
    """Start an end of cycle with one of the three methods. Audited (`cycle.start`).
    While one is unfinished, another is refused (DomainError), nothing written."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    if method not in CycleMethod.values:
        raise DomainError(_("Choose how to end the cycle."))
    try:
        with transaction.atomic():
            run = CycleRun.objects.create(
                organisation_id=organisation_id, created_by=actor, method=method
            )
            _sync(run)
            audit_record(
                actor=actor,
                organisation_id=organisation_id,
                action=AuditAction.CYCLE_START,
                target=run,
                details={"method": method},
            )
    except IntegrityError as error:
        raise DomainError(_("An end of cycle is already under way: finish it first.")) from error
    return run


@transaction.atomic
def cycle_archive(*, actor: User, run: CycleRun, cohort_start_year: int | None = None) -> CycleRun:
    """Step 1: start the year's archive (or join the one being prepared). A failed one
    is started again; one running or done is never started twice."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.ARCHIVE)
    if run.archive is not None and run.archive.status != ArchiveStatus.FAILED:
        return run
    run.archive = archives.archive_start(actor=actor, cohort_start_year=cohort_start_year)
    run.save(update_fields=["archive"])
    _audit_step(actor, run, CycleStep.ARCHIVE, archive=run.archive.pk)
    _sync(run)
    return run


@transaction.atomic
def cycle_end_preview(*, actor: User, run: CycleRun) -> CycleRun:
    """Step 2's preview: every matched relationship, stored (a RelationshipEnding). A
    previous preview not confirmed, or an ending that failed, is replaced."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.END)
    if run.ending is not None and run.ending.status in (BulkStatus.QUEUED, BulkStatus.RUNNING):
        raise DomainError(_("These relationships are already being ended."))
    run.ending = relationships_end_all.relationships_end_prepare(actor=actor)
    run.save(update_fields=["ending"])
    _sync(run)
    return run


def cycle_end_confirm(*, actor: User, run: CycleRun) -> CycleRun:
    """Step 2: end exactly the previewed relationships (`relationships_end_confirm`:
    inline when few, else its job; confirming twice ends nothing twice)."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.END)
    if run.ending is None:
        raise DomainError(_("Preview this step first."))
    ending = run.ending
    if ending.total:
        relationships_end_all.relationships_end_confirm(actor=actor, ending=ending)
    else:
        # Nothing to end, as the preview said: its ending is closed as done, once.
        closed = RelationshipEnding.objects.filter(
            pk=ending.pk, status=BulkStatus.VALIDATED
        ).update(status=BulkStatus.DONE, finished_at=timezone.now())
        if not closed:
            raise DomainError(_("These relationships are already being ended."))
    _audit_step(actor, run, CycleStep.END, ending=ending.pk, previewed=ending.total)
    run.ending.refresh_from_db()
    _sync(run)
    return run


def stay_candidates(*, run: CycleRun) -> QuerySet[User]:
    """Who may be kept at step 3: the organisation's members still there, administrators
    aside (they always stay)."""
    return (
        User.objects.filter(organisation_id=run.organisation_id, deleted_at__isnull=True)
        .exclude(Q(role=Role.ADMINISTRATOR) | Q(is_staff=True))
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def cycle_stay(
    *,
    actor: User,
    run: CycleRun,
    keep_ids: list[int],
    filters: MemberFilters | None = None,
) -> CycleRun:
    """Step 3: who stays besides the administrators — nobody for a full refresh or a
    re-import; for «keep some members» the ticked members, or with `filters` every member
    the members list's filter matches (another organisation's ids and administrators'
    are ignored). May be chosen again until step 4 is confirmed."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    states = step_states(run)
    if run.finished_at is not None or states[CycleStep.END] != StepState.DONE:
        raise DomainError(_("Finish the steps before this one first."))
    if states[CycleStep.REMOVE] in (StepState.DONE, StepState.RUNNING):
        raise DomainError(_("The others were already removed: who stays cannot change."))
    candidates = stay_candidates(run=run)
    if run.method != CycleMethod.KEEP:
        candidates = candidates.none()
    elif filters is not None:
        matched = selectors.members_filtered(organisation_id=run.organisation_id, filters=filters)
        candidates = candidates.filter(pk__in=matched.values("pk"))
    else:
        candidates = candidates.filter(pk__in=set(keep_ids))
    kept = list(candidates.values_list("pk", flat=True))
    run.keep_ids = kept
    run.states = {**run.states, CycleStep.STAY: StepState.DONE, CycleStep.REMOVE: StepState.TODO}
    # A new choice makes step 4's preview stale: it is previewed again.
    run.selection = None
    run.save(update_fields=["keep_ids", "states", "selection"])
    _audit_step(actor, run, CycleStep.STAY, kept=len(kept), by_filter=filters is not None)
    _sync(run)
    return run


def remove_ids(*, actor: User, run: CycleRun, action: str) -> list[int]:
    """Step 4's people: every member not chosen to stay (nor an administrator, nor the
    actor); to deactivate, only those still active."""
    people = stay_candidates(run=run).exclude(pk__in=run.keep_ids).exclude(pk=actor.pk)
    if action == SelectionAction.DEACTIVATE:
        people = people.filter(is_active=True)
    return list(people.values_list("pk", flat=True))


@transaction.atomic
def cycle_remove_preview(*, actor: User, run: CycleRun, action: str) -> CycleRun:
    """Step 4's preview: a MemberSelection of the others with the action chosen
    (deactivate or delete), listing by name who it acts on and whom it refuses. With
    nobody left to remove, the step is done at once."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.REMOVE)
    if action not in REMOVE_ACTIONS:
        raise DomainError(_("Choose to deactivate or to delete the others."))
    ids = remove_ids(actor=actor, run=run, action=action)
    if not ids:
        run.selection = None
        run.states = {**run.states, CycleStep.REMOVE: StepState.DONE}
        run.save(update_fields=["selection", "states"])
        _audit_step(actor, run, CycleStep.REMOVE, action=action, removed=0)
    else:
        run.selection = member_selection.member_selection_prepare(
            actor=actor, action=action, member_ids=ids
        )
        run.save(update_fields=["selection"])
    _sync(run)
    return run


@transaction.atomic
def cycle_remove_confirm(*, actor: User, run: CycleRun, confirmation: str = "") -> CycleRun:
    """Step 4: apply the previewed selection once (`member_selection_apply`: never an
    administrator; deleting asks for the program's name typed)."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.REMOVE)
    if run.selection is None:
        raise DomainError(_("Preview this step first."))
    selection = member_selection.member_selection_apply(
        actor=actor, selection=run.selection, confirmation=confirmation
    )
    run.selection = selection
    _audit_step(actor, run, CycleStep.REMOVE, action=selection.action, removed=selection.applied)
    _sync(run)
    return run


@transaction.atomic
def cycle_reimport_done(*, actor: User, run: CycleRun) -> CycleRun:
    """Step 5 (quick re-import): the administrator says the members were imported again."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    _require_step(run, CycleStep.REIMPORT)
    run.states = {**run.states, CycleStep.REIMPORT: StepState.DONE}
    run.save(update_fields=["states"])
    _audit_step(actor, run, CycleStep.REIMPORT)
    _sync(run)
    return run


def cycle_counts(run: CycleRun) -> dict[str, int]:
    selection: MemberSelection | None = run.selection
    return {
        "relationships_ended": run.ending.ended if run.ending is not None else 0,
        "kept": len(run.keep_ids),
        "removed": selection.applied if selection is not None else 0,
    }


@transaction.atomic
def cycle_finish(*, actor: User, run: CycleRun) -> CycleRun:
    """Close the run once every step is done; audited with the counts (`cycle.finish`).
    A new end of cycle may then be started."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    locked = CycleRun.objects.select_for_update().filter(pk=run.pk, finished_at__isnull=True)
    if not locked.exists() or current_step(run) is not None:
        raise DomainError(_("Finish every step first."))
    run.finished_at = timezone.now()
    locked.update(finished_at=run.finished_at)
    counts = cycle_counts(run)
    audit_record(
        actor=actor,
        organisation_id=run.organisation_id,
        action=AuditAction.CYCLE_FINISH,
        target=run,
        count=counts["removed"],
        details={"method": run.method, **counts},
    )
    return run


@transaction.atomic
def cycle_abandon(*, actor: User, run: CycleRun) -> CycleRun:
    """Stop an unfinished run (a method chosen by mistake, a cycle put off): what its
    steps did stays done; a new end of cycle may then start. Refused while relationships
    are being ended (the job goes on: wait for it). Audited (`cycle.abandon`)."""
    require_org_admin(actor, organisation_id=run.organisation_id)
    if step_states(run).get(CycleStep.END) == StepState.RUNNING:
        raise DomainError(_("These relationships are already being ended."))
    locked = CycleRun.objects.select_for_update().filter(pk=run.pk, finished_at__isnull=True)
    if not locked.exists():
        raise DomainError(_("This end of cycle is finished."))
    run.finished_at = timezone.now()
    locked.update(finished_at=run.finished_at)
    audit_record(
        actor=actor,
        organisation_id=run.organisation_id,
        action=AuditAction.CYCLE_ABANDON,
        target=run,
        details={"method": run.method, "states": step_states(run), **cycle_counts(run)},
    )
    return run
