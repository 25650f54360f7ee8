"""The one small interface every platform adapter implements, and the error it raises."""

from typing import Protocol

import requests
from django.utils.translation import gettext
from urllib3.exceptions import ConnectTimeoutError

from inbox.models import Message


class ChannelError(Exception):
    """A platform refused or failed.

    `permanent`: retrying cannot help (the reason is shown to the agent). Otherwise the send is
    retried, after `retry_after` seconds when the platform said when. `unknown_outcome`: the request
    may have reached the platform, which never answered (a timeout): it may have the message.
    """

    def __init__(
        self, reason: str, *, permanent: bool, retry_after: int | None = None, unknown_outcome: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.unknown_outcome = unknown_outcome


class Adapter(Protocol):
    # Whether `find_sent` can ask the platform; if not, the platform's echo of our message tells.
    finds_sent: bool

    def send(self, message: Message) -> str:
        """Deliver an outgoing message on its conversation's thread; returns the platform's id."""

    def find_sent(self, message: Message) -> str | None:
        """The platform's id of `message` if an earlier attempt did reach the platform after all."""


def network_error(error: requests.RequestException) -> ChannelError:
    """A failure before any answer from the platform: always worth another try, but once the
    request may have gone out (anything but failing to connect) its outcome is unknown."""
    reason = gettext("no answer from the platform (%(error)s)") % {"error": type(error).__name__}
    return ChannelError(reason, permanent=False, unknown_outcome=not _never_sent(error))


def _never_sent(error: requests.RequestException) -> bool:
    """Only a failed connection proves the platform never saw the request."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    cause = getattr(cause, "reason", cause)  # urllib3 wraps it in MaxRetryError
    return isinstance(error, requests.ConnectionError) and isinstance(cause, ConnectTimeoutError)
