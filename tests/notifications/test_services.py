from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from notifications.bell import selectors
from notifications.bell import services as bell
from notifications.models import Notification, ReleaseNote
from notifications.release_notes import services as release_notes
from programs.errors import DomainError
from programs.models import Role, User
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

BODY = "## Email Logs\n- Our [email logs](https://example.org/logs) now show statuses."


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "support@tandem.test", "pw", first_name="Sam", last_name="Support", is_staff=True
    )


def write_note(staff, **overrides) -> ReleaseNote:
    fields = {
        "date": datetime.date(2023, 12, 7),
        "title_en": "Video and email logs",
        "title_fr": "Vidéo et registre des courriels",
        "body_en": BODY,
        "body_fr": "## Registre des courriels\n- Les statuts apparaissent.",
        **overrides,
    }
    return release_notes.release_note_save(actor=staff, **fields)


def test_notification_titles_in_both_languages(staff):
    note = write_note(staff)
    assert release_notes.notification_titles(note) == (
        "Release Notes for Thursday, December 7, 2023",
        "Notes de mise à jour du jeudi 7 décembre 2023",
    )


def test_publishing_notifies_every_active_admin_of_every_organisation_once(
    staff, admin, mentor, mentee, outsider, outsider_mentor, org, django_capture_on_commit_callbacks
):
    retired = make_member(
        org, "old@mentor.test", "Old", "Admin", Role.ADMINISTRATOR, is_active=False
    )
    note = write_note(staff)
    with django_capture_on_commit_callbacks(execute=True):
        # The delivery job is enqueued after commit; q2 runs it in-process in tests.
        release_notes.release_note_publish(actor=staff, note=note)
    holders = set(Notification.objects.filter(release_note=note).values_list("user_id", flat=True))
    assert holders == {admin.pk, outsider.pk}
    assert retired.pk not in holders
    # Each line as a Notification saved by the ORM would read (one INSERT … SELECT).
    line = Notification.objects.get(release_note=note, user=admin)
    note.refresh_from_db()
    assert (line.title_en, line.title_fr) == release_notes.notification_titles(note)
    assert line.url == reverse("web:release_note", args=[note.pk])
    assert (line.created_at, line.read_at) == (note.published_at, None)
    # A retried job adds nothing.
    assert release_notes.release_note_deliver(note_id=note.pk) == 2
    assert Notification.objects.filter(release_note=note).count() == 2
    note.refresh_from_db()
    assert note.published_at and note.delivered_at
    assert selectors.unread_count(user_id=admin.pk) == 1
    assert selectors.unread_count(user_id=mentor.pk) == 0
    assert mail.outbox == []  # no email for release notes


def test_publish_twice_is_refused(staff, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = release_notes.release_note_publish(actor=staff, note=write_note(staff))
    with pytest.raises(DomainError, match="already published"):
        release_notes.release_note_publish(actor=staff, note=note)
    assert Notification.objects.count() == 1


def test_only_staff_write_or_publish(staff, admin):
    with pytest.raises(DomainError):
        write_note(admin)
    note = write_note(staff)
    with pytest.raises(DomainError):
        release_notes.release_note_publish(actor=admin, note=note)
    note.refresh_from_db()
    assert note.published_at is None
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title_en": " "}, "English title is required"),
        ({"body_en": ""}, "English sections are required"),
        ({"body_fr": "## A\n- [x](javascript:alert(1))"}, "links must start with"),
    ],
)
def test_bad_release_notes_are_refused_and_nothing_saved(staff, overrides, message):
    with pytest.raises(DomainError, match=message):
        write_note(staff, **overrides)
    assert ReleaseNote.objects.count() == 0


def test_bell_open_delete_and_mark_all(mentor, mentee):
    first = bell.notification_send(user=mentor, title_en="One", title_fr="Un", url="/")
    bell.notification_send(user=mentor, title_en="Two", title_fr="Deux")
    bell.notification_send(user=mentee, title_en="Theirs", title_fr="Le sien")
    assert selectors.unread_count(user_id=mentor.pk) == 2
    assert selectors.unread_count(user_id=mentee.pk) == 1  # each their own
    assert bell.notification_open(notification=first) == "/"
    assert selectors.unread_count(user_id=mentor.pk) == 1
    bell.notification_delete(notification=first)
    assert selectors.unread_count(user_id=mentor.pk) == 1
    assert bell.notifications_mark_all_read(user=mentor) == 1
    assert selectors.unread_count(user_id=mentor.pk) == 0
    assert selectors.unread_count(user_id=mentee.pk) == 1
    assert selectors.unread_count(user_id=10**12) == 0  # nobody
