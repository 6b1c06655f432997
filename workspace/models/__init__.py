"""The workspace's models, one module per feature; each is imported here so Django finds
it."""

from workspace.models.conversation import ConversationEmail, Post, ReadMark

__all__ = ["ConversationEmail", "Post", "ReadMark"]
