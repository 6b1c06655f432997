from __future__ import annotations

import datetime

import pytest
from django.core import mail

from notifications.bell import services as bell
from notifications.models import Notification, ReleaseNote
from notifications.release_notes import services as release_notes
from programs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "support@tandem.test", "pw", first_name="Sam", last_name="Support", is_staff=True
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


NOTE = {
    "date": "2023-12-07",
    "title_en": "Video and email logs",
    "title_fr": "Vidéo et registre",
    "body_en": "## Video Conferencing\n- New [background images](https://example.org/bg).",
    "body_fr": "## Visioconférence\n- De nouvelles [images](https://example.org/bg).",
}


def test_notifications_page_lists_opens_and_deletes(client, mentor):
    note = bell.notification_send(
        user=mentor, title_en="You were matched", title_fr="Jumelé", url="/"
    )
    client.force_login(mentor)
    text = client.get("/notifications/").content.decode()
    assert "Description" in text and "Created on" in text and "Delete" in text
    assert "You were matched" in text and "data-bell-count>1<" in text
    assert client.get(f"/notifications/{note.pk}/open/").url == "/"
    note.refresh_from_db()
    assert note.read_at is not None
    client.post(f"/notifications/{note.pk}/delete/")
    assert not Notification.objects.exists()


def test_notifications_page_in_french(client, mentee):
    bell.notification_send(user=mentee, title_en="You were matched", title_fr="Vous êtes jumelé")
    client.force_login(mentee)
    text = client.get("/notifications/").content.decode()
    assert "Vous êtes jumelé" in text and "Créé le" in text and "Supprimer" in text


def test_someone_elses_notification_is_a_404(client, mentor, outsider):
    theirs = bell.notification_send(user=outsider, title_en="Private", title_fr="Privé")
    client.force_login(mentor)
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_staff_write_preview_and_publish_a_release_note(
    staff_client, admin, mentor, outsider, client, django_capture_on_commit_callbacks
):
    response = staff_client.post("/staff/release-notes/new/", NOTE)
    note = ReleaseNote.objects.get()
    assert response.url == f"/staff/release-notes/{note.pk}/"
    preview = staff_client.get(response.url).content.decode()
    assert "Release Notes for Thursday, December 7, 2023" in preview
    assert "Notes de mise à jour du jeudi 7 décembre 2023" in preview
    assert (
        '<a href="https://example.org/bg" rel="noopener noreferrer">background images</a>'
        in preview
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/staff/release-notes/{note.pk}/publish/")
    assert set(Notification.objects.values_list("user_id", flat=True)) == {admin.pk, outsider.pk}
    assert mail.outbox == []

    client.force_login(admin)
    bell = client.get("/notifications/").content.decode()
    assert "Release Notes for Thursday, December 7, 2023" in bell
    notification = Notification.objects.get(user=admin)
    page = client.get(client.get(f"/notifications/{notification.pk}/open/").url)
    assert "Video Conferencing" in page.content.decode()
    assert "Video Conferencing" in client.get("/release-notes/").content.decode()


def test_bad_release_note_shows_the_error_and_saves_nothing(staff_client):
    response = staff_client.post(
        "/staff/release-notes/new/", {**NOTE, "body_en": "## A\n- [x](javascript:alert(1))"}
    )
    assert response.status_code == 200
    assert "links must start with https://" in response.content.decode()
    assert not ReleaseNote.objects.exists()


def test_mentors_and_mentees_never_see_release_notes(client, mentor, staff):
    note = release_notes.release_note_save(
        actor=staff, date=datetime.date(2023, 12, 7), title_en="T", body_en="## A\n- b"
    )
    ReleaseNote.objects.filter(pk=note.pk).update(published_at="2023-12-11T10:30Z")
    client.force_login(mentor)
    assert client.get("/release-notes/").status_code == 404
    assert client.get(f"/release-notes/{note.pk}/").status_code == 404
    assert "Release notes" not in client.get("/").content.decode()


def test_admins_cannot_use_the_staff_desk(admin_client, staff):
    note = release_notes.release_note_save(
        actor=staff, date=datetime.date(2023, 12, 7), title_en="T", body_en="## A\n- b"
    )
    for path in (
        "/staff/release-notes/",
        "/staff/release-notes/new/",
        f"/staff/release-notes/{note.pk}/",
    ):
        assert admin_client.get(path).status_code == 404, path
    assert admin_client.post(f"/staff/release-notes/{note.pk}/publish/").status_code == 404
    note.refresh_from_db()
    assert note.published_at is None


def test_unpublished_notes_are_not_shown_to_admins(admin_client, staff):
    note = release_notes.release_note_save(
        actor=staff, date=datetime.date(2023, 12, 7), title_en="Secret draft", body_en="## A\n- b"
    )
    assert admin_client.get(f"/release-notes/{note.pk}/").status_code == 404
    assert "Secret draft" not in admin_client.get("/release-notes/").content.decode()


def test_staff_land_on_their_desk(staff_client):
    assert staff_client.get("/").url == "/staff/release-notes/"
