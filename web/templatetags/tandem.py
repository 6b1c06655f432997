from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from notifications.release_notes import markup
from programs import dates

register = template.Library()


@register.filter
def release_markup(text: str) -> SafeString:
    """Render release-note markup (escaped; only http(s)/mailto links)."""
    return markup.render(text or "")


@register.filter
def hours_minutes(hours: float) -> str:
    """1.5 → "01:30", as the source platform shows «Number Of Hours»."""
    minutes = round((hours or 0) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@register.filter(expects_localtime=True)
def date_label(value: Any, format_name: str = "DATE_FORMAT") -> str:
    """Like `date:"DATE_FORMAT"`, with French «1er» and «9 h» (programs.dates)."""
    return dates.date_label(value, format_name) if value else ""


@register.filter(expects_localtime=True)
def time_label(value: Any) -> str:
    """Like `time:"TIME_FORMAT"`, with French «9 h» / «9 h 30» (programs.dates)."""
    return dates.time_label(value) if value else ""
