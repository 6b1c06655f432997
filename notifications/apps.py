from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from anymail.signals import tracking

        from notifications import receivers
        from notifications.email.tracking import anymail_tracking_received
        from programs import events
        from programs.models import Relationship, User

        # The providers' delivery events (F2), whichever anymail webhook received them.
        tracking.connect(anymail_tracking_received, dispatch_uid="tandem.email-tracking")
        # What programs announces (docs/architecture.md: the one way up the layers).
        events.relationship_matched.connect(
            receivers.relationship_matched, sender=Relationship, dispatch_uid="notify.matched"
        )
        events.relationship_ended.connect(
            receivers.relationship_ended, sender=Relationship, dispatch_uid="notify.ended"
        )
        events.unlock_requested.connect(
            receivers.unlock_requested, sender=User, dispatch_uid="notify.unlock"
        )
        events.member_invited.connect(
            receivers.member_invited, sender=User, dispatch_uid="notify.invited"
        )
        events.profile_reminder_requested.connect(
            receivers.profile_reminder_requested, sender=User, dispatch_uid="notify.reminder"
        )
        events.email_verification_requested.connect(
            receivers.email_verification_requested,
            sender=User,
            dispatch_uid="notify.email-verification",
        )
        events.member_welcomed.connect(
            receivers.member_welcomed, sender=User, dispatch_uid="notify.welcome"
        )
        events.members_invited.connect(
            receivers.members_invited, sender=User, dispatch_uid="notify.invited-many"
        )
        events.member_deleted.connect(
            receivers.member_deleted, sender=User, dispatch_uid="notify.member-deleted"
        )
