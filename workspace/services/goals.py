"""«Objectifs»: add, edit, complete, move and delete a goal. Either person of the pair
acts; every change bumps the goal's `version`, and an edit based on an older version is
refused with what is there now (StaleEdit), so nobody silently overwrites the other."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from programs.errors import DomainError
from programs.models import Relationship, User
from realtime.groups import org_admins_group, user_group
from realtime.publish import publish_on_commit
from workspace.models import Goal, GoalStatus
from workspace.models.goals import TITLE_MAX
from workspace.pair import StaleEdit, require_pair


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the goal a title."))
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("The title is too long (%(max)d characters at most).") % {"max": TITLE_MAX}
        )
    return title


def _clean_status(status: str) -> str:
    if status not in GoalStatus.values:
        raise DomainError(_("Choose a status from the list."))
    return status


def goal_current(goal: Goal) -> dict[str, str]:
    """What the goal says now, as display strings (for a refused edit)."""
    return {
        "title": goal.title,
        "status": str(goal.get_status_display()),
        "due_date": formats.date_format(goal.due_date) if goal.due_date else "",
    }


def _locked(actor: User, goal: Goal, version: int) -> Goal:
    """The goal's row, locked, if `version` is still its version."""
    relationship = Relationship.objects.get(pk=goal.relationship_id)
    require_pair(actor, relationship)
    fresh = Goal.objects.select_for_update().filter(pk=goal.pk).first()
    if fresh is None:
        raise DomainError(_("This goal was deleted meanwhile."), code="not_found")
    if fresh.version != version:
        by = fresh.updated_by.full_name if fresh.updated_by else ""
        current = goal_current(fresh)
        raise StaleEdit(
            _("This goal was changed by %(name)s meanwhile: “%(title)s” (%(status)s).")
            % {"name": by, "title": current["title"], "status": current["status"]},
            current=current,
            by=by,
        )
    fresh.relationship = relationship
    return fresh


def _announce(relationship: Relationship, goal: Goal, action: str) -> None:
    data = {
        "relationship_id": relationship.pk,
        "goal_id": goal.pk,
        "version": goal.version,
        "action": action,
    }
    for user_id in (relationship.mentor_id, relationship.mentee_id):
        publish_on_commit(user_group(user_id), "goal.changed", data)

    def counted() -> dict[str, int]:
        counts = Goal.objects.filter(relationship_id=relationship.pk).aggregate(
            total=Count("pk"), done=Count("pk", filter=Q(status=GoalStatus.DONE))
        )
        return {
            "relationship_id": relationship.pk,
            "done": counts["done"],
            "total": counts["total"],
        }

    publish_on_commit(org_admins_group(relationship.organisation_id), "goals.counted", counted)


def _save(goal: Goal, actor: User, fields: list[str]) -> None:
    goal.version += 1
    goal.updated_by = actor
    goal.updated_at = timezone.now()
    goal.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


@transaction.atomic
def goal_add(
    *, actor: User, relationship: Relationship, title: str, due_date: date | None = None
) -> Goal:
    require_pair(actor, relationship)
    title = _clean_title(title)
    # Lock the relationship so two goals added at once get distinct positions.
    Relationship.objects.select_for_update().filter(pk=relationship.pk).first()
    last = Goal.objects.filter(relationship=relationship).aggregate(m=Max("position"))["m"]
    goal = Goal.objects.create(
        relationship=relationship,
        title=title,
        due_date=due_date,
        position=0 if last is None else last + 1,
        created_by=actor,
        updated_by=actor,
    )
    _announce(relationship, goal, "added")
    return goal


@transaction.atomic
def goal_edit(
    *,
    actor: User,
    goal: Goal,
    version: int,
    title: str,
    due_date: date | None,
    status: str,
) -> Goal:
    fresh = _locked(actor, goal, version)
    fresh.title = _clean_title(title)
    fresh.due_date = due_date
    _apply_status(fresh, _clean_status(status))
    _save(fresh, actor, ["title", "due_date", "status", "completed_at"])
    _announce(fresh.relationship, fresh, "edited")
    return fresh


def _apply_status(goal: Goal, status: str) -> None:
    if status == GoalStatus.DONE and goal.status != GoalStatus.DONE:
        goal.completed_at = timezone.now()
    elif status != GoalStatus.DONE:
        goal.completed_at = None
    goal.status = status


@transaction.atomic
def goal_set_status(*, actor: User, goal: Goal, version: int, status: str) -> Goal:
    """Tick a goal done (or back to to do / in progress)."""
    status = _clean_status(status)
    fresh = _locked(actor, goal, version)
    _apply_status(fresh, status)
    _save(fresh, actor, ["status", "completed_at"])
    _announce(fresh.relationship, fresh, "edited")
    return fresh


@transaction.atomic
def goal_move(*, actor: User, goal: Goal, version: int, direction: str) -> Goal:
    """Swap the goal with its neighbour above ("up") or below ("down"); both change
    version. At the top (or bottom) already, nothing moves."""
    if direction not in ("up", "down"):
        raise DomainError(_("Choose up or down."))
    fresh = _locked(actor, goal, version)
    siblings = Goal.objects.select_for_update().filter(relationship_id=fresh.relationship_id)
    if direction == "up":
        neighbour = (
            siblings.filter(
                Q(position__lt=fresh.position) | Q(position=fresh.position, pk__lt=fresh.pk)
            )
            .order_by("-position", "-pk")
            .first()
        )
    else:
        neighbour = (
            siblings.filter(
                Q(position__gt=fresh.position) | Q(position=fresh.position, pk__gt=fresh.pk)
            )
            .order_by("position", "pk")
            .first()
        )
    if neighbour is None:
        return fresh
    if neighbour.position == fresh.position:
        # Equal positions (never written by us, but possible in imported data): spread.
        neighbour.position = fresh.position + (1 if direction == "down" else -1)
    fresh.position, neighbour.position = neighbour.position, fresh.position
    _save(fresh, actor, ["position"])
    _save(neighbour, actor, ["position"])
    _announce(fresh.relationship, fresh, "moved")
    return fresh


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal, version: int) -> None:
    fresh = _locked(actor, goal, version)
    relationship = fresh.relationship
    gone = Goal(pk=fresh.pk, version=fresh.version + 1)
    fresh.delete()
    _announce(relationship, gone, "deleted")
