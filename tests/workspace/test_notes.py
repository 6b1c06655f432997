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
