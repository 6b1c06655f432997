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
