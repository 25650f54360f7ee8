"""The one small interface every platform adapter implements, and the error it raises."""

from typing import Protocol

import requests
from django.utils.translation import gettext

from inbox.models import Message


class ChannelError(Exception):
    """A platform refused or failed.

    `permanent`: retrying cannot help (the reason is shown to the agent). Otherwise the send is
    retried, after `retry_after` seconds when the platform said when.
    """

    def __init__(self, reason: str, *, permanent: bool, retry_after: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Adapter(Protocol):
    def send(self, message: Message) -> str:
        """Deliver an outgoing message on its conversation's thread; returns the platform's id."""

    def find_sent(self, message: Message) -> str | None:
        """The platform's id of `message` if an earlier attempt did reach the platform after all."""


def network_error(error: requests.RequestException) -> ChannelError:
    """A failure before any answer from the platform: always worth another try."""
    reason = gettext("no answer from the platform (%(error)s)") % {"error": type(error).__name__}
    return ChannelError(reason, permanent=False)
