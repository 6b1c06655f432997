"""Presence on the real Redis: several tabs count once, silence expires, a dead process's
sockets age out, and each transition is announced exactly once."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer

from presence import store
from presence.clients import aredis_client, redis_client
from presence.selectors import online_among, online_user_ids
from presence.services import SocketPresence, presence_sweep
from realtime.groups import org_admins_group

pytestmark = pytest.mark.django_db(transaction=True)


async def _admin_inbox(organisation_id: int) -> tuple[BaseChannelLayer, str]:
    layer = get_channel_layer()
    assert layer is not None  # settings.CHANNEL_LAYERS names the default one
    channel = await layer.new_channel()
    await layer.group_add(org_admins_group(organisation_id), channel)
    return layer, channel


async def test_sweep_expires_silent_members_once(mentor, mentee):
    org_id = mentor.organisation_id
    for person, socket in ((mentor, "s.a"), (mentee, "s.b")):
        await SocketPresence(organisation_id=org_id, user_id=person.pk, socket=socket).connected()
    sweep = database_sync_to_async(presence_sweep)
    assert await database_sync_to_async(online_user_ids)(organisation_id=org_id) == {
        mentor.pk,
        mentee.pk,
    }
    now = time.time()
    assert await sweep(now=now) == {}
    later = now + store.threshold() + 1
    transitions = await sweep(now=later)
    assert set(transitions[org_id]) == {mentor.pk, mentee.pk}
    # A second sweeper (another process) finds nothing left to announce.
    assert await sweep(now=later) == {}
    assert await store.aonline_user_ids(aredis_client(), org_id, later) == set()
    await database_sync_to_async(mentor.refresh_from_db)()
    assert mentor.last_seen is not None


async def test_two_tabs_count_once_and_the_last_close_goes_offline(mentor):
    org_id = mentor.organisation_id
    layer, inbox = await _admin_inbox(org_id)
    tab1 = SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="tab.1")
    tab2 = SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="tab.2")
    await tab1.connected()
    await tab2.connected()
    first = await layer.receive(inbox)
    assert f'"online":[{mentor.pk}]' in first["payload"]
    await tab1.closed()
    await tab2.closed()
    second = await layer.receive(inbox)
    assert f'"offline":[{mentor.pk}]' in second["payload"]
    assert await store.aonline_user_ids(aredis_client(), org_id, time.time()) == set()


async def test_a_dead_process_socket_ages_out(mentor):
    org_id = mentor.organisation_id
    redis = aredis_client()
    now = time.time()
    crashed = store.Seen(organisation_id=org_id, user_id=mentor.pk, socket="dead.proc")
    live = store.Seen(organisation_id=org_id, user_id=mentor.pk, socket="live.tab")
    # The crashed process's socket last beat long ago and never said goodbye.
    await store.mark_seen(redis, crashed, now - store.threshold() - 5)
    await store.mark_seen(redis, live, now)
    assert await store.mark_gone(redis, live, now) is True


async def test_heartbeats_are_throttled_per_socket(mentor, settings):
    settings.PRESENCE_WRITE_INTERVAL = 10
    org_id = mentor.organisation_id
    tab = SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="tab.t")
    await tab.connected()
    written = tab.last_write
    await tab.heartbeat()
    assert tab.last_write == written  # fresh: no Redis write
    tab.last_write -= 11
    await tab.heartbeat()
    assert tab.last_write > written
    await tab.closed()


async def test_online_among_a_page_of_members_is_who_is_online(mentor, mentee, outsider):
    """A list's page asks about its own rows only (ZMSCORE): the same answer as the whole
    organisation's set, a member gone quiet is offline, another organisation's not here."""
    org_id = mentor.organisation_id
    await SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="s.m").connected()
    await SocketPresence(
        organisation_id=outsider.organisation_id, user_id=outsider.pk, socket="s.o"
    ).connected()
    among = database_sync_to_async(online_among)
    page = [mentee.pk, mentor.pk, outsider.pk, 10**9]
    assert await among(organisation_id=org_id, user_ids=page) == {mentor.pk}
    assert await among(organisation_id=org_id, user_ids=[]) == set()
    later = time.time() + store.threshold() + 1
    assert store.online_among(redis_client(), org_id, page, later) == set()
