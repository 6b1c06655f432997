from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request) -> dict:
    """The left navigation of the source platform, for the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return {}
    if user.is_org_admin:
        items = [
            ("dashboard", _("Dashboard"), reverse("web:home")),
            ("relationships", _("Relationships"), reverse("web:relationships")),
            ("groups", _("Groups"), reverse("web:groups")),
            ("mentors", _("Mentors"), reverse("web:members") + "?role=mentor"),
            ("mentees", _("Mentees"), reverse("web:members") + "?role=mentee"),
            ("admin", _("Administrator"), reverse("web:manage")),
        ]
    else:
        items = [
            ("dashboard", _("Dashboard"), reverse("web:home")),
            ("profile", _("Profile"), reverse("web:profile")),
        ]
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    active = {
        "home": "dashboard",
        "profile": "profile",
        "relationships": "relationships",
        "relationship_new": "relationships",
        "groups": "groups",
        "group": "groups",
        "manage": "admin",
        "member": "admin",
        "members": {"mentor": "mentors", "mentee": "mentees"}.get(request.GET.get("role"), "admin"),
    }.get(url_name, "")
    return {
        "nav_items": items,
        "nav_active": active,
        "live_config": {
            "url": "/ws/",
            "heartbeat": settings.PRESENCE_HEARTBEAT_INTERVAL,
        },
    }
