"""programs.member_selection: a selection resolved to this organisation's ids and its
refusals when previewed; applied once, to exactly the stored ids, through the existing
services — which refuse an administrator whatever the stored row says."""

from __future__ import annotations

import pytest
from django.utils import translation

from programs import member_selection
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.member_filters import MemberFilters
from programs.models import AuditEntry, MemberGroup, MemberSelection, Role, User
from tests.conftest import make_member


def prepare(actor: User, action: str, *people: User, **extra) -> MemberSelection:
    return member_selection.member_selection_prepare(
        actor=actor, action=action, member_ids=[p.pk for p in people], **extra
    )


def reasons(selection: MemberSelection) -> dict[int, str]:
    return dict((pk, reason) for pk, reason in selection.refused)


def test_each_action_says_who_it_leaves_out_and_why(admin, org, mentor, mentee, relationship):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)
    asleep = make_member(org, "z@mentor.test", "Zed", "Zz", Role.MENTEE, is_active=False)
    everyone = (admin, other_admin, mentor, mentee, asleep)
    deactivate = prepare(admin, "deactivate", *everyone)
    assert deactivate.member_ids == [mentor.pk, mentee.pk]  # by name: Carter, Test
    assert reasons(deactivate) == {
        admin.pk: "administrator",
        other_admin.pk: "administrator",
        asleep.pk: "already_inactive",
    }
    reactivate = prepare(admin, "reactivate", *everyone)
    assert reactivate.member_ids == [asleep.pk]
    message = prepare(admin, "message", *everyone)
    assert asleep.pk not in message.member_ids and reasons(message) == {asleep.pk: "inactive"}
    delete = prepare(admin, "delete", *everyone)
    assert delete.member_ids == [asleep.pk]
    assert reasons(delete) == {
        admin.pk: "yourself",
        other_admin.pk: "administrator_delete",
        mentor.pk: "open_relationship",
        mentee.pk: "open_relationship",
    }


def test_filters_are_resolved_to_ids_when_previewed(admin, org, mentor, mentee):
    selection = prepare(admin, "deactivate", filters=MemberFilters(role=Role.MENTOR))
    assert selection.everyone_matching and selection.member_ids == [mentor.pk]
    # A mentor joining after the preview is not in it.
    late = make_member(org, "late@mentor.test", "Late", "Comer", Role.MENTOR)
    member_selection.member_selection_apply(actor=admin, selection=selection)
    late.refresh_from_db()
    assert late.is_active and not User.objects.get(pk=mentor.pk).is_active


def test_nothing_selected_is_an_error_and_nothing_is_stored(admin, outsider_mentor):
    with pytest.raises(DomainError):
        prepare(admin, "deactivate", outsider_mentor)
    with pytest.raises(DomainError):
        prepare(admin, "teleport", admin)
    assert MemberSelection.objects.count() == 0


def test_a_forged_row_never_deactivates_an_administrator(admin, org, mentor):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)
    selection = prepare(admin, "deactivate", mentor)
    MemberSelection.objects.filter(pk=selection.pk).update(
        member_ids=[mentor.pk, other_admin.pk, admin.pk]
    )
    selection.refresh_from_db()
    done = member_selection.member_selection_apply(actor=admin, selection=selection)
    assert done.applied == 1
    assert User.objects.get(pk=other_admin.pk).is_active and User.objects.get(pk=admin.pk).is_active
    assert not User.objects.get(pk=mentor.pk).is_active


def test_a_forged_row_never_deletes_an_administrator(admin, org, mentee):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)
    selection = prepare(admin, "delete", mentee)
    MemberSelection.objects.filter(pk=selection.pk).update(member_ids=[other_admin.pk, mentee.pk])
    selection.refresh_from_db()
    with translation.override("en"):  # the refusal is kept as worded for the actor
        done = member_selection.member_selection_apply(
            actor=admin, selection=selection, confirmation="Mentor Canada"
        )
    assert done.applied_ids == [mentee.pk]
    assert done.failures == [[other_admin.pk, "An administrator can never be deleted."]]
    assert User.objects.get(pk=other_admin.pk).deleted_at is None
    assert User.objects.get(pk=mentee.pk).deleted_at is not None
    assert member_selection.selection_deleted_names(selection=done) == ["Charlotte Test"]


def test_a_wrong_name_deletes_nobody_and_keeps_the_selection_waiting(admin, mentee):
    selection = prepare(admin, "delete", mentee)
    with pytest.raises(DomainError):
        member_selection.member_selection_apply(actor=admin, selection=selection, confirmation="x")
    selection.refresh_from_db()
    assert selection.status == "validated" and User.objects.get(pk=mentee.pk).deleted_at is None


def test_a_group_deleted_meanwhile_changes_nothing(admin, org, mentor):
    group = MemberGroup.objects.create(organisation=org, name="G")
    selection = prepare(admin, "group", mentor, group_id=group.pk)
    group.delete()
    selection.refresh_from_db()
    with pytest.raises(DomainError):
        member_selection.member_selection_apply(actor=admin, selection=selection)
    selection.refresh_from_db()
    assert selection.status == "validated"
    assert not AuditEntry.objects.filter(action=AuditAction.GROUP_MEMBERS_ADD).exists()


def test_applied_once(admin, mentor):
    selection = prepare(admin, "deactivate", mentor)
    member_selection.member_selection_apply(actor=admin, selection=selection)
    with pytest.raises(DomainError):
        member_selection.member_selection_apply(actor=admin, selection=selection)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBERS_DEACTIVATE).count() == 1


def test_another_organisations_selection_is_not_found(admin, outsider, mentor):
    selection = prepare(admin, "deactivate", mentor)
    with pytest.raises(DomainError) as refused:
        member_selection.selection_get(actor=outsider, selection_id=selection.pk)
    assert refused.value.code == "not_found"
    with pytest.raises(DomainError) as refused:
        member_selection.member_selection_apply(actor=outsider, selection=selection)
    assert refused.value.code == "not_found"
    assert User.objects.get(pk=mentor.pk).is_active


def test_deleting_more_than_the_limit_at_once_is_refused(admin, mentor, mentee, monkeypatch):
    monkeypatch.setattr(member_selection, "DELETE_AT_ONCE", 1)
    with pytest.raises(DomainError) as refused:
        prepare(admin, "delete", mentor, mentee)
    assert "At most 1 member can be deleted at once, and 2 were selected" in str(
        refused.value.message
    )
    assert MemberSelection.objects.count() == 0
    prepare(admin, "deactivate", mentor, mentee)  # other actions have no such limit
