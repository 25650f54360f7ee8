"""Taking deliveries in and sending replies out. Each public function is one unit of work."""

import hashlib
import json
import logging
import math
import mimetypes
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from channels import media, meta, whatsapp, x
from channels.base import ChannelError
from channels.events import Echo, IncomingMessage, InstagramMention, Malformed, ReadUpTo, StatusUpdate
from channels.models import Platform, PollCursor, RawEvent, RawEventState
from channels.registry import adapter_for, configured
from inbox import services as inbox
from inbox.models import Channel, DeliveryStatus, Direction, Message
from webcare.lib.db import commit_without_waiting, retry_transient
from webcare.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8
UNSENT_OR_FAILED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED)
# A send that has not finished after this long never will: its worker died, or the platform never answered.
STALE_SENDING = timedelta(minutes=5)
LIMITS = {"provider_id": 200, "sender_id": 100, "thread_key": 200}
MEDIA_REQUESTS = {
    Channel.WHATSAPP: whatsapp.media_request,
    Channel.FACEBOOK: meta.media_request,
    Channel.INSTAGRAM: meta.media_request,
    Channel.X: x.media_request,
}


class RetryLater(Exception):
    def __init__(self, countdown: int | None = None):
        super().__init__(countdown)
        self.countdown = countdown


# --- Inbound --------------------------------------------------------------------------------------


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# What each webhook endpoint's deliveries say: (body, query string) -> events.
READERS = {
    "whatsapp": lambda body, query: [whatsapp.parse_message(QueryDict(body))],
    "whatsapp-status": lambda body, query: [
        update
        for update in [whatsapp.parse_status(QueryDict(body), send_key=QueryDict(query).get("key", ""))]
        if update
    ],
    "meta": lambda body, query: meta.parse(_json(body)),
    "x": lambda body, query: x.parse(_json(body)),
}


def read(endpoint: str, body: bytes | str, query: str = "") -> list:
    """The events in a delivery, checked to fit our columns; raises Malformed for one we cannot read."""
    try:
        events = READERS[endpoint](body, query)
    except Malformed:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError, OSError) as error:
        raise Malformed(f"{type(error).__name__}: {error}") from error
    return [_checked(event) for event in events]


def _json(body: bytes | str):
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise Malformed("the body is not JSON") from error


@transaction.atomic
def ingest(*, platform: str, endpoint: str, body: bytes, query: str = "", content_type: str = "") -> bool:
    """Keep a verified delivery and owe its processing to a worker; False for a repeated delivery.

    Only readable deliveries are kept (Malformed otherwise). The request stores two rows and answers:
    a crisis's flood of messages is taken at once, and the worker files them (`process_raw_event`).
    """
    read(endpoint, body, query)
    raw_id = RawEvent.objects.insert_new(
        platform=platform,
        endpoint=endpoint,
        digest=_digest(body),
        body=_text(body),
        query=query[:200],
        content_type=content_type[:100],
        state=RawEventState.PENDING,
    )
    if raw_id is None:
        return False
    enqueue_on_commit("channels.process_raw_event", raw_id)
    return True


def keep_malformed(
    *, platform: str, endpoint: str, body: bytes, query: str = "", content_type: str = "", error: str
) -> None:
    """A signed delivery we cannot read: answered 400, but kept, so it can be replayed after a fix."""
    RawEvent.objects.get_or_create(
        platform=platform,
        digest=_digest(body),
        defaults={
            "endpoint": endpoint,
            "body": _text(body),
            "query": query[:200],
            "content_type": content_type[:100],
            "state": RawEventState.MALFORMED,
            "error": error[:300],
        },
    )


def _text(body: bytes) -> str:
    """The body as text PostgreSQL accepts: no NUL characters (the digest keeps the original bytes)."""
    return body.decode("utf-8", "replace").replace("\x00", "")


def _checked(event):
    """Events with ids our columns can hold, and text PostgreSQL accepts (no NUL, no lone surrogate)."""
    if not is_dataclass(event):
        return event
    for name, limit in LIMITS.items():
        if len(str(getattr(event, name, ""))) > limit:
            raise Malformed(f"{name} is too long")
    changes = {f.name: _storable(getattr(event, f.name)) for f in fields(event)}
    return replace(event, **changes)


def _storable(value):
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    return value


def _apply(event) -> None:
    """Hand one event to the inbox."""
    if isinstance(event, IncomingMessage):
        receive(event)
    elif isinstance(event, StatusUpdate):
        inbox.record_status(
            channel=event.channel,
            status=event.status,
            provider_id=event.provider_id,
            send_key=event.send_key,
            error=event.error,
        )
    elif isinstance(event, ReadUpTo):
        inbox.record_read_up_to(channel=event.channel, resident_id=event.resident_id, until=event.until)
    elif isinstance(event, Echo):
        inbox.record_echo(
            channel=event.channel,
            provider_id=event.provider_id,
            text=event.text,
            resident_id=event.resident_id,
            send_key=event.send_key,
            sent_at=event.sent_at,
        )


def receive(incoming: IncomingMessage) -> bool:
    """A resident's message into the inbox (False if it was there); attachments download in the background."""
    message, created = inbox.receive_message(incoming)
    if created and any(_fetchable(a) for a in message.attachments):
        enqueue_on_commit("channels.fetch_media", message.pk)
    identity = message.conversation.identity
    if created and not identity.handle and incoming.channel in (Channel.FACEBOOK, Channel.INSTAGRAM):
        enqueue_on_commit("channels.fetch_name", identity.pk)
    return created


def fetch_name(identity_id: int, *, last_attempt: bool = True) -> None:
    """Look up the name of a Meta resident who has none yet; raises ChannelError to be retried.

    Without a name the resident is still there, shown by their id: a last failure is only logged.
    """
    identity = inbox.identity_without_name(identity_id)
    if identity is None:
        return
    try:
        name = meta.fetch_name(identity.channel, identity.external_id)
    except ChannelError as error:
        if not (error.permanent or last_attempt):
            raise
        logger.warning("no name for identity %s: %s", identity_id, error.reason)
        return
    if name:
        inbox.name_identity(identity_id=identity_id, name=name)


def process_raw_event(raw_event_id: int) -> None:
    """File a stored delivery: messages into the inbox, statuses onto our replies, and so on.

    Idempotent: a delivery is filed once, under a lock, however often it is handed over. An Instagram
    mention's text is fetched from the platform first; raises ChannelError to be retried.
    """
    raw = RawEvent.objects.filter(pk=raw_event_id, state=RawEventState.PENDING).first()
    if raw is None:
        return
    try:
        events = read(raw.endpoint, raw.body, raw.query)
    except Malformed as error:  # accepted by an older version of the reader
        RawEvent.objects.filter(pk=raw.pk).update(state=RawEventState.MALFORMED, error=str(error)[:300])
        return
    if any(isinstance(event, InstagramMention) for event in events):
        events = _with_mentions_fetched(raw, events)
    # Many deliveries from one resident at once can deadlock on their rows: the loser runs again.
    retry_transient(lambda: _file(raw.pk, events))


def _with_mentions_fetched(raw: RawEvent, events: list) -> list:
    """Mentions replaced by the messages they are; after the last attempt, given up (and kept)."""
    RawEvent.objects.filter(pk=raw.pk).update(attempts=F("attempts") + 1)
    try:
        return [_checked(meta.fetch_mention(e)) if isinstance(e, InstagramMention) else e for e in events]
    except ChannelError as error:
        RawEvent.objects.filter(pk=raw.pk).update(error=error.reason[:300])
        if not error.permanent and raw.attempts + 1 < MAX_SEND_ATTEMPTS:
            raise
        return [event for event in events if not isinstance(event, InstagramMention)]


@transaction.atomic
def _file(raw_event_id: int, events: list) -> None:
    commit_without_waiting()  # the delivery is stored: a lost filing is filed again
    if not RawEvent.objects.select_for_update().filter(pk=raw_event_id, state=RawEventState.PENDING).exists():
        return  # another worker filed it meanwhile
    for event in events:
        _apply(event)
    RawEvent.objects.filter(pk=raw_event_id).update(state=RawEventState.DONE)


# --- Outbound -------------------------------------------------------------------------------------


def send_message(message_id: int) -> None:
    """Deliver one reply, never twice.

    The reply is taken with a conditional update (pending -> sending), so two workers never send the
    same reply. After an attempt whose outcome we could not see (a timeout, a worker that died) the
    reply is not sent again on a guess: where the platform can say whether it has it (Twilio) it is
    asked first; where it cannot (Meta, X) the reply stays `sending` until the platform's echo
    confirms it, or `settle_stale_sends` tells the agent its outcome is unknown.
    Raises RetryLater when a later attempt can help, or when the reply is not due yet.
    """
    now = timezone.now()
    taken = Message.objects.filter(
        Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now + timedelta(seconds=1)),
        pk=message_id,
        delivery_status=DeliveryStatus.PENDING,
    ).update(delivery_status=DeliveryStatus.SENDING, sending_since=now, send_attempts=F("send_attempts") + 1)
    if not taken:
        _raise_if_not_due(message_id, now)
        return  # sent, being sent or failed for good
    message = Message.objects.select_related("conversation__identity", "conversation__contact").get(
        pk=message_id
    )
    adapter = adapter_for(message.channel)
    if adapter is None:
        inbox.record_delivery(
            message_id=message_id,
            status=DeliveryStatus.FAILED,
            error=gettext("%(channel)s is not connected (no credentials configured).")
            % {"channel": message.get_channel_display()},
        )
        return
    try:
        provider_id = adapter.find_sent(message) if message.send_attempts > 1 else None
        provider_id = provider_id or adapter.send(message)
    except ChannelError as error:
        if error.unknown_outcome and not adapter.finds_sent:
            logger.warning("reply %s: no answer from the platform; waiting for its echo", message_id)
            return
        if error.permanent or message.send_attempts >= MAX_SEND_ATTEMPTS:
            inbox.record_delivery(message_id=message_id, status=DeliveryStatus.FAILED, error=error.reason)
            return
        Message.objects.filter(pk=message_id, delivery_status=DeliveryStatus.SENDING).update(
            delivery_status=DeliveryStatus.PENDING, delivery_error=error.reason[:300]
        )
        raise RetryLater(error.retry_after) from error
    inbox.record_delivery(message_id=message_id, status=DeliveryStatus.SENT, provider_id=provider_id)


def _raise_if_not_due(message_id: int, now: datetime) -> None:
    """A task that runs before its reply's time (X's limit on direct messages) waits for it."""
    scheduled_for = (
        Message.objects.filter(pk=message_id, delivery_status=DeliveryStatus.PENDING)
        .values_list("scheduled_for", flat=True)
        .first()
    )
    if scheduled_for and scheduled_for > now:
        raise RetryLater(math.ceil((scheduled_for - now).total_seconds()))


def settle_stale_sends(now: datetime | None = None) -> dict[str, int]:
    """Replies that have been `sending` for STALE_SENDING: the worker died during the attempt, or
    the platform never answered it. Whether the resident got the reply is unknown.

    Where the platform can tell (Twilio), the reply goes back to pending: the next attempt asks it
    before sending. Where it cannot (Meta, X) and no echo came, the reply fails with a reason that
    says so, and its conversation returns to the queue: the agent checks, and sends it again.
    """
    now = now or timezone.now()
    stale = Message.objects.filter(
        delivery_status=DeliveryStatus.SENDING, sending_since__lt=now - STALE_SENDING
    ).values_list("pk", "channel", "sending_since")
    counts = {"asked": 0, "unknown": 0}
    for message_id, channel, since in stale[:200]:
        adapter = adapter_for(channel)
        if adapter is not None and adapter.finds_sent:
            counts["asked"] += _retry_with_a_question(message_id, since)
        else:
            counts["unknown"] += _fail_as_unknown(message_id, since, channel)
    return counts


@transaction.atomic
def _retry_with_a_question(message_id: int, since: datetime) -> bool:
    revived = Message.objects.filter(
        pk=message_id, delivery_status=DeliveryStatus.SENDING, sending_since=since
    ).update(delivery_status=DeliveryStatus.PENDING)
    if revived:
        enqueue_on_commit("channels.send_message", message_id)
    return bool(revived)


@transaction.atomic
def _fail_as_unknown(message_id: int, since: datetime, channel: str) -> bool:
    if not Message.objects.select_for_update().filter(
        pk=message_id, delivery_status=DeliveryStatus.SENDING, sending_since=since
    ):
        return False  # confirmed or settled meanwhile
    reason = gettext(
        "Unknown whether this reply arrived: %(channel)s did not answer. Check the conversation on "
        "%(channel)s; send it again only if it is not there."
    ) % {"channel": Channel(channel).label}
    return inbox.record_delivery(message_id=message_id, status=DeliveryStatus.FAILED, error=reason)


# --- Media ----------------------------------------------------------------------------------------


def _fetchable(attachment: dict) -> bool:
    return (
        bool(attachment.get("url")) and attachment.get("type") != "story_mention" and "file" not in attachment
    )


def fetch_media(message_id: int, *, last_attempt: bool = True) -> None:
    """Download a message's attachments before the platforms' links expire.

    Only from the platforms' hosts (no requests into our own network), only media types, at most
    MEDIA_MAX_BYTES each: the rules are in channels/media.py. Raises ChannelError to be retried,
    unless this is the last attempt.
    """
    message = Message.objects.get(pk=message_id)
    attachments = [dict(a) for a in message.attachments]
    for index, attachment in enumerate(attachments):
        if not _fetchable(attachment) or attachment.get("error"):
            continue
        try:
            attachment.update(_download(message, index, attachment["url"]))
        except ChannelError as error:
            if not (error.permanent or last_attempt):
                raise
            attachment["error"] = error.reason
    inbox.update_attachments(message_id=message_id, attachments=attachments)


def _download(message: Message, index: int, url: str) -> dict:
    url, auth = MEDIA_REQUESTS[message.channel](url)
    fetched = media.fetch(url, auth)
    extension = mimetypes.guess_extension(fetched.content_type) or ""
    # Our own name, never the URL's: that one could be anything ("../", ".html").
    name = default_storage.save(f"attachments/{message.pk}/{index}{extension}", ContentFile(fetched.content))
    return {"file": name, "content_type": fetched.content_type, "size": len(fetched.content)}


# --- Catching up on deliveries the platforms never made -----------------------------------------


def catch_up(now: datetime | None = None) -> dict[str, int]:
    """Poll the platforms for what their webhooks may have missed: Twilio's message list, X mentions."""
    now = now or timezone.now()
    counts = {}
    if configured(Channel.WHATSAPP):
        counts["whatsapp"] = _catch_up_whatsapp(now)
    if configured(Channel.X) and settings.X_USER_ID:
        counts["x"] = _catch_up_x(now)
    return counts


def _catch_up_whatsapp(now: datetime) -> int:
    cursor = PollCursor.objects.filter(name="twilio-inbound").first()
    since = datetime.fromisoformat(cursor.value) if cursor else now - timedelta(hours=1)
    try:
        messages = whatsapp.WhatsAppAdapter().received_since(since - timedelta(minutes=10))
    except Exception as error:  # the platform is down; try again at the next poll
        logger.warning("WhatsApp catch-up failed: %s", error)
        return 0
    found = _receive_all(messages)
    PollCursor.objects.update_or_create(name="twilio-inbound", defaults={"value": now.isoformat()})
    return found


def _catch_up_x(now: datetime) -> int:
    cursor = PollCursor.objects.filter(name="x-mentions").first()
    try:
        messages, newest = x.XAdapter().mentions_since(
            cursor.value if cursor else None, now - timedelta(days=1)
        )
    except Exception as error:  # the platform is down or the rate limit is reached; next poll
        logger.warning("X catch-up failed: %s", error)
        return 0
    found = _receive_all(messages)
    if newest:
        PollCursor.objects.update_or_create(name="x-mentions", defaults={"value": newest})
    return found


def _receive_all(messages: list[IncomingMessage]) -> int:
    """Store what the webhooks missed; the rest is already there. Returns how many were missing."""
    return sum(receive(_checked(incoming)) for incoming in messages)


# --- How the channels are doing ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelHealth:
    channel: str
    label: str
    connected: bool
    webhook_url: str
    received_24h: int
    sent_24h: int
    failed_24h: int
    unsent: int


@dataclass(frozen=True)
class PlatformHealth:
    platform: str
    label: str
    last_delivery_at: datetime | None
    pending: int
    malformed_7d: int


WEBHOOKS = {
    Channel.WHATSAPP: "channels:whatsapp",
    Channel.FACEBOOK: "channels:meta",
    Channel.INSTAGRAM: "channels:meta",
    Channel.X: "channels:x",
}


def health(now: datetime | None = None) -> tuple[list[ChannelHealth], list[PlatformHealth], list[PollCursor]]:
    """Per channel: connected, traffic and failures of the last day; per platform: its deliveries."""
    now = now or timezone.now()
    day = now - timedelta(days=1)
    counts = {
        row["channel"]: row
        for row in Message.objects.filter(created_at__gte=day)
        .values("channel")
        .annotate(
            received=Count("pk", filter=Q(direction=Direction.INBOUND)),
            sent=Count(
                "pk", filter=Q(direction=Direction.OUTBOUND) & ~Q(delivery_status__in=UNSENT_OR_FAILED)
            ),
            failed=Count("pk", filter=Q(delivery_status=DeliveryStatus.FAILED)),
        )
    }
    unsent = dict(
        Message.objects.unsent().values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    channels = [
        ChannelHealth(
            channel=channel,
            label=label,
            connected=configured(channel),
            webhook_url=base + reverse(WEBHOOKS[channel]),
            received_24h=counts.get(channel, {}).get("received", 0),
            sent_24h=counts.get(channel, {}).get("sent", 0),
            failed_24h=counts.get(channel, {}).get("failed", 0),
            unsent=unsent.get(channel, 0),
        )
        for channel, label in Channel.choices
    ]
    events = RawEvent.objects.values("platform").annotate(
        last=Max("received_at"),
        pending=Count("pk", filter=Q(state=RawEventState.PENDING)),
        malformed=Count(
            "pk", filter=Q(state=RawEventState.MALFORMED, received_at__gte=now - timedelta(days=7))
        ),
    )
    by_platform = {row["platform"]: row for row in events}
    platforms = [
        PlatformHealth(
            platform=platform,
            label=label,
            last_delivery_at=by_platform.get(platform, {}).get("last"),
            pending=by_platform.get(platform, {}).get("pending", 0),
            malformed_7d=by_platform.get(platform, {}).get("malformed", 0),
        )
        for platform, label in Platform.choices
    ]
    return channels, platforms, list(PollCursor.objects.order_by("name"))
