"""The audit log: entries carry who, what, how many and from where; nothing changes one."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from programs.audit import AuditAction, audit_record, audit_source
from programs.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_entry_copies_names_and_the_source(admin, mentor):
    with audit_source("203.0.113.9"):
        entry = audit_record(
            actor=admin,
            organisation_id=admin.organisation_id,
            action=AuditAction.MEMBER_DEACTIVATE,
            target=mentor,
            details={"field": "is_active"},
        )
    entry.refresh_from_db()
    assert entry.actor_id == admin.pk and entry.actor_name == admin.full_name
    assert (entry.target_type, entry.target_id) == ("user", mentor.pk)
    assert entry.target_label == mentor.full_name
    assert entry.source == "203.0.113.9" and entry.action == "member.deactivate"


def test_the_source_is_only_set_inside_its_block(admin):
    with audit_source("manage.py members_import"):
        pass
    entry = audit_record(actor=None, organisation_id=None, action=AuditAction.MEMBER_IMPORT)
    assert entry.source == ""


def test_the_database_refuses_to_change_or_delete_an_entry(admin):
    entry = audit_record(
        actor=admin, organisation_id=admin.organisation_id, action=AuditAction.SETTINGS_EDIT
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.actor_name == admin.full_name


def test_an_entry_outlives_the_member_it_names(admin, mentor):
    audit_record(
        actor=admin,
        organisation_id=admin.organisation_id,
        action=AuditAction.MEMBER_DEACTIVATE,
        target=mentor,
    )
    mentor_id = mentor.pk
    mentor.delete()
    assert AuditEntry.objects.get(target_id=mentor_id).target_label
