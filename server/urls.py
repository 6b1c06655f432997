from __future__ import annotations

from django.urls import include, path

from notifications.email.tracking import anymail_urls

urlpatterns = [
    path("", include("web.urls")),
    # Providers' tracking webhooks; anymail's views, failing closed (notifications.tracking).
    path("anymail/", include(anymail_urls())),
]

# The 500 page allows its own <style> by hash (web.views.errors).
handler500 = "web.views.errors.server_error"
