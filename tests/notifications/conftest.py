"""A real SMTP server on loopback (aiosmtpd) for the email tests."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.live.processes import free_port


class Inbox:
    """An aiosmtpd handler keeping every message it accepts. `replies` are answered to the
    next DATA commands instead of accepting them (e.g. "451 4.3.0 Try again later")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.replies: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def smtp_server(settings) -> tuple[Inbox, Controller]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    return inbox, controller


@pytest.fixture
def smtp(settings):
    inbox, controller = smtp_server(settings)
    yield inbox
    controller.stop()
