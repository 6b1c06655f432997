"""The «Messages générés par le système» pages (F10): list by category, edit with the
message's keywords, turn on and off, reset, preview; administrators of the organisation
only."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.urls import reverse

from notifications.models import EmailStatus, SystemMessage
from notifications.system_messages import catalogue
from notifications.system_messages.services import email_send_system
from tests.conftest import make_switched_off_message

pytestmark = pytest.mark.django_db

LIST = "/manage/system-messages/"
WELCOME = "/manage/system-messages/welcome/"

FORM = {
    "subject_en": "Hello from {org_name}",
    "body_en": "Hi {first_name},\r\n\r\nStart here: {here}",
    "subject_fr": "Bonjour de {org_name}",
    "body_fr": "Salut {first_name},\r\n\r\nCommencez ici : {here}",
}


def test_urls_are_the_named_ones():
    assert reverse("web:system_messages") == LIST
    assert reverse("web:system_message", args=["welcome"]) == WELCOME
    assert reverse("web:system_message_preview", args=["welcome"]) == WELCOME + "preview/"
    assert reverse("web:system_message_active", args=["welcome"]) == WELCOME + "active/"


def test_the_menu_links_to_the_system_messages(admin_client):
    text = admin_client.get("/manage/").content.decode()
    assert re.search(
        rf'<a href="{LIST}"[^>]*data-nav="system_messages"[^>]*>System messages</a>', text
    )


def test_the_list_shows_every_message_grouped_by_category(
    admin_client, org, django_assert_max_num_queries
):
    make_switched_off_message(
        org, "matched", subject_en="Meet {partner_name}", subject_fr="Voici {partner_name}"
    )
    with django_assert_max_num_queries(6):
        response = admin_client.get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="active" data-nav="system_messages"' in text
    for heading in ("Name", "Subject", "Status", "Tools", "Preview"):
        assert f"<th>{heading}</th>" in text
    # Categories in catalogue order, each followed by its own messages.
    sections = text.split('<details open class="system-message-category"')[1:]
    assert len(sections) == len(catalogue.CATEGORIES)
    for section, (category, label) in zip(sections, catalogue.CATEGORIES.items(), strict=True):
        assert f'data-category="{category}"' in section and str(label) in section
        expected = [d.key for d in catalogue.CATALOGUE if d.category == category]
        shown = [chunk.split('"')[0] for chunk in section.split('<tr data-message="')[1:]]
        assert shown == expected
    for default in catalogue.CATALOGUE:
        assert html.escape(str(default.name)) in text
        assert f'href="{reverse("web:system_message", args=[default.key])}"' in text
        assert f'href="{reverse("web:system_message_preview", args=[default.key])}"' in text
    assert html.escape("Welcome to {org_name}") in text
    matched = text.split('<tr data-message="matched">')[1].split("</tr>")[0]
    assert "Meet {partner_name}" in matched and 'data-status="inactive"' in matched
    assert "Inactive" in matched and "Activate" in matched and "(customised)" in matched
    welcome = text.split('<tr data-message="welcome">')[1].split("</tr>")[0]
    assert 'data-status="active"' in welcome and "Deactivate" in welcome
    assert "(customised)" not in welcome


def test_the_list_shows_french_subjects_to_a_french_administrator(admin, client):
    admin.language = "fr"
    admin.save()
    client.force_login(admin)
    client.cookies["django_language"] = "fr"
    text = client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert html.escape("Bienvenue à {org_name}") in text


def test_the_edit_page_shows_the_wording_and_this_messages_keywords(admin_client):
    text = admin_client.get("/manage/system-messages/login_information/").content.decode()
    keywords = text.split("data-keywords>")[1].split("</p>")[0]
    for keyword in ("here", "first_name", "email", "org_name", "admin_email"):
        assert f"<code>{{{keyword}}}</code>" in keywords
    assert "{partner_name}" not in keywords
    assert 'name="subject_en"' in text and 'name="body_fr"' in text
    assert 'value="Your {org_name} mentoring account"' in text
    assert "Getting started" in text and 'data-status="active"' in text
    assert 'name="reset"' not in text  # nothing to reset yet

    welcome = admin_client.get(WELCOME).content.decode()
    assert "{partner_name}" not in welcome.split("data-keywords>")[1].split("</p>")[0]


def test_saving_changes_what_members_receive(
    admin_client, org, mentor, mentee, django_capture_on_commit_callbacks
):
    response = admin_client.post(WELCOME, FORM)
    assert response.status_code == 302 and response.url == WELCOME
    own = SystemMessage.objects.get(organisation=org, key="welcome")
    assert own.active and own.body_en == "Hi {first_name},\n\nStart here: {here}"
    page = admin_client.get(WELCOME).content.decode()
    assert "Saved." in page and "Customised by your program" in page and 'name="reset"' in page

    with django_capture_on_commit_callbacks(execute=True):
        email_send_system(key="welcome", recipient=mentor, values={"here": "https://t.test/"})
        email_send_system(key="welcome", recipient=mentee, values={"here": "https://t.test/"})
    assert [m.subject for m in django_mail.outbox] == [
        "Hello from Mentor Canada",
        "Bonjour de Mentor Canada",
    ]
    assert django_mail.outbox[1].body == "Salut Charlotte,\n\nCommencez ici : https://t.test/"


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body_en", "Your password: {password}", "{password}"),  # no message has it now
        ("subject_fr", "Jumelé avec {partner_name}", "{partner_name}"),  # matched's only
        ("body_fr", "{prénom}", "{prénom}"),  # a community-message tag, not a keyword here
        ("subject_en", "{typo_name}", "{typo_name}"),
    ],
)
def test_an_unknown_keyword_is_refused_with_the_allowed_list(admin_client, org, field, text, named):
    response = admin_client.post(WELCOME, {**FORM, field: text})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    error = page.split('class="errors" role="alert">')[1].split("</div>")[0]
    assert named in error and "{here}" in error and "{org_name}" in error
    assert not SystemMessage.objects.exists()
    # What the administrator typed is kept in the form to fix.
    assert text in page


@pytest.mark.parametrize("field", ["subject_en", "body_en", "subject_fr", "body_fr"])
def test_an_empty_field_is_refused(admin_client, org, field):
    response = admin_client.post(WELCOME, {**FORM, field: "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not SystemMessage.objects.exists()


def test_a_too_long_subject_is_refused(admin_client):
    response = admin_client.post(WELCOME, {**FORM, "subject_en": "x" * 301})
    assert response.status_code == 200
    assert not SystemMessage.objects.exists()


def test_reset_restores_the_default(admin_client, org):
    admin_client.post(WELCOME, FORM)
    response = admin_client.post(WELCOME, {"reset": "1", **FORM})
    assert response.status_code == 302 and response.url == WELCOME
    assert not SystemMessage.objects.exists()
    page = admin_client.get(WELCOME).content.decode()
    assert "The default wording is back." in page
    assert 'value="Welcome to {org_name}"' in page


def test_toggling_a_message_off_and_on(admin_client, org, mentor):
    response = admin_client.post(WELCOME + "active/", {"active": "0", "next": LIST})
    assert response.status_code == 302 and response.url == LIST
    assert SystemMessage.objects.get(organisation=org, key="welcome").active is False
    text = admin_client.get(LIST).content.decode()
    assert "“Welcome” is inactive: it will not be sent." in html.unescape(text)
    assert 'data-status="inactive"' in text.split('<tr data-message="welcome">')[1]

    log = email_send_system(key="welcome", recipient=mentor, values={"here": "x"})
    assert log.status == EmailStatus.SUPPRESSED and django_mail.outbox == []

    admin_client.post(WELCOME + "active/", {"active": "1"})
    assert SystemMessage.objects.get(organisation=org, key="welcome").active is True


def test_toggling_never_redirects_off_site(admin_client):
    response = admin_client.post(
        WELCOME + "active/", {"active": "0", "next": "https://evil.example/"}
    )
    assert response.url == LIST


def test_toggling_needs_a_post(admin_client, org):
    assert admin_client.get(WELCOME + "active/?active=0").status_code == 405
    assert not SystemMessage.objects.exists()


def frame(client, key: str, language: str) -> str:
    """The preview's email in `language`, as its frame loads it."""
    response = client.get(f"/manage/system-messages/{key}/preview/{language}/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    return response.content.decode()


def test_the_preview_shows_sample_values_in_the_email_layout(admin_client, org):
    admin_client.post(
        "/manage/system-messages/matched/",
        {**FORM, "body_en": "Hi {first_name}, partner {partner_name}, link {here}, {full_name}"},
    )
    response = admin_client.get("/manage/system-messages/matched/preview/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="active" data-nav="system_messages"' in text
    assert text.count('<iframe class="email-frame" sandbox=""') == 2 and "srcdoc" not in text
    assert 'src="/manage/system-messages/matched/preview/en/"' in text
    english = frame(admin_client, "matched", "en")
    assert f'Hi Michele, partner Alex Martin, link <a href="{settings.SITE_URL}/"' in english
    assert "Michele Mantero" in english and "Mentor Canada" in english
    assert "{" not in english.split("<body")[1]
    assert "Hello from Mentor Canada" in text  # the subject, filled
    french = frame(admin_client, "matched", "fr")
    assert "Salut Michele," in french


def test_the_preview_shows_the_administrators_html_as_text(admin_client):
    admin_client.post(
        WELCOME,
        {**FORM, "body_en": '<script>alert("x")</script><img src=x onerror=alert(1)> {first_name}'},
    )
    text = admin_client.get(WELCOME + "preview/").content.decode()
    assert "<script>alert" not in text and "<img src=x" not in text
    email = frame(admin_client, "welcome", "en")
    # Inside the email the tags are text, shown to the reader as typed.
    assert (
        '<p>&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; Michele'
        in email
    )
    assert "<script>" not in email and "<img src=x" not in email


@pytest.mark.parametrize(
    "path",
    [
        "/manage/system-messages/nope/",
        "/manage/system-messages/nope/preview/",
        "/manage/system-messages/nope/preview/en/",
        "/manage/system-messages/welcome/preview/de/",
    ],
)
def test_an_unknown_message_is_a_404(admin_client, path):
    assert admin_client.get(path).status_code == 404
    assert admin_client.post(path, FORM).status_code == 404
    assert not SystemMessage.objects.exists()


def test_turning_an_unknown_message_off_is_a_404(admin_client):
    assert (
        admin_client.post("/manage/system-messages/nope/active/", {"active": "0"}).status_code
        == 404
    )
    assert not SystemMessage.objects.exists()


PAGES = [LIST, WELCOME, WELCOME + "preview/", WELCOME + "preview/en/"]


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider_mentor"])
def test_members_get_a_404_and_change_nothing(client, request, admin, persona, org):
    client.force_login(admin)
    client.post(WELCOME, FORM)
    client.force_login(request.getfixturevalue(persona))
    for path in PAGES:
        assert client.get(path).status_code == 404, path
    assert client.post(WELCOME, {**FORM, "subject_en": "Hacked"}).status_code == 404
    assert client.post(WELCOME, {"reset": "1"}).status_code == 404
    assert client.post(WELCOME + "active/", {"active": "0"}).status_code == 404
    own = SystemMessage.objects.get()
    assert own.subject_en == "Hello from {org_name}" and own.active


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")
    response = client.post(WELCOME + "active/", {"active": "0"})
    assert response.status_code == 302
    assert not SystemMessage.objects.exists()


def test_another_organisations_administrator_never_sees_or_changes_ours(
    client, admin, outsider, org, other_org
):
    client.force_login(admin)
    client.post(WELCOME, FORM)
    client.post(WELCOME + "active/", {"active": "0"})

    client.force_login(outsider)
    # The outsider's pages show their own organisation's messages: the defaults.
    page = client.get(WELCOME).content.decode()
    assert 'value="Welcome to {org_name}"' in page and "Hello from" not in page
    listing = client.get(LIST).content.decode()
    assert 'data-status="active"' in listing.split('<tr data-message="welcome">')[1]
    preview = client.get(WELCOME + "preview/").content.decode()
    assert "Hello from" not in preview
    email = frame(client, "welcome", "en")
    assert "Elsewhere Mentoring" in email and "Hello from" not in email

    # Whatever they change is their own copy; ours is untouched.
    client.post(WELCOME, {**FORM, "subject_en": "Outsider {org_name}"})
    client.post(WELCOME + "active/", {"active": "1"})
    client.post(WELCOME, {"reset": "1"})
    ours = SystemMessage.objects.get(organisation=org)
    assert ours.subject_en == "Hello from {org_name}" and ours.active is False
    assert not SystemMessage.objects.filter(organisation=other_org).exists()
