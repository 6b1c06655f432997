from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from notifications.release_notes import markup

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
