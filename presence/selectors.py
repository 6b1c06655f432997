from __future__ import annotations

import logging
import time

from presence import store
from presence.clients import aredis_client, redis_client

logger = logging.getLogger(__name__)


def online_user_ids(*, organisation_id: int) -> set[int]:
    """Members of the organisation connected now. Pages render without Redis: when it is
    away every dot is grey and the socket fills them in once it reconnects."""
    try:
        return store.online_user_ids(redis_client(), organisation_id, time.time())
    except Exception:  # noqa: BLE001
        logger.warning("presence unavailable", exc_info=True)
        return set()


def online_among(*, organisation_id: int, user_ids: list[int]) -> set[int]:
    """Which of these members (a page of a list) are connected now; none when Redis is
    away, as `online_user_ids`."""
    try:
        return store.online_among(redis_client(), organisation_id, user_ids, time.time())
    except Exception:  # noqa: BLE001
        logger.warning("presence unavailable", exc_info=True)
        return set()


async def aonline_user_ids(*, organisation_id: int) -> set[int]:
    return await store.aonline_user_ids(aredis_client(), organisation_id, time.time())


def is_online(*, organisation_id: int, user_id: int) -> bool:
    """Whether one member is connected now (one Redis read). When Redis is away they count
    as offline: an email too many rather than a message never told."""
    try:
        seen = store.seen_at(redis_client(), organisation_id, user_id)
    except Exception:  # noqa: BLE001
        logger.warning("presence unavailable", exc_info=True)
        return False
    return seen is not None and seen >= time.time() - store.threshold()
