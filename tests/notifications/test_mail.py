"""The one email pipeline, end to end through a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from notifications.community.services import community_email_send
from notifications.email import outbox
from notifications.models import CommunityMessage, EmailLog, EmailStatus
from notifications.system_messages.services import email_send_system
from tests.conftest import make_switched_off_message

pytestmark = pytest.mark.django_db(transaction=True)


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_each_recipient_gets_their_language_and_values_over_smtp(smtp, mentor, mentee):
    english = email_send_system(
        key="welcome", recipient=mentor, values={"here": "https://t.test/p"}
    )
    french = email_send_system(key="welcome", recipient=mentee, values={"here": "https://t.test/p"})
    assert len(smtp.messages) == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}

    anna = by_to[mentor.email]
    assert anna["Subject"] == "Welcome to Mentor Canada"
    text, html = parts(anna)
    assert text.startswith("Hello Anna,")
    assert 'href="https://t.test/p"' in html  # the link is clickable
    assert "/o/" in html and ".gif" in html  # the open pixel
    assert 'style="' in html  # CSS inlined for mail clients

    charlotte = by_to[mentee.email]
    assert charlotte["Subject"] == "Bienvenue à Mentor Canada"
    assert parts(charlotte)[0].startswith("Bonjour Charlotte,")

    for log, message in ((english, anna), (french, charlotte)):
        log.refresh_from_db()
        assert log.status == EmailStatus.SENT and log.sent_at is not None
        assert log.provider_message_id == message["Message-ID"].strip("<>")


def test_a_retried_job_never_sends_twice(smtp, mentor):
    log = email_send_system(key="welcome", recipient=mentor, values={"here": "x"})
    assert len(smtp.messages) == 1
    # The broker delivers at least once: the same job again finds nothing to claim.
    assert outbox.email_deliver(log_id=log.pk) == "already-claimed"
    assert len(smtp.messages) == 1


def test_an_inactive_system_message_is_logged_and_not_sent(mentor, org):
    make_switched_off_message(org, "welcome")
    log = email_send_system(key="welcome", recipient=mentor, values={"here": "x"})
    assert log.status == EmailStatus.SUPPRESSED
    assert django_mail.outbox == []


def test_community_html_is_sanitised_and_tags_filled(mentee, org):
    message = CommunityMessage.objects.create(
        organisation=org,
        audience="all",
        subject_en="Hi {first_name}",
        body_en="<p>Hello</p>",
        subject_fr="Bonjour {prénom}",
        body_fr=(
            "<p>Bonjour {prénom} de {org_name}</p><script>alert(1)</script>"
            '<img src="https://img.test/a.png" onerror="alert(1)">'
            '<a href="javascript:alert(1)">x</a><a href="https://ok.test">ok</a>'
        ),
    )
    log = community_email_send(message=message, recipient=mentee)
    log.refresh_from_db()
    sent = django_mail.outbox[0]
    assert sent.subject == "Bonjour Charlotte"
    html = log.body_html
    assert "Bonjour Charlotte de Mentor Canada" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert 'src="https://img.test/a.png"' in html and 'href="https://ok.test"' in html
    assert "Bonjour Charlotte de Mentor Canada" in log.body_text


def test_a_tag_value_cannot_inject_html(mentee, org):
    mentee.first_name = "<b>Eve</b>"
    mentee.save()
    message = CommunityMessage.objects.create(
        organisation=org, audience="all", subject_fr="S", body_fr="<p>Bonjour {prénom}</p>"
    )
    log = community_email_send(message=message, recipient=mentee)
    assert "&lt;b&gt;Eve&lt;/b&gt;" in EmailLog.objects.get(pk=log.pk).body_html


def test_a_system_email_carries_its_generated_attachment(smtp, mentor):
    invite = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    email_send_system(
        key="meeting_invitation",
        recipient=mentor,
        values={"meeting_date": "d", "meeting_time": "t", "organiser_name": "o", "here": "h"},
        attachments=[("invite.ics", invite, "text/calendar")],
    )
    (message,) = smtp.messages
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True) == invite


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_a_calendar_part_names_its_method_as_outlook_requires(smtp, mentor, method):
    invite = f"BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nEND:VCALENDAR\r\n".encode()
    email_send_system(
        key="meeting_invitation",
        recipient=mentor,
        values={"meeting_date": "d", "meeting_time": "t", "organiser_name": "o", "here": "h"},
        attachments=[("invite.ics", invite, f"text/calendar; method={method}")],
    )
    (message,) = smtp.messages
    (attachment,) = list(message.iter_attachments())
    # Read back by the standard library's parser, as received over SMTP.
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == method
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == invite
