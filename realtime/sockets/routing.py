from __future__ import annotations

from django.urls import path

from realtime.sockets.consumer import LiveConsumer

# Channels routes ASGI applications with Django's path(); the stubs expect a view there.
websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]  # type: ignore[arg-type]
