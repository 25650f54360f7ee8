"""Taking deliveries in and sending replies out. Each public function is one unit of work."""

import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from channels import meta, whatsapp, x
from channels.base import ChannelError
from channels.events import Echo, IncomingMessage, InstagramMention, Malformed, ReadUpTo, StatusUpdate
from channels.models import Platform, PollCursor, RawEvent, RawEventState
from channels.registry import adapter_for, configured
from inbox import services as inbox
from inbox.models import Channel, DeliveryStatus, Direction, Message
from webcare.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8
UNSENT_OR_FAILED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED)
STALE_SENDING = timedelta(minutes=5)  # a worker that held a send this long has died
MEDIA_LINK_LIFE = timedelta(days=1)  # after this the platforms' media links have expired
LIMITS = {"provider_id": 200, "sender_id": 100, "thread_key": 200}
MEDIA_TYPES = ("image/", "video/", "audio/", "application/pdf")
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


@transaction.atomic
def ingest(*, platform: str, endpoint: str, body: bytes, content_type: str, events: list) -> bool:
    """Store a verified delivery and everything it says, in one transaction; False for a replay.

    Work that needs the platform again (an Instagram mention's text) is left pending and queued.
    """
    events = [_checked(event) for event in events]
    raw, created = RawEvent.objects.get_or_create(
        platform=platform,
        digest=_digest(body),
        defaults={
            "endpoint": endpoint,
            "body": _text(body),
            "content_type": content_type[:100],
        },
    )
    if not created:
        return False
    deferred = False
    for event in events:
        deferred |= _apply(event)
    if deferred:
        raw.state = RawEventState.PENDING
        raw.save(update_fields=["state"])
        enqueue_on_commit("channels.process_raw_event", raw.pk)
    return True


def keep_malformed(*, platform: str, endpoint: str, body: bytes, content_type: str, error: str) -> None:
    """A signed delivery we cannot read: answered 400, but kept, so it can be replayed after a fix."""
    RawEvent.objects.get_or_create(
        platform=platform,
        digest=_digest(body),
        defaults={
            "endpoint": endpoint,
            "body": _text(body),
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


def _apply(event) -> bool:
    """Hand one event to the inbox; True when it must wait for a call to the platform."""
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
    elif isinstance(event, InstagramMention):
        return True
    return False


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
    """Finish a delivery that needed the platform (Instagram mentions); raises ChannelError to retry."""
    raw = RawEvent.objects.filter(pk=raw_event_id, state=RawEventState.PENDING).first()
    if raw is None:
        return
    RawEvent.objects.filter(pk=raw.pk).update(attempts=F("attempts") + 1)
    try:
        mentions = [e for e in meta.parse(json.loads(raw.body)) if isinstance(e, InstagramMention)]
        found = [_checked(meta.fetch_mention(mention)) for mention in mentions]
    except ChannelError as error:
        RawEvent.objects.filter(pk=raw.pk).update(error=error.reason[:300])
        if not error.permanent and raw.attempts + 1 < MAX_SEND_ATTEMPTS:
            raise
        found = []  # given up: the delivery stays stored with the reason
    with transaction.atomic():
        if not RawEvent.objects.select_for_update().filter(pk=raw.pk, state=RawEventState.PENDING).exists():
            return  # another worker finished it meanwhile
        for incoming in found:
            receive(incoming)
        RawEvent.objects.filter(pk=raw.pk).update(state=RawEventState.DONE)


# --- Outbound -------------------------------------------------------------------------------------


def send_message(message_id: int) -> None:
    """Deliver one reply, at most once.

    The reply is taken with a conditional update (pending -> sending), so two workers never send the
    same reply. After an attempt whose outcome we could not see, the platform is asked first.
    Raises RetryLater when a later attempt can help.
    """
    now = timezone.now()
    taken = Message.objects.filter(
        Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now + timedelta(seconds=1)),
        pk=message_id,
        delivery_status=DeliveryStatus.PENDING,
    ).update(delivery_status=DeliveryStatus.SENDING, sending_since=now, send_attempts=F("send_attempts") + 1)
    if not taken:
        return  # sent, being sent, failed for good, or not due yet (the sweep sends it when it is)
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
        if error.permanent or message.send_attempts >= MAX_SEND_ATTEMPTS:
            inbox.record_delivery(message_id=message_id, status=DeliveryStatus.FAILED, error=error.reason)
            return
        Message.objects.filter(pk=message_id, delivery_status=DeliveryStatus.SENDING).update(
            delivery_status=DeliveryStatus.PENDING, delivery_error=error.reason[:300]
        )
        raise RetryLater(error.retry_after) from error
    inbox.record_delivery(message_id=message_id, status=DeliveryStatus.SENT, provider_id=provider_id)


def sweep() -> dict[str, int]:
    """Catch up on work whose queued task never ran (the broker was down) or whose worker died."""
    now = timezone.now()
    revived = Message.objects.filter(
        delivery_status=DeliveryStatus.SENDING, sending_since__lt=now - STALE_SENDING
    ).update(delivery_status=DeliveryStatus.PENDING)
    due = (
        Message.objects.unsent()
        .filter(delivery_status=DeliveryStatus.PENDING)
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now))
        .annotate(last_try=Coalesce("sending_since", "created_at"))
        .filter(last_try__lt=now - timedelta(minutes=1))
        .values_list("pk", flat=True)[:200]
    )
    for message_id in due:
        enqueue_on_commit("channels.send_message", message_id)
    pending = RawEvent.objects.filter(
        state=RawEventState.PENDING, received_at__lt=now - timedelta(seconds=30)
    )
    for raw_id in pending.values_list("pk", flat=True)[:200]:
        enqueue_on_commit("channels.process_raw_event", raw_id)
    media = _media_not_fetched(now)
    for message_id in media:
        enqueue_on_commit("channels.fetch_media", message_id)
    return {"revived": revived, "replies": len(due), "deliveries": pending.count(), "media": len(media)}


def _media_not_fetched(now: datetime) -> list[int]:
    """Messages of the last day whose attachments were never downloaded (the platforms' links expire)."""
    recent = (
        Message.objects.filter(direction=Direction.INBOUND, created_at__range=(now - MEDIA_LINK_LIFE, now))
        .exclude(attachments=[])
        .filter(processed_at__lt=now - timedelta(minutes=2))
        .only("pk", "attachments")
    )
    return [m.pk for m in recent[:500] if any(_fetchable(a) and "error" not in a for a in m.attachments)]


# --- Media ----------------------------------------------------------------------------------------


def _fetchable(attachment: dict) -> bool:
    return (
        bool(attachment.get("url")) and attachment.get("type") != "story_mention" and "file" not in attachment
    )


def fetch_media(message_id: int, *, last_attempt: bool = True) -> None:
    """Download a message's attachments before the platforms' links expire.

    Only from the platforms' hosts (no requests into our own network), only media types, at most
    MEDIA_MAX_BYTES each. Raises ChannelError to be retried, unless this is the last attempt.
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


def _allowed_host(host: str) -> bool:
    own = {urlsplit(url).hostname for url in (settings.TWILIO_API_BASE_URL, settings.META_GRAPH_BASE_URL)}
    allowed = settings.MEDIA_ALLOWED_HOSTS
    return host in own or any(host == domain or host.endswith("." + domain) for domain in allowed)


def _download(message: Message, index: int, url: str) -> dict:
    url, auth = MEDIA_REQUESTS[message.channel](url)
    for _hop in range(3):  # follow redirects ourselves, checking every host
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not _allowed_host(parts.hostname or ""):
            raise ChannelError(
                gettext("not downloaded: %(host)s is not a host of the platform") % {"host": parts.hostname},
                permanent=True,
            )
        try:
            response = requests.get(
                url, auth=auth, stream=True, timeout=settings.PLATFORM_TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as error:
            reason = gettext("download failed (%(error)s)") % {"error": type(error).__name__}
            raise ChannelError(reason, permanent=False) from error
        if response.is_redirect:
            url, auth = response.headers["Location"], None
            continue
        return _store(message, index, response)
    raise ChannelError(gettext("not downloaded: too many redirects"), permanent=True)


def _store(message: Message, index: int, response: requests.Response) -> dict:
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelError(
            gettext("download failed (%(error)s)") % {"error": response.status_code}, permanent=False
        )
    if response.status_code != 200:
        reason = gettext("not downloaded: the platform answered %(status)s") % {
            "status": response.status_code
        }
        raise ChannelError(reason, permanent=True)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not content_type.startswith(MEDIA_TYPES):
        reason = gettext("not downloaded: %(type)s is not a media type") % {"type": content_type or "?"}
        raise ChannelError(reason, permanent=True)
    content = bytearray()
    for chunk in response.iter_content(64 * 1024):
        content.extend(chunk)
        if len(content) > settings.MEDIA_MAX_BYTES:
            raise ChannelError(gettext("not downloaded: larger than the limit"), permanent=True)
    extension = mimetypes.guess_extension(content_type) or ""
    name = default_storage.save(f"attachments/{message.pk}/{index}{extension}", ContentFile(bytes(content)))
    return {"file": name, "content_type": content_type, "size": len(content)}


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
