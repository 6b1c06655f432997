"""Platform staff's organisation desk (/staff/organisations/): the list with member
counts, «Nouvelle organisation» with its first administrator, the visibility settings.
Nobody but staff sees any of it (404)."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import Client

from programs.audit import AuditAction
from programs.models import AuditEntry, Organisation, User


def body_of(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return part.get_content()


LIST = "/staff/organisations/"
NEW = "/staff/organisations/new/"


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "sam@tandem.test", "pw", first_name="Sam", last_name="Staff", is_staff=True
    )


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def new_data(**overrides: str) -> dict:
    return {
        "name_en": "Northern Lights",
        "name_fr": "Aurores boréales",
        "slug": "northern-lights",
        "support_email": "help@northern.test",
        "first_name": "Nadia",
        "last_name": "North",
        "email": "nadia@northern.test",
        "language": "fr",
    } | overrides


def rows() -> tuple[int, int, int]:
    return Organisation.objects.count(), User.objects.count(), AuditEntry.objects.count()


def test_the_list_shows_every_organisation_with_its_counts(
    staff_client, admin, mentor, mentee, outsider, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        page = staff_client.get(LIST)
    html = page.content.decode()
    assert "Mentor Canada" in html and "Elsewhere Mentoring" in html
    org = Organisation.objects.get(slug="mentor-canada")
    row = re.search(rf'data-organisation="{org.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert '<td data-count="members">2</td>' in row.group(1)
    assert '<td data-count="administrators">1</td>' in row.group(1)
    assert f'href="{NEW}"' in html


@pytest.mark.django_db(transaction=True)
def test_staff_create_an_organisation_and_its_administrator_is_invited(staff_client):
    response = staff_client.post(NEW, new_data())
    organisation = Organisation.objects.get(slug="northern-lights")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/organisations/{organisation.pk}/"
    administrator = organisation.members.get()
    assert administrator.is_org_admin and not administrator.has_usable_password()
    assert AuditEntry.objects.filter(action=AuditAction.ORGANISATION_CREATE).count() == 1
    assert len(mail.outbox) == 1
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert "nadia@northern.test" in parsed["To"]
    text = body_of(parsed, "plain")
    assert re.search(r"https?://[^/\s]+/welcome/\S+/", text)
    assert "mot de passe temporaire" not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "mentor-canada"}, "already taken"),
        ({"slug": "two words"}, "slug"),
        ({"email": "oscar@elsewhere.test"}, "already has a Tandem account"),
        ({"email": "nope"}, "valid email"),
        ({"support_email": ""}, "required"),
        ({"name_en": ""}, "required"),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(
    staff_client, org, outsider, overrides, message
):
    before = rows()
    response = staff_client.post(NEW, new_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Elsewhere" not in body
    assert rows() == before


def test_staff_change_visibility_and_it_is_logged(staff_client, org):
    url = f"/staff/organisations/{org.pk}/"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"messages_in_reports": "on"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.messages_in_reports and not org.notes_in_reports
    entry = AuditEntry.objects.get(action=AuditAction.VISIBILITY_EDIT)
    assert entry.details == {"messages_in_reports": [False, True]}


@pytest.mark.parametrize("who", ["admin", "mentor", "outsider"])
def test_nobody_but_staff_reaches_the_desk(client, org, who, request):
    person = request.getfixturevalue(who)
    client.force_login(person)
    before = rows()
    for url in (LIST, NEW, f"/staff/organisations/{org.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(NEW, new_data()).status_code == 404
    assert (
        client.post(f"/staff/organisations/{org.pk}/", {"notes_in_reports": "on"}).status_code
        == 404
    )
    org.refresh_from_db()
    assert not org.notes_in_reports and rows() == before


def test_staff_navigation_names_the_desk(staff_client):
    page = staff_client.get(LIST).content.decode()
    assert 'href="/staff/organisations/" class="active"' in page
