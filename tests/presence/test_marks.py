"""presence.marks on the real Redis: a process' marks go together, in order — heartbeats
without waiting, a connect or a close at once — and their transitions are announced."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.layers import get_channel_layer
from redis.asyncio import Redis as AsyncRedis

from presence import marks as marks_module
from presence import store
from presence.clients import aredis_client
from presence.marks import BEAT_DELAY, marks
from presence.services import SocketPresence
from realtime.groups import org_admins_group

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scripts(monkeypatch) -> list[int]:
    """How many marks each script sent to Redis carried."""
    sizes: list[int] = []
    real = marks_module.apply_marks

    async def counted(redis: AsyncRedis, batch: list[store.Mark]) -> list[bool]:
        sizes.append(len(batch))
        return await real(redis, batch)

    monkeypatch.setattr(marks_module, "apply_marks", counted)
    return sizes


def conns(user_id: int) -> str:
    return store.conns_key(user_id)


async def test_heartbeats_go_together_without_waiting(mentor, mentee, scripts):
    org_id = mentor.organisation_id
    redis = aredis_client()
    sockets = [
        SocketPresence(organisation_id=org_id, user_id=person.pk, socket=f"s.{n}")
        for n, person in enumerate((mentor, mentee, mentor))
    ]
    for socket in sockets:
        await socket.connected()
    assert scripts == [1, 1, 1]  # each connect at once: its snapshot must list its person
    before = await redis.zscore(conns(mentor.pk), "s.0")
    assert before is not None

    time.sleep(0.01)  # a later time than the connect's
    for socket in sockets:
        socket.last_write = 0.0  # past the write interval
        await socket.heartbeat()  # returns at once
    assert await redis.zscore(conns(mentor.pk), "s.0") == before  # not yet written
    await asyncio.sleep(BEAT_DELAY + 0.2)
    assert scripts == [1, 1, 1, 3]  # the three beats in one script
    for user_id, socket_name in ((mentor.pk, "s.0"), (mentee.pk, "s.1")):
        written = await redis.zscore(conns(user_id), socket_name)
        assert written is not None and written > before


async def test_a_close_after_a_beat_is_applied_after_it(mentor, scripts):
    """The close waits for nothing but is sent after the beat queued before it: a late
    beat never brings back a socket that closed."""
    org_id = mentor.organisation_id
    socket = SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="s.only")
    await socket.connected()
    socket.last_write = 0.0
    await socket.heartbeat()
    await socket.closed()
    assert scripts == [1, 2]  # the beat and the close in one script, in that order
    redis = aredis_client()
    assert await redis.zcard(conns(mentor.pk)) == 0
    assert not await redis.sismember(store.online_key(org_id), str(mentor.pk))


async def test_a_batch_announces_its_transitions(mentor, mentee, scripts):
    """Back from silence by a heartbeat (the sweeper had taken them offline): announced
    by the batch that records the beat."""
    org_id = mentor.organisation_id
    layer = get_channel_layer()
    assert layer is not None
    inbox = await layer.new_channel()
    await layer.group_add(org_admins_group(org_id), inbox)
    socket = SocketPresence(organisation_id=org_id, user_id=mentor.pk, socket="s.back")
    await socket.connected()
    assert f'"online":[{mentor.pk}]' in (await layer.receive(inbox))["payload"]
    # The sweeper's doing: out of the online set.
    await aredis_client().srem(store.online_key(org_id), str(mentor.pk))
    await asyncio.sleep(0.3)  # past the announcer's window
    socket.last_write = 0.0
    await socket.heartbeat()
    message = await asyncio.wait_for(layer.receive(inbox), BEAT_DELAY + 2)
    assert f'"online":[{mentor.pk}]' in message["payload"]
    await socket.closed()


async def test_connects_during_a_batch_in_flight_go_in_the_next_one(mentor, mentee, scripts):
    """A storm: the connects that arrive while a script is out go together next."""
    org_id = mentor.organisation_id
    people = [mentor, mentee] * 10
    sockets = [
        SocketPresence(organisation_id=org_id, user_id=person.pk, socket=f"storm.{n}")
        for n, person in enumerate(people)
    ]
    await asyncio.gather(*(socket.connected() for socket in sockets))
    assert sum(scripts) == 20
    assert len(scripts) < 20
    redis = aredis_client()
    assert await redis.zcard(conns(mentor.pk)) == 10
    await asyncio.gather(*(socket.closed() for socket in sockets))
    assert await redis.zcard(conns(mentor.pk)) == 0


async def test_redis_away_fails_a_connect_and_loses_only_beats(mentor, monkeypatch, caplog):
    socket = SocketPresence(organisation_id=mentor.organisation_id, user_id=mentor.pk, socket="s")
    away = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setattr(marks_module, "aredis_client", lambda: away)
    with pytest.raises(Exception, match="Connect|connect"):
        await socket.connected()
    socket.last_write = 0.0
    await socket.heartbeat()
    await marks().drain()
    assert "1 heartbeats not recorded" in caplog.text
    await away.aclose()


async def test_a_long_batch_goes_in_scripts_of_bounded_length(mentor, scripts, monkeypatch):
    """A script runs alone in Redis: a long queue is sent as several, in order."""
    monkeypatch.setattr(marks_module, "MAX_SCRIPT", 2)
    sockets = [
        SocketPresence(organisation_id=mentor.organisation_id, user_id=mentor.pk, socket=f"s.{n}")
        for n in range(5)
    ]
    for socket in sockets:
        await socket.heartbeat()
    await marks().drain()
    assert scripts == [2, 2, 1]
    assert await aredis_client().zcard(conns(mentor.pk)) == 5
