"""ASGI application for the benchmarks: Tandem's application plus a bare echo consumer.

`python -m daphne bench.asgi:application` serves exactly what `server.asgi:application`
serves, and one more WebSocket route, `/bench/echo/`: a minimal AsyncWebsocketConsumer
that accepts every handshake (no Origin check, no session, no groups) and answers each
text frame with the same heartbeat ack the LiveConsumer sends. It is the baseline: the
cost of Daphne + Channels for one frame in and one frame out, in the same process.

Like any AsyncWebsocketConsumer it keeps the default channel layer (a channel name and a
pending receive on the process' shared Redis reader), as every Channels consumer does.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402

# First of the project's modules: it sets Django up (get_asgi_application).
from server.asgi import application as tandem_application  # noqa: E402
from server.asgi import websocket as tandem_websocket  # noqa: E402

ECHO_PATH = "/bench/echo/"
# The LiveConsumer's ack, byte for byte (the generator checks every reply against it).
HEARTBEAT_ACK = '{"event":"heartbeat.ack"}'


class EchoConsumer(AsyncWebsocketConsumer):
    """Accepts, then answers every text frame with the heartbeat ack."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.send(text_data=HEARTBEAT_ACK)


echo_application = EchoConsumer.as_asgi()

BARE_PATH = "/bench/bare/"


class BareGroupConsumer(EchoConsumer):
    """The echo, plus the groups a LiveConsumer of the same person would join — named in
    the query string (`?groups=a,b`), no session, no presence — and `live.event` payloads
    forwarded verbatim: bare Channels with the same spread (bench/scale.py)."""

    async def connect(self) -> None:
        query = self.scope.get("query_string", b"").decode()
        names = query.removeprefix("groups=")
        self.joined = [name for name in names.split(",") if name] if names else []
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message: dict) -> None:
        await self.send(text_data=message["payload"])


bare_application = BareGroupConsumer.as_asgi()


async def websocket(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"] == ECHO_PATH:
        await echo_application(scope, receive, send)
    elif scope["path"] == BARE_PATH:
        await bare_application(scope, receive, send)
    else:  # Tandem's own WebSocket entry, as server.asgi's router calls it
        await tandem_websocket(scope, receive, send)


application = ProtocolTypeRouter({"http": tandem_application, "websocket": websocket})
