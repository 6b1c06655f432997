"""One set of personas for the whole suite: an administrator, a mentor and a mentee of
Mentor Canada, and an outsider who administers another organisation.

Everything here is real: PostgreSQL (pytest-django's test database) and Redis (db 15 of
the local server, flushed once per run). Nothing is skipped when one is missing."""

from __future__ import annotations

import pytest
from django.conf import settings
from redis import Redis

from notifications.models import SystemMessage
from programs import services
from programs.models import Organisation, Relationship, Role, User

PASSWORD = "correct horse battery"
ORIGIN = "http://127.0.0.1:8000"

# The meeting fixtures (frozen, zones, available, always_available, book).
pytest_plugins = ["tests.meetings", "tests.feedback_data"]


@pytest.fixture(scope="session", autouse=True)
def _clean_redis():
    """Start each run with no presence or channel-layer state from an earlier one."""
    client = Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield
    client.close()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each asyncio test runs its own event loop; a channel layer keeps loop-bound locks,
    so every test gets its own layer instance (a server process has one loop, one layer)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request made by a French-speaking member leaves French active in the thread
    (web.middleware.UserPreferencesMiddleware activates the member's language and zone,
    and the next request activates its own): each test starts in the project's default
    language and zone, whatever the test before it requested."""
    from django.utils import timezone, translation

    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (web/throttle.py) live in Redis for an hour: each test starts
    with none, whatever the tests before it posted."""
    client = Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{settings.REDIS_PREFIX}:throttle:*"))
    if keys:
        client.delete(*keys)
    client.close()
    yield


@pytest.fixture
def redis_client():
    from presence.clients import redis_client as client

    return client()


def make_org(slug: str, name: str, email: str) -> Organisation:
    return Organisation.objects.create(slug=slug, name_en=name, name_fr=name, support_email=email)


def make_member(org: Organisation, email: str, first: str, last: str, role: str, **extra) -> User:
    return User.objects.create_user(
        email, PASSWORD, organisation=org, role=role, first_name=first, last_name=last, **extra
    )


def make_switched_off_message(
    org: Organisation, key: str, *, subject_en: str = "W", subject_fr: str = "W"
) -> SystemMessage:
    """The organisation's own copy of system message `key`, switched off (never sent)."""
    return SystemMessage.objects.create(
        organisation=org,
        key=key,
        active=False,
        subject_en=subject_en,
        body_en="B",
        subject_fr=subject_fr,
        body_fr="B",
    )


@pytest.fixture
def org(db) -> Organisation:
    return make_org("mentor-canada", "Mentor Canada", "systems.tests@mentoringcanada.ca")


@pytest.fixture
def other_org(db) -> Organisation:
    return make_org("elsewhere", "Elsewhere Mentoring", "help@elsewhere.test")


@pytest.fixture
def admin(org) -> User:
    return make_member(org, "michele@mentor.test", "Michele", "Mantero", Role.ADMINISTRATOR)


@pytest.fixture
def mentor(org) -> User:
    return make_member(org, "anna@mentor.test", "Anna", "Carter", Role.MENTOR)


@pytest.fixture
def mentee(org) -> User:
    return make_member(
        org, "charlotte@mentor.test", "Charlotte", "Test", Role.MENTEE, language="fr"
    )


@pytest.fixture
def outsider(other_org) -> User:
    return make_member(other_org, "oscar@elsewhere.test", "Oscar", "Outsider", Role.ADMINISTRATOR)


@pytest.fixture
def outsider_mentor(other_org) -> User:
    return make_member(other_org, "olive@elsewhere.test", "Olive", "Outsider", Role.MENTOR)


@pytest.fixture
def relationship(admin, mentor, mentee) -> Relationship:
    return services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
