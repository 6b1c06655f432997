"""Delivery status intake (F2): provider webhooks through anymail, and our open pixel.

The payloads under payloads/ are the providers' own webhook bodies (Mailgun "webhooks
2.0" JSON, Postmark's Delivery / Open / Bounce / SpamComplaint records). Each test sends a
real email through the pipeline first, then adapts the payload to that row — the message
id, the recipient, the event time — and, for Mailgun, signs it with the test signing key
the way Mailgun does (HMAC-SHA256 of timestamp + token).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import re
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from anymail.exceptions import AnymailInsecureWebhookWarning
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from notifications.email import pixel
from notifications.email.tracking import email_status_record, webhook_basic_auth
from notifications.models import EmailEvent, EmailLog, EmailStatus
from notifications.system_messages.services import email_send_system
from programs.errors import DomainError
from server.asgi import application
from tests.realtime.test_consumers import connect_admin, receive

PAYLOADS = Path(__file__).parent / "payloads"
BASIC_AUTH = "tandem-hooks:9QpVd3-test-only-secret"
SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0-test"
TEST_ANYMAIL = {"WEBHOOK_SECRET": BASIC_AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
MAILGUN_URL = "/anymail/mailgun/tracking/"
POSTMARK_URL = "/anymail/postmark/tracking/"


# --- helpers ---------------------------------------------------------------------------


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def mailgun_sign(body: dict, key: str = SIGNING_KEY) -> dict:
    block = body["signature"]
    block["signature"] = hmac.new(
        key.encode("ascii"), f"{block['timestamp']}{block['token']}".encode("ascii"), hashlib.sha256
    ).hexdigest()
    return body


def mailgun_event(name: str, log: EmailLog, at: datetime.datetime, key: str = SIGNING_KEY) -> dict:
    body = payload(name)
    data = body["event-data"]
    data["timestamp"] = at.timestamp()
    data["recipient"] = log.to_email
    # Mailgun reports the Message-ID header without its angle brackets.
    data["message"]["headers"]["message-id"] = log.provider_message_id.strip("<>")
    body["signature"]["timestamp"] = str(int(at.timestamp()))
    return mailgun_sign(body, key)


def postmark_event(name: str, log: EmailLog, at: datetime.datetime) -> dict:
    body = payload(name)
    body["MessageID"] = log.provider_message_id
    stamp = at.isoformat().replace("+00:00", "Z")
    for field in ("DeliveredAt", "ReceivedAt", "BouncedAt"):
        if field in body:
            body[field] = stamp
    for field in ("Recipient", "Email"):
        if field in body:
            body[field] = log.to_email
    return body


def auth_header(credentials: str | None) -> dict:
    if credentials is None:
        return {}
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def post(url: str, body: object, credentials: str | None = BASIC_AUTH):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    # A fresh client each time: providers have no session and no CSRF token.
    return Client().post(
        url, data=data, content_type="application/json", **auth_header(credentials)
    )


def state(log: EmailLog) -> tuple:
    """Everything a webhook could change, to show that a refused one changed nothing."""
    log.refresh_from_db()
    recipient = log.recipient
    assert recipient is not None
    recipient.refresh_from_db()
    return (
        log.status,
        log.status_at,
        log.opened_at,
        EmailEvent.objects.count(),
        recipient.email_problem,
        recipient.email_problem_at,
    )


def whole_seconds(value: datetime.datetime) -> datetime.datetime:
    return value.replace(microsecond=0)


def send_now(recipient) -> EmailLog:
    """A welcome email, sent through the pipeline (committed transaction: the q2 job runs)."""
    log = email_send_system(
        key="welcome", recipient=recipient, values={"here": "https://tandem.test/p"}
    )
    log.refresh_from_db()
    assert log.status == EmailStatus.SENT and log.provider_message_id
    return log


@pytest.fixture
def anymail_settings(settings):
    settings.ANYMAIL = dict(TEST_ANYMAIL)
    return settings


@pytest.fixture
def sent(django_capture_on_commit_callbacks, anymail_settings):
    """Send a welcome email to someone inside the test's transaction and return its log
    row, now "sent" with the provider message id the webhooks will name."""

    def send(recipient) -> EmailLog:
        with django_capture_on_commit_callbacks(execute=True):
            log = email_send_system(
                key="welcome", recipient=recipient, values={"here": "https://tandem.test/p"}
            )
        log.refresh_from_db()
        assert log.status == EmailStatus.SENT and log.provider_message_id
        return log

    return send


def later(log: EmailLog, minutes: float) -> datetime.datetime:
    assert log.sent_at is not None
    return whole_seconds(log.sent_at) + datetime.timedelta(minutes=minutes)


# --- statuses change -------------------------------------------------------------------


@pytest.mark.django_db
def test_mailgun_delivery_then_open_move_the_status(sent, mentor):
    log = sent(mentor)
    delivered_at, opened_at = later(log, 1), later(log, 9)

    assert (
        post(MAILGUN_URL, mailgun_event("mailgun_delivered", log, delivered_at)).status_code == 200
    )
    log.refresh_from_db()
    assert (log.status, log.status_at, log.opened_at) == ("delivered", delivered_at, None)

    assert post(MAILGUN_URL, mailgun_event("mailgun_opened", log, opened_at)).status_code == 200
    log.refresh_from_db()
    assert (log.status, log.status_at, log.opened_at) == ("opened", opened_at, opened_at)
    assert set(EmailEvent.objects.values_list("provider", flat=True)) == {"mailgun"}


@pytest.mark.django_db
def test_postmark_delivery_then_open_move_the_status(sent, mentee):
    log = sent(mentee)
    delivered_at, opened_at = later(log, 1), later(log, 30)

    assert (
        post(POSTMARK_URL, postmark_event("postmark_delivery", log, delivered_at)).status_code
        == 200
    )
    log.refresh_from_db()
    assert (log.status, log.status_at) == ("delivered", delivered_at)

    assert post(POSTMARK_URL, postmark_event("postmark_open", log, opened_at)).status_code == 200
    log.refresh_from_db()
    assert (log.status, log.status_at, log.opened_at) == ("opened", opened_at, opened_at)


@pytest.mark.django_db
def test_a_late_delivery_never_overwrites_an_open(sent, mentor):
    log = sent(mentor)
    opened_at = later(log, 5)
    assert post(POSTMARK_URL, postmark_event("postmark_open", log, opened_at)).status_code == 200
    # The delivery report was delayed and arrives after the open, about an earlier time.
    late = post(POSTMARK_URL, postmark_event("postmark_delivery", log, later(log, 1)))
    assert late.status_code == 200
    log.refresh_from_db()
    assert (log.status, log.status_at, log.opened_at) == ("opened", opened_at, opened_at)


@pytest.mark.django_db
def test_a_second_open_keeps_the_first_open_time(sent, mentor):
    log = sent(mentor)
    first = later(log, 5)
    post(MAILGUN_URL, mailgun_event("mailgun_opened", log, first))
    again = mailgun_event("mailgun_opened", log, later(log, 60))
    again["signature"]["token"] = "another-delivery-token-0123456789abcdef0123456789"
    assert post(MAILGUN_URL, mailgun_sign(again)).status_code == 200
    log.refresh_from_db()
    assert (log.status_at, log.opened_at) == (first, first)


@pytest.mark.django_db
def test_an_open_after_a_spam_report_records_the_open_without_lowering_the_status(sent, mentor):
    log = sent(mentor)
    reported_at, opened_at = later(log, 3), later(log, 4)
    post(POSTMARK_URL, postmark_event("postmark_spam_complaint", log, reported_at))
    post(POSTMARK_URL, postmark_event("postmark_open", log, opened_at))
    log.refresh_from_db()
    assert (log.status, log.status_at, log.opened_at) == ("spam", reported_at, opened_at)


@pytest.mark.django_db
def test_a_temporary_failure_is_deferred_then_delivered(sent, mentor):
    log = sent(mentor)
    deferred = mailgun_event("mailgun_failed_permanent", log, later(log, 1))
    deferred["event-data"]["severity"] = "temporary"
    deferred["event-data"]["reason"] = "generic"
    deferred["signature"]["token"] = "temporary-failure-token-0123456789abcdef01234567"
    assert post(MAILGUN_URL, mailgun_sign(deferred)).status_code == 200
    log.refresh_from_db()
    assert log.status == "deferred"
    mentor.refresh_from_db()
    assert mentor.email_problem == ""  # a retry is not a bounce

    post(MAILGUN_URL, mailgun_event("mailgun_delivered", log, later(log, 31)))
    log.refresh_from_db()
    assert log.status == "delivered"


# --- dedupe ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_webhook_is_applied_once(sent, mentor, django_capture_on_commit_callbacks):
    log = sent(mentor)
    body = mailgun_event("mailgun_delivered", log, later(log, 1))

    with django_capture_on_commit_callbacks() as first:
        assert post(MAILGUN_URL, body).status_code == 200
    with django_capture_on_commit_callbacks() as second:
        # Mailgun retries a delivery it thinks failed: the very same signed body.
        assert post(MAILGUN_URL, body).status_code == 200

    assert len(first) == 1  # email.updated for the admins
    assert second == []  # nothing changed, nobody told
    token = body["signature"]["token"]
    assert EmailEvent.objects.filter(provider="mailgun", event_id=token).count() == 1


@pytest.mark.django_db
def test_an_event_id_seen_before_changes_nothing_even_with_other_content(sent, mentor):
    log = sent(mentor)
    at = later(log, 1)
    email_status_record(
        provider="postmark",
        event_id="3719297970",
        message_id=log.provider_message_id,
        status=EmailStatus.DELIVERED,
        at=at,
    )
    again = email_status_record(
        provider="postmark",
        event_id="3719297970",
        message_id=log.provider_message_id,
        status=EmailStatus.BOUNCED,
        at=later(log, 2),
    )
    assert again is not None
    log.refresh_from_db()
    mentor.refresh_from_db()
    assert (log.status, log.status_at, mentor.email_problem) == ("delivered", at, "")
    # The same id from another provider is another event.
    email_status_record(
        provider="mailgun",
        event_id="3719297970",
        message_id=log.provider_message_id,
        status=EmailStatus.OPENED,
        at=later(log, 3),
    )
    log.refresh_from_db()
    assert log.status == "opened"


@pytest.mark.django_db(transaction=True)
def test_the_same_event_arriving_twice_at_once_is_applied_once(mentor):
    log = send_now(mentor)
    at = later(log, 1)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def deliver(status: str) -> None:
        barrier.wait()
        try:
            email_status_record(
                provider="postmark",
                event_id="3719297970",
                message_id=log.provider_message_id,
                status=status,
                at=at,
            )
            results.append("ok")
        finally:
            connection.close()

    # Two web processes receive the provider's retry while the first try still runs.
    threads = [
        threading.Thread(target=deliver, args=(status,))
        for status in ("bounced", "spam", "bounced", "spam")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == ["ok"] * 4
    assert EmailEvent.objects.filter(event_id="3719297970").count() == 1
    log.refresh_from_db()
    mentor.refresh_from_db()
    # Whichever won, only its status was applied, and the member carries that same flag.
    assert log.status in ("bounced", "spam") and mentor.email_problem == log.status


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_about_one_email_still_end_at_the_highest_status(mentor):
    log = send_now(mentor)
    statuses = ["delivered", "opened", "deferred", "sent", "delivered", "deferred"]
    barrier = threading.Barrier(len(statuses))

    def deliver(index: int, status: str) -> None:
        barrier.wait()
        try:
            email_status_record(
                provider="mailgun",
                event_id=f"token-{index}",
                message_id=log.provider_message_id,
                status=status,
                at=later(log, index + 1),
            )
        finally:
            connection.close()

    # Each reads the row, compares ranks and writes: the row lock keeps a slower
    # "delivered" from writing over an "opened" it did not see.
    threads = [threading.Thread(target=deliver, args=item) for item in enumerate(statuses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    log.refresh_from_db()
    assert (log.status, log.opened_at) == ("opened", later(log, 2))
    assert EmailEvent.objects.count() == len(statuses)


@pytest.mark.django_db
def test_postmark_bounce_retried_is_recorded_once(sent, mentor):
    log = sent(mentor)
    body = postmark_event("postmark_bounce", log, later(log, 1))
    assert post(POSTMARK_URL, body).status_code == 200
    assert post(POSTMARK_URL, body).status_code == 200
    assert list(EmailEvent.objects.values_list("provider", "event_id")) == [
        ("postmark", "3719297970")
    ]


# --- forged and malformed --------------------------------------------------------------


def _signed_bounce(log, at):
    return mailgun_event("mailgun_failed_permanent", log, at)


FORGERIES = {
    "postmark without credentials": lambda log, at: (
        POSTMARK_URL,
        postmark_event("postmark_bounce", log, at),
        None,
    ),
    "postmark with wrong credentials": lambda log, at: (
        POSTMARK_URL,
        postmark_event("postmark_bounce", log, at),
        "tandem-hooks:guess",
    ),
    "postmark with a malformed authorization": lambda log, at: (
        POSTMARK_URL,
        postmark_event("postmark_bounce", log, at),
        "no-colon-here",
    ),
    "mailgun correctly signed but without credentials": lambda log, at: (
        MAILGUN_URL,
        _signed_bounce(log, at),
        None,
    ),
    "mailgun signed with another key": lambda log, at: (
        MAILGUN_URL,
        mailgun_event("mailgun_failed_permanent", log, at, key="key-wrong"),
        BASIC_AUTH,
    ),
    "mailgun without a signature block": lambda log, at: (
        MAILGUN_URL,
        {k: v for k, v in _signed_bounce(log, at).items() if k != "signature"},
        BASIC_AUTH,
    ),
    "mailgun body altered after signing": lambda log, at: (
        MAILGUN_URL,
        {
            **_signed_bounce(log, at),
            "signature": {**_signed_bounce(log, at)["signature"], "timestamp": "1700000000"},
        },
        BASIC_AUTH,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORGERIES, ids=list(FORGERIES))
def test_forged_webhooks_are_refused_and_change_nothing(sent, mentor, case):
    log = sent(mentor)
    url, body, credentials = FORGERIES[case](log, later(log, 1))
    before = state(log)
    response = post(url, body, credentials)
    assert response.status_code == 400
    assert state(log) == before


def _mailgun_missing_event(log, at):
    body = mailgun_event("mailgun_delivered", log, at)
    del body["event-data"]["event"]
    return body


def _postmark_bad_time(log, at):
    body = postmark_event("postmark_bounce", log, at)
    body["BouncedAt"] = "2024-13-45T25:61:00Z"
    return body


MALFORMED = {
    "postmark: not JSON": lambda log, at: (POSTMARK_URL, '{"RecordType": "Bounce", '),
    "postmark: not UTF-8": lambda log, at: (POSTMARK_URL, b"\xff\xfe{\x00}"),
    "postmark: a list, not a record": lambda log, at: (
        POSTMARK_URL,
        [postmark_event("postmark_bounce", log, at)],
    ),
    "postmark: impossible time": lambda log, at: (POSTMARK_URL, _postmark_bad_time(log, at)),
    "mailgun: not JSON": lambda log, at: (MAILGUN_URL, "event-data=delivered"),
    "mailgun: signed but no event": lambda log, at: (MAILGUN_URL, _mailgun_missing_event(log, at)),
    "mailgun: signed but event-data is a string": lambda log, at: (
        MAILGUN_URL,
        mailgun_sign({**_mailgun_missing_event(log, at), "event-data": "delivered"}),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_webhooks_are_refused_and_change_nothing(sent, mentor, case):
    log = sent(mentor)
    url, body = MALFORMED[case](log, later(log, 1))
    before = state(log)
    # Authenticated: the parse itself must fail as a bad request, not a server error.
    response = post(url, body)
    assert response.status_code == 400
    assert state(log) == before


def _deeply_nested(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


HOSTILE = {
    "postmark: JSON nested 100,000 deep": lambda log, at: (POSTMARK_URL, _deeply_nested()),
    "mailgun: JSON nested 100,000 deep": lambda log, at: (MAILGUN_URL, _deeply_nested()),
    "mailgun: a JSON array": lambda log, at: (
        MAILGUN_URL,
        [mailgun_event("mailgun_delivered", log, at)],
    ),
    "mailgun: a JSON string": lambda log, at: (MAILGUN_URL, '"delivered"'),
    "mailgun: a signature block that is a list": lambda log, at: (
        MAILGUN_URL,
        {**mailgun_event("mailgun_delivered", log, at), "signature": ["t", "s"]},
    ),
    "postmark: a record whose fields are lists": lambda log, at: (
        POSTMARK_URL,
        {key: [value] for key, value in postmark_event("postmark_bounce", log, at).items()},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_bodies_are_a_bad_request_logged_in_one_line(sent, mentor, case, caplog):
    log = sent(mentor)
    url, body = HOSTILE[case](log, later(log, 1))
    before = state(log)
    caplog.clear()
    response = post(url, body)
    assert response.status_code == 400
    assert state(log) == before
    refusals = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(refusals) == 1, [record.getMessage() for record in refusals]
    assert refusals[0].exc_info is None and "webhook" in refusals[0].getMessage()


@pytest.mark.django_db
def test_a_provider_that_is_not_configured_answers_not_found(settings, sent, mentor, caplog):
    """Mailgun's URL on a deployment that set up Postmark only: anymail cannot even build
    its view without a signing key. Whoever posts there gets a 404, not a server error."""
    log = sent(mentor)
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC_AUTH, "POSTMARK_SERVER_TOKEN": "server-token"}
    before = state(log)
    caplog.clear()
    for credentials in (BASIC_AUTH, None):
        response = post(
            MAILGUN_URL, mailgun_event("mailgun_delivered", log, later(log, 1)), credentials
        )
        assert response.status_code == 404
    assert state(log) == before
    assert all(record.exc_info is None for record in caplog.records)
    assert (
        post(POSTMARK_URL, postmark_event("postmark_delivery", log, later(log, 1))).status_code
        == 200
    )


@pytest.mark.django_db
def test_the_first_open_is_the_earliest_whatever_the_order_of_arrival(sent, mentor):
    log = sent(mentor)
    early, late = later(log, 5), later(log, 30)
    assert post(MAILGUN_URL, mailgun_event("mailgun_opened", log, late)).status_code == 200
    delayed = mailgun_event("mailgun_opened", log, early)
    delayed["signature"]["token"] = "a-delayed-delivery-token-0123456789abcdef012345678"
    assert post(MAILGUN_URL, mailgun_sign(delayed)).status_code == 200
    log.refresh_from_db()
    assert log.opened_at == early
    assert log.status == "opened"


@pytest.mark.django_db
def test_without_a_configured_secret_webhooks_still_need_credentials(
    settings, django_capture_on_commit_callbacks, mentor
):
    # The deployment set only the Postmark token: anymail alone would accept anyone.
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token"}
    with django_capture_on_commit_callbacks(execute=True):
        log = email_send_system(
            key="welcome", recipient=mentor, values={"here": "https://tandem.test/p"}
        )
    log.refresh_from_db()
    body = postmark_event("postmark_bounce", log, later(log, 1))
    before = state(log)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert post(POSTMARK_URL, body, credentials=None).status_code == 400
        assert post(POSTMARK_URL, body, credentials="tandem:guess").status_code == 400
    assert state(log) == before
    assert not [w for w in caught if issubclass(w.category, AnymailInsecureWebhookWarning)]

    # The derived credentials (docs/email.md tells how to print them) are accepted.
    credentials = webhook_basic_auth()
    assert credentials.startswith("tandem:") and len(credentials) > 30
    assert post(POSTMARK_URL, body, credentials=credentials).status_code == 200
    log.refresh_from_db()
    assert log.status == "bounced"


@pytest.mark.django_db
def test_the_configured_secret_replaces_the_derived_one(anymail_settings):
    assert webhook_basic_auth() == BASIC_AUTH


# --- ignored events --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_message_id_is_ignored(sent, mentor):
    log = sent(mentor)
    body = postmark_event("postmark_bounce", log, later(log, 1))
    body["MessageID"] = "0f0e0d0c-0b0a-4909-8807-060504030201"  # sent by another system
    before = state(log)
    assert post(POSTMARK_URL, body).status_code == 200  # accepted, so not retried
    assert state(log) == before


@pytest.mark.django_db
def test_events_that_say_nothing_about_delivery_are_ignored(sent, mentor):
    log = sent(mentor)
    before = state(log)
    assert (
        post(MAILGUN_URL, mailgun_event("mailgun_unsubscribed", log, later(log, 1))).status_code
        == 200
    )
    assert state(log) == before


@pytest.mark.django_db
def test_bad_input_to_the_service_is_refused_and_changes_nothing(sent, mentor):
    log = sent(mentor)
    before = state(log)
    good = {
        "provider": "postmark",
        "event_id": "1",
        "message_id": log.provider_message_id,
        "status": EmailStatus.DELIVERED,
        "at": later(log, 1),
    }
    for bad in (
        {"status": "sending"},  # ours alone
        {"status": "suppressed"},
        {"status": "read"},
        {"at": later(log, 1).replace(tzinfo=None)},
        {"at": "2024-06-12T14:44:14Z"},
        {"provider": "  "},
    ):
        with pytest.raises(DomainError):
            email_status_record(**{**good, **bad})
    assert state(log) == before
    assert email_status_record(**{**good, "message_id": "  "}) is None
    assert email_status_record(**{**good, "message_id": "<nobody@nowhere>"}) is None
    assert state(log) == before


@pytest.mark.django_db
def test_message_ids_match_with_or_without_angle_brackets(sent, mentor):
    log = sent(mentor)
    bare = log.provider_message_id.strip("<>")
    # Mailgun's API answers "<id>", and anymail hands webhook ids back in brackets.
    EmailLog.objects.filter(pk=log.pk).update(provider_message_id=f"<{bare}>")
    post(MAILGUN_URL, mailgun_event("mailgun_delivered", log, later(log, 1)))
    log.refresh_from_db()
    assert log.status == "delivered"


# --- the member is flagged, and the admin sees it ---------------------------------------


def member_row(html: str, member) -> str:
    match = re.search(rf'<tr data-member="{member.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {member.email}"
    return match.group(1)


@pytest.mark.django_db
def test_a_bounce_flags_the_member_and_the_members_list_shows_it(
    sent, admin_client, mentor, mentee
):
    log = sent(mentor)
    bounced_at = later(log, 1)
    assert post(POSTMARK_URL, postmark_event("postmark_bounce", log, bounced_at)).status_code == 200
    log.refresh_from_db()
    mentor.refresh_from_db()
    assert log.status == "bounced"
    assert (mentor.email_problem, mentor.email_problem_at) == ("bounced", bounced_at)

    html = admin_client.get(reverse("web:members")).content.decode()
    row = member_row(html, mentor)
    assert mentor.email in row
    assert 'data-email-problem="bounced"' in row and ">Bounced</span>" in row
    assert "data-email-problem" not in member_row(html, mentee)


@pytest.mark.django_db
def test_a_spam_report_flags_the_member_and_outranks_a_later_bounce(sent, admin_client, mentee):
    log = sent(mentee)
    assert (
        post(MAILGUN_URL, mailgun_event("mailgun_complained", log, later(log, 2))).status_code
        == 200
    )
    mentee.refresh_from_db()
    assert mentee.email_problem == "spam"
    # A later bounce report about the same address does not hide the spam report.
    bounce = postmark_event("postmark_bounce", log, later(log, 3))
    post(POSTMARK_URL, bounce)
    mentee.refresh_from_db()
    assert mentee.email_problem == "spam"

    row = member_row(admin_client.get(reverse("web:members")).content.decode(), mentee)
    assert 'data-email-problem="spam"' in row and ">Spam report</span>" in row


@pytest.mark.django_db
def test_a_bounce_for_an_address_since_changed_does_not_flag_the_new_one(sent, mentor):
    log = sent(mentor)
    mentor.email = "anna.carter@new-mentor.test"
    mentor.save(update_fields=["email"])
    post(POSTMARK_URL, postmark_event("postmark_bounce", log, later(log, 1)))
    log.refresh_from_db()
    mentor.refresh_from_db()
    assert log.status == "bounced"  # the old address did bounce
    assert mentor.email_problem == ""


# --- the open pixel --------------------------------------------------------------------


async def fetch_pixel(token: str) -> Any:
    communicator = HttpCommunicator(application, "GET", f"/o/{token}.gif")
    return await communicator.get_response(timeout=10)


def assert_gif(response: dict) -> None:
    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert response["status"] == 200
    assert headers["content-type"] == "image/gif"
    assert headers["cache-control"] == "no-store"
    assert "set-cookie" not in headers
    assert response["body"].startswith(b"GIF89a") and len(response["body"]) < 100


def embedded_pixel_token(log: EmailLog) -> str:
    """The token of the very pixel URL the email carries."""
    match = re.search(
        rf'src="{re.escape(django_settings.SITE_URL)}/o/([^"/]+)\.gif"', log.body_html
    )
    assert match, "the email has no open pixel"
    assert pixel.pixel_log_id(match.group(1)) == log.pk
    return match.group(1)


@database_sync_to_async
def reload(log: EmailLog) -> EmailLog:
    return EmailLog.objects.get(pk=log.pk)


@pytest.mark.django_db(transaction=True)
async def test_the_pixel_records_the_first_open_only(mentor):
    log = await database_sync_to_async(send_now)(mentor)
    token = embedded_pixel_token(log)

    assert_gif(await fetch_pixel(token))
    first = await reload(log)
    assert first.status == "opened" and first.opened_at is not None
    assert first.status_at == first.opened_at

    assert_gif(await fetch_pixel(token))
    again = await reload(log)
    assert (again.status_at, again.opened_at) == (first.status_at, first.opened_at)
    # The pixel has no event id to dedupe on: nothing is stored per hit.
    assert await database_sync_to_async(EmailEvent.objects.count)() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_forged_pixel_gets_the_same_gif_and_records_nothing(mentor):
    log = await database_sync_to_async(send_now)(mentor)
    genuine = embedded_pixel_token(log)
    forged = [
        "MQ:1sHYsY:forgedsignature",  # log id 1 with a made-up signature
        genuine[:-3] + ("abc" if not genuine.endswith("abc") else "xyz"),
        "not-a-token",
        pixel.pixel_token(log.pk + 1000),  # genuine signature, no such email
    ]
    for token in forged:
        assert_gif(await fetch_pixel(token))
    unchanged = await reload(log)
    assert (unchanged.status, unchanged.opened_at) == ("sent", None)


async def test_the_pixel_leaves_other_paths_alone():
    response = await HttpCommunicator(application, "GET", "/o/whatever.png").get_response(
        timeout=10
    )
    assert response["status"] == 404


# --- live ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_admins_of_the_organisation_see_the_status_change_live(
    anymail_settings, admin, outsider, mentor, outsider_mentor
):
    log = await database_sync_to_async(send_now)(mentor)
    theirs = await database_sync_to_async(send_now)(outsider_mentor)
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)

    delivered_at = later(log, 1)
    body = postmark_event("postmark_delivery", log, delivered_at)
    response = await database_sync_to_async(post)(POSTMARK_URL, body)
    assert response.status_code == 200
    assert await receive(admin_ws) == {
        "event": "email.updated",
        "data": {
            "id": log.pk,
            "status": "delivered",
            "status_at": delivered_at.isoformat(),
            "opened_at": None,
        },
    }
    assert await outsider_ws.receive_nothing(timeout=0.5)

    # The other organisation's own email reaches its admins only.
    await fetch_pixel(embedded_pixel_token(theirs))
    event = await receive(outsider_ws)
    assert (event["event"], event["data"]["id"], event["data"]["status"]) == (
        "email.updated",
        theirs.pk,
        "opened",
    )
    assert await admin_ws.receive_nothing(timeout=0.5)
    for ws in (admin_ws, outsider_ws):
        await ws.disconnect()


def test_payload_fixtures_are_what_the_providers_send():
    """The fixtures keep the providers' field names; a typo would make tests vacuous."""
    mailgun = payload("mailgun_delivered")
    assert set(mailgun) == {"signature", "event-data"}
    assert {"timestamp", "token", "signature"} <= set(mailgun["signature"])
    assert {"event", "timestamp", "recipient", "message"} <= set(mailgun["event-data"])
    for name, record_type, time_field in (
        ("postmark_delivery", "Delivery", "DeliveredAt"),
        ("postmark_open", "Open", "ReceivedAt"),
        ("postmark_bounce", "Bounce", "BouncedAt"),
        ("postmark_spam_complaint", "SpamComplaint", "BouncedAt"),
    ):
        body = payload(name)
        assert body["RecordType"] == record_type and time_field in body and body["MessageID"]
