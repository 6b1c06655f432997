"""`{% load rows %}`: list rows drawn in Python (web/rows.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from web import rows

register = template.Library()


@register.simple_tag(takes_context=True)
def member_rows(context: Any, items: Any) -> SafeString:
    """The members list's rows: `{% member_rows rows %}` inside its <tbody>."""
    return rows.member_rows(
        items, request=context["request"], csrf_token=str(context.get("csrf_token", ""))
    )


@register.simple_tag(takes_context=True)
def relationship_rows(context: Any, items: Any) -> SafeString:
    """The relationships list's rows: `{% relationship_rows rows %}` inside its <tbody>."""
    return rows.relationship_rows(
        items, request=context["request"], csrf_token=str(context.get("csrf_token", ""))
    )


@register.simple_tag
def meeting_rows(items: Any) -> SafeString:
    """«Rencontres»' rows: `{% meeting_rows rows %}` inside its <tbody>."""
    return rows.meeting_rows(items)


@register.simple_tag
def day_meeting_lines(meetings: Any, with_date: bool = False) -> SafeString:
    """The dashboard's meetings today (`{% day_meeting_lines day.today %}`) or this week
    (`… day.week True`), inside their <ul>."""
    return rows.day_meeting_lines(meetings, with_date=with_date)


@register.simple_tag
def day_unanswered_lines(attendees: Any) -> SafeString:
    """The dashboard's invitations waiting for an answer, inside their <ul>."""
    return rows.day_unanswered_lines(attendees)


@register.simple_tag
def day_quiet_lines(relationships: Any) -> SafeString:
    """The dashboard's quiet pairs, inside their <ul>."""
    return rows.day_quiet_lines(relationships)
