"""Release notes and bell counts on real sockets (Redis channel layer)."""

from __future__ import annotations

import datetime

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from notifications.bell import services as bell
from notifications.models import Notification
from notifications.release_notes import services as release_notes
from programs.models import User
from realtime.groups import user_group
from realtime.testing import capture_events
from tests.realtime.test_consumers import connect, connect_admin, connect_member, receive

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def publish_note() -> None:
    staff = User.objects.create_user(
        "support@tandem.test", "pw", first_name="Sam", last_name="Support", is_staff=True
    )
    note = release_notes.release_note_save(
        actor=staff,
        date=datetime.date(2023, 12, 7),
        title_en="Email logs",
        body_en="## Email Logs\n- Statuses.",
    )
    release_notes.release_note_publish(actor=staff, note=note)


async def test_release_note_reaches_admin_bells_and_never_a_mentor(admin, outsider, mentor):
    admin_ws = await connect_admin(admin)
    outsider_ws = await connect_admin(outsider)
    mentor_ws = await connect_member(mentor)
    assert (await receive(admin_ws))["event"] == "presence.changed"  # the mentor arrived
    await publish_note()
    assert await receive(admin_ws) == {"event": "bell.changed", "data": {"unread": 1}}
    # Every organisation's administrators, not only ours.
    assert await receive(outsider_ws) == {"event": "bell.changed", "data": {"unread": 1}}
    assert await mentor_ws.receive_nothing(timeout=0.5)
    for ws in (admin_ws, outsider_ws, mentor_ws):
        await ws.disconnect()


async def test_bell_count_after_deletes_and_reconnects(mentor):
    ws = await connect_member(mentor)
    send = database_sync_to_async(bell.notification_send)
    await send(user=mentor, title_en="One", title_fr="Un")
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 1}}
    await send(user=mentor, title_en="Two", title_fr="Deux")
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 2}}
    first = await database_sync_to_async(Notification.objects.filter(title_en="One").get)()
    await database_sync_to_async(bell.notification_delete)(notification=first)
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 1}}
    await ws.disconnect()
    # A page that was away gets the true count the moment it reconnects.
    await send(user=mentor, title_en="Three", title_fr="Trois")
    again, connected, _ = await connect(mentor)
    assert connected
    assert await receive(again) == {"event": "bell.changed", "data": {"unread": 2}}
    await again.disconnect()


async def test_the_socket_never_counts_a_release_note_twice_or_loses_one(admin):
    from datetime import timedelta

    from realtime.groups import platform_admins_group
    from realtime.publish import acommand

    before = timezone.now() - timedelta(seconds=5)
    await database_sync_to_async(bell.notification_send)(
        user=admin, title_en="Release", title_fr="Notes"
    )
    ws = await connect_admin(admin)  # its bell says 1: the note is already counted
    # A bump for a delivery that happened before this socket counted: already included.
    await acommand(platform_admins_group(), "bell.bump", since=before.isoformat(), reason="n.1")
    assert await ws.receive_nothing(timeout=0.5)
    # A new delivery: one more.
    bumped_at = timezone.now()
    await acommand(platform_admins_group(), "bell.bump", since=bumped_at.isoformat(), reason="n.2")
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 2}}
    # The same delivery announced again (a retried job) is not counted again.
    await acommand(platform_admins_group(), "bell.bump", since=bumped_at.isoformat(), reason="n.2")
    assert await ws.receive_nothing(timeout=0.5)
    # A recount made before that delivery, arriving after it, keeps the delivery.
    await acommand(
        user_group(admin.pk),
        "bell.set",
        unread=0,
        at=(bumped_at - timedelta(milliseconds=1)).isoformat(),
    )
    assert await receive(ws) == {"event": "bell.changed", "data": {"unread": 1}}
    # A recount older than what the socket holds is ignored.
    await acommand(user_group(admin.pk), "bell.set", unread=7, at=before.isoformat())
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


def test_a_transaction_tells_each_bell_its_count_once(admin, mentor):
    """bell_changed_on_commit, without a socket: one recount per person per transaction,
    sent to that person only, however many notifications it touched."""
    with capture_events() as sent, transaction.atomic():
        for n in range(3):
            bell.notification_send(user=mentor, title_en=f"Note {n}", title_fr=f"Note {n}")
        assert sent == []  # nothing before commit
    assert [(s.group, s.event, s.data["unread"]) for s in sent] == [
        (user_group(mentor.pk), "bell.set", 3)
    ]
    assert datetime.datetime.fromisoformat(sent[0].data["at"]) <= timezone.now()
