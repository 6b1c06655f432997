"""What notifications does when programs announces something (programs.events): the
people concerned get a line in their bell and the catalogue's email. Connected in
NotificationsConfig.ready(); each runs inside the transaction that made the change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from notifications.bell.services import notification_send_translated
from notifications.models import EmailLog, EmailStatus, Notification
from notifications.system_messages.services import email_send_system, email_send_system_many
from programs.member_delete import DELETED_DOMAIN, address_hash
from programs.models import Relationship, User


def _tell_the_pair(relationship: Relationship, *, key: str, title: str) -> None:
    """Each person of the pair gets a bell line and the catalogue email `key` (which
    their organisation may have turned off), naming their partner."""
    pair = ((relationship.mentor, relationship.mentee), (relationship.mentee, relationship.mentor))
    for person, partner in pair:
        notification_send_translated(
            user=person, title=title, values={"name": partner.full_name}, url="/"
        )
        email_send_system(
            key=key,
            recipient=person,
            values={"partner_name": partner.full_name, "here": settings.SITE_URL + "/"},
        )


def relationship_matched(sender: type, relationship: Relationship, **kwargs: Any) -> None:
    _tell_the_pair(
        relationship, key="matched", title=gettext_noop("You have been matched with %(name)s")
    )


def relationship_ended(sender: type, relationship: Relationship, **kwargs: Any) -> None:
    _tell_the_pair(
        relationship,
        key="relationship_ended",
        title=gettext_noop("Your relationship with %(name)s has ended"),
    )


def unlock_requested(sender: type, user: User, url: str, **kwargs: Any) -> None:
    email_send_system(key="account_unlock", recipient=user, values={"here": url})


def member_invited(sender: type, user: User, url: str, **kwargs: Any) -> None:
    email_send_system(key="login_information", recipient=user, values={"here": url})


def profile_reminder_requested(sender: type, user: User, completion: int, **kwargs: Any) -> None:
    email_send_system(
        key="profile_reminder",
        recipient=user,
        values={"completion": str(completion), "here": settings.SITE_URL + "/profile/"},
    )


def email_verification_requested(sender: type, user: User, url: str, **kwargs: Any) -> None:
    email_send_system(key="email_verification", recipient=user, values={"here": url})


def member_welcomed(sender: type, user: User, url: str, **kwargs: Any) -> None:
    email_send_system(key="welcome", recipient=user, values={"here": url})


def members_invited(sender: type, users: list[User], urls: list[str], **kwargs: Any) -> None:
    email_send_system_many(
        key="login_information", recipients=users, values=[{"here": url} for url in urls]
    )


def member_deleted(sender: type, user_id: int, email: str, **kwargs: Any) -> None:
    """A member deleted permanently (programs.member_delete): their bell lines go; the
    email log keeps its rows for the program's statistics, with the address as its
    one-way hash, no name and no bodies; what still waited to be sent never is."""
    Notification.objects.filter(user_id=user_id).delete()
    logs = EmailLog.objects.filter(recipient_id=user_id)
    logs.filter(status__in=[EmailStatus.QUEUED, EmailStatus.DEFERRED]).update(
        status=EmailStatus.SUPPRESSED
    )
    logs.update(
        to_email=f"{address_hash(email)}@{DELETED_DOMAIN}",
        to_name="",
        body_text="",
        body_html="",
        attachments=[],
    )
