"""Public, session-less endpoints served outside Django: health, readiness, open pixel.

`/healthz` answers as long as the process serves; `/readyz` checks the database and Redis
so a load balancer stops sending traffic to a process that cannot reach them.
`/o/<token>.gif` is the open-tracking pixel of every HTML email (F2).
"""

from __future__ import annotations

import asyncio
import base64
import logging

from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from notifications.email.pixel import pixel_log_id
from notifications.email.tracking import email_status_record
from notifications.models import EmailLog, EmailStatus
from presence.clients import aredis_client

logger = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _off_thread(func):
    """Run on the thread pool, not on the one thread all database_sync_to_async calls of
    the process share: a probe must answer while sockets are busy with the database."""
    return database_sync_to_async(func, thread_sensitive=False)


@_off_thread
def _database_ok() -> None:
    # A probe's own connection, closed at once: it must not pin a connection to the
    # pool thread the probe happened to run on.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(_database_ok(), timeout=3)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await asyncio.wait_for(aredis_client().ping(), timeout=3)
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


# A 1×1 transparent GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@_off_thread
def _record_open(log_id: int) -> None:
    try:
        logs = EmailLog.objects.filter(pk=log_id)
        message_id = logs.values_list("provider_message_id", flat=True).first()
        if message_id:  # not sent yet (or gone): nothing to record
            email_status_record(
                provider="pixel",
                event_id=None,
                message_id=message_id,
                status=EmailStatus.OPENED,
                at=timezone.now(),
                opened=True,
            )
    finally:
        # Like the probe: do not pin a connection to whichever executor thread ran this.
        connection.close()


async def open_pixel(request: Request) -> Response:
    """Record the first open of an email, then answer the same GIF whatever happened: a
    forged, expired or unknown token must not learn anything, and a failure to record
    must not show a broken image."""
    log_id = pixel_log_id(request.path_params["token"])
    if log_id is not None:
        try:
            await _record_open(log_id)
        except Exception:  # noqa: BLE001 - the image is served regardless
            logger.warning("open of email %s not recorded", log_id, exc_info=True)
    return Response(PIXEL_GIF, media_type="image/gif", headers={"Cache-Control": "no-store"})


PUBLIC_PATHS = ("/healthz", "/readyz")
# Served here by prefix; the router (server/asgi.py) sends the whole prefix to this app.
PUBLIC_PREFIXES = ("/o/",)

app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/o/{token}.gif", open_pixel, methods=["GET"]),
    ]
)
