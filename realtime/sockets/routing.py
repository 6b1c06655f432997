from __future__ import annotations

from realtime.sockets.consumer import LiveConsumer

# Each WebSocket path (without its leading slash) and its consumer: served by
# realtime.sockets.auth.SocketEntry (server/asgi.py).
websocket_routes = {"ws/": LiveConsumer.as_asgi()}
