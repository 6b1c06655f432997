"""The member home's «Rencontres» tile (web/views/meetings_member.py builds its data)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("web/meetings_member_tile.html", takes_context=True)
def member_meetings_tile(context: template.Context) -> dict:
    from web.views.meetings_member import member_meetings_summary

    user = context["request"].user
    return {"request": context["request"], **member_meetings_summary(user=user)}
