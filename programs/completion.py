"""«Achèvement des profils» (F11): the share of the profile fields that apply to a member's
role which they have filled — the built-in fields that count (programs.profiles) and the
organisation's custom fields for that role that the member can fill themselves.

The figure is stored on the member (User.profile_completion) so lists sort and filter on
it; `completion_store()` recomputes and saves it for some members, in a constant number
of queries, and says whose figure changed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from programs.models import ProfileField, ProfileFieldValue, User
from programs.profiles import builtin_fields_for


def is_filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return True  # «non» is an answer
    if isinstance(value, (list, tuple, dict)):
        return bool(value)
    return bool(str(value).strip())


def fields_counted(fields: Sequence[ProfileField], role: str) -> list[ProfileField]:
    """The custom fields counted for `role`: those that apply to it and that members fill
    themselves (an administrators-only field is not the member's to complete)."""
    return [field for field in fields if field.applies_to(role) and not field.admin_only]


def completion_of(
    user: User, fields: Sequence[ProfileField], values: dict[int, Any] | None = None
) -> int:
    """`user`'s completion in percent, given the organisation's custom `fields` and the
    user's answers `values` (field id → value)."""
    values = values or {}
    builtin = [field for field in builtin_fields_for(user.role) if field.counts]
    custom = fields_counted(fields, user.role)
    total = len(builtin) + len(custom)
    if total == 0:
        return 100
    filled = sum(1 for field in builtin if is_filled(getattr(user, field.name))) + sum(
        1 for field in custom if is_filled(values.get(field.pk))
    )
    return round(100 * filled / total)


def completion_compute(users: Iterable[User]) -> dict[int, int]:
    """Each member's figure (id → percent), reading the fields and answers of all of them
    in two queries whatever their number."""
    users = list(users)
    organisation_ids = {user.organisation_id for user in users if user.organisation_id}
    fields_by_org: dict[int, list[ProfileField]] = defaultdict(list)
    for field in ProfileField.objects.filter(organisation_id__in=organisation_ids):
        fields_by_org[field.organisation_id].append(field)
    values: dict[int, dict[int, Any]] = defaultdict(dict)
    answers = ProfileFieldValue.objects.filter(user__in=[user.pk for user in users]).values_list(
        "user_id", "field_id", "value"
    )
    for user_id, field_id, value in answers:
        values[user_id][field_id] = value
    return {
        user.pk: completion_of(
            user, fields_by_org.get(user.organisation_id or 0, []), values.get(user.pk)
        )
        for user in users
    }


def completion_store(*, user_ids: Iterable[int]) -> dict[int, int]:
    """Recompute and save these members' figures; returns those that changed (id → new
    percent), for the caller to announce."""
    users = list(User.objects.filter(pk__in=list(user_ids)))
    figures = completion_compute(users)
    changed = {
        user.pk: figures[user.pk] for user in users if figures[user.pk] != user.profile_completion
    }
    by_value: dict[int, list[int]] = defaultdict(list)
    for user_id, figure in changed.items():
        by_value[figure].append(user_id)
    for figure, ids in by_value.items():
        User.objects.filter(pk__in=ids).update(profile_completion=figure)
    return changed
