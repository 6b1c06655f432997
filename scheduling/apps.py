from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from programs.events import member_deleted, relationship_ended
        from programs.models import Relationship, User
        from scheduling.models import Availability, CalendarFeed
        from scheduling.services import meetings_cancel_upcoming

        def cancel_upcoming(sender: type, relationship: Relationship, **kwargs: object) -> None:
            meetings_cancel_upcoming(relationship=relationship)

        # A relationship that ends takes its meetings still to come with it.
        relationship_ended.connect(
            cancel_upcoming, sender=Relationship, weak=False, dispatch_uid="scheduling.cancel"
        )

        def erase(sender: type, user_id: int, **kwargs: object) -> None:
            # A deleted member's weekly windows and calendar address go; the meetings
            # they attended stay in the program's history.
            Availability.objects.filter(user_id=user_id).delete()
            CalendarFeed.objects.filter(user_id=user_id).delete()

        member_deleted.connect(erase, sender=User, weak=False, dispatch_uid="scheduling.erase")
