"""Which adapter speaks for which channel. Adding a platform adds one line here."""

from django.conf import settings

from channels.base import Adapter
from channels.simulator import SimulatorAdapter


def adapter_for(channel: str) -> Adapter | None:
    """The configured adapter, or None when the channel has no credentials (integrations are off)."""
    if settings.DEMO_ENABLED:
        return SimulatorAdapter()
    return None
