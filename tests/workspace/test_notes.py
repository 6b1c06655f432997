"""«Notes»: each person's own text, never shown to the partner or administrators, never
in a live event or an email."""

from __future__ import annotations

import pytest
from django.core import mail

from programs.errors import DomainError
from realtime.testing import capture_events
from workspace import selectors, services
from workspace.models import PrivateNote

SECRET = "My partner is always late"


def test_each_person_keeps_one_note(relationship, mentor, mentee):
    services.note_save(actor=mentor, relationship=relationship, text="First")
    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    services.note_save(actor=mentee, relationship=relationship, text="Mine")
    assert PrivateNote.objects.count() == 2
    mine, theirs = (
        selectors.note_of(relationship=relationship, author=p) for p in (mentor, mentee)
    )
    assert mine is not None and mine.text == SECRET
    assert theirs is not None and theirs.text == "Mine"


def test_others_cannot_write_and_long_text_is_refused(relationship, mentor, admin, third, outsider):
    for actor in (admin, third, outsider):
        with pytest.raises(DomainError):
            services.note_save(actor=actor, relationship=relationship, text="x")
    with pytest.raises(DomainError):
        services.note_save(actor=mentor, relationship=relationship, text="x" * 20001)
    assert PrivateNote.objects.count() == 0


def test_saving_sends_no_event_and_no_email(
    relationship, mentor, django_capture_on_commit_callbacks
):
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    assert sent == []
    assert not any(SECRET in m.body for m in mail.outbox)


def test_administrators_see_activity_never_text(relationship, mentor):
    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    activity = selectors.notes_activity(relationship=relationship)
    assert activity["count"] == 1
    assert SECRET not in str(activity)


def _notes_setting(org, on: bool) -> None:
    org.notes_in_reports = on
    org.save(update_fields=["notes_in_reports"])


def test_administrators_read_notes_only_with_the_setting_and_each_read_is_audited(
    relationship, mentor, mentee, admin, org, outsider, third
):
    from programs.audit import AuditAction, AuditEntry

    services.note_save(actor=mentee, relationship=relationship, text="Hers")
    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    # Off (the default): refused, nothing written to the audit log.
    with pytest.raises(DomainError) as refused:
        services.notes_admin_read(actor=admin, relationship=relationship)
    assert refused.value.code == "forbidden"
    assert not AuditEntry.objects.filter(action=AuditAction.NOTES_READ).exists()

    _notes_setting(org, True)
    relationship.organisation.refresh_from_db()
    notes = services.notes_admin_read(actor=admin, relationship=relationship)
    assert [n.text for n in notes] == [SECRET, "Hers"]  # the mentor's first
    services.notes_admin_read(actor=admin, relationship=relationship)
    entries = AuditEntry.objects.filter(action=AuditAction.NOTES_READ)
    assert entries.count() == 2  # every read
    entry = entries.first()
    assert entry is not None
    assert entry.actor_id == admin.pk and entry.count == 2
    assert entry.target_type == "relationship" and entry.target_id == relationship.pk
    assert SECRET not in f"{entry.target_label} {entry.details}"  # never the text


def test_with_the_setting_on_nobody_but_administrators_reads_the_notes(
    relationship, mentor, mentee, org, outsider, third
):
    from programs.audit import AuditEntry

    services.note_save(actor=mentor, relationship=relationship, text=SECRET)
    _notes_setting(org, True)
    relationship.organisation.refresh_from_db()
    for reader, code in ((mentee, "forbidden"), (third, "forbidden"), (outsider, "not_found")):
        with pytest.raises(DomainError) as refused:
            services.notes_admin_read(actor=reader, relationship=relationship)
        assert refused.value.code == code
    assert AuditEntry.objects.count() == 0
    # The partner's only way to a note is her own.
    assert selectors.note_of(relationship=relationship, author=mentee) is None
