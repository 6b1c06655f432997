"""The conversation over real sockets (the project's ASGI routing, real sessions, the Redis
channel layer): who hears a post, typing and read receipts from the browser, the partner's
presence, and catching up after a reconnection."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from programs.models import Role
from tests.conftest import make_member
from tests.realtime.helpers import communicator, session_cookie_for
from workspace import conversation
from workspace.models import ReadMark

pytestmark = pytest.mark.django_db(transaction=True)

post_create = database_sync_to_async(conversation.post_create)


async def connect(user):
    cookie = await database_sync_to_async(session_cookie_for)(user)
    comm = communicator(cookie)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def frames(comm, timeout: float = 0.7) -> list[dict]:
    """Every frame the socket gets until it is quiet for `timeout` seconds."""
    got = []
    # receive_nothing() peeks; a receive_from() that times out would cancel the consumer.
    while not await comm.receive_nothing(timeout=timeout):
        got.append(orjson.loads(await comm.receive_from(timeout=1)))
    return got


async def until(comm, event: str, timeout: float = 3) -> dict:
    """The data of the next `event` frame (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = orjson.loads(await comm.receive_from(timeout=timeout))
            if message["event"] == event:
                return message.get("data", {})


def named(got: list[dict], prefix: str) -> list[dict]:
    return [f for f in got if f["event"].startswith(prefix)]


@pytest.fixture
def third(org):
    return make_member(org, "third@mentor.test", "Theo", "Third", Role.MENTOR)


async def test_the_post_reaches_the_pair_and_nobody_else(
    relationship, mentor, mentee, admin, third, outsider
):
    sockets = {p: await connect(p) for p in (mentor, mentee, third, admin, outsider)}
    for ws in sockets.values():
        await frames(ws, 0.5)  # connect frames and presence
    await post_create(author=mentor, relationship=relationship, text="<b>hi</b>")
    got = await until(sockets[mentee], "post.created")
    assert got["html"] == "&lt;b&gt;hi&lt;/b&gt;" and got["author_id"] == mentor.pk
    assert (await until(sockets[mentor], "post.created"))["post_id"] == got["post_id"]
    for someone in (third, admin, outsider):
        heard = await frames(sockets[someone])
        assert not named(heard, "post."), someone
        assert not named(heard, "conversation.typing")
    # The pair's administrator (without the setting) hears counts only, no text.
    await post_create(author=mentee, relationship=relationship, text="secret")
    admin_heard = await frames(sockets[admin])
    assert [f["event"] for f in named(admin_heard, "conversation")] == ["conversation.activity"]
    assert "secret" not in orjson.dumps(admin_heard).decode()
    assert not named(await frames(sockets[outsider]), "conversation")
    for ws in sockets.values():
        await ws.disconnect()


async def test_typing_goes_to_the_partner_once_per_two_seconds(relationship, mentor, mentee, third):
    mentor_ws, mentee_ws, third_ws = [await connect(p) for p in (mentor, mentee, third)]
    for ws in (mentor_ws, mentee_ws, third_ws):
        await frames(ws, 0.5)
    typing = orjson.dumps({"action": "typing", "relationship_id": relationship.pk}).decode()
    await mentor_ws.send_to(text_data=typing)
    await mentor_ws.send_to(text_data=typing)  # within 2 s: dropped
    assert await until(mentee_ws, "conversation.typing") == {
        "relationship_id": relationship.pk,
        "user_id": mentor.pk,
    }
    assert not named(await frames(mentee_ws), "conversation.typing")
    assert not named(await frames(mentor_ws), "conversation.typing")  # not echoed
    # Someone outside the pair cannot type into it; junk is ignored, the socket stays.
    await third_ws.send_to(text_data=typing)
    await third_ws.send_to(text_data='{"action": "typing", "relationship_id": "1"}')
    await third_ws.send_to(text_data='{"action": "shout"}')
    await third_ws.send_to(text_data="[1]")
    assert not named(await frames(mentee_ws) + await frames(mentor_ws), "conversation")
    await third_ws.send_to(text_data='{"type": "heartbeat"}')
    assert await until(third_ws, "heartbeat.ack") == {}
    for ws in (mentor_ws, mentee_ws, third_ws):
        await ws.disconnect()


async def test_read_receipt_from_the_browser(relationship, mentor, mentee, third):
    mentor_ws, mentee_ws, third_ws = [await connect(p) for p in (mentor, mentee, third)]
    post = await post_create(author=mentor, relationship=relationship, text="read me")
    for ws in (mentor_ws, mentee_ws, third_ws):
        await frames(ws, 0.5)
    read = {"action": "read", "relationship_id": relationship.pk, "post_id": post.pk}
    await third_ws.send_to(text_data=orjson.dumps(read).decode())
    assert not named(await frames(mentor_ws), "conversation.read")
    await mentee_ws.send_to(text_data=orjson.dumps(read).decode())
    assert await until(mentor_ws, "conversation.read") == {
        "relationship_id": relationship.pk,
        "user_id": mentee.pk,
        "post_id": post.pk,
    }
    marks = await database_sync_to_async(
        lambda: dict(ReadMark.objects.values_list("user_id", "last_read_post_id"))
    )()
    assert marks == {mentor.pk: post.pk, mentee.pk: post.pk}  # the third has none
    for ws in (mentor_ws, mentee_ws, third_ws):
        await ws.disconnect()


async def test_the_partner_hears_presence_and_only_the_partner(relationship, mentor, mentee, third):
    mentor_ws, third_ws = await connect(mentor), await connect(third)
    for ws in (mentor_ws, third_ws):
        await frames(ws, 0.5)
    mentee_ws = await connect(mentee)
    assert await until(mentor_ws, "partner.presence") == {"user_id": mentee.pk, "online": True}
    assert not named(await frames(third_ws), "partner.presence")
    await mentee_ws.disconnect()
    assert await until(mentor_ws, "partner.presence") == {"user_id": mentee.pk, "online": False}
    await mentor_ws.disconnect()
    await third_ws.disconnect()


async def test_catch_up_after_a_reconnection_has_no_duplicates(relationship, mentor, mentee):
    mentee_ws = await connect(mentee)
    await frames(mentee_ws, 0.5)
    first = await post_create(author=mentor, relationship=relationship, text="one")
    seen = {(await until(mentee_ws, "post.created"))["post_id"]}
    await mentee_ws.disconnect()
    # Missed while away.
    missed = [
        (await post_create(author=mentor, relationship=relationship, text=t)).pk
        for t in ("two", "three")
    ]
    mentee_ws = await connect(mentee)
    # What conversation.js does on the socket's open: ask for posts after the last id.
    client = Client()
    await database_sync_to_async(client.force_login)(mentee)
    url = reverse("web:conversation_since", args=[relationship.pk])
    response = await database_sync_to_async(client.get)(url, {"after": first.pk})
    caught = [p["post_id"] for p in response.json()["posts"]]
    assert caught == missed
    latest = await post_create(author=mentor, relationship=relationship, text="four")
    live = (await until(mentee_ws, "post.created"))["post_id"]
    shown = seen | set(caught) | {live}
    assert sorted(shown) == [first.pk, *missed, latest.pk]
    # A catch-up that overlaps what the socket delivered returns the same ids (the page
    # keys posts by id, so each appears once).
    response = await database_sync_to_async(client.get)(url, {"after": first.pk})
    assert [p["post_id"] for p in response.json()["posts"]] == [*missed, latest.pk]
    await mentee_ws.disconnect()
