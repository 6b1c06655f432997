"""Dynamic tags of community messages (F8): {first_name}/{prénom}, {last_name}/{nom},
{full_name}/{Nom complet}, {org_name}. Filled per recipient; an unknown tag is refused
when the message is written, never sent as a broken email."""

from __future__ import annotations

from django.utils import translation

from notifications import emails
from programs.models import Organisation, User

# tag → what it stands for; the French spellings are the ones the source platform uses.
TAGS = {
    "first_name": "first_name",
    "prénom": "first_name",
    "last_name": "last_name",
    "nom": "last_name",
    "full_name": "full_name",
    "Nom complet": "full_name",
    "nom complet": "full_name",
    "org_name": "org_name",
    "organisation": "org_name",
}


def tag_values(recipient: User, organisation: Organisation) -> dict[str, str]:
    with translation.override(recipient.language):
        org_name = organisation.name
    base = {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "full_name": recipient.full_name,
        "org_name": org_name,
    }
    return {tag: base[meaning] for tag, meaning in TAGS.items()}


def unknown_tags(*texts: str) -> set[str]:
    unknown: set[str] = set()
    for text in texts:
        unknown |= emails.unknown_keywords(text or "", set(TAGS))
    return unknown
