"""The one small interface every platform adapter implements."""

from typing import Protocol

from inbox.models import Message


class ChannelError(Exception):
    """A platform refused or failed; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class Adapter(Protocol):
    def send(self, message: Message) -> str:
        """Deliver an outgoing message on its conversation's thread; returns the platform's id."""
