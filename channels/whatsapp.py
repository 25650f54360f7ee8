"""WhatsApp through Twilio: webhook parsing, sending (free text or template), catch-up polling."""

import json
from datetime import datetime

import requests
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from twilio.base.exceptions import TwilioRestException

from channels import clients
from channels.base import ChannelError, network_error
from channels.events import IncomingMessage, Malformed, StatusUpdate
from inbox.models import Channel, DeliveryStatus, Message

TWILIO_HOST = "https://api.twilio.com"
PREFIX = "whatsapp:"

STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}

# Twilio error codes an agent can act on, in words.
ERRORS = {
    "63016": _("WhatsApp's 24-hour window had closed: send an approved template."),
    "63003": _("This number cannot receive WhatsApp messages."),
    "63024": _("This number cannot receive WhatsApp messages."),
    "63032": _("The resident has blocked messages from the municipality."),
    "21211": _("The resident's number is not a valid phone number."),
}


def _number(address: str) -> str:
    return address.removeprefix(PREFIX)


def parse_message(params: QueryDict) -> IncomingMessage:
    sid, sender = params.get("MessageSid", ""), params.get("From", "")
    if not sid or not sender.startswith(PREFIX):
        raise Malformed("a WhatsApp message needs MessageSid and a whatsapp: From")
    try:
        media_count = int(params.get("NumMedia") or 0)
    except ValueError as error:
        raise Malformed("NumMedia is not a number") from error
    attachments = [
        {"type": params.get(f"MediaContentType{n}", ""), "url": params.get(f"MediaUrl{n}", "")}
        for n in range(min(media_count, 10))
        if params.get(f"MediaUrl{n}")
    ]
    return IncomingMessage(
        channel=Channel.WHATSAPP,
        sender_id=_number(sender),
        sender_name=params.get("ProfileName", ""),
        text=params.get("Body", ""),
        provider_id=sid,
        attachments=attachments,
    )


def parse_status(params: QueryDict, send_key: str = "") -> StatusUpdate | None:
    """A status callback; None for statuses that change nothing for us (queued, sending, ...)."""
    sid, value = params.get("MessageSid", ""), params.get("MessageStatus", "")
    if not sid or not value:
        raise Malformed("a status callback needs MessageSid and MessageStatus")
    status = STATUSES.get(value)
    if status is None:
        return None
    code = params.get("ErrorCode", "")
    error = ""
    if status == DeliveryStatus.FAILED:
        error = str(
            ERRORS.get(code)
            or _("WhatsApp did not deliver this message (Twilio %(code)s).") % {"code": code or value}
        )
    return StatusUpdate(Channel.WHATSAPP, status, provider_id=sid, send_key=send_key, error=error)


def status_callback_url(message: Message) -> str:
    path = reverse("channels:whatsapp-status")
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?key={message.send_key}"


class WhatsAppAdapter:
    finds_sent = True  # Twilio lists the messages we sent

    def send(self, message: Message) -> str:
        options = message.send_options
        fields = {
            "from_": settings.TWILIO_WHATSAPP_FROM,
            "to": PREFIX + message.conversation.identity.external_id,
            "status_callback": status_callback_url(message),
        }
        if options.get("content_sid"):
            fields["content_sid"] = options["content_sid"]
            fields["content_variables"] = json.dumps(options.get("content_variables", {}))
        else:
            fields["body"] = message.text
        try:
            return clients.twilio().messages.create(**fields).sid
        except TwilioRestException as error:
            raise _channel_error(error) from error
        except requests.RequestException as error:
            raise network_error(error) from error

    def find_sent(self, message: Message) -> str | None:
        """Twilio has no idempotency key, so look for a message with our text sent to the resident
        since the reply was written (not since this attempt: the earlier one is what we look for)."""
        since = message.created_at
        try:
            sent = clients.twilio().messages.list(
                to=PREFIX + message.conversation.identity.external_id, date_sent_after=since, limit=50
            )
        except (TwilioRestException, requests.RequestException) as error:
            raise ChannelError(
                f"cannot check Twilio for an earlier attempt: {error}", permanent=False
            ) from error
        for candidate in sent:
            if candidate.body == message.text and candidate.direction.startswith("outbound"):
                return candidate.sid
        return None

    def received_since(self, since: datetime) -> list[IncomingMessage]:
        """Messages residents sent since `since`, as Twilio lists them (catch-up for missed webhooks)."""
        records = clients.twilio().messages.list(
            to=settings.TWILIO_WHATSAPP_FROM, date_sent_after=since, limit=500
        )
        return [
            IncomingMessage(
                channel=Channel.WHATSAPP,
                sender_id=_number(record.from_),
                text=record.body or "",
                provider_id=record.sid,
                sent_at=record.date_sent or record.date_created,
            )
            for record in records
            if record.direction == "inbound"
        ]


def _channel_error(error: TwilioRestException) -> ChannelError:
    if error.status == 429 or error.status >= 500:
        return ChannelError(
            str(_("Twilio is busy or failing (%(status)s)") % {"status": error.status}), permanent=False
        )
    reason = str(ERRORS.get(str(error.code)) or f"Twilio: {error.msg} ({error.code})")
    return ChannelError(reason, permanent=True)


def media_request(url: str) -> tuple[str, tuple[str, str] | None]:
    """Where to fetch a Twilio media URL from, and the Basic auth Twilio requires for it."""
    if url.startswith(TWILIO_HOST):
        url = settings.TWILIO_API_BASE_URL.rstrip("/") + url[len(TWILIO_HOST) :]
    return url, (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
