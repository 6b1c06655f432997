from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from anymail.signals import tracking

        from notifications.tracking import anymail_tracking_received

        # The providers' delivery events (F2), whichever anymail webhook received them.
        tracking.connect(anymail_tracking_received, dispatch_uid="tandem.email-tracking")
