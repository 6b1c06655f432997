"""What presence announces: transitions only — to the organisation's administrators, and
to each person's relationship partners (their conversation page shows the dot)."""

from __future__ import annotations

from collections.abc import Iterable

from channels.db import database_sync_to_async
from django.db.models import Q

from programs.models import Relationship, RelationshipStatus
from realtime.groups import org_admins_group, user_group
from realtime.publish import apublish, publish


def _data(online: Iterable[int], offline: Iterable[int]) -> dict[str, list[int]]:
    return {"online": sorted(online), "offline": sorted(offline)}


def partner_ids(user_ids: Iterable[int]) -> dict[int, list[int]]:
    """user id → the ids of their partners in matched relationships."""
    ids = list(user_ids)
    partners: dict[int, list[int]] = {}
    rows = Relationship.objects.filter(status=RelationshipStatus.MATCHED).filter(
        Q(mentor_id__in=ids) | Q(mentee_id__in=ids)
    )
    for mentor_id, mentee_id in rows.values_list("mentor_id", "mentee_id"):
        if mentor_id in ids:
            partners.setdefault(mentor_id, []).append(mentee_id)
        if mentee_id in ids:
            partners.setdefault(mentee_id, []).append(mentor_id)
    return partners


_apartner_ids = database_sync_to_async(partner_ids, thread_sensitive=False)


async def apresence_changed(organisation_id: int, *, online=(), offline=()) -> None:
    await apublish(org_admins_group(organisation_id), "presence.changed", _data(online, offline))
    changed = {**dict.fromkeys(online, True), **dict.fromkeys(offline, False)}
    for user_id, partners in (await _apartner_ids(changed)).items():
        for partner_id in partners:
            data = {"user_id": user_id, "online": changed[user_id]}
            await apublish(user_group(partner_id), "partner.presence", data)


def presence_changed(organisation_id: int, *, online=(), offline=()) -> None:
    publish(org_admins_group(organisation_id), "presence.changed", _data(online, offline))
    changed = {**dict.fromkeys(online, True), **dict.fromkeys(offline, False)}
    for user_id, partners in partner_ids(changed).items():
        for partner_id in partners:
            data = {"user_id": user_id, "online": changed[user_id]}
            publish(user_group(partner_id), "partner.presence", data)
