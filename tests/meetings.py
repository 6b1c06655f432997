"""The meeting fixtures shared by tests/scheduling and the meeting pages' tests (loaded
for the whole suite by `pytest_plugins` in tests/conftest.py).

Michele (admin, Edmonton) books Anna (mentor, Toronto) with Charlotte (mentee, Paris,
French). Anna is free weekdays 09:00–17:00 Toronto time, Charlotte weekdays 17:00–21:00
Paris time; 11:00 in Edmonton suits both all through March 2026, while North America
(8 March) and Europe (29 March) change to daylight time on different dates.

`frozen` is not autouse here: a module that wants every test at NOW says so itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from programs.models import Relationship, User
from scheduling import services
from scheduling.models import MeetingSeries

EDMONTON = ZoneInfo("America/Edmonton")
TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
# Monday 2 March 2026, 08:00 in Edmonton.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=EDMONTON)
# Thursday 5 March 2026, 11:00 in Edmonton = 13:00 Toronto = 19:00 Paris.
START = datetime(2026, 3, 5, 11, 0, tzinfo=EDMONTON)
WEEKDAYS = range(5)

Book = Callable[..., MeetingSeries]


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zones(admin: User, mentor: User, mentee: User) -> None:
    for person, zone in ((admin, EDMONTON), (mentor, TORONTO), (mentee, PARIS)):
        person.time_zone = zone.key
        person.save(update_fields=["time_zone"])


@pytest.fixture
def available(zones: None, mentor: User, mentee: User) -> None:
    services.availability_set(user=mentor, ranges=[(d, time(9), time(17)) for d in WEEKDAYS])
    services.availability_set(user=mentee, ranges=[(d, time(17), time(21)) for d in WEEKDAYS])


@pytest.fixture
def always_available(zones: None, mentor: User, mentee: User) -> None:
    for person in (mentor, mentee):
        services.availability_set(user=person, ranges=[(d, time(0), time(0)) for d in range(7)])


@pytest.fixture
def book(admin: User, relationship: Relationship) -> Book:
    """meeting_book by the administrator for the pair: one hour's video call at START,
    once; any argument can be overridden."""

    def book(**overrides: Any) -> MeetingSeries:
        arguments: dict[str, Any] = {
            "actor": admin,
            "relationship": relationship,
            "duration_minutes": 60,
            "meeting_type": "video",
            "start": START,
            "frequency": "none",
            "occurrences": 1,
            **overrides,
        }
        return services.meeting_book(**arguments)

    return book
