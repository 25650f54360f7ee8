"""What a webhook delivery means, whatever the platform: the adapters parse into these."""

from dataclasses import dataclass
from datetime import UTC, datetime

from inbox.services import IncomingMessage

__all__ = ["Echo", "IncomingMessage", "InstagramMention", "Malformed", "ReadUpTo", "StatusUpdate"]


class Malformed(ValueError):
    """The delivery is signed but not in a shape we understand: the platform gets a 400."""


@dataclass(frozen=True)
class StatusUpdate:
    """What happened to one of our outgoing messages."""

    channel: str
    status: str  # an inbox DeliveryStatus
    provider_id: str = ""
    send_key: str = ""
    error: str = ""


@dataclass(frozen=True)
class ReadUpTo:
    """The resident read everything we sent up to a moment (Meta's read watermark)."""

    channel: str
    resident_id: str
    until: datetime


@dataclass(frozen=True)
class Echo:
    """A message sent from the municipality's own account, coming back to us."""

    channel: str
    provider_id: str
    text: str = ""
    resident_id: str = ""
    send_key: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class InstagramMention:
    """An @mention in an Instagram comment; the text must be fetched from the Graph API first."""

    comment_id: str
    media_id: str


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def from_millis(value) -> datetime:
    return from_seconds(int(value) / 1000)


def from_seconds(value) -> datetime:
    """A platform's epoch timestamp; one outside this century is not a real message."""
    try:
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise Malformed("timestamp out of range") from error
    if not EARLIEST <= moment < LATEST:
        raise Malformed("timestamp out of range")
    return moment


def require(mapping, key: str, kind: type | tuple[type, ...] = str):
    """mapping[key] when it has the expected type; otherwise the delivery is malformed."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool) or value == "":
        raise Malformed(f"expected a value for {key!r}")
    return value
