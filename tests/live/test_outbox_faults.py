"""The outbox survives processes killed at bad moments (docs/email.md, "Nothing lost").

A 300-recipient community message goes out over a real SMTP server (aiosmtpd) through a
real django-q2 worker, which is killed (SIGKILL, the whole process group: a machine
dying) at one of three moments — a row committed but its job not yet queued, a row
claimed but not yet sent, an email sent but not yet recorded — and started again. The
every-minute jobs (outbox sweep, community dispatch) run as the schedule would. Then:
everyone got the email, the one in flight when the worker died "sent" got it twice with
the same Message-ID (at least once, as documented) and nobody else did, no row is left in
the queue, and the message says «Envoyé» only now."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage

import pytest
from django_q.conf import Conf

from notifications.community import services as community
from notifications.email import outbox
from notifications.models import (
    Audience,
    CommunityMessage,
    CommunityMessageStatus,
    EmailLog,
    EmailStatus,
)
from programs.models import Role, User
from tests.conftest import make_member, make_org
from tests.live.processes import server_env, spawn, terminate
from tests.notifications.conftest import smtp_server

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 300
STALE = 3  # seconds: the grace and staleness the sweeps use in this test


def people(org) -> list[User]:
    User.objects.bulk_create(
        User(
            email=f"m{n:03}@faults.test",
            organisation=org,
            role=Role.MENTEE if n % 2 else Role.MENTOR,
            first_name=f"Member{n:03}",
            last_name="Faults",
            language="fr" if n % 3 == 0 else "en",
            password="!",
        )
        for n in range(RECIPIENTS)
    )
    return list(User.objects.filter(organisation=org, role__in=[Role.MENTOR, Role.MENTEE]))


def start_worker(tmp_path, settings, crash_at: str = ""):
    env = server_env()
    env.update(
        Q_WORKERS="1",
        Q_TIMEOUT="30",
        Q_RETRY="40",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=settings.EMAIL_HOST,
        EMAIL_PORT=str(settings.EMAIL_PORT),
        EMAIL_OUTBOX_GRACE=str(STALE),
        EMAIL_SENDING_STALE=str(STALE),
        COMMUNITY_DISPATCH_STALE=str(STALE),
    )
    env.pop("TANDEM_CRASH_AT", None)
    if crash_at:
        env["TANDEM_CRASH_AT"] = crash_at
    log = tmp_path / "worker.log"
    return spawn([sys.executable, "manage.py", "qcluster"], log, env), log


def run_schedules() -> None:
    """What the every-minute schedules do, run here as often as this test needs."""
    outbox.email_outbox_sweep()
    community.community_messages_due()


@pytest.mark.parametrize(
    ("crash_at", "twice"),
    [("queued:120", 0), ("claimed:150", 0), ("sent:150", 1)],
    ids=["row written, job not queued", "row claimed, not sent", "sent, not recorded"],
)
def test_a_worker_killed_mid_message_loses_nothing(
    tmp_path, settings, monkeypatch, crash_at, twice
):
    monkeypatch.setattr(Conf, "SYNC", False)  # jobs go to the broker, for the real worker
    inbox, controller = smtp_server(settings)
    settings.EMAIL_OUTBOX_GRACE = settings.EMAIL_SENDING_STALE = STALE
    settings.COMMUNITY_DISPATCH_STALE = STALE
    org = make_org("faults", "Fault Program", "admin@faults.test")
    admin = make_member(org, "admin@faults.test", "Ada", "Admin", Role.ADMINISTRATOR)
    members = people(org)
    message = community.community_message_save(
        actor=admin, audience=Audience.ALL, subject_en="Hello {first_name}",
        body_en="<p>Hi</p>", subject_fr="Bonjour {prénom}", body_fr="<p>Salut</p>",
    )  # fmt: skip
    community.community_message_send(actor=admin, message=message)

    worker, log = start_worker(tmp_path, settings, crash_at)
    try:
        try:
            worker.wait(timeout=120)  # it kills itself at the crash point
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker never reached {crash_at}\n{log.read_text()}")
        assert worker.returncode == -signal.SIGKILL, log.read_text()
        before = len(inbox.messages)
        assert 0 < before < RECIPIENTS or crash_at.startswith("queued")
        message.refresh_from_db()
        assert message.status == CommunityMessageStatus.SENDING  # not «Envoyé» yet

        worker, log = start_worker(tmp_path, settings)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            run_schedules()
            message.refresh_from_db()
            waiting = EmailLog.objects.filter(
                community_message=message, status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]
            ).count()
            if message.status == CommunityMessageStatus.SENT and not waiting:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"not finished: {waiting} waiting\n{log.read_text()}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        terminate(worker)
        controller.stop()

    received: list[EmailMessage] = inbox.messages
    per_address = Counter(m["To"].addresses[0].addr_spec for m in received)
    assert set(per_address) == {member.email for member in members}  # everyone got it
    assert sorted(Counter(per_address.values()).items()) == (
        [(1, RECIPIENTS - 1), (2, 1)] if twice else [(1, RECIPIENTS)]
    )
    if twice:
        [again] = [address for address, count in per_address.items() if count == 2]
        copies = [m for m in received if m["To"].addresses[0].addr_spec == again]
        assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    rows = EmailLog.objects.filter(community_message=message)
    assert rows.count() == RECIPIENTS
    assert set(rows.values_list("status", flat=True)) == {EmailStatus.SENT}
    message = CommunityMessage.objects.get(pk=message.pk)
    assert message.status == CommunityMessageStatus.SENT and message.recipient_count == RECIPIENTS
    last_sent = max(sent_at for sent_at in rows.values_list("sent_at", flat=True) if sent_at)
    assert message.sent_at is not None and message.sent_at >= last_sent
