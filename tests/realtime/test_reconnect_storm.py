"""Everyone's pages reconnecting at once (a deploy, a Redis failover): real router, real
Redis channel layer, real sessions. Each administrator ends with one snapshot and a view
of who is online that is exactly right, from frames coalesced per organisation."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from presence.announcer import announcer
from programs.models import Role, User
from tests.conftest import make_member
from tests.realtime.helpers import communicator, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

ADMINS = 6
MENTORS = 18


class Page:
    """One browser page, applying frames as live.js does."""

    def __init__(self, user_id: int, cookie: str) -> None:
        self.user_id = user_id
        self.comm = communicator(cookie)
        self.snapshots = 0
        self.presence_frames = 0
        self.online: set[int] = set()
        self.bell = 0

    async def open(self) -> None:
        connected, _ = await self.comm.connect(timeout=20)
        assert connected
        await self.read_until_bell()

    async def read_until_bell(self) -> None:
        while True:
            if self.apply(await self.comm.receive_from(timeout=20)) == "bell.changed":
                return

    def apply(self, raw: str | bytes) -> str:
        message = orjson.loads(raw)
        event, data = message["event"], message.get("data")
        if event == "presence.snapshot":
            self.snapshots += 1
            self.online = set(data["online"])
        elif event == "presence.changed":
            self.presence_frames += 1
            self.online |= set(data["online"])
            self.online -= set(data["offline"])
        elif event == "bell.changed":
            self.bell += 1
        return event

    async def settle(self) -> None:
        """Read every frame until none has come for a while (past the announce window)."""
        quiet = settings.PRESENCE_ANNOUNCE_MS / 1000 * 3 + 0.5
        while not await self.comm.receive_nothing(timeout=quiet):
            self.apply(await self.comm.receive_from(timeout=5))


@pytest.fixture
def people(org, admin):
    """The administrator fixture, more administrators, and mentors — all signed in."""
    users = [admin]
    users += [
        make_member(org, f"admin{n}@storm.test", "Admin", f"{n}", Role.ADMINISTRATOR)
        for n in range(ADMINS - 1)
    ]
    users += [
        make_member(org, f"mentor{n}@storm.test", "Mentor", f"{n}", Role.MENTOR)
        for n in range(MENTORS)
    ]
    return [(user.pk, user.role == Role.ADMINISTRATOR, session_cookie_for(user)) for user in users]


async def storm(people) -> tuple[list[Page], list[Page]]:
    """Every page connects at the same moment; returns (administrators', everyone's)."""
    pages = [Page(user_id, cookie) for user_id, _admin, cookie in people]
    await asyncio.gather(*(page.open() for page in pages))
    admins = [page for page, (_, is_admin, _) in zip(pages, people, strict=True) if is_admin]
    await asyncio.gather(*(page.settle() for page in admins))
    return admins, pages


async def test_a_reconnect_storm_leaves_every_administrator_one_exact_view(people):
    everyone = {user_id for user_id, _, _ in people}

    # The first storm (pages opened after a deploy), then everyone drops and comes back.
    admins, pages = await storm(people)
    await asyncio.gather(*(page.comm.disconnect() for page in pages))
    admins, pages = await storm(people)

    for page in admins:
        assert page.snapshots == 1
        assert page.bell == 1
        assert page.online == everyone, "an administrator's dots are stale after the storm"
        # Coalesced: far fewer frames than the transitions of everyone reconnecting.
        assert page.presence_frames < len(everyone) // 2

    # Half the mentors leave at once: every administrator hears it, and nothing else.
    leaving = [page for page in pages if page not in admins][: MENTORS // 2]
    await asyncio.gather(*(page.comm.disconnect() for page in leaving))
    await asyncio.gather(*(page.settle() for page in admins))
    still_here = everyone - {page.user_id for page in leaving}
    for page in admins:
        assert page.online == still_here

    await asyncio.gather(*(page.comm.disconnect() for page in pages if page not in leaving))
    await announcer().flush()


async def test_a_storm_writes_last_seen_once_per_batch_for_everyone(people):
    """«Dernière session» is kept for every member of the storm, though written in batches."""
    admins, pages = await storm(people)
    ids = [user_id for user_id, _, _ in people]
    seen = await database_sync_to_async(
        lambda: list(User.objects.filter(pk__in=ids, last_seen__isnull=False).values_list("pk"))
    )()
    assert len(seen) == len(ids)
    await asyncio.gather(*(page.comm.disconnect() for page in pages))
    await announcer().flush()
