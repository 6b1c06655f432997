"""The member home's «Rencontres» tile (scheduling.selectors builds its data)."""

from __future__ import annotations

from django import template

from scheduling.selectors import member_meetings_summary

register = template.Library()


@register.inclusion_tag("web/meetings_member_tile.html", takes_context=True)
def member_meetings_tile(context: template.Context) -> dict:
    user = context["request"].user
    return {"request": context["request"], **member_meetings_summary(user=user)}
