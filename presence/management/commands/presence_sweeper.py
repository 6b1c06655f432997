from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand

from presence.services import presence_sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Take members offline when their browser stopped beating (runs forever)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, default=5.0, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="sweep once and exit")

    def handle(self, *args, every: float, once: bool, **options) -> None:
        while True:
            try:
                presence_sweep()
            except Exception:  # noqa: BLE001 - Redis may restart; keep sweeping
                logger.warning("presence sweep failed", exc_info=True)
            if once:
                return
            time.sleep(every)
