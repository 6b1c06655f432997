"""A preview is the send: for the same recipient, the subject, the plain text and the HTML
an administrator previews are exactly what the recipient receives, the open-tracking
pixel aside (a preview must not count as an open)."""

from __future__ import annotations

import re

import pytest
from django.core import mail as django_mail

from notifications.community import selectors as community
from notifications.community import services as community_services
from notifications.email.render import Wording
from notifications.models import Audience, EmailLog
from notifications.system_messages import selectors as system_message_selectors
from notifications.system_messages import services as system_messages
from notifications.system_messages.services import email_send_system
from tests.emails import html_part

pytestmark = pytest.mark.django_db

PIXEL = re.compile(r'<img src="[^"]*/o/[^"]+\.gif"[^>]*>\n')


def without_pixel(html: str) -> str:
    """The page with its one pixel removed (and proof that there was exactly one)."""
    stripped, count = PIXEL.subn("", html)
    assert count == 1
    return stripped


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_system_message_preview_is_what_the_recipient_gets(
    admin, language, django_capture_on_commit_callbacks
):
    system_messages.system_message_save(
        actor=admin,
        key="matched",
        subject_en="{full_name}, meet {partner_name}",
        body_en="Hello {first_name},\n\nYou are matched with {partner_name} at {org_name}.\n\n"
        "See {here} or write to {admin_email}.",
        subject_fr="{full_name}, voici {partner_name}",
        body_fr="Bonjour {first_name},\n\nVous êtes jumelé·e avec {partner_name} chez "
        "{org_name}.\n\nVoyez {here} ou écrivez à {admin_email}.",
    )
    admin.language = language
    admin.save(update_fields=["language"])
    [preview] = [
        p
        for p in system_message_selectors.system_message_preview(viewer=admin, key="matched")
        if p.language == language
    ]
    values = system_message_selectors.sample_values(
        viewer=admin, organisation=admin.organisation, language=language
    )
    with django_capture_on_commit_callbacks(execute=True):
        log = email_send_system(key="matched", recipient=admin, values=values)
    log.refresh_from_db()

    assert (log.subject, log.body_text) == (preview.subject, preview.email.text)
    assert without_pixel(log.body_html) == preview.html
    [sent] = django_mail.outbox
    assert (sent.subject, sent.body) == (preview.subject, preview.email.text)
    assert without_pixel(html_part(sent)) == preview.html
    assert "Alex Martin" in preview.html and "Michele" in preview.email.text


def test_a_community_message_preview_is_what_each_recipient_gets(
    admin, mentor, mentee, django_capture_on_commit_callbacks
):
    message = community_services.community_message_save(
        actor=admin,
        audience=Audience.ALL,
        subject_en="News for {full_name}",
        body_en='<p>Hello <strong>{first_name}</strong>, see <a href="https://x.test">this</a>.</p>',
        subject_fr="Nouvelles pour {Nom complet}",
        body_fr="<p>Bonjour <strong>{prénom}</strong>, bienvenue chez {organisation}.</p>",
    )
    previews = {
        person.pk: community.community_email_render(message=message, recipient=person)
        for person in (mentor, mentee)
    }
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_message_send(actor=admin, message=message)

    for person in (mentor, mentee):
        log = EmailLog.objects.get(community_message=message, recipient=person)
        preview = previews[person.pk]
        assert preview.language == person.language
        assert (log.subject, log.body_text) == (preview.subject, preview.text)
        assert without_pixel(log.body_html) == preview.html
        [sent] = [m for m in django_mail.outbox if m.to[0].endswith(f"<{person.email}>")]
        assert (sent.subject, sent.body) == (preview.subject, preview.text)
        assert without_pixel(html_part(sent)) == preview.html
    assert previews[mentee.pk].subject == "Nouvelles pour Charlotte Test"
    assert previews[mentor.pk].subject == "News for Anna Carter"


def test_one_language_rule_the_recipients_version_or_the_other():
    both = Wording("S en", "B en", "S fr", "B fr")
    assert both.in_language("fr") == ("S fr", "B fr")
    assert both.in_language("en") == ("S en", "B en")
    english_only = Wording(subject_en="S en", body_en="B en")
    assert english_only.in_language("fr") == ("S en", "B en")
    french_only = Wording(subject_fr="S fr", body_fr="B fr")
    assert french_only.in_language("en") == ("S fr", "B fr")
