"""«Ajouter un membre», and the member page's «Renvoyer les informations de connexion»,
«Changer le rôle» and «Date de fin»."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from programs import services
from programs.audit import AuditAction
from programs.models import AuditEntry, MemberGroup, Role, User

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "first_name": "Paul",
    "last_name": "Added",
    "email": "paul@example.org",
    "role": "mentee",
    "language": "fr",
    "time_zone": "America/Toronto",
}


def rows() -> tuple[int, int]:
    return User.objects.count(), AuditEntry.objects.count()


def test_the_members_page_links_to_the_form(admin_client):
    assert 'href="/manage/members/new/"' in admin_client.get("/manage/members/").content.decode()


def test_adding_a_member_sends_login_information(admin_client, org):
    group = MemberGroup.objects.create(organisation=org, name="Cohorte")
    page = admin_client.get("/manage/members/new/")
    text = page.content.decode()
    assert page.status_code == 200 and 'name="groups"' in text and "Cohorte" in text
    assert 'name="password' not in text
    mail.outbox.clear()
    done = admin_client.post("/manage/members/new/", {**FORM, "groups": [group.pk]})
    user = User.objects.get(email="paul@example.org")
    assert done.status_code == 302 and done["Location"] == f"/manage/members/{user.pk}/"
    assert (user.organisation_id, user.role, user.language) == (org.pk, Role.MENTEE, "fr")
    assert not user.has_usable_password()
    assert list(user.member_groups.all()) == [group]
    assert len(mail.outbox) == 1 and "/welcome/" in str(mail.outbox[0].body)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_ADD, target_id=user.pk).exists()


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ({"email": "oscar@elsewhere.test"}, "already exists"),  # another organisation's
        ({"role": "boss"}, "Select a valid choice"),
        ({"email": "not-an-address"}, "valid email"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_and_writes_nothing(admin_client, outsider, bad, error):
    before = rows()
    mail.outbox.clear()
    page = admin_client.post("/manage/members/new/", {**FORM, **bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and error in page.content.decode()
    assert rows() == before and mail.outbox == []


def test_another_organisations_group_is_not_a_choice(admin_client, other_org):
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    before = rows()
    page = admin_client.post("/manage/members/new/", {**FORM, "groups": [theirs.pk]})
    assert page.status_code == 200 and page.context["form"].errors["groups"]
    assert rows() == before


def test_mentors_and_outsiders_cannot_add_or_act_on_our_members(client, mentor, mentee, outsider):
    client.force_login(mentor)
    assert client.get("/manage/members/new/").status_code == 404
    client.force_login(outsider)
    before = rows()
    action = f"/manage/members/{mentee.pk}/action/"
    assert client.post(action, {"action": "resend"}).status_code == 404
    assert client.post(action, {"action": "role", "role": "mentor"}).status_code == 404
    assert rows() == before and User.objects.get(pk=mentee.pk).role == Role.MENTEE


def test_login_information_is_sent_again_from_the_member_page(admin_client, mentee):
    page = admin_client.get(f"/manage/members/{mentee.pk}/").content.decode()
    assert 'value="resend"' in page and 'name="role"' in page
    mail.outbox.clear()
    done = admin_client.post(f"/manage/members/{mentee.pk}/action/", {"action": "resend"})
    assert done.status_code == 302 and len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_INVITE).count() == 1


def test_a_role_change_with_an_open_relationship_is_refused_clearly(
    admin_client, mentor, relationship
):
    done = admin_client.post(
        f"/manage/members/{mentor.pk}/action/",
        {"action": "role", "role": "mentee"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "has an open relationship as mentor" in done.content.decode()
    assert User.objects.get(pk=mentor.pk).role == Role.MENTOR
    assert not AuditEntry.objects.filter(action=AuditAction.MEMBER_ROLE).exists()


def test_a_role_change_without_relationships_is_saved(admin_client, mentor):
    admin_client.post(f"/manage/members/{mentor.pk}/action/", {"action": "role", "role": "mentee"})
    assert User.objects.get(pk=mentor.pk).role == Role.MENTEE
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE)
    assert entry.details == {"old": "mentor", "new": "mentee"}


def test_the_end_date_shows_on_the_members_list_and_goes_on_reactivation(
    admin_client, admin, mentor
):
    admin_client.post(f"/manage/members/{mentor.pk}/active/", {"active": "0"})
    today = timezone.localdate()
    text = admin_client.get("/manage/members/").content.decode()
    assert f'data-ended-on="{today:%Y-%m-%d}"' in text
    services.member_set_active(actor=admin, member=mentor, active=True)
    text = admin_client.get("/manage/members/").content.decode()
    assert f'data-ended-on="{today:%Y-%m-%d}"' not in text
