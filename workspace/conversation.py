"""The conversation of a relationship: use cases and reads.

Only the mentor and the mentee of a relationship take part; anyone else — a third member,
an administrator, another organisation — is told the relationship is not found. Posts are
plain text, rendered by `workspace.text.post_html` (escaped, links, line breaks) for the
page and the socket alike. Every change is announced after commit to the pair's user groups
(`post.created`, `post.updated`, `conversation.read`) and, as counts only, to the
organisation's administrators (`conversation.activity`). A person who is offline when a
post arrives gets one «new message» email and one bell line per quiet period.

An administrator reads the text only when the organisation allows it
(`Organisation.messages_in_reports`), and every such read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from notifications.bell.services import notification_send_translated
from notifications.system_messages.services import email_send_system
from presence.selectors import is_online
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Relationship, RelationshipStatus, User
from programs.permissions import require_active, require_org_admin
from realtime.groups import org_admins_group, user_group
from realtime.publish import publish_on_commit
from workspace.models import ConversationEmail, Post, ReadMark
from workspace.models.conversation import POST_MAX_LENGTH
from workspace.text import post_html

PAGE_SIZE = 30
NOT_FOUND = _("This conversation does not exist.")


def conversation_path(relationship_id: int) -> str:
    return reverse("web:conversation", args=[relationship_id])


# -- who may take part ------------------------------------------------------------------


def is_pair(user: User, relationship: Relationship) -> bool:
    return (
        user.is_active
        and user.organisation_id == relationship.organisation_id
        and user.pk in (relationship.mentor_id, relationship.mentee_id)
    )


def partner_of(user: User, relationship: Relationship) -> User:
    return relationship.mentee if user.pk == relationship.mentor_id else relationship.mentor


def require_pair(user: User, relationship: Relationship) -> None:
    """`user` is the mentor or the mentee; anyone else is told it does not exist."""
    require_active(user)
    if not is_pair(user, relationship):
        raise DomainError(NOT_FOUND, code="not_found")


def require_open(relationship: Relationship) -> None:
    if relationship.status != RelationshipStatus.MATCHED:
        raise DomainError(_("This relationship has ended: its conversation is read-only."))


def pair_relationship(*, user: User, relationship_id: int) -> Relationship:
    """The relationship `relationship_id` if `user` is one of its pair, else not found."""
    if user.organisation_id is None:
        raise DomainError(NOT_FOUND, code="not_found")
    relationship = (
        Relationship.objects.select_related("mentor", "mentee", "organisation")
        .filter(pk=relationship_id, organisation_id=user.organisation_id)
        .first()
    )
    if relationship is None:
        raise DomainError(NOT_FOUND, code="not_found")
    require_pair(user, relationship)
    return relationship


def pair_ids(relationship_id: int) -> tuple[int, int] | None:
    """(mentor id, mentee id) of a relationship, for the socket's checks."""
    row = (
        Relationship.objects.filter(pk=relationship_id)
        .values_list("mentor_id", "mentee_id")
        .first()
    )
    return None if row is None else (row[0], row[1])


# -- what the page and the socket carry --------------------------------------------------


@dataclass(frozen=True)
class PostView:
    id: int
    relationship_id: int
    author_id: int
    author_name: str
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool

    def payload(self) -> dict[str, Any]:
        return {
            "relationship_id": self.relationship_id,
            "post_id": self.id,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "html": self.html,
            "created_at": self.created_at.isoformat(),
            "edited_at": self.edited_at.isoformat() if self.edited_at else None,
            "deleted": self.deleted,
        }

    def editable_until(self) -> datetime:
        return self.created_at + timedelta(seconds=settings.CONVERSATION_EDIT_WINDOW)


def view_of(post: Post) -> PostView:
    deleted = post.deleted_at is not None
    return PostView(
        id=post.pk,
        relationship_id=post.relationship_id,
        author_id=post.author_id,
        author_name=post.author.full_name,
        text=post.text,
        html="" if deleted else str(post_html(post.text)),
        created_at=post.created_at,
        edited_at=post.edited_at,
        deleted=deleted,
    )


def _clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write a message first."))
    if len(text) > POST_MAX_LENGTH:
        raise DomainError(
            _("A message is at most %(max)d characters (this one has %(count)d).")
            % {"max": POST_MAX_LENGTH, "count": len(text)}
        )
    if "\x00" in text:
        raise DomainError(_("This message contains a character that cannot be stored."))
    return text


def _announce(
    relationship: Relationship, event: str, data: dict[str, Any], *, first: int | None = None
) -> None:
    """To both of the pair; `first` (the one who did not cause it) is told first."""
    pair = [relationship.mentor_id, relationship.mentee_id]
    if first == relationship.mentee_id:
        pair.reverse()
    for user_id in pair:
        publish_on_commit(user_group(user_id), event, data)


def activity_of(relationship_id: int) -> dict[str, Any]:
    """What administrators may see of a conversation: how many posts and when the last."""
    row = Post.objects.filter(relationship_id=relationship_id, deleted_at__isnull=True).aggregate(
        posts=Count("id"), last=Max("created_at")
    )
    return {
        "relationship_id": relationship_id,
        "posts": row["posts"],
        "last_activity": row["last"].isoformat() if row["last"] else None,
    }


def _announce_activity(relationship: Relationship) -> None:
    publish_on_commit(
        org_admins_group(relationship.organisation_id),
        "conversation.activity",
        lambda: activity_of(relationship.pk),
        once=True,
    )


# -- use cases ---------------------------------------------------------------------------


@transaction.atomic
def post_create(*, author: User, relationship: Relationship, text: str) -> Post:
    require_pair(author, relationship)
    require_open(relationship)
    text = _clean(text)
    now = timezone.now()
    post = Post.objects.create(
        relationship=relationship, author=author, text=text, created_at=now, changed_at=now
    )
    recipient = partner_of(author, relationship)
    _announce(relationship, "post.created", view_of(post).payload(), first=recipient.pk)
    _announce_activity(relationship)
    # The author has read what they wrote.
    _mark_read(author, relationship, post.pk, announce=False)
    if not is_online(organisation_id=relationship.organisation_id, user_id=recipient.pk):
        _tell_offline(relationship, author=author, recipient=recipient)
    return post


def _tell_offline(relationship: Relationship, *, author: User, recipient: User) -> bool:
    """One email and one bell line per conversation per quiet period. The conditional
    UPDATE is the lock: of two posts at once, one matches the row and the other does not;
    a rolled-back post takes its claim back with it."""
    ConversationEmail.objects.bulk_create(
        [ConversationEmail(relationship=relationship, recipient=recipient)],
        ignore_conflicts=True,
    )
    now = timezone.now()
    quiet_since = now - timedelta(seconds=settings.CONVERSATION_EMAIL_QUIET)
    claimed = (
        ConversationEmail.objects.filter(relationship=relationship, recipient=recipient)
        .filter(Q(last_emailed_at__isnull=True) | Q(last_emailed_at__lte=quiet_since))
        .update(last_emailed_at=now)
    )
    if not claimed:
        return False
    path = conversation_path(relationship.pk)
    email_send_system(
        key="new_message",
        recipient=recipient,
        values={"partner_name": author.full_name, "here": settings.SITE_URL + path},
    )
    notification_send_translated(
        user=recipient,
        title=gettext_noop("New message from %(name)s"),
        values={"name": author.full_name},
        url=path,
    )
    return True


def _own_post(actor: User, post: Post) -> Relationship:
    relationship = post.relationship
    require_pair(actor, relationship)
    if post.deleted_at is not None:
        raise DomainError(_("This message was deleted."), code="not_found")
    if post.author_id != actor.pk:
        raise DomainError(_("Only its author can change a message."), code="forbidden")
    return relationship


@transaction.atomic
def post_edit(*, actor: User, post: Post, text: str) -> Post:
    post = Post.objects.select_for_update().select_related("relationship", "author").get(pk=post.pk)
    relationship = _own_post(actor, post)
    require_open(relationship)
    if timezone.now() > view_of(post).editable_until():
        minutes = settings.CONVERSATION_EDIT_WINDOW // 60
        raise DomainError(
            _("A message can be edited only within %(minutes)d minutes of posting it.")
            % {"minutes": minutes}
        )
    text = _clean(text)
    if text == post.text:
        return post
    now = timezone.now()
    post.text, post.edited_at, post.changed_at = text, now, now
    post.save(update_fields=["text", "edited_at", "changed_at"])
    _announce(relationship, "post.updated", view_of(post).payload())
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> Post:
    post = Post.objects.select_for_update().select_related("relationship", "author").get(pk=post.pk)
    relationship = _own_post(actor, post)
    now = timezone.now()
    post.text, post.deleted_at, post.changed_at = "", now, now
    post.save(update_fields=["text", "deleted_at", "changed_at"])
    _announce(relationship, "post.updated", view_of(post).payload())
    _announce_activity(relationship)
    return post


def _mark_read(user: User, relationship: Relationship, up_to: int, *, announce: bool) -> bool:
    # One upsert that only moves forwards: the row count says whether the mark moved.
    table = ReadMark._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (relationship_id, user_id, last_read_post_id, at)
                VALUES (%s, %s, %s, now())
                ON CONFLICT (relationship_id, user_id) DO UPDATE
                SET last_read_post_id = EXCLUDED.last_read_post_id, at = EXCLUDED.at
                WHERE {table}.last_read_post_id < EXCLUDED.last_read_post_id""",  # noqa: S608
            [relationship.pk, user.pk, up_to],
        )
        moved = cursor.rowcount
    if moved and announce:
        _announce(
            relationship,
            "conversation.read",
            {"relationship_id": relationship.pk, "user_id": user.pk, "post_id": up_to},
        )
    return bool(moved)


@transaction.atomic
def mark_read(*, user: User, relationship: Relationship, up_to_post_id: int) -> bool:
    """`user` has read up to post `up_to_post_id` (never backwards; a post of another
    conversation is refused). True when the mark moved, and then the pair is told."""
    require_pair(user, relationship)
    post = (
        Post.objects.filter(relationship=relationship, pk=up_to_post_id)
        .values_list("pk", flat=True)
        .first()
    )
    if post is None:
        raise DomainError(_("This message does not exist."), code="not_found")
    return _mark_read(user, relationship, post, announce=True)


# -- reads -------------------------------------------------------------------------------


def _posts(relationship: Relationship) -> QuerySet[Post]:
    return Post.objects.filter(relationship=relationship).select_related("author")


def history(
    *,
    relationship: Relationship,
    viewer: User,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[PostView], bool]:
    """A page of the conversation going backwards: up to `limit` posts older than
    `before_id` (the latest when None), newest first; and whether older ones remain."""
    require_pair(viewer, relationship)
    return _history(relationship, before_id, limit)


def _history(
    relationship: Relationship, before_id: int | None, limit: int
) -> tuple[list[PostView], bool]:
    limit = max(1, min(limit, 100))
    posts = _posts(relationship).filter(deleted_at__isnull=True)
    if before_id is not None:
        posts = posts.filter(pk__lt=before_id)
    rows = list(posts.order_by("-pk")[: limit + 1])
    return [view_of(p) for p in rows[:limit]], len(rows) > limit


def since(
    *,
    relationship: Relationship,
    viewer: User,
    after_id: int,
    changed_since: datetime | None = None,
) -> list[PostView]:
    """Catch-up after a reconnection, oldest first: every post after `after_id` (deleted
    ones included, so the page can drop them) and, with `changed_since`, the older posts
    edited or deleted since then."""
    require_pair(viewer, relationship)
    wanted = Q(pk__gt=after_id)
    if changed_since is not None:
        wanted |= Q(changed_at__gt=changed_since)
    rows = _posts(relationship).filter(wanted).order_by("pk")[:500]
    return [view_of(p) for p in rows]


def read_marks(relationship: Relationship) -> dict[int, int]:
    """user id → last post id they read."""
    return dict(
        ReadMark.objects.filter(relationship=relationship).values_list(
            "user_id", "last_read_post_id"
        )
    )


@dataclass(frozen=True)
class ConversationSummary:
    """A conversation's activity: live posts, the last one's time, and for each of the
    pair how many of the other's posts are after their read mark (never any text)."""

    posts: int
    last_activity: datetime | None
    unread: dict[int, int]  # user id → unread posts


def summary(relationship: Relationship) -> ConversationSummary:
    """Two queries whatever the conversation's length: the read marks, then one aggregate."""
    marks = read_marks(relationship)
    mentor, mentee = relationship.mentor_id, relationship.mentee_id
    live = Q(deleted_at__isnull=True)
    row = Post.objects.filter(live, relationship=relationship).aggregate(
        posts=Count("id"),
        last=Max("created_at"),
        mentor_unread=Count("id", filter=Q(author_id=mentee, pk__gt=marks.get(mentor, 0))),
        mentee_unread=Count("id", filter=Q(author_id=mentor, pk__gt=marks.get(mentee, 0))),
    )
    return ConversationSummary(
        posts=row["posts"],
        last_activity=row["last"],
        unread={mentor: row["mentor_unread"], mentee: row["mentee_unread"]},
    )


def unread_for(*, user: User, relationship: Relationship) -> ConversationSummary:
    """The pair's own tile: refused to anyone but the mentor and the mentee."""
    require_pair(user, relationship)
    return summary(relationship)


def activity_by_relationship(
    *, relationship_ids: list[int]
) -> dict[int, tuple[int, datetime | None]]:
    """relationship id → (live posts, last post time) for the given rows only (a list's
    page): one query whatever the organisation's size."""
    rows = (
        Post.objects.filter(relationship_id__in=relationship_ids, deleted_at__isnull=True)
        .values("relationship_id")
        .annotate(posts=Count("id"), last=Max("created_at"))
        .values_list("relationship_id", "posts", "last")
    )
    return {rid: (posts, last) for rid, posts, last in rows}


# -- administrators ----------------------------------------------------------------------


def conversation_activity(*, organisation_id: int) -> QuerySet[Relationship]:
    """The organisation's relationships with their post counts and last activity, most
    recently active first (never any text). The administrator's conversation page reads
    one row of it; the «Conversations» tab pages `relationship_list` and reads its rows'
    counts with `activity_by_relationship` instead (a cost independent of the size)."""
    live = Q(posts__deleted_at__isnull=True)
    return (
        Relationship.objects.filter(organisation_id=organisation_id)
        .select_related("mentor", "mentee")
        .annotate(
            post_count=Count("posts", filter=live),
            last_activity=Max("posts__created_at", filter=live),
        )
        .order_by(F("last_activity").desc(nulls_last=True), "-created_at")
    )


def texts_visible_to_admins(relationship: Relationship) -> bool:
    return relationship.organisation.messages_in_reports


@transaction.atomic
def conversation_admin_read(
    *, actor: User, relationship: Relationship, before_id: int | None = None
) -> tuple[list[PostView], bool]:
    """An administrator reads a conversation: only when the organisation allows
    administrators to read conversations, and the read is written to the audit log."""
    require_org_admin(actor, organisation_id=relationship.organisation_id, not_found=NOT_FOUND)
    if not texts_visible_to_admins(relationship):
        raise DomainError(
            _("Your program does not let administrators read conversations."),
            code="forbidden",
        )
    audit_record(
        actor=actor,
        organisation_id=relationship.organisation_id,
        action=AuditAction.CONVERSATION_READ,
        target=relationship,
        details={"before_id": before_id},
    )
    return _history(relationship, before_id, PAGE_SIZE)


def mark_read_by_ids(*, user_id: int, relationship_id: int, post_id: int) -> bool:
    """`mark_read` for the socket, which holds ids only: False for anything refused."""
    user = User.objects.filter(pk=user_id).first()
    relationship = Relationship.objects.filter(pk=relationship_id).first()
    if user is None or relationship is None:
        return False
    try:
        return mark_read(user=user, relationship=relationship, up_to_post_id=post_id)
    except DomainError:
        return False
