"""Public, session-less endpoints served outside Django: health and readiness.

`/healthz` answers as long as the process serves; `/readyz` checks the database and Redis
so a load balancer stops sending traffic to a process that cannot reach them.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from django.db import connection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from presence.clients import aredis_client


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@database_sync_to_async
def _database_ok() -> None:
    # A probe's own connection, closed at once: it must not pin a pooled connection to
    # the executor thread the probe happened to run on.
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


PUBLIC_PATHS = ("/healthz", "/readyz")

app = Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz)])
