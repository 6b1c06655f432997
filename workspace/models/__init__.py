"""The workspace's models, one module per feature; each is imported here so Django finds
it."""

from workspace.models.agreement import Agreement, AgreementAnswer, AgreementTemplate
from workspace.models.conversation import ConversationEmail, Post, ReadMark
from workspace.models.goals import Goal, GoalStatus
from workspace.models.notes import PrivateNote

__all__ = [
    "Agreement",
    "AgreementAnswer",
    "AgreementTemplate",
    "ConversationEmail",
    "Goal",
    "GoalStatus",
    "Post",
    "PrivateNote",
    "ReadMark",
]
