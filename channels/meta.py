"""Facebook (Messenger, Page comments) and Instagram (DMs, comments, mentions) through the Graph API."""

import json
import zlib
from datetime import datetime

import requests
from django.conf import settings
from django.utils.translation import gettext
from pyfacebook.exceptions import FacebookError, LibraryError

from channels import clients
from channels.base import ChannelError, network_error
from channels.events import (
    Echo,
    IncomingMessage,
    InstagramMention,
    ReadUpTo,
    StatusUpdate,
    from_millis,
    from_seconds,
    require,
)
from inbox.models import Channel, DeliveryStatus, Message

OBJECTS = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM}
METADATA_PREFIX = "webcare:"
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613}  # unknown/temporary errors and rate limits
WINDOW_SUBCODES = {2018278, 2534022}


def parse(payload: dict) -> list:
    """All events in one delivery; `entry` may hold many, from several residents."""
    channel = OBJECTS.get(require(payload, "object"))
    if channel is None:
        return []  # a subscription we do not use
    events: list = []
    for entry in require(payload, "entry", list):
        account_id = str(require(entry, "id", (str, int)))
        for item in entry.get("messaging", []) if isinstance(entry.get("messaging"), list) else []:
            events.extend(_messaging(channel, item))
        for change in entry.get("changes", []) if isinstance(entry.get("changes"), list) else []:
            events.extend(_change(channel, account_id, entry, change))
    return events


def _messaging(channel: str, item: dict) -> list:
    sender = str(require(require(item, "sender", dict), "id", (str, int)))
    recipient = str(require(require(item, "recipient", dict), "id", (str, int)))
    if "message" in item:
        message = require(item, "message", dict)
        mid = require(message, "mid")
        sent_at = from_millis(require(item, "timestamp", int))
        if message.get("is_deleted"):
            return []
        if message.get("is_echo"):
            metadata = message.get("metadata") or ""
            send_key = metadata.removeprefix(METADATA_PREFIX) if metadata.startswith(METADATA_PREFIX) else ""
            return [Echo(channel, mid, message.get("text", ""), recipient, send_key, sent_at)]
        attachments = [
            {"type": str(a.get("type", "")), "url": str((a.get("payload") or {}).get("url", ""))}
            for a in message.get("attachments", [])
            if isinstance(a, dict)
        ]
        return [
            IncomingMessage(
                channel=channel,
                sender_id=sender,
                text=str(message.get("text", "")),
                provider_id=mid,
                attachments=attachments,
                sent_at=sent_at,
                context={"story_mention": True}
                if any(a["type"] == "story_mention" for a in attachments)
                else {},
            )
        ]
    if "delivery" in item:
        mids = require(item["delivery"], "mids", list) if "mids" in item["delivery"] else []
        return [StatusUpdate(channel, DeliveryStatus.DELIVERED, provider_id=str(mid)) for mid in mids]
    seen = item.get("read") or item.get("messaging_seen")
    if isinstance(seen, dict):
        if "watermark" in seen:
            return [ReadUpTo(channel, sender, from_millis(require(seen, "watermark", int)))]
        return [StatusUpdate(channel, DeliveryStatus.READ, provider_id=require(seen, "mid"))]
    return []  # reactions, postbacks, referrals: nothing for the inbox


def _change(channel: str, account_id: str, entry: dict, change: dict) -> list:
    field = require(change, "field")
    value = require(change, "value", dict)
    if channel == Channel.FACEBOOK and field == "feed":
        return _page_comment(account_id, value)
    if channel == Channel.INSTAGRAM and field == "comments":
        return _instagram_comment(account_id, entry, value)
    if channel == Channel.INSTAGRAM and field == "mentions":
        return [InstagramMention(require(value, "comment_id"), str(require(value, "media_id", (str, int))))]
    return []


def _page_comment(page_id: str, value: dict) -> list:
    if value.get("item") != "comment" or value.get("verb") not in ("add", "edited"):
        return []  # posts, likes, removals
    comment_id = require(value, "comment_id")
    author = require(value, "from", dict)
    author_id = str(require(author, "id", (str, int)))
    text = str(value.get("message", ""))
    if author_id == page_id:
        return [Echo(Channel.FACEBOOK, comment_id, text)]
    edited = value["verb"] == "edited"
    return [
        IncomingMessage(
            channel=Channel.FACEBOOK,
            sender_id=author_id,
            sender_name=str(author.get("name", "")),
            text=text,
            # An edit is a new message in the history; the same edit delivered twice is still one.
            provider_id=f"{comment_id}~{abs(hash_text(text))}" if edited else comment_id,
            thread_key=require(value, "post_id"),
            is_public=True,
            sent_at=from_seconds(require(value, "created_time", int)),
            context={
                "comment_id": comment_id,
                "post_id": value["post_id"],
                "parent_id": str(value.get("parent_id", "")),
                "edited": edited,
            },
        )
    ]


def _instagram_comment(account_id: str, entry: dict, value: dict) -> list:
    comment_id = require(value, "id")
    author = require(value, "from", dict)
    author_id = str(require(author, "id", (str, int)))
    text = str(value.get("text", ""))
    if author_id == account_id:
        return [Echo(Channel.INSTAGRAM, comment_id, text)]
    media_id = str(require(require(value, "media", dict), "id", (str, int)))
    return [
        IncomingMessage(
            channel=Channel.INSTAGRAM,
            sender_id=author_id,
            sender_name=str(author.get("username", "")),
            text=text,
            provider_id=comment_id,
            thread_key=media_id,
            is_public=True,
            sent_at=from_seconds(entry["time"]) if isinstance(entry.get("time"), int) else None,
            context={
                "comment_id": comment_id,
                "media_id": media_id,
                "parent_id": str(value.get("parent_id", "")),
            },
        )
    ]


def hash_text(text: str) -> int:
    """A stable number for a text (Python's hash() differs per process)."""
    return zlib.crc32(text.encode("utf-8"))


def fetch_mention(mention: InstagramMention) -> IncomingMessage:
    """The comment an Instagram @mention is in; Meta's webhook only gives its id."""
    fields = f"mentioned_comment.comment_id({mention.comment_id}){{id,text,username,timestamp,media{{id}}}}"
    try:
        data = clients.graph().get_object(settings.META_INSTAGRAM_ID, fields=fields)
    except FacebookError as error:
        raise _channel_error(error) from error
    except (LibraryError, requests.RequestException) as error:
        raise ChannelError(f"Instagram did not answer: {error}", permanent=False) from error
    comment = data.get("mentioned_comment") or {}
    username = str(comment.get("username", ""))
    return IncomingMessage(
        channel=Channel.INSTAGRAM,
        sender_id=f"@{username}",
        sender_name=username,
        text=str(comment.get("text", "")),
        provider_id=mention.comment_id,
        thread_key=mention.media_id,
        is_public=True,
        sent_at=_iso(comment.get("timestamp")),
        context={"comment_id": mention.comment_id, "media_id": mention.media_id, "mention": True},
    )


def fetch_name(channel: str, user_id: str) -> str:
    """A resident's name from their profile; Meta's direct-message webhooks carry only an id."""
    fields = "first_name,last_name" if channel == Channel.FACEBOOK else "name,username"
    try:
        profile = clients.graph().get_object(user_id, fields=fields)
    except FacebookError as error:
        raise _channel_error(error) from error
    except (LibraryError, requests.RequestException) as error:
        raise ChannelError(f"Meta did not answer: {error}", permanent=False) from error
    full = " ".join(filter(None, [profile.get("first_name"), profile.get("last_name")]))
    return str(full or profile.get("name") or profile.get("username") or "")


def _iso(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("+0000", "+00:00"))
    except ValueError:
        return None


class MetaAdapter:
    """Sends as the Page (Facebook) or the Instagram professional account linked to it."""

    finds_sent = False  # no lookup of a sent message; its echo tells

    def __init__(self, channel: str):
        self.channel = channel
        self.account_id = settings.META_PAGE_ID if channel == Channel.FACEBOOK else settings.META_INSTAGRAM_ID

    def send(self, message: Message) -> str:
        try:
            return self._send(message)
        except FacebookError as error:
            raise _channel_error(error) from error
        except LibraryError as error:  # not JSON: a proxy or an outage page
            raise ChannelError(gettext("unexpected answer from Meta"), permanent=False) from error
        except requests.RequestException as error:
            raise network_error(error) from error

    def _send(self, message: Message) -> str:
        graph = clients.graph()
        options = message.send_options
        if options.get("private_reply_to"):
            return self._dm(graph, {"comment_id": options["private_reply_to"]}, message)
        if not message.conversation.is_public:
            return self._dm(graph, {"id": message.conversation.identity.external_id}, message)
        comment = _latest_comment(message)
        if self.channel == Channel.FACEBOOK:
            data = graph.post_object(comment["comment_id"], "comments", data={"message": message.text})
        elif comment.get("mention"):
            data = graph.post_object(
                self.account_id,
                "mentions",
                data={
                    "media_id": comment["media_id"],
                    "comment_id": comment["comment_id"],
                    "message": message.text,
                },
            )
        else:  # Instagram answers only top-level comments
            top = comment.get("parent_id") or comment["comment_id"]
            data = graph.post_object(top, "replies", data={"message": message.text})
        return str(data["id"])

    def _dm(self, graph, recipient: dict, message: Message) -> str:
        body = {"text": message.text}
        if self.channel == Channel.FACEBOOK:
            body["metadata"] = f"{METADATA_PREFIX}{message.send_key}"  # comes back in the echo
        tag = message.send_options.get("tag")
        fields = {
            "recipient": json.dumps(recipient),
            "message": json.dumps(body),
            "messaging_type": "MESSAGE_TAG" if tag else "RESPONSE",
        }
        if tag:
            fields["tag"] = tag
        return str(graph.post_object(self.account_id, "messages", data=fields)["message_id"])

    def find_sent(self, message: Message) -> str | None:
        return None  # Meta echoes every message the account sends; the echo confirms it


def _latest_comment(message: Message) -> dict:
    """The resident's latest comment in the thread: the one a public reply answers."""
    inbound = message.conversation.messages.latest_from_resident()
    if inbound is None:
        raise ChannelError(gettext("There is no comment of the resident to reply to."), permanent=True)
    return {"comment_id": inbound.provider_id, **inbound.context}


def _channel_error(error: FacebookError) -> ChannelError:
    code, subcode = getattr(error, "code", None), getattr(error, "error_subcode", None)
    if subcode in WINDOW_SUBCODES:
        return ChannelError(gettext("Meta's reply window for this resident has closed."), permanent=True)
    if code == 190:
        return ChannelError(
            gettext("The Page token has expired: an administrator must renew META_PAGE_TOKEN."),
            permanent=True,
        )
    if code in TRANSIENT_CODES:
        return ChannelError(
            gettext("Meta is busy or failing (code %(code)s)") % {"code": code}, permanent=False
        )
    return ChannelError(
        gettext("Meta refused the message: %(reason)s (code %(code)s)")
        % {"reason": getattr(error, "message", error), "code": code},
        permanent=True,
    )


def media_request(url: str) -> tuple[str, None]:
    return url, None  # Meta's CDN links are signed and need no token
