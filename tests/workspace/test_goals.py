"""«Objectifs»: either person of the pair adds, edits, moves, completes and deletes
goals; stale edits are refused with the current value; the partner is told live, a third
member, the pair's administrators (counts only) and other organisations are not."""

from __future__ import annotations

from datetime import date

import pytest

from programs import services as program_services
from programs.errors import DomainError
from realtime.groups import org_admins_group, user_group
from realtime.testing import capture_events
from workspace import services
from workspace.models import Goal, GoalStatus
from workspace.pair import StaleEdit


def test_either_person_adds_and_the_list_keeps_its_order(relationship, mentor, mentee):
    first = services.goal_add(actor=mentor, relationship=relationship, title="  Read  a book ")
    second = services.goal_add(
        actor=mentee, relationship=relationship, title="Find a job", due_date=date(2027, 3, 1)
    )
    assert first.title == "Read a book"
    assert (first.position, second.position) == (0, 1)
    assert second.created_by == mentee
    assert list(Goal.objects.filter(relationship=relationship)) == [first, second]


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_bad_title_is_refused_and_nothing_is_added(relationship, mentor, title):
    with pytest.raises(DomainError):
        services.goal_add(actor=mentor, relationship=relationship, title=title)
    assert Goal.objects.count() == 0


def test_only_the_pair_acts(relationship, mentor, admin, third, outsider):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    for actor in (admin, third, outsider):
        with pytest.raises(DomainError) as caught:
            services.goal_add(actor=actor, relationship=relationship, title="Nope")
        assert caught.value.code == "not_found"
        with pytest.raises(DomainError):
            services.goal_set_status(actor=actor, goal=goal, version=1, status="done")
    goal.refresh_from_db()
    assert (Goal.objects.count(), goal.status, goal.version) == (1, "todo", 1)


def test_a_deactivated_partner_is_refused(relationship, mentor, mentee):
    mentee.is_active = False
    mentee.save()
    with pytest.raises(DomainError):
        services.goal_add(actor=mentee, relationship=relationship, title="Plan")
    assert Goal.objects.count() == 0


def test_an_ended_relationship_is_read_only(relationship, mentor, admin):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    program_services.relationship_end(actor=admin, relationship=relationship)
    relationship.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.goal_set_status(actor=mentor, goal=goal, version=1, status="done")
    assert caught.value.code == "forbidden"
    goal.refresh_from_db()
    assert goal.status == "todo"


def test_completing_stamps_and_reopening_clears(relationship, mentor, mentee):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    done = services.goal_set_status(actor=mentee, goal=goal, version=1, status=GoalStatus.DONE)
    assert done.completed_at is not None and done.version == 2
    back = services.goal_set_status(actor=mentor, goal=goal, version=2, status=GoalStatus.TODO)
    assert back.completed_at is None and back.version == 3


def test_a_stale_edit_is_refused_with_the_current_value(relationship, mentor, mentee):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    services.goal_edit(
        actor=mentee,
        goal=goal,
        version=1,
        title="Plan the year",
        due_date=None,
        status="in_progress",
    )
    with pytest.raises(StaleEdit) as caught:
        services.goal_edit(
            actor=mentor, goal=goal, version=1, title="Plan the week", due_date=None, status="todo"
        )
    error = caught.value
    assert error.current["title"] == "Plan the year"
    assert error.by == mentee.full_name
    assert "Plan the year" in str(error.message) and mentee.full_name in str(error.message)
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.version) == ("Plan the year", "in_progress", 2)
    # A stale tick, move and delete are refused too.
    for call in (
        lambda: services.goal_set_status(actor=mentor, goal=goal, version=1, status="done"),
        lambda: services.goal_move(actor=mentor, goal=goal, version=1, direction="down"),
        lambda: services.goal_delete(actor=mentor, goal=goal, version=1),
    ):
        with pytest.raises(StaleEdit):
            call()
    assert Goal.objects.get().version == 2


def test_a_bad_status_changes_nothing(relationship, mentor):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    with pytest.raises(DomainError):
        services.goal_set_status(actor=mentor, goal=goal, version=1, status="finished")
    goal.refresh_from_db()
    assert (goal.status, goal.version) == ("todo", 1)


def test_moving_swaps_with_the_neighbour_and_bumps_both(relationship, mentor, mentee):
    a = services.goal_add(actor=mentor, relationship=relationship, title="A")
    b = services.goal_add(actor=mentor, relationship=relationship, title="B")
    c = services.goal_add(actor=mentor, relationship=relationship, title="C")
    services.goal_move(actor=mentee, goal=c, version=1, direction="up")
    assert [g.title for g in Goal.objects.filter(relationship=relationship)] == ["A", "C", "B"]
    b.refresh_from_db()
    assert b.version == 2
    # At the top already: nothing moves, nothing changes.
    services.goal_move(actor=mentee, goal=a, version=1, direction="up")
    a.refresh_from_db()
    assert (a.position, a.version) == (0, 1)


def test_delete(relationship, mentor, mentee):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    services.goal_delete(actor=mentee, goal=goal, version=1)
    assert Goal.objects.count() == 0


def test_the_partner_is_told_and_admins_get_counts_only(
    relationship, mentor, mentee, third, outsider, django_capture_on_commit_callbacks
):
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        goal = services.goal_add(actor=mentor, relationship=relationship, title="Secret plan")
    with capture_events() as ticked, django_capture_on_commit_callbacks(execute=True):
        services.goal_set_status(actor=mentee, goal=goal, version=1, status="done")
    groups = {s.group for s in sent}
    assert groups == {
        user_group(mentor.pk),
        user_group(mentee.pk),
        org_admins_group(relationship.organisation_id),
    }
    assert user_group(third.pk) not in groups
    assert org_admins_group(outsider.organisation_id) not in groups
    # No event carries the title.
    assert not any("Secret" in str(s.data) for s in sent + ticked)
    assert (
        org_admins_group(relationship.organisation_id),
        "goals.counted",
        {"relationship_id": relationship.pk, "done": 1, "total": 1},
    ) in ticked
    assert (
        user_group(mentor.pk),
        "goal.changed",
        {"relationship_id": relationship.pk, "goal_id": goal.pk, "version": 2, "action": "edited"},
    ) in ticked


def test_a_refused_edit_sends_nothing(relationship, mentor, django_capture_on_commit_callbacks):
    goal = services.goal_add(actor=mentor, relationship=relationship, title="Plan")
    with (
        capture_events() as sent,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(StaleEdit),
    ):
        services.goal_delete(actor=mentor, goal=goal, version=7)
    assert sent == []
