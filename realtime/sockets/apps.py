from __future__ import annotations

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """The `realtime` app. Its configuration lives with the sockets (layer 5,
    docs/architecture.md) because what it connects does: the socket tickets'
    revocations (realtime/sockets/tickets.py)."""

    name = "realtime"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from programs import events
        from programs.models import User
        from realtime.sockets import tickets

        post_save.connect(tickets.on_user_saved, sender=User, dispatch_uid="tickets.user-saved")
        post_delete.connect(tickets.on_user_saved, sender=User, dispatch_uid="tickets.user-deleted")
        events.sign_ins_ended.connect(
            tickets.on_sign_ins_ended, sender=User, dispatch_uid="tickets.sign-ins-ended"
        )
        events.session_ended.connect(tickets.on_session_ended, dispatch_uid="tickets.session")
