"""The workspace's use cases; each checks who may act first and changes nothing when it
refuses."""

from workspace.services.agreement import (
    agreement_answer,
    agreement_sign,
    agreement_template_set,
)
from workspace.services.goals import (
    goal_add,
    goal_delete,
    goal_edit,
    goal_move,
    goal_set_status,
)
from workspace.services.notes import note_save, notes_admin_read, notes_visible_to_admins

__all__ = [
    "agreement_answer",
    "agreement_sign",
    "agreement_template_set",
    "goal_add",
    "goal_delete",
    "goal_edit",
    "goal_move",
    "goal_set_status",
    "note_save",
    "notes_admin_read",
    "notes_visible_to_admins",
]
