"""Community messages (F8), the reading side: dynamic tags, who a message reaches, the
list and the per-recipient preview. The writes and the sending job are in
`notifications.community_services`.

Tags — {first_name}/{prénom}, {last_name}/{nom}, {full_name}/{Nom complet}, {org_name} —
are filled per recipient; an unknown tag is refused when the message is written, never
sent as a broken email."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications import emails
from notifications.models import Audience, CommunityMessage, CommunityMessageStatus, EmailLog
from programs.models import Organisation, Relationship, RelationshipStatus, Role, User

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


# --- Reads: who receives a message, the list, the preview --------------------------------

# The community of a program is its mentors and mentees: "All members" and "Mentors and
# mentees" reach the same people (the source platform offers both). Administrators only
# receive a community message when chosen by name (to try one on themselves, say).
COMMUNITY_ROLES = (Role.MENTOR, Role.MENTEE)

TAG_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "full_name": _("Full name"),
    "org_name": _("Organisation name"),
}


def tag_groups() -> list[tuple[str, list[str]]]:
    """[(label, [tags…])] in the order shown beside the editor."""
    by_meaning: dict[str, list[str]] = {}
    for tag, meaning in TAGS.items():
        by_meaning.setdefault(meaning, []).append(tag)
    return [(str(TAG_LABELS[meaning]), tags) for meaning, tags in by_meaning.items()]


def audience_recipients(
    *,
    organisation_id: int,
    audience: str,
    group_id: int | None = None,
    chosen_ids: Iterable[int] | QuerySet = (),
) -> QuerySet[User]:
    """The active members of one organisation an audience reaches, by name. Groups and
    chosen people of another organisation reach nobody."""
    members = User.objects.filter(organisation_id=organisation_id, is_active=True)
    community = members.filter(role__in=COMMUNITY_ROLES)
    if audience in (Audience.ALL, Audience.MENTORS_AND_MENTEES):
        people = community
    elif audience == Audience.MENTORS:
        people = community.filter(role=Role.MENTOR)
    elif audience == Audience.MENTEES:
        people = community.filter(role=Role.MENTEE)
    elif audience == Audience.UNMATCHED:
        current = Relationship.objects.filter(
            organisation_id=organisation_id, status=RelationshipStatus.MATCHED
        )
        people = community.exclude(pk__in=current.values("mentor_id")).exclude(
            pk__in=current.values("mentee_id")
        )
    elif audience == Audience.GROUP and group_id:
        people = members.filter(
            member_groups__pk=group_id, member_groups__organisation_id=organisation_id
        )
    elif audience == Audience.CHOSEN:
        people = members.filter(pk__in=chosen_ids)
    else:
        people = members.none()
    return people.order_by("last_name", "first_name", "pk")


def community_recipients(*, message: CommunityMessage) -> QuerySet[User]:
    """Who a community message reaches now (re-read when it is sent)."""
    return audience_recipients(
        organisation_id=message.organisation_id,
        audience=message.audience,
        group_id=message.group_id,
        chosen_ids=message.chosen.values("pk"),
    )


def community_preview_recipients(*, message: CommunityMessage) -> QuerySet[User]:
    """The people a preview may be shown for: those it reaches, or once it went out,
    those it went to."""
    if message.status in (CommunityMessageStatus.SENDING, CommunityMessageStatus.SENT):
        return User.objects.filter(
            organisation_id=message.organisation_id,
            pk__in=EmailLog.objects.filter(community_message=message).values("recipient_id"),
        ).order_by("last_name", "first_name", "pk")
    return community_recipients(message=message)


def community_message_list(*, organisation_id: int) -> QuerySet[CommunityMessage]:
    """«Messages à votre communauté mentorat»: newest first."""
    return (
        CommunityMessage.objects.filter(organisation_id=organisation_id)
        .select_related("created_by", "group")
        .order_by("-created_at", "-pk")
    )


def community_message_get(*, organisation_id: int, message_id: int) -> CommunityMessage:
    """One of this organisation's messages, or 404 — never another's."""
    return get_object_or_404(
        CommunityMessage.objects.select_related("created_by", "group"),
        pk=message_id,
        organisation_id=organisation_id,
    )


def in_language(message: CommunityMessage, language: str) -> tuple[str, str]:
    """(subject, body) in `language`, or the other one when only that one was written."""
    other = "en" if language == "fr" else "fr"
    for lang in (language, other):
        subject, body = getattr(message, f"subject_{lang}"), getattr(message, f"body_{lang}")
        if subject or body:
            return subject, body
    return "", ""


def body_start(message: CommunityMessage, language: str, length: int = 80) -> str:
    """The start of the body as plain text, for the list."""
    _subject, body = in_language(message, language)
    text = " ".join(emails.html_to_text(body).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def community_render(*, message: CommunityMessage, recipient: User) -> dict[str, str]:
    """Exactly what `recipient` gets (their language's version, their tag values,
    sanitised, in the organisation's layout), minus the open-tracking pixel: the
    preview must not count as the recipient opening it."""
    subject_tpl, body_tpl = in_language(message, recipient.language)
    values = tag_values(recipient, message.organisation)
    subject = emails.fill(subject_tpl, values)
    body_html = emails.fill(emails.sanitise(body_tpl), values, escape_values=True)
    with translation.override(recipient.language):
        page = emails.wrap(
            body_html=body_html,
            subject=subject,
            organisation_name=message.organisation.name,
            language=recipient.language,
        )
    return {
        "subject": subject,
        "html": page,
        "text": emails.html_to_text(body_html),
        "language": recipient.language,
    }
