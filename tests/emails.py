"""Reading what Django's mail outbox holds (as a recipient's mail client would)."""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives


def html_part(message: EmailMessage) -> str:
    """The HTML alternative of a sent email."""
    assert isinstance(message, EmailMultiAlternatives)
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and isinstance(content, str)
    return content
