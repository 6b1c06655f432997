"""«Terminer toutes les relations» (F12, docs/members.md "Ending every relationship"):
every matched relationship — or those of the relationships page's search — previewed,
then ended as `services.relationship_end` ends one (status «Complété», end date, the
`relationship_ended` signal: meetings still to come cancelled, each of the pair told in
their language, the evaluation requested where the program has one).

- `relationships_end_prepare()` stores the preview's ids (a RelationshipEnding).
- `relationships_end_confirm()` claims it (a conditional UPDATE: confirming twice does
  nothing twice) and runs it at once when it is small, or queues the background job.
- `relationships_end_run()` is the job: batch by batch, each batch ending its
  relationships and moving the cursor `done` in one transaction, so a retried job starts
  after the last committed batch; a relationship ended meanwhile is skipped, so nobody is
  told twice. `relationships_end_sweep()` queues again an ending whose job was lost.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import events, jobs
from programs.audit import AuditAction, audit_record, audit_source, current_source
from programs.errors import DomainError
from programs.models import BulkStatus, Relationship, RelationshipEnding, RelationshipStatus, User
from programs.pagination import among
from programs.permissions import require_org_admin
from programs.selectors import people_named
from realtime.groups import org_admins_group
from realtime.publish import publish_on_commit

BATCH = 100
# Up to this many are ended during the request; more go to the background job.
INLINE_MAX = 200
MAX_ATTEMPTS = 5


def matched_relationships(*, organisation_id: int, search: str = "") -> list[int]:
    """The ids of the organisation's matched relationships, oldest first, of the people
    named by `search` (every word in the mentor's or the mentee's name) when given."""
    qs = Relationship.objects.filter(
        organisation_id=organisation_id, status=RelationshipStatus.MATCHED
    )
    for word in search.split():
        named = people_named(organisation_id=organisation_id, word=word)
        qs = qs.filter(among("mentor_id", named) | among("mentee_id", named))
    return list(qs.order_by("created_at", "pk").values_list("pk", flat=True))


@transaction.atomic
def relationships_end_prepare(*, actor: User, search: str = "") -> RelationshipEnding:
    """Store the preview: which relationships «Confirmer» will end. Writes nothing else."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    ids = matched_relationships(organisation_id=organisation_id, search=search.strip())
    return RelationshipEnding.objects.create(
        organisation_id=organisation_id,
        created_by=actor,
        search=search.strip()[:200],
        relationship_ids=ids,
        total=len(ids),
    )


def ending_get(*, actor: User, ending_id: int) -> RelationshipEnding:
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    ending = RelationshipEnding.objects.filter(
        pk=ending_id, organisation_id=organisation_id
    ).first()
    if ending is None:
        raise DomainError(_("This was not found in your program."), code="not_found")
    return ending


def relationships_end_confirm(*, actor: User, ending: RelationshipEnding) -> RelationshipEnding:
    """«Confirmer»: end the previewed relationships — now when there are few, else in the
    background job (its progress is published as `job.progress`)."""
    organisation_id = require_org_admin(actor, organisation_id=ending.organisation_id)
    with transaction.atomic():
        claimed = RelationshipEnding.objects.filter(
            pk=ending.pk, organisation_id=organisation_id, status=BulkStatus.VALIDATED
        ).update(status=BulkStatus.QUEUED, source=current_source(), updated_at=timezone.now())
        if not claimed:
            raise DomainError(_("These relationships are already being ended."))
        if ending.total > INLINE_MAX:
            transaction.on_commit(lambda: jobs.enqueue_relationships_end_all(ending.pk))
    if ending.total <= INLINE_MAX:
        relationships_end_run(ending_id=ending.pk)
    ending.refresh_from_db()
    return ending


def progress_on_commit(ending: RelationshipEnding) -> None:
    state = {BulkStatus.DONE: "done", BulkStatus.FAILED: "failed"}.get(
        BulkStatus(ending.status), "running"
    )
    publish_on_commit(
        org_admins_group(ending.organisation_id),
        "job.progress",
        {
            "kind": "relationships_end_all",
            "id": ending.pk,
            "done": ending.done,
            "total": ending.total,
            "state": state,
        },
    )


def _end_batch(ending: RelationshipEnding, ids: list[int]) -> int:
    """End those of `ids` still matched (inside the caller's transaction)."""
    batch = list(
        Relationship.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentee")
        .filter(
            pk__in=ids, organisation_id=ending.organisation_id, status=RelationshipStatus.MATCHED
        )
        .order_by("pk")
    )
    now = timezone.now()
    Relationship.objects.filter(pk__in=[r.pk for r in batch]).update(
        status=RelationshipStatus.COMPLETED, ended_at=now
    )
    for relationship in batch:
        relationship.status = RelationshipStatus.COMPLETED
        relationship.ended_at = now
        events.relationship_ended.send(sender=Relationship, relationship=relationship)
    if batch:
        events.counts_changed_on_commit(ending.organisation_id)
    return len(batch)


def relationships_end_run(*, ending_id: int) -> str:
    """The job (and the inline run): idempotent and resumable — see the module docstring."""
    ending = RelationshipEnding.objects.filter(pk=ending_id).first()
    if ending is None or ending.status not in (BulkStatus.QUEUED, BulkStatus.RUNNING):
        return ending.status if ending else "missing"
    if ending.attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            RelationshipEnding.objects.filter(pk=ending_id).update(
                status=BulkStatus.FAILED, finished_at=timezone.now()
            )
            ending.refresh_from_db()
            progress_on_commit(ending)
        return BulkStatus.FAILED
    RelationshipEnding.objects.filter(pk=ending_id).update(
        attempts=ending.attempts + 1, status=BulkStatus.RUNNING, updated_at=timezone.now()
    )
    ids: list[int] = ending.relationship_ids
    with audit_source(ending.source):
        while True:
            with transaction.atomic():
                locked = (
                    RelationshipEnding.objects.select_for_update(of=("self",))
                    .select_related("created_by")
                    .defer("relationship_ids")
                    .get(pk=ending_id)
                )
                if locked.status != BulkStatus.RUNNING:
                    return locked.status
                batch = ids[locked.done : locked.done + BATCH]
                locked.ended += _end_batch(locked, batch)
                locked.done += len(batch)
                locked.updated_at = timezone.now()
                if locked.done >= locked.total:
                    locked.status = BulkStatus.DONE
                    locked.finished_at = locked.updated_at
                    audit_record(
                        actor=locked.created_by,
                        organisation_id=locked.organisation_id,
                        action=AuditAction.RELATIONSHIPS_END_ALL,
                        target=locked,
                        count=locked.ended,
                        details={"search": locked.search, "previewed": locked.total},
                    )
                locked.save(update_fields=["ended", "done", "updated_at", "status", "finished_at"])
                progress_on_commit(locked)
            if locked.status == BulkStatus.DONE:
                return BulkStatus.DONE


def relationships_end_sweep() -> int:
    """Every minute: an ending queued or running that has not moved for
    MEMBER_IMPORT_GRACE seconds (its job was lost, its worker died, or the request that
    ran it inline broke off) is queued again; the job resumes after its last committed
    batch. Returns how many were queued."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.MEMBER_IMPORT_GRACE)
    ids = list(
        RelationshipEnding.objects.filter(
            status__in=[BulkStatus.QUEUED, BulkStatus.RUNNING], updated_at__lt=stale
        ).values_list("pk", flat=True)
    )
    RelationshipEnding.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    for ending_id in ids:
        jobs.enqueue_relationships_end_all(ending_id)
    return len(ids)
