"""What the programs domain announces live. Called by services, sent after commit."""

from __future__ import annotations

from django.dispatch import Signal

from programs import selectors
from programs.models import User
from realtime.catalogue import CLOSE_DEACTIVATED
from realtime.groups import org_admins_group, user_group
from realtime.publish import command_many_on_commit, command_on_commit, publish_on_commit

# What programs announces to the apps above it (docs/architecture.md): the one sanctioned
# way up the layers. Each is sent inside the transaction that made the change, so what
# the receivers do — scheduling cancels meetings, notifications tells the people
# concerned — commits or rolls back with it. programs never imports those apps; they
# connect their receivers in their AppConfig.ready().

# A mentor and a mentee were matched (keyword: relationship).
relationship_matched = Signal()
# A relationship ended (keyword: relationship).
relationship_ended = Signal()
# Someone locked out asked how to get back in (keywords: user, url — the unlock link).
unlock_requested = Signal()
# A person was given an account by an administrator, an import or a staff member, and must
# choose their password («Informations de connexion»; keywords: user, url — the
# set-password link).
member_invited = Signal()
# An administrator reminded a member to complete their profile («Rappel pour compléter le
# profil»; keywords: user, completion — their figure in percent).
profile_reminder_requested = Signal()
# Someone signed up through an invitation link and must prove their address (keywords:
# user, url — the verification link).
email_verification_requested = Signal()
# A person's address is verified and their account ready: «Bienvenue» (keywords: user,
# url — their profile page).
member_welcomed = Signal()
# The same for many people at once (an import's batch; keywords: users, urls — the lists,
# in the same order), so the receivers can queue them in a few queries.
members_invited = Signal()
# A member is being deleted permanently (programs.member_delete; keywords: user_id, email —
# the address being erased): each app erases what it keeps of that person.
member_deleted = Signal()
# A session ended: signed out, replaced at sign-in, deleted (programs.sessions; keyword:
# session_key). Sent when the row is deleted, in or out of a transaction.
session_ended = Signal()
# People who must sign in again: deactivated or being deleted (keyword: user_ids).
sign_ins_ended = Signal()


def counts_changed_on_commit(organisation_id: int) -> None:
    """The dashboard tiles (members, relationships, invitations) of this organisation's
    admins, recomputed once after the transaction, whatever it changed: the counts are
    read after commit, so the payload is checked then (the audience is checked now)."""
    publish_on_commit(
        org_admins_group(organisation_id),
        "counts.changed",
        lambda: selectors.dashboard_counts(organisation_id=organisation_id),
        once=True,
    )


def member_active_changed_on_commit(member: User) -> None:
    if member.organisation_id is None:
        return  # support staff: no organisation's administrators to tell
    publish_on_commit(
        org_admins_group(member.organisation_id),
        "member.updated",
        {
            "id": member.pk,
            "active": member.is_active,
            "ended_on": member.ended_at.isoformat() if member.ended_at else None,
        },
    )


def members_added_on_commit(organisation_id: int, user_ids: list[int]) -> None:
    """New people in the organisation (a sign-up, an administrator's «Ajouter un
    membre»): its administrators' members lists re-read their rows."""
    publish_on_commit(org_admins_group(organisation_id), "members.added", {"ids": list(user_ids)})


def members_active_changed_on_commit(
    organisation_id: int, user_ids: list[int], *, active: bool, ended_on: str | None
) -> None:
    """Many members' «Actif» changed together (a deactivation file): one event carrying
    every id, so each administrator's members list unticks the rows it shows."""
    if not user_ids:
        return
    publish_on_commit(
        org_admins_group(organisation_id),
        "members.updated",
        {"ids": list(user_ids), "active": active, "ended_on": ended_on},
    )


def sessions_end_many_on_commit(user_ids: list[int]) -> None:
    """Close every open socket of each of these deactivated people, in one batch."""
    sign_ins_ended.send(sender=User, user_ids=list(user_ids))
    command_many_on_commit(
        [user_group(user_id) for user_id in user_ids], "sockets.close", {"code": CLOSE_DEACTIVATED}
    )


def sessions_end_on_commit(user_id: int) -> None:
    """Close every open socket of a deactivated user, on every server process."""
    sign_ins_ended.send(sender=User, user_ids=[user_id])
    command_on_commit(user_group(user_id), "sockets.close", {"code": CLOSE_DEACTIVATED})


def completion_changed_on_commit(organisation_id: int, figures: dict[int, int]) -> None:
    """Members whose «Achèvement des profils» changed, for the members list of this
    organisation's admins: one batched event per call (a save sends one pair, a
    recalculation one per batch)."""
    if not figures:
        return
    publish_on_commit(
        org_admins_group(organisation_id),
        "member.completion",
        {"figures": [[user_id, figure] for user_id, figure in sorted(figures.items())]},
    )
