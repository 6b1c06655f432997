"""«Supprimer un membre définitivement» (programs.member_delete): refused for an
administrator, oneself, another organisation's member, a wrong confirmation and an open
relationship, with nothing changed; otherwise the person is erased and the program's
history stays, anonymised."""

from __future__ import annotations

import pytest

from notifications.models import EmailLog, EmailStatus, Notification
from programs import selectors, services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.member_delete import address_hash, member_delete_permanently
from programs.models import (
    AuditEntry,
    FieldKind,
    MemberGroup,
    ProfileField,
    ProfileFieldValue,
    Relationship,
    User,
)
from scheduling.models import Availability, Meeting
from tests.conftest import PASSWORD, make_member
from workspace.models import Post, PrivateNote


def snapshot(person: User) -> tuple:
    person = User.objects.get(pk=person.pk)
    return (
        person.email,
        person.first_name,
        person.is_active,
        person.deleted_at,
        AuditEntry.objects.count(),
        Relationship.objects.count(),
    )


def test_refused_for_another_administrator_whatever_is_typed(admin, org):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", "admin")
    before = snapshot(other_admin)
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=admin, member=other_admin, confirmation=org.name_en)
    assert "administrator" in str(refused.value.message)
    assert snapshot(other_admin) == before


def test_refused_for_oneself(admin, org):
    before = snapshot(admin)
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=admin, member=admin, confirmation=org.name_en)
    assert "your own account" in str(refused.value.message)
    assert snapshot(admin) == before


def test_another_organisations_member_is_not_found(outsider, mentor, org):
    before = snapshot(mentor)
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=outsider, member=mentor, confirmation=org.name_en)
    assert refused.value.code == "not_found"
    assert snapshot(mentor) == before


def test_a_mentor_cannot_delete(mentor, mentee, org):
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=mentor, member=mentee, confirmation=org.name_en)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("typed", ["", "mentor canada", "Mentor Canada!", "Elsewhere Mentoring"])
def test_a_wrong_confirmation_changes_nothing(admin, mentor, typed):
    before = snapshot(mentor)
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=admin, member=mentor, confirmation=typed)
    assert "Mentor Canada" in str(refused.value.message)
    assert snapshot(mentor) == before


def test_an_open_relationship_must_end_first(admin, mentor, relationship, org):
    before = snapshot(mentor)
    with pytest.raises(DomainError) as refused:
        member_delete_permanently(actor=admin, member=mentor, confirmation=org.name_en)
    assert "open relationship" in str(refused.value.message)
    assert snapshot(mentor) == before


@pytest.mark.usefixtures("frozen", "available")
def test_deleted_member_is_erased_and_history_kept_anonymised(
    admin, mentor, mentee, relationship, book, org, admin_client, django_capture_on_commit_callbacks
):
    field = ProfileField.objects.create(
        organisation=org, name_en="Industry", name_fr="Secteur", kind=FieldKind.TEXT
    )
    ProfileFieldValue.objects.create(field=field, user=mentor, value="Banking")
    group = MemberGroup.objects.create(organisation=org, name="Cohort 2026")
    group.members.add(mentor)
    book()  # a meeting: emails to both, bell lines
    Post.objects.create(relationship=relationship, author=mentor, text="Hello")
    PrivateNote.objects.create(relationship=relationship, author=mentor, text="secret")
    services.relationship_end(actor=admin, relationship=relationship)
    meetings = Meeting.objects.filter(relationship=relationship).count()
    mentor_logs = EmailLog.objects.filter(recipient=mentor).count()
    assert meetings and mentor_logs
    old_email = mentor.email

    with django_capture_on_commit_callbacks(execute=True):
        member_delete_permanently(actor=admin, member=mentor, confirmation=" Mentor Canada ")

    gone = User.objects.get(pk=mentor.pk)
    assert gone.deleted_at is not None and not gone.is_active
    assert gone.full_name == "Deleted member"
    assert gone.first_name == gone.last_name == gone.job_title == ""
    assert old_email not in gone.email and not gone.has_usable_password()
    assert not ProfileFieldValue.objects.filter(user=mentor).exists()
    assert not group.members.filter(pk=mentor.pk).exists()
    assert not Availability.objects.filter(user=mentor).exists()
    assert not PrivateNote.objects.filter(author=mentor).exists()
    assert not Notification.objects.filter(user=mentor).exists()
    # The email log keeps its rows, the address only as its hash, no bodies.
    logs = EmailLog.objects.filter(recipient=mentor)
    assert logs.count() == mentor_logs
    assert {log.to_email for log in logs} == {f"{address_hash(old_email)}@deleted.invalid"}
    assert {(log.to_name, log.body_text, log.body_html) for log in logs} == {("", "", "")}
    assert not logs.filter(status=EmailStatus.QUEUED).exists()
    # History: the relationship, its meetings and the posts stay, counted as before.
    assert Relationship.objects.filter(pk=relationship.pk).exists()
    assert Meeting.objects.filter(relationship=relationship).count() == meetings
    assert Post.objects.filter(relationship=relationship, author=mentor).count() == 1
    assert selectors.relationship_tab_counts(organisation_id=org.pk)["completed"] == 1
    page = admin_client.get("/manage/relationships/?tab=completed").content.decode()
    assert "Deleted member" in page and "Anna" not in page and "Charlotte" in page
    # The audit entry names who was deleted and outlives them.
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_DELETE)
    assert entry.target_id == mentor.pk and entry.target_label == "Anna Carter"
    assert entry.details["email_hash"] == address_hash(old_email)
    # Deleting again is refused.
    with pytest.raises(DomainError):
        member_delete_permanently(actor=admin, member=gone, confirmation="Mentor Canada")
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_DELETE).count() == 1


def test_a_deleted_member_cannot_sign_in(admin, mentee, client, org):
    member_delete_permanently(actor=admin, member=mentee, confirmation="Mentor Canada")
    response = client.post(
        "/login/", {"username": "charlotte@mentor.test", "password": PASSWORD}, follow=True
    )
    assert not response.wsgi_request.user.is_authenticated
    # The address is free again: the person may be invited anew one day.
    assert not User.objects.filter(email__iexact="charlotte@mentor.test").exists()


def test_a_deleted_member_is_nobody_to_pick(admin, mentee, org):
    member_delete_permanently(actor=admin, member=mentee, confirmation="Mentor Canada")
    picked = selectors.member_lookup(organisation_id=org.pk, text="")
    assert mentee.pk not in [person.pk for person in picked]
    assert admin.pk in [person.pk for person in picked]
