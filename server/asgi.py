"""ASGI entry point: HTTP to Django (public probes to Starlette), WebSockets to realtime."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from realtime.sockets.auth import SocketEntry  # noqa: E402
from realtime.sockets.routing import websocket_routes  # noqa: E402
from server.public import PUBLIC_PATHS, PUBLIC_PREFIXES  # noqa: E402
from server.public import app as public_app  # noqa: E402


async def http(scope, receive, send):
    if scope["path"] in PUBLIC_PATHS or scope["path"].startswith(PUBLIC_PREFIXES):
        await public_app(scope, receive, send)
    else:
        await django_http(scope, receive, send)


# Origin check, session and route in one step (realtime/sockets/auth.py).
websocket = SocketEntry(websocket_routes)
application = ProtocolTypeRouter({"http": http, "websocket": websocket})

# A Daphne process holds thousands of sockets for hours, and Python's cyclic collector
# walks every tracked object on each full collection: with 2,000 sockets a process paused
# about 1.2 s for one (bench/scale.py, a full collection seen in every process), and each
# pause shows in the heartbeats' p99. Everything imported until now lives as long as the
# process: leave it out of the walks.
gc.freeze()
