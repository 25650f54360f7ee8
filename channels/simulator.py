"""The demo's resident simulator: write as a resident on any channel, see the desk's replies come back.

Staff-only, and off (404) unless `DEMO_ENABLED`. A message is built as the platform builds it, signed
with the configured secret as the platform signs it, and POSTed with `requests` to `PUBLIC_BASE_URL` +
the webhook path: the real endpoint, through the network stack, so the demo exercises exactly what
production runs. (Under a single-threaded server the POST to ourselves would wait for its own request;
`runserver` is threaded.)

The thread shows what the resident sent (the desk's stored inbound messages) and what the desk sent
back as the stand-in for the platform APIs received it (`GET {STANDIN_URL}/_outbox?to=…`, see
`channels.standin`).

Payload building and signing are plain functions; the views only parse a form and call them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

import requests
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from channels import signatures
from inbox.models import Channel, Conversation, Direction, Message
from webcare.roles import INBOX_ROLES, role_required

# The simulator posts to a server on this machine, and fetches from the stand-in: short waits, so a
# server that is down is reported at once rather than hanging the page.
POST_TIMEOUT = (2.0, 10.0)  # connect, read: the endpoint stores the message before it answers
OUTBOX_TIMEOUT = 2.0
THREAD_SIZE = 50  # the resident's latest messages shown
REPLY_TARGETS = 20  # of those, the latest comments or posts whose replies are looked up
X_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
X_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Kind(models.TextChoices):
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp message")
    MESSENGER = "messenger", gettext_lazy("Messenger message")
    INSTAGRAM_DM = "instagram_dm", gettext_lazy("Instagram direct message")
    FACEBOOK_COMMENT = "facebook_comment", gettext_lazy("Facebook comment on a post")
    INSTAGRAM_COMMENT = "instagram_comment", gettext_lazy("Instagram comment")
    X_DM = "x_dm", gettext_lazy("X direct message")
    X_MENTION = "x_mention", gettext_lazy("X mention")


@dataclass(frozen=True)
class KindInfo:
    channel: str  # inbox Channel
    is_public: bool
    endpoint: str  # URL name of the webhook
    # `platform` values of the stand-in's outbox that are replies on this kind of thread.
    outbox_platforms: frozenset[str]


KINDS: dict[str, KindInfo] = {
    Kind.WHATSAPP: KindInfo(Channel.WHATSAPP, False, "channels:whatsapp", frozenset({"whatsapp"})),
    Kind.MESSENGER: KindInfo(Channel.FACEBOOK, False, "channels:meta", frozenset({"messenger"})),
    Kind.INSTAGRAM_DM: KindInfo(Channel.INSTAGRAM, False, "channels:meta", frozenset({"instagram"})),
    # A comment is answered in public, or once in private (a private reply, sent to the comment id).
    Kind.FACEBOOK_COMMENT: KindInfo(
        Channel.FACEBOOK, True, "channels:meta", frozenset({"facebook_comment", "messenger"})
    ),
    Kind.INSTAGRAM_COMMENT: KindInfo(
        Channel.INSTAGRAM, True, "channels:meta", frozenset({"instagram_comment", "instagram"})
    ),
    Kind.X_DM: KindInfo(Channel.X, False, "channels:x", frozenset({"x_dm"})),
    Kind.X_MENTION: KindInfo(Channel.X, True, "channels:x", frozenset({"x_post"})),
}


# --- Stable fake ids --------------------------------------------------------------------------------


def _digits(seed: str, length: int) -> str:
    """`length` decimal digits that depend only on `seed`: the same name gets the same id every run."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    return str(number)[-length:]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def resident_id(channel: str, name: str) -> str:
    """The resident's id on a platform, derived from the name: one number or account per channel.

    A Dutch mobile number for WhatsApp, numeric ids like Meta's page-scoped ids and X's user ids.
    Messenger and Facebook comments share one id, as do X DMs and mentions, so the desk sees one person.
    """
    seed = f"{channel}:{_name_key(name)}"
    if channel == Channel.WHATSAPP:
        return "+316" + _digits(seed, 8)
    prefix, length = {Channel.FACEBOOK: ("63", 14), Channel.INSTAGRAM: ("74", 14)}.get(channel, ("17", 17))
    return prefix + _digits(seed, length)


def handle(name: str, *, max_length: int = 30, separator: str = ".") -> str:
    """A username made from a name, as residents pick them: `Sanne de Vries` → `sanne.de.vries`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = ["".join(c for c in word if c.isalnum()) for word in ascii_name.split()]
    return separator.join(w for w in words if w)[:max_length] or "inwoner"


def demo_post_id(kind: str) -> str:
    """The one post of the municipality that every simulated comment or mention answers, per platform.

    Stable, so that follow-up comments land in the same public thread. Empty for private kinds.
    """
    if kind == Kind.FACEBOOK_COMMENT:
        return f"{settings.META_PAGE_ID}_{_digits('demo-post:' + settings.META_PAGE_ID, 15)}"
    if kind == Kind.INSTAGRAM_COMMENT:
        return "18" + _digits("demo-media:" + settings.META_INSTAGRAM_ID, 15)
    if kind == Kind.X_MENTION:
        return "18" + _digits("demo-post:" + settings.X_USER_ID, 17)
    return ""


def reply_address(kind: str, name: str) -> str:
    """Where the desk's private replies go, as the stand-in records `to` (WhatsApp: without `whatsapp:`)."""
    return resident_id(KINDS[kind].channel, name)


def _snowflake(now: datetime) -> str:
    """An X id: milliseconds since X's epoch, shifted, with random worker and sequence bits."""
    millis = int(now.timestamp() * 1000) - 1288834974657
    return str((millis << 22) | secrets.randbits(22))


def _x_date(now: datetime) -> str:
    """X's v1.1 `created_at` (`Sun Nov 29 11:30:18 +0000 2026`), with English names whatever the locale."""
    day, month = X_DAYS[now.weekday()], X_MONTHS[now.month - 1]
    return f"{day} {month} {now:%d %H:%M:%S} +0000 {now.year}"


# --- Deliveries: the platforms' payloads, signed ----------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One webhook POST exactly as the platform puts it on the wire."""

    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return settings.PUBLIC_BASE_URL.rstrip("/") + self.path

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]


def build_delivery(kind: str, name: str, text: str, now: datetime | None = None) -> Delivery:
    """The signed webhook delivery the platform would send when `name` writes `text` on `kind`."""
    now = now or datetime.now(UTC)
    info = KINDS[kind]
    path = reverse(info.endpoint)
    if kind == Kind.WHATSAPP:
        params = twilio_params(name, text)
        signature = twilio_signature(settings.PUBLIC_BASE_URL.rstrip("/") + path, params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": signature,
        }
        return Delivery(path, urlencode(params).encode(), headers)
    if info.channel == Channel.X:
        payload = x_dm_payload(name, text, now) if kind == Kind.X_DM else x_mention_payload(name, text, now)
        # X sends compact UTF-8 JSON and signs exactly those bytes.
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Twitter-Webhooks-Signature": x_signature(body)}
        return Delivery(path, body, headers)
    payload = META_PAYLOADS[kind](name, text, now)
    # Meta sends ASCII-only JSON with `/` escaped, and signs exactly those bytes.
    body = json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "facebookexternalua",
        "X-Hub-Signature-256": meta_signature(body),
    }
    return Delivery(path, body, headers)


def twilio_params(name: str, text: str) -> dict[str, str]:
    """An incoming WhatsApp text as Twilio posts it to the messaging webhook."""
    number = resident_id(Channel.WHATSAPP, name)
    sid = "SM" + secrets.token_hex(16)
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": name,
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": number.removeprefix("+"),
        "SmsStatus": "received",
        "Body": text,
        "To": settings.TWILIO_WHATSAPP_FROM,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": "whatsapp:" + number,
        "ApiVersion": "2010-04-01",
    }


def twilio_signature(url: str, params: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature: base64 HMAC-SHA1 of the URL it called, then each name+value by name."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(settings.TWILIO_AUTH_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def meta_signature(body: bytes) -> str:
    """Meta's X-Hub-Signature-256: hex HMAC-SHA256 of the raw body, keyed with the App Secret."""
    return "sha256=" + hmac.new(settings.META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def x_signature(body: bytes) -> str:
    """X's x-twitter-webhooks-signature: the same base64 HMAC-SHA256 as the CRC answer, over the body.

    The body is our own UTF-8 JSON, so decoding it and encoding it again gives exactly these bytes.
    """
    return signatures.x_crc_response_token(body.decode())


def _messaging(channel: str, account_id: str, sender: str, mid: str, text: str, now: datetime) -> dict:
    millis = int(now.timestamp() * 1000)
    event = {
        "sender": {"id": sender},
        "recipient": {"id": account_id},
        "timestamp": millis,
        "message": {"mid": mid, "text": text},
    }
    obj = "page" if channel == Channel.FACEBOOK else "instagram"
    return {"object": obj, "entry": [{"id": account_id, "time": millis, "messaging": [event]}]}


def messenger_payload(name: str, text: str, now: datetime) -> dict:
    """A Messenger message to the Page: Meta sends no name, only the page-scoped id."""
    mid = "m_" + secrets.token_urlsafe(64)[:86]
    psid = resident_id(Channel.FACEBOOK, name)
    return _messaging(Channel.FACEBOOK, settings.META_PAGE_ID, psid, mid, text, now)


def instagram_dm_payload(name: str, text: str, now: datetime) -> dict:
    account = settings.META_INSTAGRAM_ID
    item = f"ig_message_item:1:IGMessageID:{account}:{secrets.randbelow(10**39):039d}"
    mid = base64.b64encode(item.encode()).decode()
    igsid = resident_id(Channel.INSTAGRAM, name)
    return _messaging(Channel.INSTAGRAM, account, igsid, mid, text, now)


def facebook_comment_payload(name: str, text: str, now: datetime) -> dict:
    """A top-level comment on the demo post of the Page, from the Page's `feed` subscription."""
    page_id, post_id = settings.META_PAGE_ID, demo_post_id(Kind.FACEBOOK_COMMENT)
    post_number = post_id.split("_")[1]
    seconds = int(now.timestamp())
    value = {
        "from": {"id": resident_id(Channel.FACEBOOK, name), "name": name},
        "post": {
            "status_type": "added_photos",
            "is_published": True,
            "updated_time": now.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post_number}",
            "promotion_status": "inactive",
            "id": post_id,
        },
        "message": text,
        "post_id": post_id,
        "comment_id": f"{post_number}_{secrets.randbelow(10**15):015d}",
        "created_time": seconds,
        "item": "comment",
        "parent_id": post_id,
        "verb": "add",
    }
    change = {"field": "feed", "value": value}
    return {"object": "page", "entry": [{"id": page_id, "time": seconds, "changes": [change]}]}


def instagram_comment_payload(name: str, text: str, now: datetime) -> dict:
    """A top-level comment on the demo media of the Instagram account (`comments` subscription)."""
    value = {
        "from": {"id": resident_id(Channel.INSTAGRAM, name), "username": handle(name)},
        "media": {"id": demo_post_id(Kind.INSTAGRAM_COMMENT), "media_product_type": "FEED"},
        "id": f"179{secrets.randbelow(10**14):014d}",
        "text": text,
    }
    entry = {"id": settings.META_INSTAGRAM_ID, "time": int(now.timestamp())}
    return {"object": "instagram", "entry": [entry | {"changes": [{"field": "comments", "value": value}]}]}


META_PAYLOADS = {
    Kind.MESSENGER: messenger_payload,
    Kind.INSTAGRAM_DM: instagram_dm_payload,
    Kind.FACEBOOK_COMMENT: facebook_comment_payload,
    Kind.INSTAGRAM_COMMENT: instagram_comment_payload,
}


def x_user(name: str) -> dict:
    """The resident as X's v1.1 user object."""
    user_id = resident_id(Channel.X, name)
    return {
        "id": int(user_id),
        "id_str": user_id,
        "name": name,
        "screen_name": handle(name, max_length=15, separator="_"),
        "location": None,
        "url": None,
        "description": "",
        "protected": False,
        "verified": False,
        "followers_count": 42,
        "friends_count": 97,
        "listed_count": 0,
        "favourites_count": 310,
        "statuses_count": 1200,
        "created_at": "Fri Jan 01 12:00:00 +0000 2021",
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{user_id}/avatar_normal.jpg",
        "default_profile": True,
        "default_profile_image": False,
    }


def x_dm_payload(name: str, text: str, now: datetime) -> dict:
    """A direct message to the municipality, as the Account Activity API delivers it."""
    user = x_user(name)
    event = {
        "type": "message_create",
        "id": _snowflake(now),
        "created_timestamp": str(int(now.timestamp() * 1000)),
        "message_create": {
            "target": {"recipient_id": settings.X_USER_ID},
            "sender_id": user["id_str"],
            "message_data": {
                "text": text,
                "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
            },
        },
    }
    dm_user = {key: user[key] for key in ("name", "screen_name", "protected", "verified", "followers_count")}
    dm_user |= {"id": user["id_str"], "created_timestamp": "1609502400000"}
    dm_user |= {"profile_image_url_https": user["profile_image_url_https"]}
    return {
        "for_user_id": settings.X_USER_ID,
        "direct_message_events": [event],
        "users": {user["id_str"]: dm_user},
    }


def x_mention_payload(name: str, text: str, now: datetime) -> dict:
    """A reply to the municipality's demo post, as the Account Activity API delivers it."""
    tweet_id, post_id = _snowflake(now), demo_post_id(Kind.X_MENTION)
    tweet = {
        "created_at": _x_date(now),
        "id": int(tweet_id),
        "id_str": tweet_id,
        "text": text,
        "source": '<a href="https://mobile.x.com" rel="nofollow">X Web App</a>',
        "truncated": False,
        "in_reply_to_status_id": int(post_id),
        "in_reply_to_status_id_str": post_id,
        "in_reply_to_user_id": int(settings.X_USER_ID),
        "in_reply_to_user_id_str": settings.X_USER_ID,
        "in_reply_to_screen_name": None,
        "user": x_user(name),
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "is_quote_status": False,
        "quote_count": 0,
        "reply_count": 0,
        "retweet_count": 0,
        "favorite_count": 0,
        "entities": {"hashtags": [], "urls": [], "symbols": [], "user_mentions": []},
        "favorited": False,
        "retweeted": False,
        "filter_level": "low",
        "lang": "nl",
        "timestamp_ms": str(int(now.timestamp() * 1000)),
    }
    return {"for_user_id": settings.X_USER_ID, "user_has_blocked": "false", "tweet_create_events": [tweet]}


# --- Sending and reading back -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What the endpoint answered: its HTTP status, or None and the error when it could not be reached."""

    url: str
    status: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def deliver(delivery: Delivery) -> Sent:
    """POST a delivery over HTTP to the real endpoint, as the platform does; never raises."""
    try:
        response = requests.post(
            delivery.url,
            data=delivery.body,
            headers=delivery.headers,
            timeout=POST_TIMEOUT,
            allow_redirects=False,  # the platforms do not follow redirects either
        )
    except requests.RequestException as error:
        return Sent(delivery.url, None, str(error))
    return Sent(delivery.url, response.status_code, response.text[:200])


def send_as_resident(*, kind: str, name: str, text: str) -> Sent:
    _introduce(kind, name)
    return deliver(build_delivery(kind, name, text))


def _introduce(kind: str, name: str) -> None:
    """Meta's DM webhooks carry no name: tell the stand-in's profile API who this resident is."""
    if kind not in (Kind.MESSENGER, Kind.INSTAGRAM_DM) or not settings.STANDIN_URL:
        return
    first, _, last = name.partition(" ")
    profile = {"user_id": resident_id(KINDS[kind].channel, name), "first_name": first, "last_name": last}
    profile |= {"name": name, "username": handle(name)}
    url = f"{settings.STANDIN_URL.rstrip('/')}/_seed/meta_profile"
    with contextlib.suppress(requests.RequestException):  # the message goes anyway, without a name
        requests.post(url, json=profile, timeout=OUTBOX_TIMEOUT)


@dataclass(frozen=True)
class ThreadItem:
    from_resident: bool
    text: str
    at: datetime | None


class StandInState(models.TextChoices):
    RUNNING = "running"
    DOWN = "down"  # configured, but not answering
    OFF = "off"  # no STANDIN_URL: the replies go to the real platforms


@dataclass(frozen=True)
class Thread:
    items: list[ThreadItem]
    standin: str

    @property
    def digest(self) -> str:
        """Changes when anything shown changes: the page polls and swaps only then."""
        shown = [self.standin] + [[i.from_resident, i.text, i.at and i.at.isoformat()] for i in self.items]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def resident_thread(user, *, kind: str, name: str) -> Thread:
    """The conversation as the resident sees it: what they sent, and the replies the stand-in received."""
    info = KINDS[kind]
    conversations = Conversation.objects.visible_to(user).filter(
        identity__channel=info.channel, identity__external_id=resident_id(info.channel, name)
    )
    if info.is_public:
        conversations = conversations.filter(thread_key=demo_post_id(kind))
    else:
        conversations = conversations.filter(is_public=False)
    inbound = list(
        Message.objects.filter(conversation__in=conversations, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values("text", "created_at", "provider_id", "context")[:THREAD_SIZE]
    )[::-1]
    if info.is_public:  # replies go to each comment or post, not to the resident
        targets = [m["context"].get("comment_id") or m["provider_id"] for m in inbound][-REPLY_TARGETS:]
        targets = list(dict.fromkeys(targets)) or [demo_post_id(kind)]
    else:
        targets = [reply_address(kind, name)]
    replies, standin = _outbox(targets, info.outbox_platforms)
    items = [ThreadItem(True, m["text"], m["created_at"]) for m in inbound]
    items += [ThreadItem(False, str(r.get("text", "")), _when(r.get("at"))) for r in replies]
    items.sort(key=_order)  # a stable sort: within one second, each side keeps its own order
    return Thread(items, standin)


def _order(item: ThreadItem) -> tuple[datetime, bool]:
    """By the second, the resident first: the stand-in records whole seconds, so a reply within the
    second of the message it answers must not come before it."""
    at = item.at or datetime.min.replace(tzinfo=UTC)
    return at.replace(microsecond=0), not item.from_resident


def _outbox(targets: list[str], platforms: frozenset[str]) -> tuple[list[dict], str]:
    base = settings.STANDIN_URL.rstrip("/")
    if not base:
        return [], StandInState.OFF
    sent: list[dict] = []
    for to in targets:
        try:
            response = requests.get(f"{base}/_outbox", params={"to": to}, timeout=OUTBOX_TIMEOUT)
            response.raise_for_status()
            items = response.json()
        except (requests.RequestException, ValueError):
            return [], StandInState.DOWN
        sent += [item for item in items if isinstance(item, dict) and item.get("platform") in platforms]
    return sent, StandInState.RUNNING


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# --- Forms and views --------------------------------------------------------------------------------


class ResidentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=gettext_lazy("Resident's name"), max_length=100)


class ResidentMessageForm(ResidentForm):
    text = forms.CharField(label=gettext_lazy("Message"), max_length=2000, widget=forms.Textarea)


def demo_only(view):
    """Off in production: the simulator does not exist unless DEMO_ENABLED (404, before any log-in)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEMO_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _query(kind: str, name: str) -> str:
    return urlencode({"kind": kind, "name": name})


@demo_only
@role_required(INBOX_ROLES)
@require_http_methods(["GET", "POST"])
def simulator(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResidentMessageForm(request.POST)
        if form.is_valid():
            kind, name = form.cleaned_data["kind"], form.cleaned_data["name"]
            sent = send_as_resident(kind=kind, name=name, text=form.cleaned_data["text"])
            _report(request, sent, kind=kind, name=name)
            return redirect(f"{reverse('simulator:index')}?{_query(kind, name)}")
        return render(request, "channels/simulator.html", {"form": form}, status=400)
    chosen = ResidentForm(request.GET) if "kind" in request.GET else None
    context: dict = {"form": ResidentMessageForm(initial={"kind": Kind.WHATSAPP})}
    if chosen is not None and chosen.is_valid():
        context["form"] = ResidentMessageForm(initial=chosen.cleaned_data)
        context.update(_thread_context(request, **chosen.cleaned_data))
    return render(request, "channels/simulator.html", context)


@demo_only
@role_required(INBOX_ROLES)
@require_GET
def thread(request: HttpRequest) -> HttpResponse:
    """The thread alone, for htmx polling: 204 (nothing to swap) when nothing changed since `seen`."""
    chosen = ResidentForm(request.GET)
    if not chosen.is_valid():
        return HttpResponseBadRequest("kind and name are required")
    context = _thread_context(request, **chosen.cleaned_data)
    if request.GET.get("seen") == context["thread"].digest:
        return HttpResponse(status=204)
    return render(request, "channels/_simulator_thread.html", context)


def _thread_context(request: HttpRequest, *, kind: str, name: str) -> dict:
    found = resident_thread(request.user, kind=kind, name=name)
    query = _query(kind, name)
    return {
        "thread": found,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "name": name,
        "resident_id": resident_id(KINDS[kind].channel, name),
        "post_id": demo_post_id(kind),
        "page_url": f"{reverse('simulator:index')}?{query}",
        "poll_url": f"{reverse('simulator:thread')}?{query}&{urlencode({'seen': found.digest})}",
    }


def _report(request: HttpRequest, sent: Sent, *, kind: str, name: str) -> None:
    if sent.status is None:
        messages.error(
            request,
            _("Could not reach %(url)s: %(error)s. Is the web server at PUBLIC_BASE_URL running?")
            % {"url": sent.url, "error": sent.detail},
        )
    elif sent.ok:
        messages.success(
            request,
            _("Sent as %(name)s (%(kind)s). The endpoint %(url)s answered HTTP %(status)d.")
            % {"name": name, "kind": Kind(kind).label, "url": sent.url, "status": sent.status},
        )
    else:
        messages.error(
            request,
            _("Not accepted. The endpoint %(url)s answered HTTP %(status)d: %(detail)s")
            % {"url": sent.url, "status": sent.status, "detail": sent.detail},
        )
