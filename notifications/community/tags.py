"""Community-message tags (F8): {first_name}/{prénom}, {last_name}/{nom},
{full_name}/{Nom complet}, {org_name}. Their values are the ones every email has
(`email.render.recipient_values`); an unknown tag is refused when the message is
written, never sent as a broken email."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.email.render import KEYWORD_MEANINGS, unknown_keywords

# The tags a community message may use (not {email} or {admin_email}): tag → meaning.
TAGS = {
    tag: meaning
    for tag, meaning in KEYWORD_MEANINGS.items()
    if meaning in ("first_name", "last_name", "full_name", "org_name")
}

TAG_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "full_name": _("Full name"),
    "org_name": _("Organisation name"),
}


def unknown_tags(*texts: str) -> set[str]:
    unknown: set[str] = set()
    for text in texts:
        unknown |= unknown_keywords(text or "", set(TAGS))
    return unknown


def tag_groups() -> list[tuple[str, list[str]]]:
    """[(label, [tags…])] in the order shown beside the editor."""
    by_meaning: dict[str, list[str]] = {}
    for tag, meaning in TAGS.items():
        by_meaning.setdefault(meaning, []).append(tag)
    return [(str(TAG_LABELS[meaning]), tags) for meaning, tags in by_meaning.items()]
