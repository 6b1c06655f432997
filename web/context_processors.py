from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.bell.selectors import unread_count
from web.routes import route_key
from web.routes import url_named as reverse


def navigation(request) -> dict:
    """The left navigation of the source platform, for the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.organisation_id is None:
        if not user.is_staff:
            return {}
        match = getattr(request, "resolver_match", None)
        staff_page = match.url_name if match else ""
        return {
            "nav_items": [
                ("organisations", _("Organisations"), reverse("web:staff_organisations")),
                ("release_notes", _("Release notes"), reverse("web:staff_release_notes")),
            ],
            "nav_active": (
                "organisations" if staff_page.startswith("staff_organisation") else "release_notes"
            ),
        }
    # An administrator's menu has one entry per page: the dashboard is «Tableau de bord»
    # only, and the role filters live on the members page, not in the menu.
    items = _items("admin" if user.is_org_admin else "member", *route_key())
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    return {
        "nav_items": items,
        "nav_active": _ACTIVE.get(url_name, ""),
        "bell_unread": unread_count(user_id=user.pk),
        "live_config": {
            "url": "/ws/",
            "heartbeat": settings.PRESENCE_HEARTBEAT_INTERVAL,
        },
    }


def _admin_items() -> list[tuple[str, Any, str]]:
    return [
        ("dashboard", _("Dashboard"), reverse("web:manage")),
        ("members", _("Members"), reverse("web:members")),
        ("relationships", _("Relationships"), reverse("web:relationships")),
        (
            "meetings",
            pgettext_lazy("admin navigation", "Meetings"),
            reverse("web:meetings_admin"),
        ),
        (
            "community_messages",
            pgettext_lazy("admin navigation", "Messages"),
            reverse("web:community_messages"),
        ),
        (
            "system_messages",
            pgettext_lazy("admin navigation", "System messages"),
            reverse("web:system_messages"),
        ),
        ("evaluation", _("Program evaluation"), reverse("web:evaluation_admin")),
        ("surveys", _("Surveys"), reverse("web:surveys")),
        ("email_log", _("Email log"), reverse("web:email_log")),
        ("audit_log", _("Audit log"), reverse("web:audit_log")),
        ("groups", _("Groups"), reverse("web:groups")),
        ("release_notes", _("Release notes"), reverse("web:release_notes")),
    ]


def _member_items() -> list[tuple[str, Any, str]]:
    return [
        ("dashboard", _("Dashboard"), reverse("web:home")),
        ("profile", _("Profile"), reverse("web:profile")),
        (
            "meetings",
            pgettext_lazy("member navigation", "Meetings"),
            reverse("web:member_meetings"),
        ),
        ("availability", _("Availability"), reverse("web:member_availability")),
    ]


_KINDS = {"admin": _admin_items, "member": _member_items}


@functools.lru_cache(maxsize=64)
def _items(
    kind: str, prefix: str, urlconf: str, language: str | None
) -> tuple[tuple[str, str, str], ...]:
    """The menu of `kind` translated and its routes reversed, once per script prefix, URL
    configuration and language (what each depends on), not on every page."""
    return tuple((key, str(label), url) for key, label, url in _KINDS[kind]())


_ACTIVE = {
    "home": "dashboard",
    "manage": "dashboard",
    "organisation_settings": "dashboard",
    "organisation_administrators": "dashboard",
    "profile": "profile",
    "member_meetings": "meetings",
    "member_meeting": "meetings",
    "member_availability": "availability",
    "members": "members",
    "member": "members",
    "relationships": "relationships",
    "relationship_new": "relationships",
    "relationship_dashboard": "relationships",
    "meeting_book": "relationships",
    "meeting_reschedule": "relationships",
    "meetings_admin": "meetings",
    "groups": "groups",
    "group": "groups",
    "community_messages": "community_messages",
    "community_message_new": "community_messages",
    "community_message_edit": "community_messages",
    "community_message_preview": "community_messages",
    "community_message_send": "community_messages",
    "community_message_cancel": "community_messages",
    "community_message_delete": "community_messages",
    "system_messages": "system_messages",
    "system_message": "system_messages",
    "system_message_preview": "system_messages",
    "system_message_active": "system_messages",
    "evaluation_admin": "evaluation",
    "evaluation_question_new": "evaluation",
    "evaluation_question_edit": "evaluation",
    "surveys": "surveys",
    "survey_new": "surveys",
    "survey_edit": "surveys",
    "survey_question_new": "surveys",
    "survey_question_edit": "surveys",
    "survey_results": "surveys",
    "email_log": "email_log",
    "audit_log": "audit_log",
    "member_new": "members",
    "notifications": "notifications",
    "release_notes": "release_notes",
    "release_note": "release_notes",
}
