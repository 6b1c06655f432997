"""What presence announces: transitions only, to the organisation's administrators."""

from __future__ import annotations

from collections.abc import Iterable

from realtime.groups import org_admins_group
from realtime.publish import apublish, publish


def _data(online: Iterable[int], offline: Iterable[int]) -> dict[str, list[int]]:
    return {"online": sorted(online), "offline": sorted(offline)}


async def apresence_changed(organisation_id: int, *, online=(), offline=()) -> None:
    await apublish(org_admins_group(organisation_id), "presence.changed", _data(online, offline))


def presence_changed(organisation_id: int, *, online=(), offline=()) -> None:
    publish(org_admins_group(organisation_id), "presence.changed", _data(online, offline))
