"""«Profil de l'organisation» (/manage/settings/), its logo and its public address, and
the administrators page (/manage/administrators/): an administrator only ever edits their
own organisation; bad input is explained and changes nothing."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programs import organisations
from programs.audit import AuditAction
from programs.models import AuditEntry, Organisation, User
from tests.programs.test_organisations import JPEG, PNG, SVG, WEBP


def body_of(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return part.get_content()


SETTINGS = "/manage/settings/"
ADMINISTRATORS = "/manage/administrators/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def settings_data(org: Organisation, **overrides: object) -> dict:
    data: dict[str, object] = {
        "name_en": org.name_en,
        "name_fr": org.name_fr,
        "support_email": org.support_email,
        "default_language": org.default_language,
        "default_time_zone": org.default_time_zone,
        "video_url_template": org.video_url_template,
        "allow_video": "on",
        "allow_in_person": "on",
        "allow_phone": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def snapshot(org: Organisation) -> dict:
    org.refresh_from_db()
    return {f.name: getattr(org, f.name) for f in Organisation._meta.concrete_fields}


# --- The settings page ------------------------------------------------------------------------


def test_the_dashboard_links_to_the_organisation_profile(admin_client):
    page = admin_client.get("/manage/").content.decode()
    assert f'href="{SETTINGS}"' in page and f'href="{ADMINISTRATORS}"' in page


def test_an_administrator_saves_the_profile(admin_client, admin, org):
    page = admin_client.get(SETTINGS)
    assert page.status_code == 200
    assert 'value="America/Toronto" selected' in page.content.decode()
    response = admin_client.post(
        SETTINGS,
        settings_data(
            org,
            name_fr="Mentorat Canada",
            support_email="aide@mentor.test",
            default_language="fr",
            default_time_zone="Europe/Paris",
            allow_phone=None,
        ),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name_fr == "Mentorat Canada" and org.support_email == "aide@mentor.test"
    assert org.default_time_zone == "Europe/Paris" and not org.allow_phone
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_EDIT)
    assert entry.details["allow_phone"] == [True, False]
    assert entry.details["support_email"] == [
        "systems.tests@mentoringcanada.ca",
        "aide@mentor.test",
    ]
    assert set(entry.details) == {
        "name_fr", "support_email", "default_language", "default_time_zone", "allow_phone"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"allow_video": None, "allow_in_person": None, "allow_phone": None}, "at least one"),
        ({"video_url_template": "http://meet.example.org/{uid}"}, "https://"),
        ({"video_url_template": "https://meet.example.org/room"}, "{uid}"),
        ({"support_email": "nope"}, "valid email"),
        ({"name_en": ""}, "required"),
        ({"default_time_zone": "Mars/Olympus"}, "valid choice"),
        ({"default_language": "de"}, "valid choice"),
    ],
)
def test_bad_settings_are_explained_and_change_nothing(admin_client, org, overrides, message):
    before = snapshot(org)
    response = admin_client.post(SETTINGS, settings_data(org, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before
    assert not AuditEntry.objects.exists()


def test_the_settings_page_speaks_french(admin, client, org):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    client.cookies["django_language"] = "fr"
    page = client.get(SETTINGS).content.decode()
    assert "Profil de l’organisation" in page or "Profil de l'organisation" in page
    response = client.post(SETTINGS, settings_data(org, allow_video=None, allow_in_person=None,
                                                    allow_phone=None))  # fmt: skip
    assert "Autorisez au moins un type de réunion." in response.content.decode()


def test_an_administrator_only_ever_edits_their_own_organisation(outsider_client, org, other_org):
    before = snapshot(org)
    # No page names an organisation: the outsider's post changes their own, never ours.
    response = outsider_client.post(SETTINGS, settings_data(other_org, name_en="Hijacked"))
    assert response.status_code == 302
    assert snapshot(org) == before
    other_org.refresh_from_db()
    assert other_org.name_en == "Hijacked"
    page = outsider_client.get(SETTINGS).content.decode()
    assert "Mentor Canada" not in page and org.support_email not in page


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_members_are_refused_the_settings_and_administrators_pages(client, org, who, request):
    person = request.getfixturevalue(who)
    client.force_login(person)
    before = snapshot(org)
    for url in (SETTINGS, ADMINISTRATORS, reverse("web:organisation_logo_set")):
        assert client.get(url).status_code in (404, 405)
    assert client.post(SETTINGS, settings_data(org, name_en="X")).status_code == 404
    assert client.post(ADMINISTRATORS, {"first_name": "A", "last_name": "B",
                                        "email": "a@b.test", "language": "en"}).status_code == 404  # fmt: skip
    assert snapshot(org) == before and not User.objects.filter(email="a@b.test").exists()


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(SETTINGS)["Location"].startswith("/login/")


def test_booking_offers_only_the_types_the_settings_allow(admin_client, org, relationship):
    admin_client.post(SETTINGS, settings_data(org, allow_video=None, allow_phone=None))
    page = admin_client.get(reverse("web:meeting_book", args=[relationship.pk])).content.decode()
    assert 'value="in_person"' in page
    assert 'value="video"' not in page and 'value="phone"' not in page


# --- The logo --------------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str = "logo.png", kind: str = "image/png"):
    return client.post(
        reverse("web:organisation_logo_set"),
        {"logo": SimpleUploadedFile(name, content, content_type=kind)},
    )


@pytest.mark.parametrize(
    ("content", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_a_logo_is_uploaded_and_served_with_long_cache_headers(
    admin_client, client, org, content, kind
):
    # The name says nothing: the bytes decide.
    assert upload(admin_client, content, name="whatever.bin", kind="text/plain").status_code == 302
    org.refresh_from_db()
    url = f"/org/{org.slug}/logo/{org.logo_version}/"
    assert organisations.logo_path(org) == url
    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.getvalue() == content
    assert response["Content-Type"] == kind
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "public" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert anonymous.head(url).status_code == 200
    header = admin_client.get("/manage/").content.decode()
    assert f'<img class="org-logo" src="{url}" alt="Mentor Canada">' in header


def test_members_see_the_logo_and_outsiders_do_not(admin, mentor, outsider, client, org):
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    org.refresh_from_db()
    client.force_login(mentor)
    assert f"/org/{org.slug}/logo/1/" in client.get("/profile/").content.decode()
    client.force_login(outsider)
    assert "/logo/" not in client.get("/manage/").content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (SVG, "logo.svg", "PNG, JPEG or WebP"),
        (b"just some text, honestly", "logo.png", "PNG, JPEG or WebP"),
        (PNG + b"\x00" * (512 * 1024), "big.png", "at most 512 KB"),
    ],
)
def test_a_bad_logo_is_explained_and_changes_nothing(admin_client, org, content, name, message):
    before = snapshot(org)
    response = upload(admin_client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before and not AuditEntry.objects.exists()


def test_the_logo_error_is_translated(admin, client, org):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    client.cookies["django_language"] = "fr"
    response = upload(client, SVG, name="logo.svg")
    assert "Le logo doit être une image PNG, JPEG ou WebP." in response.content.decode()


def test_no_logo_is_a_404_and_an_old_version_goes_to_the_current(admin, client, org):
    assert client.get(f"/org/{org.slug}/logo/0/").status_code == 404
    assert client.get("/org/nowhere/logo/1/").status_code == 404
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    organisations.organisation_logo_set(actor=admin, organisation=org, content=JPEG)
    old = client.get(f"/org/{org.slug}/logo/1/")
    assert old.status_code == 302 and old["Location"] == f"/org/{org.slug}/logo/2/"
    assert client.get(f"/org/{org.slug}/logo/3/").status_code == 404


def test_removing_the_logo(admin_client, client, org, admin):
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    response = admin_client.post(reverse("web:organisation_logo_remove"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert not org.logo
    assert client.get(f"/org/{org.slug}/logo/{org.logo_version}/").status_code == 404
    assert "org-logo" not in admin_client.get("/manage/").content.decode()


def test_an_outsider_removing_a_logo_removes_only_their_own(outsider_client, admin, org):
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    outsider_client.post(reverse("web:organisation_logo_remove"))
    org.refresh_from_db()
    assert org.logo


# --- Administrators --------------------------------------------------------------------------


def test_the_administrators_page_lists_only_this_programs_administrators(
    admin_client, admin, mentor, outsider
):
    page = admin_client.get(ADMINISTRATORS).content.decode()
    assert admin.email in page
    assert outsider.email not in page and mentor.email not in page


@pytest.mark.django_db(transaction=True)
def test_an_invited_administrator_chooses_a_password_and_lands_on_manage(admin, org):
    inviter = Client()
    inviter.force_login(admin)
    response = inviter.post(
        ADMINISTRATORS,
        {"first_name": "Ada", "last_name": "Second", "email": "ada@mentor.test", "language": "en"},
    )
    assert response.status_code == 302
    invited = User.objects.get(email="ada@mentor.test")
    assert invited.role == "admin" and not invited.has_usable_password()
    assert AuditEntry.objects.filter(action=AuditAction.ADMIN_INVITE, target_id=invited.pk).exists()

    assert len(mail.outbox) == 1
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert "ada@mentor.test" in parsed["To"]
    text = body_of(parsed, "plain")
    assert "password:" not in text.lower()
    found = re.search(r"https?://[^/\s]+(/welcome/\S+/)", text)
    assert found is not None, text

    newcomer = Client()
    page = newcomer.get(found.group(1), follow=True)
    assert page.context["validlink"]
    chosen = "a long passphrase of Ada's 9"
    done = newcomer.post(
        page.redirect_chain[-1][0], {"new_password1": chosen, "new_password2": chosen}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/manage/"
    invited.refresh_from_db()
    assert invited.check_password(chosen)


@pytest.mark.parametrize(
    ("email_address", "message"),
    [("oscar@elsewhere.test", "already has a Tandem account"), ("bad", "valid email")],
)
def test_a_bad_invitation_is_explained_and_adds_nobody(
    admin_client, outsider, email_address, message
):
    before = User.objects.count()
    response = admin_client.post(
        ADMINISTRATORS,
        {"first_name": "A", "last_name": "B", "email": email_address, "language": "en"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Elsewhere" not in body
    assert User.objects.count() == before and not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_logo_is_served_through_the_asgi_application(admin, org):
    """The production entry point routes some prefixes to its own public app: the logo's
    address must reach Django there too."""
    import asyncio

    from channels.testing import HttpCommunicator

    from server.asgi import application

    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    org.refresh_from_db()

    async def fetch() -> dict:
        communicator = HttpCommunicator(
            application, "GET", organisations.logo_path(org), headers=[(b"host", b"127.0.0.1")]
        )
        # Read the parts by hand: a streamed response's last part may carry no body, which
        # HttpCommunicator.get_response does not expect.
        await communicator.send_input({"type": "http.request", "body": b""})
        response = await communicator.receive_output(10)
        response["body"] = b""
        while True:
            part = await communicator.receive_output(10)
            response["body"] += part.get("body", b"")
            if not part.get("more_body"):
                return response

    response = asyncio.run(fetch())
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert response["status"] == 200 and response["body"] == PNG
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.django_db(transaction=True)
def test_emails_carry_the_logo_as_an_absolute_address(admin, org, settings):
    settings.SITE_URL = "https://tandem.example.org"
    organisations.organisation_logo_set(actor=admin, organisation=org, content=PNG)
    organisations.administrator_invite(
        actor=admin, first_name="Ada", last_name="S", email="ada@mentor.test", language="fr"
    )
    [sent] = mail.outbox
    parsed = email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
    page = body_of(parsed, "html")
    found = re.search(r'<img[^>]*class="logo"[^>]*>', page)
    assert found is not None, page
    assert f'src="https://tandem.example.org/org/{org.slug}/logo/1/"' in found.group(0)
    assert 'alt="Mentor Canada"' in found.group(0)
