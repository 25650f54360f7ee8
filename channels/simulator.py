"""The resident simulator: stands in for every platform in the demo, delivering nowhere."""

import logging
import uuid

from inbox.models import Message

logger = logging.getLogger(__name__)


class SimulatorAdapter:
    def send(self, message: Message) -> str:
        logger.info("simulated send on %s: %s", message.channel, message.text[:80])
        return f"sim-{uuid.uuid4().hex}"
