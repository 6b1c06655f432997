"""System-generated messages (F10): an organisation's wording is what its members
receive, in their own language; unknown keywords are refused; an inactive message is
logged as not sent; reset brings the shipped wording back."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.utils import translation

from notifications.models import EmailLog, EmailStatus, SystemMessage
from notifications.system_messages import catalogue
from notifications.system_messages import selectors as system_message_selectors
from notifications.system_messages import services as system_messages
from notifications.system_messages.services import email_send_system
from programs.errors import DomainError
from tests.emails import html_part

pytestmark = pytest.mark.django_db

WORDING = {
    "subject_en": "Hi from {org_name}",
    "body_en": "Dear {first_name},\n\nYour page: {here}\n\nWrite to {admin_email}.",
    "subject_fr": "Salut de {org_name}",
    "body_fr": "Chère {first_name},\n\nVotre page : {here}\n\nÉcrivez à {admin_email}.",
}


def save(actor, key: str = "welcome", **overrides) -> SystemMessage:
    return system_messages.system_message_save(actor=actor, key=key, **{**WORDING, **overrides})


def send(key: str, recipient, django_capture_on_commit_callbacks) -> EmailLog:
    # Delivery is a job enqueued after commit; q2 runs it in-process in tests.
    with django_capture_on_commit_callbacks(execute=True):
        log = email_send_system(key=key, recipient=recipient, values={"here": "https://t.test/p"})
    log.refresh_from_db()
    return log


def test_edited_wording_is_what_each_recipient_gets_in_their_language(
    admin, mentor, mentee, django_capture_on_commit_callbacks
):
    save(admin)
    english = send("welcome", mentor, django_capture_on_commit_callbacks)
    french = send("welcome", mentee, django_capture_on_commit_callbacks)

    assert [m.to for m in django_mail.outbox] == [
        ["Anna Carter <anna@mentor.test>"],
        ["Charlotte Test <charlotte@mentor.test>"],
    ]
    anna, charlotte = django_mail.outbox
    assert anna.subject == "Hi from Mentor Canada"
    assert anna.body == (
        "Dear Anna,\n\nYour page: https://t.test/p\n\nWrite to systems.tests@mentoringcanada.ca."
    )
    assert charlotte.subject == "Salut de Mentor Canada"
    assert charlotte.body.startswith("Chère Charlotte,\n\nVotre page : https://t.test/p")
    html = html_part(charlotte)
    assert "Chère Charlotte," in html and 'href="https://t.test/p"' in html
    assert english.status == french.status == EmailStatus.SENT


def test_another_organisation_keeps_the_default(admin, outsider_mentor):
    save(admin)
    log = email_send_system(key="welcome", recipient=outsider_mentor, values={"here": "x"})
    assert log.subject == "Welcome to Elsewhere Mentoring"


@pytest.mark.parametrize("field", ["subject_en", "body_en", "subject_fr", "body_fr"])
@pytest.mark.parametrize(
    ("keyword", "why"),
    [
        ("favourite_colour", "not a keyword of any message"),
        ("password", "no message sends a password"),
        ("partner_name", "a keyword of matched, not of welcome"),
    ],
)
def test_an_unknown_keyword_is_refused_and_nothing_saved(admin, field, keyword, why):
    with pytest.raises(DomainError) as caught:
        save(admin, **{field: WORDING[field] + " {" + keyword + "}"})
    message = str(caught.value.message)
    assert "{" + keyword + "}" in message, why
    # The error lists what this message may use.
    for allowed in ("{here}", "{first_name}", "{org_name}", "{admin_email}"):
        assert allowed in message
    assert "{partner_name}" not in message.split("may use")[1]
    assert not SystemMessage.objects.exists()


def test_an_unknown_keyword_leaves_an_earlier_copy_unchanged(admin):
    save(admin)
    with pytest.raises(DomainError) as caught:
        save(admin, subject_en="New {oops} and {nope}", body_fr="Tout {neuf}")
    assert "{neuf} {nope} {oops}" in str(caught.value.message)
    own = SystemMessage.objects.get()
    assert own.subject_en == WORDING["subject_en"] and own.body_fr == WORDING["body_fr"]


def test_a_keyword_of_the_message_itself_is_accepted(admin):
    own = save(
        admin,
        key="matched",
        body_en="Email: {email}\nPartner: {partner_name}\n{here}",
        body_fr="Courriel : {email}\nJumelé avec : {partner_name}\n{ici pas un mot clé",
    )
    assert own.body_en.endswith("{here}")


@pytest.mark.parametrize("field", ["subject_en", "body_en", "subject_fr", "body_fr"])
@pytest.mark.parametrize("blank", ["", "   \n  "])
def test_an_empty_subject_or_text_is_refused(admin, field, blank):
    with pytest.raises(DomainError):
        save(admin, **{field: blank})
    assert not SystemMessage.objects.exists()


def test_a_too_long_subject_is_refused(admin):
    with pytest.raises(DomainError):
        save(admin, subject_fr="x" * 301)
    assert not SystemMessage.objects.exists()


def test_a_subject_stays_on_one_line_and_bodies_use_plain_line_ends(admin):
    own = save(admin, subject_en="Hi\r\nBcc: victim@example.org", body_en="One\r\n\r\nTwo\r\n")
    assert own.subject_en == "Hi Bcc: victim@example.org"
    assert own.body_en == "One\n\nTwo"


def test_an_unknown_message_is_refused(admin):
    with pytest.raises(DomainError):
        save(admin, key="no_such_message")
    with pytest.raises(DomainError):
        system_messages.system_message_set_active(actor=admin, key="no_such_message", active=False)
    with pytest.raises(DomainError):
        system_messages.system_message_reset(actor=admin, key="no_such_message")
    assert not SystemMessage.objects.exists()


@pytest.mark.parametrize("persona", ["mentor", "mentee"])
def test_only_an_administrator_may_change_messages(request, admin, persona):
    actor = request.getfixturevalue(persona)
    save(admin)
    with pytest.raises(DomainError):
        save(actor, subject_en="Hacked")
    with pytest.raises(DomainError):
        system_messages.system_message_set_active(actor=actor, key="welcome", active=False)
    with pytest.raises(DomainError):
        system_messages.system_message_reset(actor=actor, key="welcome")
    own = SystemMessage.objects.get()
    assert own.subject_en == WORDING["subject_en"] and own.active


def test_an_inactive_message_is_logged_as_not_sent_and_reactivating_sends_again(
    admin, mentor, django_capture_on_commit_callbacks
):
    save(admin)
    system_messages.system_message_set_active(actor=admin, key="welcome", active=False)
    log = send("welcome", mentor, django_capture_on_commit_callbacks)
    assert django_mail.outbox == []
    assert log.status == EmailStatus.SUPPRESSED
    assert log.get_status_display() == "Not sent (message turned off)"
    assert log.sent_at is None and log.recipient == mentor

    # Turning it off again changes nothing; turning it on keeps the wording.
    system_messages.system_message_set_active(actor=admin, key="welcome", active=False)
    system_messages.system_message_set_active(actor=admin, key="welcome", active=True)
    log = send("welcome", mentor, django_capture_on_commit_callbacks)
    assert [m.subject for m in django_mail.outbox] == ["Hi from Mentor Canada"]
    assert log.status == EmailStatus.SENT


def test_deactivating_a_default_message_keeps_the_default_wording(
    admin, mentee, django_capture_on_commit_callbacks
):
    system_messages.system_message_set_active(actor=admin, key="matched", active=False)
    own = SystemMessage.objects.get()
    default = catalogue.BY_KEY["matched"]
    assert (own.active, own.subject_fr, own.body_en) == (False, default.subject_fr, default.body_en)
    assert send("matched", mentee, django_capture_on_commit_callbacks).status == "suppressed"
    system_messages.system_message_set_active(actor=admin, key="matched", active=True)
    send("matched", mentee, django_capture_on_commit_callbacks)
    assert django_mail.outbox[0].subject == "Votre jumelage avec {partner_name} est confirmé"


def test_saving_keeps_an_inactive_message_inactive(admin):
    system_messages.system_message_set_active(actor=admin, key="welcome", active=False)
    own = save(admin)
    assert not own.active


def test_reset_restores_the_shipped_wording(admin, mentor, django_capture_on_commit_callbacks):
    save(admin)
    system_messages.system_message_reset(actor=admin, key="welcome")
    assert not SystemMessage.objects.exists()
    send("welcome", mentor, django_capture_on_commit_callbacks)
    assert django_mail.outbox[0].subject == "Welcome to Mentor Canada"
    assert django_mail.outbox[0].body.startswith("Hello Anna,\n\nWelcome to Mentor Canada's")
    # Resetting what is already the default is harmless.
    system_messages.system_message_reset(actor=admin, key="welcome")


def test_reset_of_an_inactive_message_restores_the_wording_and_keeps_it_off(admin, mentor):
    save(admin)
    system_messages.system_message_set_active(actor=admin, key="welcome", active=False)
    system_messages.system_message_reset(actor=admin, key="welcome")
    own = SystemMessage.objects.get()
    assert not own.active and own.subject_en == "Welcome to {org_name}"
    log = email_send_system(key="welcome", recipient=mentor, values={"here": "x"})
    assert log.status == EmailStatus.SUPPRESSED and log.subject == "Welcome to Mentor Canada"


def test_the_catalogue_is_grouped_by_category_with_status_and_subject(admin, org, other_org):
    save(admin, key="matched", subject_en="Meet {partner_name}", subject_fr="Voici {partner_name}")
    system_messages.system_message_set_active(actor=admin, key="meeting_reminder", active=False)
    SystemMessage.objects.create(
        organisation=other_org, key="welcome", active=False, **WORDING
    )  # another organisation's copy changes nothing here

    categories = system_message_selectors.system_message_catalogue(
        organisation_id=org.pk, language="en"
    )
    assert [c.key for c in categories] == list(catalogue.CATEGORIES)
    keys = [m.key for c in categories for m in c.messages]
    assert keys == [d.key for d in catalogue.CATALOGUE]
    for category in categories:
        for row in category.messages:
            assert catalogue.BY_KEY[row.key].category == category.key
    rows = {m.key: m for c in categories for m in c.messages}
    assert rows["matched"].subject == "Meet {partner_name}" and rows["matched"].customised
    assert rows["matched"].active
    assert not rows["meeting_reminder"].active and not rows["meeting_reminder"].customised
    assert rows["welcome"].active and not rows["welcome"].customised
    assert rows["welcome"].subject == "Welcome to {org_name}"

    with translation.override("fr"):
        french = system_message_selectors.system_message_catalogue(organisation_id=org.pk)
    rows = {m.key: m for c in french for m in c.messages}
    assert rows["matched"].subject == "Voici {partner_name}"
    assert rows["welcome"].subject == "Bienvenue à {org_name}"


def test_the_preview_fills_sample_values_in_both_languages(admin, org):
    org.name_fr = "Mentorat Canada"
    org.save()
    save(admin, key="matched", body_en="{first_name} {partner_name} {here}")
    english, french = system_message_selectors.system_message_preview(viewer=admin, key="matched")
    assert (english.language, french.language) == ("en", "fr")
    assert english.subject == "Hi from Mentor Canada"
    assert french.subject == "Salut de Mentorat Canada"
    assert "Michele Alex Martin" in english.html
    assert "Chère Michele," in french.html
    assert "systems.tests@mentoringcanada.ca" in french.html
    for preview in (english, french):
        assert "{" not in preview.html.split("<body")[1]  # every keyword filled
        assert "<!doctype html>" in preview.html.lower()  # the real email layout
        assert 'style="' in preview.html  # CSS inlined as in the sent email
    # The layout is branded with the organisation's name in the recipient's language.
    assert "Mentorat Canada" in french.html and "Mentorat Canada" not in english.html


def test_the_preview_escapes_html_in_the_administrators_text(admin):
    save(admin, body_en="<script>alert('x')</script> <b>bold</b> {first_name}")
    english, _french = system_message_selectors.system_message_preview(viewer=admin, key="welcome")
    assert "<script>" not in english.html and "<b>" not in english.html
    assert "&lt;script&gt;" in english.html and "Michele" in english.html
