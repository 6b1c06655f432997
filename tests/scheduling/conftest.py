"""Michele (admin, Edmonton) books Anna (mentor, Toronto) with Charlotte (mentee, Paris,
French). Anna is free weekdays 09:00–17:00 Toronto time, Charlotte weekdays 17:00–21:00
Paris time; 11:00 in Edmonton suits both all through March 2026, while North America
(8 March) and Europe (29 March) change to daylight time on different dates."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduling import services

EDMONTON = ZoneInfo("America/Edmonton")
TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
# Monday 2 March 2026, 08:00 in Edmonton.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=EDMONTON)
# Thursday 5 March 2026, 11:00 in Edmonton = 13:00 Toronto = 19:00 Paris.
START = datetime(2026, 3, 5, 11, 0, tzinfo=EDMONTON)
WEEKDAYS = range(5)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def zones(admin, mentor, mentee):
    admin.time_zone = "America/Edmonton"
    admin.save(update_fields=["time_zone"])
    mentor.time_zone = "America/Toronto"
    mentor.save(update_fields=["time_zone"])
    mentee.time_zone = "Europe/Paris"
    mentee.save(update_fields=["time_zone"])


@pytest.fixture
def available(zones, mentor, mentee):
    services.availability_set(user=mentor, ranges=[(d, time(9), time(17)) for d in WEEKDAYS])
    services.availability_set(user=mentee, ranges=[(d, time(17), time(21)) for d in WEEKDAYS])


@pytest.fixture
def always_available(zones, mentor, mentee):
    for person in (mentor, mentee):
        services.availability_set(user=person, ranges=[(d, time(0), time(0)) for d in range(7)])


@pytest.fixture
def book(admin, relationship):
    def book(**overrides):
        arguments = {
            "actor": admin,
            "relationship": relationship,
            "duration_minutes": 60,
            "meeting_type": "video",
            "start": START,
            "frequency": "none",
            "occurrences": 1,
        }
        arguments.update(overrides)
        return services.meeting_book(**arguments)

    return book
