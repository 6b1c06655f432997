"""The test suite's settings: pytest-django uses them (pyproject.toml), and so do the
server processes tests/live starts. Nothing else ever does: production, `make run` and
the benchmarks run server.settings, whatever happens to be imported.

The suite's services are the local PostgreSQL and Redis db 15, unless DATABASE_URL and
REDIS_URL name others (e.g. a private database per engineer or CI job).
"""

from __future__ import annotations

import os


def _default(name: str, value: str) -> None:
    if not os.environ.get(name) and not os.environ.get(f"{name}_FILE"):
        os.environ[name] = value


# Defaults for what server.settings reads, set in the environment before it is imported,
# so everything built from them (the pool, the channel layer) follows, and the processes
# the tests start inherit them.
_default("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem")
_default("REDIS_URL", "redis://127.0.0.1:6379/15")
# No pool: it keeps connections to the test database open, and pytest-django must drop it.
_default("DB_POOL", "0")

from server.settings import *  # noqa: E402, F403
from server.settings import Q_CLUSTER, STORAGES  # noqa: E402

# Enqueued jobs run in-process; the tests of the real worker turn this off.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
# Fast hashes: the suite creates many users, and never needs strong ones.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files straight from the apps, with or without DEBUG: no collectstatic needed.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
