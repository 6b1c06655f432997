from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from notifications import markup

register = template.Library()


@register.filter
def release_markup(text: str) -> SafeString:
    """Render release-note markup (escaped; only http(s)/mailto links)."""
    return markup.render(text or "")
