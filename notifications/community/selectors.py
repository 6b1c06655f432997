"""Community messages (F8), the reads: who a message reaches, the list, and each
recipient's email as sent and previewed. The writes and the sending job are in
`community.services`; the tags in `community.tags`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.email import render
from notifications.email.render import (
    BodyFormat,
    RenderedEmail,
    Wording,
    recipient_values,
    render_email,
)
from notifications.models import Audience, CommunityMessage, CommunityMessageStatus, EmailLog
from programs.models import Relationship, RelationshipStatus, Role, User

# The community of a program is its mentors and mentees: "All members" and "Mentors and
# mentees" reach the same people (the source platform offers both). Administrators only
# receive a community message when chosen by name (to try one on themselves, say).
COMMUNITY_ROLES = (Role.MENTOR, Role.MENTEE)


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


def body_start(message: CommunityMessage, language: str, length: int = 80) -> str:
    """The start of the body as plain text, for the list."""
    _subject, body = Wording.of(message).in_language(language)
    text = " ".join(render.html_to_text(body).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def community_email_render(*, message: CommunityMessage, recipient: User) -> RenderedEmail:
    """What `recipient` gets — their language's version (or the other), their tag values,
    sanitised, in the organisation's layout — as sent and as previewed: the outbox only
    adds the open-tracking pixel, which a preview must not carry (it would count as the
    recipient opening it)."""
    organisation = message.organisation
    return render_email(
        wording=Wording.of(message),
        body_format=BodyFormat.HTML,
        language=recipient.language,
        values=recipient_values(recipient, organisation),
        organisation=organisation,
    )
