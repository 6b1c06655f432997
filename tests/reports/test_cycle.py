"""«Terminer le cycle» (reports.cycle): each method's previews are exactly what its steps
then do; administrators and another organisation's members are never touched; a step's
job killed half-way and run again ends with each effect once; the run resumes where it
stopped and each step is done once; every step is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications.models import EmailLog
from programs import relationships_end_all as rea
from programs import services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, BulkStatus, Relationship, RelationshipStatus, Role, User
from reports import cycle
from reports.models import ArchiveStatus, CycleMethod, CycleRun, CycleStep, StepState
from tests.conftest import make_member


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(admin, org, relationship, outsider, outsider_mentor, other_org):
    """Three more matched pairs, a second administrator, and a matched pair elsewhere."""
    pairs = [relationship]
    for i in range(3):
        mentor = make_member(org, f"m{i}@mentor.test", f"Mentor{i}", "Zed", Role.MENTOR)
        mentee = make_member(org, f"e{i}@mentor.test", f"Mentee{i}", "Zed", Role.MENTEE)
        pairs.append(services.relationship_match(actor=admin, mentor=mentor, mentee=mentee))
    make_member(org, "second@mentor.test", "Second", "Admin", Role.ADMINISTRATOR)
    other_mentee = make_member(other_org, "x@elsewhere.test", "X", "Y", Role.MENTEE)
    services.relationship_match(actor=outsider, mentor=outsider_mentor, mentee=other_mentee)
    return pairs


def archived(admin, run, django_capture_on_commit_callbacks) -> CycleRun:
    """Step 1, its job run in-process (Q_CLUSTER sync) when the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        cycle.cycle_archive(actor=admin, run=run)
    run = cycle.cycle_get(actor=admin, run_id=run.pk)
    assert run.archive is not None and run.archive.status == ArchiveStatus.DONE
    return run


def elsewhere(other_org) -> list[tuple]:
    """Another organisation's members and relationships, as they stand."""
    members = list(
        User.objects.filter(organisation=other_org)
        .order_by("pk")
        .values_list("pk", "is_active", "deleted_at")
    )
    pairs = list(
        Relationship.objects.filter(organisation=other_org)
        .order_by("pk")
        .values_list("pk", "status")
    )
    return [*members, *pairs]


def ended_emails() -> int:
    return EmailLog.objects.filter(message_key="relationship_ended").count()


def walk_to_remove(admin, run, capture, keep_ids=()) -> CycleRun:
    run = archived(admin, run, capture)
    run = cycle.cycle_end_preview(actor=admin, run=run)
    previewed = sorted(run.ending.relationship_ids)
    run = cycle.cycle_end_confirm(actor=admin, run=run)
    ended = Relationship.objects.filter(
        organisation_id=admin.organisation_id, status=RelationshipStatus.COMPLETED
    ).values_list("pk", flat=True)
    assert sorted(ended) == previewed
    return cycle.cycle_stay(actor=admin, run=run, keep_ids=list(keep_ids))


def test_full_refresh_previews_exactly_what_it_does(
    admin, people, other_org, django_capture_on_commit_callbacks
):
    theirs = elsewhere(other_org)
    run = cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
    run = walk_to_remove(admin, run, django_capture_on_commit_callbacks)
    assert run.keep_ids == []
    run = cycle.cycle_remove_preview(actor=admin, run=run, action="deactivate")
    assert run.selection is not None
    previewed = sorted(run.selection.member_ids)
    administrators = set(
        User.objects.filter(organisation=admin.organisation, role=Role.ADMINISTRATOR).values_list(
            "pk", flat=True
        )
    )
    assert not administrators & set(previewed)
    assert len(previewed) == 8  # every mentor and mentee
    run = cycle.cycle_remove_confirm(actor=admin, run=run)
    inactive = User.objects.filter(organisation=admin.organisation, is_active=False)
    assert sorted(inactive.values_list("pk", flat=True)) == previewed
    assert User.objects.filter(pk__in=administrators, is_active=True).count() == 2
    assert cycle.current_step(run) is None
    cycle.cycle_finish(actor=admin, run=run)
    finish = AuditEntry.objects.get(action=AuditAction.CYCLE_FINISH)
    assert finish.details["relationships_ended"] == 4 and finish.details["removed"] == 8
    assert elsewhere(other_org) == theirs


def test_keep_some_members_deletes_only_the_others(
    admin, people, mentor, mentee, other_org, org, django_capture_on_commit_callbacks
):
    theirs = elsewhere(other_org)
    outsider_id = User.objects.filter(organisation=other_org).earliest("pk").pk
    run = cycle.cycle_start(actor=admin, method=CycleMethod.KEEP)
    # Another organisation's id and an administrator's are ignored: only Anna stays.
    run = walk_to_remove(
        admin, run, django_capture_on_commit_callbacks, keep_ids=[mentor.pk, outsider_id, admin.pk]
    )
    assert run.keep_ids == [mentor.pk]
    run = cycle.cycle_remove_preview(actor=admin, run=run, action="delete")
    assert run.selection is not None
    previewed = sorted(run.selection.member_ids)
    assert mentor.pk not in previewed and mentee.pk in previewed and len(previewed) == 7
    with pytest.raises(DomainError):
        cycle.cycle_remove_confirm(actor=admin, run=run, confirmation="wrong")
    assert User.objects.filter(organisation=org, deleted_at__isnull=False).count() == 0
    run = cycle.cycle_remove_confirm(actor=admin, run=run, confirmation=org.name)
    deleted = User.objects.filter(organisation=org, deleted_at__isnull=False)
    assert sorted(deleted.values_list("pk", flat=True)) == previewed
    assert User.objects.get(pk=mentor.pk).deleted_at is None
    assert (
        User.objects.filter(organisation=org, role=Role.ADMINISTRATOR, deleted_at=None).count() == 2
    )
    assert elsewhere(other_org) == theirs


def test_quick_reimport_adds_its_step_and_finishes_once(
    admin, people, django_capture_on_commit_callbacks
):
    run = cycle.cycle_start(actor=admin, method=CycleMethod.REIMPORT)
    run = walk_to_remove(admin, run, django_capture_on_commit_callbacks)
    run = cycle.cycle_remove_preview(actor=admin, run=run, action="deactivate")
    run = cycle.cycle_remove_confirm(actor=admin, run=run)
    assert cycle.current_step(run) == CycleStep.REIMPORT
    with pytest.raises(DomainError):
        cycle.cycle_finish(actor=admin, run=run)
    run = cycle.cycle_reimport_done(actor=admin, run=run)
    cycle.cycle_finish(actor=admin, run=run)
    with pytest.raises(DomainError):
        cycle.cycle_finish(actor=admin, run=run)
    steps = AuditEntry.objects.filter(action=AuditAction.CYCLE_STEP)
    assert [e.details["step"] for e in steps.order_by("pk")] == [
        "archive",
        "end",
        "stay",
        "remove",
        "reimport",
    ]
    assert AuditEntry.objects.filter(action=AuditAction.CYCLE_START).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.CYCLE_FINISH).count() == 1
    # Finished: a new one may start.
    assert cycle.cycle_start(actor=admin, method=CycleMethod.FULL).pk != run.pk


def test_one_unfinished_run_and_steps_in_order(admin, people):
    run = cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
    with pytest.raises(DomainError):
        cycle.cycle_start(actor=admin, method=CycleMethod.KEEP)
    with pytest.raises(DomainError):
        cycle.cycle_start(actor=admin, method="everything")
    assert CycleRun.objects.count() == 1
    # Steps go in order: nothing ends before the year is archived.
    with pytest.raises(DomainError):
        cycle.cycle_end_preview(actor=admin, run=run)
    with pytest.raises(DomainError):
        cycle.cycle_stay(actor=admin, run=run, keep_ids=[])
    assert Relationship.objects.filter(status=RelationshipStatus.MATCHED).count() == 5


def test_resumes_and_never_does_a_step_twice(admin, people, django_capture_on_commit_callbacks):
    run = cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
    run = archived(admin, run, django_capture_on_commit_callbacks)
    # Archiving again does nothing: the one archive stays.
    with pytest.raises(DomainError):
        cycle.cycle_archive(actor=admin, run=run)
    run = cycle.cycle_end_preview(actor=admin, run=run)
    # Reopening the page: the same run, at the step it stopped, its preview kept.
    reopened = cycle.cycle_current(actor=admin)
    assert reopened is not None
    assert reopened.pk == run.pk and cycle.current_step(reopened) == CycleStep.END
    assert cycle.step_states(reopened) == {
        "archive": StepState.DONE,
        "end": StepState.PREVIEWED,
        "stay": StepState.TODO,
        "remove": StepState.TODO,
    }
    before = ended_emails()
    run = cycle.cycle_end_confirm(actor=admin, run=reopened)
    with pytest.raises(DomainError):
        cycle.cycle_end_confirm(actor=admin, run=cycle.cycle_get(actor=admin, run_id=run.pk))
    assert ended_emails() - before == 8
    assert AuditEntry.objects.filter(action=AuditAction.RELATIONSHIPS_END_ALL).count() == 1
    assert (
        AuditEntry.objects.filter(action=AuditAction.CYCLE_STEP, details__step="end").count() == 1
    )


def test_a_killed_ending_job_run_again_tells_each_once(
    admin, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(rea, "INLINE_MAX", 2)
    monkeypatch.setattr(rea, "BATCH", 1)
    run = cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
    run = archived(admin, run, django_capture_on_commit_callbacks)
    run = cycle.cycle_end_preview(actor=admin, run=run)
    before = ended_emails()
    run = cycle.cycle_end_confirm(actor=admin, run=run)
    assert cycle.step_states(run)["end"] == StepState.RUNNING
    assert run.ending is not None
    ending_id = run.ending.pk
    real = rea._end_batch
    calls = {"n": 0}

    def killed_on_third(locked, ids):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(locked, ids)

    monkeypatch.setattr(rea, "_end_batch", killed_on_third)
    with pytest.raises(RuntimeError):
        rea.relationships_end_run(ending_id=ending_id)
    assert ended_emails() - before == 4  # half the pairs, each of the two told
    monkeypatch.setattr(rea, "_end_batch", real)
    # The worker runs the job again (as the sweeper queues it): it finishes the rest.
    assert rea.relationships_end_run(ending_id=ending_id) == BulkStatus.DONE
    run = cycle.cycle_get(actor=admin, run_id=run.pk)
    assert cycle.current_step(run) == CycleStep.STAY
    assert ended_emails() - before == 8
    assert AuditEntry.objects.filter(action=AuditAction.RELATIONSHIPS_END_ALL).count() == 1


def test_outsiders_and_mentors_cannot_touch_a_run(admin, people, outsider, mentor):
    run = cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
    for actor in (outsider, mentor):
        with pytest.raises(DomainError):
            cycle.cycle_get(actor=actor, run_id=run.pk)
        with pytest.raises(DomainError):
            cycle.cycle_archive(actor=actor, run=run)
    assert cycle.cycle_current(actor=outsider) is None
    run.refresh_from_db()
    assert run.archive is None


def test_a_run_stopped_keeps_what_was_done_and_frees_the_way(
    admin, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(rea, "INLINE_MAX", 2)
    run = cycle.cycle_start(actor=admin, method=CycleMethod.KEEP)
    run = archived(admin, run, django_capture_on_commit_callbacks)
    run = cycle.cycle_end_preview(actor=admin, run=run)
    run = cycle.cycle_end_confirm(actor=admin, run=run)
    # Relationships being ended by the job: stopping now is refused.
    with pytest.raises(DomainError):
        cycle.cycle_abandon(actor=admin, run=run)
    assert run.ending is not None
    rea.relationships_end_run(ending_id=run.ending.pk)
    run = cycle.cycle_get(actor=admin, run_id=run.pk)
    cycle.cycle_abandon(actor=admin, run=run)
    with pytest.raises(DomainError):
        cycle.cycle_abandon(actor=admin, run=run)
    assert Relationship.objects.filter(status=RelationshipStatus.MATCHED).count() == 1  # theirs
    entry = AuditEntry.objects.get(action=AuditAction.CYCLE_ABANDON)
    assert entry.details["relationships_ended"] == 4
    assert cycle.cycle_current(actor=admin) is None
    cycle.cycle_start(actor=admin, method=CycleMethod.FULL)
