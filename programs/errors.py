from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A use case refused its input. `message` is a translated, user-facing sentence;
    nothing was changed when this is raised."""

    def __init__(self, message: str | Promise, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
