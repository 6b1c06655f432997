"""Test help: the live events a piece of code publishes, without opening a socket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from realtime import publish


class Sent(NamedTuple):
    """One event or command as it left: compares equal to a plain (group, name, data)."""

    group: str
    event: str
    data: dict[str, Any]


@contextmanager
def capture_events() -> Iterator[list[Sent]]:
    """Record every event and command published while the block runs, in order, after
    the catalogue check and whether or not Redis takes them. They are still sent. For
    the `*_on_commit` forms, commit inside the block (or use pytest-django's
    `django_capture_on_commit_callbacks(execute=True)`)."""
    sent: list[Sent] = []

    def observe(group: str, name: str, data: dict[str, Any]) -> None:
        sent.append(Sent(group, name, dict(data)))

    publish.observers.append(observe)
    try:
        yield sent
    finally:
        publish.observers.remove(observe)
