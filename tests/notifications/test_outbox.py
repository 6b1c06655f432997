"""The outbox loses nothing (docs/email.md, "Nothing lost"): transient failures are
retried with backoff, permanent ones fail at once with their reason, a row whose job never
ran is queued again, a row whose worker died mid-send is sent again with the same
Message-ID, and a community message is «Envoyé» only once every email left the queue.
Over a real SMTP server (aiosmtpd); time moved with time-machine."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django_q.models import Schedule

from notifications.community import services as community
from notifications.email import outbox
from notifications.models import (
    Audience,
    CommunityMessageStatus,
    EmailLog,
    EmailStatus,
)
from notifications.system_messages.services import email_send_system
from tests.live.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def send_welcome(recipient) -> EmailLog:
    log = email_send_system(key="welcome", recipient=recipient, values={"here": "x"})
    log.refresh_from_db()
    return log


def sweep_at(moment: datetime.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return outbox.email_outbox_sweep()


def test_a_temporary_refusal_is_retried_until_it_goes_out(smtp, settings, mentor):
    settings.EMAIL_RETRY_DELAYS = [60, 300]
    smtp.replies = ["451 4.3.0 Mailbox busy, try again later"] * 2
    with time_machine.travel(NOW, tick=False):
        log = send_welcome(mentor)
    assert (log.status, log.attempts) == (EmailStatus.QUEUED, 1)
    assert "451" in log.error and log.retry_at == NOW + datetime.timedelta(seconds=60)
    # Not before its delay: the sweep leaves it alone, a stray job cannot claim it.
    assert sweep_at(NOW + datetime.timedelta(seconds=30))["queued"] == 0
    with time_machine.travel(NOW + datetime.timedelta(seconds=30), tick=False):
        assert outbox.email_deliver(log_id=log.pk) == "already-claimed"
    sweep_at(NOW + datetime.timedelta(seconds=61))  # second attempt: refused again
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.QUEUED, 2)
    sweep_at(NOW + datetime.timedelta(seconds=61 + 301))  # third: accepted
    log.refresh_from_db()
    assert (log.status, log.attempts, log.error) == (EmailStatus.SENT, 3, "")
    assert len(smtp.messages) == 1


def test_a_transient_failure_fails_once_every_retry_is_spent(settings, mentor):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_RETRY_DELAYS = [60, 300]
    with time_machine.travel(NOW, tick=False):
        log = send_welcome(mentor)
    sweep_at(NOW + datetime.timedelta(seconds=61))
    sweep_at(NOW + datetime.timedelta(seconds=61 + 301))
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.FAILED, 3)
    assert "refused" in log.error.lower()
    assert sweep_at(NOW + datetime.timedelta(days=1))["queued"] == 0


def test_a_permanent_refusal_fails_at_once_with_its_reason(smtp, mentor):
    smtp.replies = ["550 5.1.1 No such user here"]
    log = send_welcome(mentor)
    assert (log.status, log.attempts) == (EmailStatus.FAILED, 1)
    assert "No such user" in log.error
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (type("AnymailAPIError", (Exception,), {"status_code": 429})(), True),
        (type("AnymailAPIError", (Exception,), {"status_code": 503})(), True),
        (type("AnymailAPIError", (Exception,), {"status_code": 400})(), False),
        (type("AnymailRecipientsRefused", (Exception,), {})(), False),
        (ValueError("bad header"), False),
    ],
    ids=["refused", "timeout", "429", "503", "400", "recipients refused", "bug"],
)
def test_what_counts_as_transient(error, transient):
    assert outbox.is_transient(error) is transient


@pytest.mark.django_db  # the test's transaction never commits: no job is ever queued
def test_a_row_whose_job_was_never_queued_is_queued_by_the_sweep(smtp, settings, mentor):
    settings.EMAIL_OUTBOX_GRACE = 120
    # As if the process died between the commit and queueing the job.
    with time_machine.travel(NOW, tick=False):
        log = email_send_system(key="welcome", recipient=mentor, values={"here": "x"})
    assert smtp.messages == []
    assert sweep_at(NOW + datetime.timedelta(seconds=60))["queued"] == 0  # within grace
    assert sweep_at(NOW + datetime.timedelta(seconds=121))["queued"] == 1
    log.refresh_from_db()
    assert log.status == EmailStatus.SENT and len(smtp.messages) == 1


def test_a_row_whose_worker_died_mid_send_is_sent_again_with_the_same_message_id(
    smtp, settings, mentor
):
    settings.EMAIL_SENDING_STALE = 360
    with time_machine.travel(NOW, tick=False):
        log = send_welcome(mentor)
    first_id = smtp.messages[0]["Message-ID"]
    # The worker claimed it and died before recording the outcome (it did go out).
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENDING, status_at=NOW)
    assert sweep_at(NOW + datetime.timedelta(seconds=300))["resent"] == 0
    assert sweep_at(NOW + datetime.timedelta(seconds=361))["resent"] == 1
    log.refresh_from_db()
    assert log.status == EmailStatus.SENT and log.attempts == 2
    # At least once: the recipient may see it twice, recognisably the same email.
    assert [m["Message-ID"] for m in smtp.messages] == [first_id, first_id]


def test_a_send_interrupted_every_time_fails_instead_of_looping(smtp, settings, mentor):
    settings.EMAIL_RETRY_DELAYS = [60]
    log = send_welcome(mentor)
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENDING, status_at=NOW, attempts=2)
    assert sweep_at(NOW + datetime.timedelta(days=1))["failed"] == 1
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED and "interrupted" in log.error


def test_a_community_message_is_sent_only_when_every_email_left_the_queue(
    smtp, settings, admin, mentor, mentee, django_capture_on_commit_callbacks
):
    settings.EMAIL_RETRY_DELAYS = [60]
    message = community.community_message_save(
        actor=admin, audience=Audience.ALL, subject_en="S", body_en="<p>B</p>",
        subject_fr="", body_fr="",
    )  # fmt: skip
    smtp.replies = ["421 4.7.0 Too many connections, slow down"]  # the first email waits
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        community.community_message_send(actor=admin, message=message)
    message.refresh_from_db()
    statuses = sorted(
        EmailLog.objects.filter(community_message=message).values_list("status", flat=True)
    )
    assert statuses == [EmailStatus.QUEUED, EmailStatus.SENT]
    assert message.status == CommunityMessageStatus.SENDING and message.sent_at is None
    assert message.dispatched_at is not None
    sweep_at(NOW + datetime.timedelta(seconds=61))
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.SENT and message.sent_at is not None
    assert len(smtp.messages) == 2


@pytest.mark.django_db  # made by a migration; transactional tests flush it
def test_the_sweep_runs_every_minute():
    schedule = Schedule.objects.get(name="email-outbox-sweep")
    assert schedule.func == "notifications.tasks.email_outbox_sweep"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)


def test_the_sweep_of_a_quiet_outbox_is_a_few_queries(smtp, mentor, django_assert_max_num_queries):
    for _ in range(3):
        send_welcome(mentor)
    with django_assert_max_num_queries(5):
        assert outbox.email_outbox_sweep() == {"failed": 0, "resent": 0, "queued": 0, "messages": 0}
