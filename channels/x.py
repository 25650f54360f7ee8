"""X: direct messages and @mentions, from the Account Activity API and the newer X Activity API."""

import time
from datetime import datetime

import requests
import tweepy
from django.conf import settings
from django.utils.translation import gettext

from channels import clients
from channels.base import ChannelError, network_error
from channels.events import Echo, IncomingMessage, Malformed, from_millis, require
from inbox.models import Channel, Message


def parse(payload: dict) -> list:
    """Both envelopes map onto the same events."""
    if (
        isinstance(payload, dict)
        and isinstance(payload.get("data"), dict)
        and "event_type" in payload["data"]
    ):
        return _activity(payload["data"])
    account_id = str(require(payload, "for_user_id", (str, int)))
    events: list = []
    users = payload.get("users") if isinstance(payload.get("users"), dict) else {}
    for event in _list(payload, "direct_message_events"):
        events.extend(_direct_message(account_id, event, users))
    for tweet in _list(payload, "tweet_create_events"):
        events.extend(_tweet(account_id, tweet))
    return events  # likes, follows, typing indicators, read receipts: nothing for the inbox


def _list(payload: dict, key: str) -> list:
    value = payload.get(key, [])
    if not isinstance(value, list):
        raise Malformed(f"{key} must be a list")
    return value


def _activity(data: dict) -> list:
    """The X Activity API: one event per delivery, in an envelope with its type."""
    event_type = require(data, "event_type")
    account_id = str(require(require(data, "filter", dict), "user_id", (str, int)))
    payload = require(data, "payload", dict)
    if event_type in ("dm.received", "dm.sent"):
        users = payload.get("users") if isinstance(payload.get("users"), dict) else {}
        return [
            e
            for event in _list(payload, "direct_message_events")
            for e in _direct_message(account_id, event, users)
        ]
    if event_type in ("post.mention.create", "post.reply.create"):
        author_id = str(require(payload, "author_id", (str, int)))
        post_id = require(payload, "id")
        if author_id == account_id:
            return [Echo(Channel.X, post_id, str(payload.get("text", "")))]
        includes = data.get("includes") if isinstance(data.get("includes"), dict) else {}
        author = next(
            (u for u in includes.get("users", []) if isinstance(u, dict) and str(u.get("id")) == author_id),
            {},
        )
        return [
            IncomingMessage(
                channel=Channel.X,
                sender_id=author_id,
                sender_name=str(author.get("name") or author.get("username") or ""),
                text=str(payload.get("text", "")),
                provider_id=post_id,
                thread_key=str(payload.get("conversation_id") or post_id),
                is_public=True,
                sent_at=_iso(payload.get("created_at")),
                context={"username": str(author.get("username", ""))},
            )
        ]
    return []


def _direct_message(account_id: str, event: dict, users: dict) -> list:
    if not isinstance(event, dict) or event.get("type") != "message_create":
        return []
    create = require(event, "message_create", dict)
    sender = str(require(create, "sender_id", (str, int)))
    data = require(create, "message_data", dict)
    text = str(data.get("text", ""))
    event_id = require(event, "id")
    sent_at = from_millis(require(event, "created_timestamp", (str, int)))
    if sender == account_id:
        recipient = str(require(require(create, "target", dict), "recipient_id", (str, int)))
        return [Echo(Channel.X, event_id, text, recipient, sent_at=sent_at)]
    attachment = data.get("attachment") if isinstance(data.get("attachment"), dict) else {}
    media = attachment.get("media") if isinstance(attachment.get("media"), dict) else None
    attachments = (
        [{"type": str(media.get("type", "")), "url": str(media.get("media_url_https", ""))}] if media else []
    )
    user = users.get(sender, {})
    user = user.get("data", user) if isinstance(user, dict) else {}  # X Activity nests the user in "data"
    return [
        IncomingMessage(
            channel=Channel.X,
            sender_id=sender,
            sender_name=str(user.get("name", "")),
            text=text,
            provider_id=event_id,
            attachments=attachments,
            sent_at=sent_at,
            context={"username": str(user.get("screen_name") or user.get("username") or "")},
        )
    ]


def _tweet(account_id: str, tweet: dict) -> list:
    if not isinstance(tweet, dict) or "retweeted_status" in tweet:
        return []
    tweet_id = require(tweet, "id_str")
    user = require(tweet, "user", dict)
    author_id = str(require(user, "id_str"))
    extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
    text = str(extended.get("full_text") or tweet.get("text", ""))
    if author_id == account_id:
        return [Echo(Channel.X, tweet_id, text)]
    return [
        IncomingMessage(
            channel=Channel.X,
            sender_id=author_id,
            sender_name=str(user.get("name", "")),
            text=text,
            provider_id=tweet_id,
            thread_key=str(tweet.get("in_reply_to_status_id_str") or tweet_id),
            is_public=True,
            sent_at=from_millis(tweet["timestamp_ms"])
            if str(tweet.get("timestamp_ms", "")).isdigit()
            else None,
            context={"username": str(user.get("screen_name", ""))},
        )
    ]


def _iso(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class XAdapter:
    finds_sent = False  # no lookup of a sent message; its echo tells

    def send(self, message: Message) -> str:
        client = clients.x()
        try:
            if message.conversation.is_public:
                response = client.create_tweet(
                    text=message.text, in_reply_to_tweet_id=_latest_post_id(message), user_auth=True
                )
                return str(response.data["id"])
            response = client.create_direct_message(
                participant_id=message.conversation.identity.external_id, text=message.text, user_auth=True
            )
            return str(response.data["dm_event_id"])
        except tweepy.TooManyRequests as error:
            reset = int(error.response.headers.get("x-rate-limit-reset", 0) or 0)
            wait = max(1, reset - int(time.time())) if reset else 60
            reason = gettext("X's rate limit is reached")
            raise ChannelError(reason, permanent=False, retry_after=wait) from error
        except tweepy.TwitterServerError as error:
            reason = gettext("X is failing (%(status)s)") % {"status": error.response.status_code}
            raise ChannelError(reason, permanent=False) from error
        except tweepy.HTTPException as error:
            detail = "; ".join(error.api_messages) or str(error.response.status_code)
            reason = gettext("X refused the message: %(reason)s") % {"reason": detail}
            raise ChannelError(reason, permanent=True) from error
        except requests.RequestException as error:
            raise network_error(error) from error

    def find_sent(self, message: Message) -> str | None:
        return None  # X sends our own messages back as webhook events; the echo confirms them

    def mentions_since(
        self, since_id: str | None, start_time: datetime | None
    ) -> tuple[list[IncomingMessage], str | None]:
        """@mentions of the municipality newer than `since_id` (catch-up for missed webhooks)."""
        response = clients.x().get_users_mentions(
            settings.X_USER_ID,
            since_id=since_id,
            start_time=None if since_id else start_time,
            max_results=100,
            expansions=["author_id"],
            tweet_fields=["created_at", "conversation_id", "author_id"],
            user_auth=False,
        )
        users = {str(u.id): u for u in (response.includes or {}).get("users", [])}
        messages = [
            IncomingMessage(
                channel=Channel.X,
                sender_id=str(tweet.author_id),
                sender_name=getattr(users.get(str(tweet.author_id)), "name", "") or "",
                text=tweet.text,
                provider_id=str(tweet.id),
                thread_key=str(tweet.conversation_id or tweet.id),
                is_public=True,
                sent_at=tweet.created_at,
                context={"username": getattr(users.get(str(tweet.author_id)), "username", "") or ""},
            )
            for tweet in response.data or []
        ]
        return messages, (response.meta or {}).get("newest_id") or since_id


def _latest_post_id(message: Message) -> str:
    inbound = message.conversation.messages.latest_from_resident()
    if inbound is None:
        raise ChannelError(gettext("There is no post of the resident to reply to."), permanent=True)
    return inbound.provider_id


def media_request(url: str):
    """Photos in direct messages (ton.twitter.com) need the account's OAuth 1.0a signature."""
    handler = tweepy.OAuth1UserHandler(
        settings.X_CONSUMER_KEY,
        settings.X_CONSUMER_SECRET,
        settings.X_ACCESS_TOKEN,
        settings.X_ACCESS_TOKEN_SECRET,
    )
    return url, handler.apply_auth()
