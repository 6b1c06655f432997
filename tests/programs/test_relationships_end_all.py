"""«Terminer toutes les relations» (programs.relationships_end_all): the preview is what
ends; each ends as relationship_end ends one (meetings to come cancelled, each of the
pair told); the job, retried or crashed half-way, ends and tells each pair once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import EmailLog
from programs import relationships_end_all as rea
from programs import services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import (
    AuditEntry,
    BulkStatus,
    Relationship,
    RelationshipEnding,
    RelationshipStatus,
    Role,
)
from scheduling.models import Meeting, MeetingStatus
from tests.conftest import make_member


@pytest.fixture
def pairs(admin, org):
    """Four matched pairs (Anna's is the `relationship` persona's, made by the tests
    that want meetings); mentors named Mentor0…3."""
    made = []
    for i in range(4):
        mentor = make_member(org, f"m{i}@mentor.test", f"Mentor{i}", "Zed", Role.MENTOR)
        mentee = make_member(org, f"e{i}@mentor.test", f"Mentee{i}", "Zed", Role.MENTEE)
        made.append(services.relationship_match(actor=admin, mentor=mentor, mentee=mentee))
    return made


def ended_emails() -> int:
    return EmailLog.objects.filter(message_key="relationship_ended").count()


def test_preview_lists_matched_only_and_confirm_ends_exactly_those(
    admin, pairs, outsider, outsider_mentor, other_org
):
    services.relationship_end(actor=admin, relationship=pairs[0])
    other_mentee = make_member(other_org, "x@elsewhere.test", "X", "Y", Role.MENTEE)
    theirs = services.relationship_match(
        actor=outsider, mentor=outsider_mentor, mentee=other_mentee
    )
    ending = rea.relationships_end_prepare(actor=admin)
    assert sorted(ending.relationship_ids) == sorted(r.pk for r in pairs[1:])
    emails_before = ended_emails()
    ending = rea.relationships_end_confirm(actor=admin, ending=ending)
    assert ending.status == BulkStatus.DONE and ending.ended == 3
    completed = Relationship.objects.filter(
        organisation=admin.organisation, status=RelationshipStatus.COMPLETED
    )
    assert completed.count() == 4 and not completed.filter(ended_at__isnull=True).exists()
    # Each of the three pairs told: two emails each.
    assert ended_emails() - emails_before == 6
    assert Relationship.objects.get(pk=theirs.pk).status == RelationshipStatus.MATCHED
    entry = AuditEntry.objects.get(action=AuditAction.RELATIONSHIPS_END_ALL)
    assert entry.count == 3 and entry.actor_id == admin.pk
    # Confirming twice does nothing twice.
    with pytest.raises(DomainError):
        rea.relationships_end_confirm(actor=admin, ending=ending)
    assert ended_emails() - emails_before == 6
    assert AuditEntry.objects.filter(action=AuditAction.RELATIONSHIPS_END_ALL).count() == 1


def test_only_the_relationships_pages_search(admin, pairs):
    ending = rea.relationships_end_prepare(actor=admin, search="Mentor2")
    assert ending.relationship_ids == [pairs[2].pk]
    rea.relationships_end_confirm(actor=admin, ending=ending)
    statuses = [Relationship.objects.get(pk=r.pk).status for r in pairs]
    assert statuses.count(RelationshipStatus.COMPLETED) == 1


def test_outsider_cannot_see_or_confirm(admin, pairs, outsider):
    ending = rea.relationships_end_prepare(actor=admin)
    with pytest.raises(DomainError) as refused:
        rea.relationships_end_confirm(actor=outsider, ending=ending)
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError):
        rea.ending_get(actor=outsider, ending_id=ending.pk)
    assert not Relationship.objects.filter(status=RelationshipStatus.COMPLETED).exists()


def test_a_relationship_ended_after_the_preview_is_not_told_twice(admin, pairs):
    ending = rea.relationships_end_prepare(actor=admin)
    services.relationship_end(actor=admin, relationship=pairs[1])
    before = ended_emails()
    ending = rea.relationships_end_confirm(actor=admin, ending=ending)
    assert ending.ended == 3
    assert ended_emails() - before == 6


@pytest.mark.usefixtures("frozen", "available")
def test_meetings_to_come_are_cancelled(admin, relationship, book):
    book()
    ending = rea.relationships_end_prepare(actor=admin)
    rea.relationships_end_confirm(actor=admin, ending=ending)
    statuses = set(
        Meeting.objects.filter(relationship=relationship).values_list("status", flat=True)
    )
    assert statuses == {MeetingStatus.CANCELLED}


def test_large_runs_go_to_the_job_which_resumes_after_a_crash(admin, pairs, monkeypatch):
    monkeypatch.setattr(rea, "INLINE_MAX", 2)
    monkeypatch.setattr(rea, "BATCH", 1)
    ending = rea.relationships_end_prepare(actor=admin)
    before = ended_emails()
    ending = rea.relationships_end_confirm(actor=admin, ending=ending)
    # Too many to end during the request: queued for the worker, nothing ended yet.
    assert ending.status == BulkStatus.QUEUED and ending.done == 0
    real = rea._end_batch
    calls = {"n": 0}

    def crash_on_third(locked, ids):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(locked, ids)

    monkeypatch.setattr(rea, "_end_batch", crash_on_third)
    with pytest.raises(RuntimeError):
        rea.relationships_end_run(ending_id=ending.pk)
    ending.refresh_from_db()
    assert ending.done == 2 and ending.status == BulkStatus.RUNNING
    monkeypatch.setattr(rea, "_end_batch", real)
    assert rea.relationships_end_run(ending_id=ending.pk) == BulkStatus.DONE
    assert rea.relationships_end_run(ending_id=ending.pk) == BulkStatus.DONE  # retried again
    ending.refresh_from_db()
    assert ending.ended == 4 and ending.done == 4
    assert ended_emails() - before == 8
    assert AuditEntry.objects.filter(action=AuditAction.RELATIONSHIPS_END_ALL, count=4).count() == 1
    assert RelationshipEnding.objects.get(pk=ending.pk).finished_at is not None


def test_the_sweeper_queues_again_a_stale_ending(admin, pairs):
    stale = rea.relationships_end_prepare(actor=admin, search="Mentor0")
    RelationshipEnding.objects.filter(pk=stale.pk).update(
        status=BulkStatus.RUNNING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = rea.relationships_end_prepare(actor=admin, search="Mentor1")
    RelationshipEnding.objects.filter(pk=fresh.pk).update(status=BulkStatus.RUNNING)
    # Jobs run in-process in the tests (Q_CLUSTER sync): the sweep runs the stale one now.
    assert rea.relationships_end_sweep() == 1
    stale.refresh_from_db()
    assert (stale.status, stale.ended) == (BulkStatus.DONE, 1)
    assert RelationshipEnding.objects.get(pk=fresh.pk).done == 0  # within its grace
    assert rea.relationships_end_sweep() == 0
