import uuid

import pytest


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """The hourly log-in counters live in the cache, which outlives a test's database: each test counts
    under its own key prefix (never a flush: with REDIS_URL the cache is a shared Redis)."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
