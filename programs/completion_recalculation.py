"""«Recalculer valeur du profil» (F11): a background job recomputing every member's
«Achèvement des profils» over the whole organisation.

- `completion_recalculate_start`: the administrator's click (one run at a time).
- `completion_recalculate_run`: the job (programs.tasks.completion_recalculate).
- `completion_recalculation_sweep`: queues again the runs whose job was lost
  (programs.tasks.completion_recalculation_sweep)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from programs import events, jobs
from programs.audit import AuditAction, audit_record
from programs.completion import completion_store
from programs.models import (
    UNFINISHED_RECALCULATION,
    CompletionRecalculation,
    RecalculationStatus,
    User,
)
from programs.permissions import require_org_admin
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit

RECALCULATION_BATCH = 1000
# A running recalculation whose heartbeat is older than this has lost its worker.
RECALCULATION_STALE = datetime.timedelta(minutes=5)
# A queued run not claimed by then: its job was never queued (or was lost).
RECALCULATION_UNCLAIMED = datetime.timedelta(minutes=2)


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
