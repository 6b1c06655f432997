from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.bell.selectors import unread_count


def navigation(request) -> dict:
    """The left navigation of the source platform, for the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.organisation_id is None:
        if not user.is_staff:
            return {}
        return {
            "nav_items": [
                ("release_notes", _("Release notes"), reverse("web:staff_release_notes")),
            ],
            "nav_active": "release_notes",
        }
    if user.is_org_admin:
        items = [
            ("dashboard", _("Dashboard"), reverse("web:home")),
            ("relationships", _("Relationships"), reverse("web:relationships")),
            ("groups", _("Groups"), reverse("web:groups")),
            ("mentors", _("Mentors"), reverse("web:members") + "?role=mentor"),
            ("mentees", _("Mentees"), reverse("web:members") + "?role=mentee"),
            ("admin", _("Administrator"), reverse("web:manage")),
            ("release_notes", _("Release notes"), reverse("web:release_notes")),
        ]
    else:
        items = [
            ("dashboard", _("Dashboard"), reverse("web:home")),
            ("profile", _("Profile"), reverse("web:profile")),
            (
                "meetings",
                pgettext_lazy("member navigation", "Meetings"),
                reverse("web:member_meetings"),
            ),
            ("availability", _("Availability"), reverse("web:member_availability")),
        ]
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    active = {
        "home": "dashboard",
        "profile": "profile",
        "member_meetings": "meetings",
        "member_meeting": "meetings",
        "member_availability": "availability",
        "relationships": "relationships",
        "relationship_new": "relationships",
        "meetings_admin": "relationships",
        "relationship_dashboard": "relationships",
        "meeting_book": "relationships",
        "meeting_reschedule": "relationships",
        "groups": "groups",
        "group": "groups",
        "manage": "admin",
        "member": "admin",
        "community_messages": "admin",
        "community_message_new": "admin",
        "community_message_edit": "admin",
        "community_message_preview": "admin",
        "community_message_send": "admin",
        "community_message_cancel": "admin",
        "community_message_delete": "admin",
        "system_messages": "admin",
        "system_message": "admin",
        "system_message_preview": "admin",
        "system_message_active": "admin",
        "email_log": "admin",
        "notifications": "notifications",
        "release_notes": "release_notes",
        "release_note": "release_notes",
        "members": {"mentor": "mentors", "mentee": "mentees"}.get(request.GET.get("role"), "admin"),
    }.get(url_name, "")
    return {
        "nav_items": items,
        "nav_active": active,
        "bell_unread": unread_count(user_id=user.pk),
        "live_config": {
            "url": "/ws/",
            "heartbeat": settings.PRESENCE_HEARTBEAT_INTERVAL,
        },
    }
