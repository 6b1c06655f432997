from __future__ import annotations

import pytest

from programs.models import Role, User
from tests.conftest import make_member


@pytest.fixture
def third(org) -> User:
    """A mentor of the same organisation who is not in the pair."""
    return make_member(org, "tom@mentor.test", "Tom", "Third", Role.MENTOR)
