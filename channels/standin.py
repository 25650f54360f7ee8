"""A local stand-in for the Twilio, Meta Graph and X APIs, for tests and the demo.

The real client libraries (twilio, pyfacebook, tweepy) reach it through their base-URL settings (see
`channels.clients`). The three platforms share one host, as their paths never collide: `/2010-04-01/…`
is Twilio, `/2/…` is X, everything else (`/vNN.N/…`, `/media/…`) is Graph. State lives in memory.

Besides the platform routes it serves `GET /_outbox?to=…` (what the desk sent, for the demo's resident
simulator), `POST /_seed/{twilio_inbound,instagram_mention,x_mention}` (a JSON object of keyword arguments
for the matching `seed_*` method) and `POST /_reset`.

Standard library only and no Django imports, so it runs on its own; the demo starts it with
`python manage.py run_standin`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from urllib.request import Request, urlopen
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger(__name__)

Reply = tuple[int, object, dict[str, str]]  # status, JSON-able body (bytes: a PNG), extra headers


def _png() -> bytes:
    """A valid 1×1 grey PNG, built here so no binary fixture is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))  # 1×1, 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


PNG = _png()


@dataclass
class Recorded:
    """One request as the stand-in received it. Header names are lower-case; a repeated form or query
    field (Twilio's `MediaUrl`) is a list, any other a string."""

    method: str
    path: str
    query: dict
    form: dict
    json: dict | None
    headers: dict


@dataclass
class _Failure:
    path_contains: str
    status: int
    body: dict | None
    headers: dict | None
    times: int
    delay: float


class _Problem(Exception):
    """Ends a request with an error answer in the platform's own shape."""

    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body


def _platform(path: str) -> str:
    return "twilio" if path.startswith("/2010-04-01/") else "x" if path.startswith("/2/") else "graph"


def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_urlsafe(8)}
    return {"error": error | ({"error_subcode": subcode} if subcode else {})}


def error_body(platform: str, status: int, message: str = "", code: int | None = None) -> dict:
    """A realistic error of `platform`: Twilio's `{code, message, …}`, a Graph error or an X v2 problem."""
    message = message or HTTPStatus(status).phrase
    if platform == "twilio":
        code = code or {400: 21211, 401: 20003, 404: 20404, 429: 20429}.get(status, 20500)
        more_info = f"https://www.twilio.com/docs/errors/{code}"
        return {"code": code, "message": message, "more_info": more_info, "status": status}
    if platform == "x":
        title = HTTPStatus(status).phrase
        return {"title": title, "detail": message, "type": "about:blank", "status": status}
    code = code or {400: 100, 401: 190, 403: 10, 404: 100, 429: 4}.get(status, 2)
    return graph_error(code, f"(#{code}) {message}")


def _x_rate_headers(limit: int = 300, remaining: int = 299, reset_in: int = 900) -> dict[str, str]:
    headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining)}
    return headers | {"x-rate-limit-reset": str(int(time.time()) + reset_in)}


def _flat(pairs: dict[str, list[str]]) -> dict:
    return {name: values[0] if len(values) == 1 else values for name, values in pairs.items()}


def _since(value: str) -> datetime:
    """Twilio's `DateSent>` as the library sends it: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StandIn:
    """The platforms' APIs as one WSGI app. Every public method is safe to call from any thread."""

    def __init__(
        self,
        callback_base_url: str = "",
        twilio_auth_token: str = "",
        meta_app_secret: str = "",
        callback_delay: float = 0.5,
        send_callbacks: bool = False,
        instagram_ids: tuple[str, ...] = (),
        x_user_id: str = "1600000000000000001",
    ):
        self.callback_base_url = callback_base_url.rstrip("/")
        self.twilio_auth_token = twilio_auth_token
        self.meta_app_secret = meta_app_secret
        self.callback_delay = callback_delay
        self.send_callbacks = send_callbacks
        self.instagram_ids = tuple(instagram_ids)
        self.x_user_id = x_user_id
        self.base_url = ""  # set by `running()`
        self._lock = threading.Lock()
        self._last_snowflake = 0
        self.reset()
        version = r"/v\d+\.\d+/(?P<id>[^/]+)"
        self._routes: list[tuple[str, str, Callable[[Recorded, re.Match], Reply]]] = [
            ("POST", r"/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json", self._twilio_create),
            ("GET", r"/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json", self._twilio_list),
            ("GET", r"/2010-04-01/.*/Media/.*", lambda req, match: (200, PNG, {})),
            ("POST", version + "/messages", self._graph_send),
            ("POST", version + "/(?P<edge>comments|replies)", self._graph_comment),
            ("GET", version, self._graph_object),
            ("GET", r"/media/.+", lambda req, match: (200, PNG, {})),
            ("POST", r"/2/dm_conversations/with/(?P<participant>\d+)/messages", self._x_dm),
            ("POST", r"/2/tweets", self._x_tweet),
            ("GET", r"/2/users/(?P<id>\d+)/mentions", self._x_list_mentions),
            ("GET", r"/_outbox", lambda req, match: (200, self.outbox(req.query.get("to")), {})),
            ("POST", r"/_seed/(?P<kind>\w+)", self._seed),
            ("POST", r"/_reset", self._reset),
        ]

    # State, scripting and seeding ---------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.requests: list[Recorded] = []
            self._failures: list[_Failure] = []
            self._outbox: list[dict] = []
            self._twilio_messages: list[dict] = []
            self._private_replies: set[str] = set()
            self._ig_mentions: dict[str, dict] = {}
            self._meta_profiles: dict[str, dict] = {}
            self._x_mentions: list[dict] = []
            self._x_users: dict[str, dict] = {}

    def requests_to(self, path_contains: str) -> list[Recorded]:
        with self._lock:
            return [req for req in self.requests if path_contains in req.path]

    def fail_next(
        self,
        path_contains: str,
        status: int,
        body: dict | None = None,
        headers: dict | None = None,
        times: int = 1,
        delay: float = 0,
    ) -> None:
        """The next `times` requests to a path containing `path_contains` get this answer, after `delay`
        seconds; the body defaults to an error of that platform (`error_body`)."""
        with self._lock:
            self._failures.append(_Failure(path_contains, status, body, headers, times, delay))

    def outbox(self, to: str | None = None) -> list[dict]:
        """What the desk sent (to `to`), oldest first."""
        with self._lock:
            return [dict(item) for item in self._outbox if to is None or item["to"] == to]

    def seed_twilio_inbound(
        self, from_: str, to: str, body: str, sid: str | None = None, date_sent: datetime | str | None = None
    ) -> str:
        date_sent = _since(date_sent) if isinstance(date_sent, str) else date_sent  # from `/_seed/` JSON
        message = self._twilio_message(sid or "SM" + secrets.token_hex(16), "", from_, to, body)
        sent = format_datetime(date_sent or datetime.now(UTC), usegmt=True)
        message.update(direction="inbound", status="received", date_sent=sent, date_created=sent)
        with self._lock:
            self._twilio_messages.append(message)
        return message["sid"]

    def seed_instagram_mention(self, comment_id: str, text: str, username: str, media_id: str) -> str:
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        with self._lock:
            self._ig_mentions[comment_id] = {"id": comment_id, "text": text, "username": username}
            self._ig_mentions[comment_id].update(timestamp=timestamp, media={"id": media_id})
        return comment_id

    def seed_meta_profile(self, user_id: str, **fields: str) -> None:
        """What `GET /{psid or igsid}` answers: first/last_name (Messenger), name/username (Instagram)."""
        with self._lock:
            self._meta_profiles[user_id] = dict(fields)

    def seed_x_mention(
        self, text: str, author_id: str, username: str, name: str, tweet_id: str | None = None
    ) -> str:
        tweet_id = tweet_id or self._snowflake()
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tweet = {"id": tweet_id, "text": text, "author_id": author_id, "created_at": created_at}
        tweet |= {"conversation_id": tweet_id, "edit_history_tweet_ids": [tweet_id]}
        with self._lock:
            self._x_mentions.append(tweet)
            self._x_users[author_id] = {"id": author_id, "name": name, "username": username}
        return tweet_id

    def _snowflake(self) -> str:
        """X-style 19-digit ids that grow with time, so `since_id` works."""
        with self._lock:
            now = (int(time.time() * 1000) - 1288834974657) << 22  # milliseconds since X's epoch, shifted
            self._last_snowflake = max(now, self._last_snowflake + 1)
            return str(self._last_snowflake)

    def _record_sent(self, platform: str, to: str | None, text: str, sent_id: str) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._outbox.append({"platform": platform, "to": to, "text": text, "id": sent_id, "at": at})

    # WSGI ---------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        path = environ.get("PATH_INFO") or "/"
        platform, headers = _platform(path), {}
        try:
            req = self._read(environ)
            with self._lock:
                self.requests.append(req)
            failure = self._take_failure(path)
            if failure:
                time.sleep(failure.delay)
                status, body = failure.status, failure.body or error_body(platform, failure.status)
                if platform == "x" and status == 429:
                    headers = _x_rate_headers(limit=15, remaining=0, reset_in=60)
                headers.update(failure.headers or {})
            else:
                status, body, headers = self._dispatch(req)
        except _Problem as problem:
            status, body = problem.status, problem.body
        except Exception:
            logger.exception("the stand-in failed on %s", path)
            status, body = 500, error_body(platform, 500)
        if platform == "x":
            headers = _x_rate_headers() | headers
        if isinstance(body, bytes):
            payload, content_type = body, "image/png"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
        status_line = f"{status} {HTTPStatus(status).phrase}"
        start_response(status_line, [("Content-Type", content_type), *headers.items()])
        return [payload]

    def _read(self, environ: dict) -> Recorded:
        path = environ.get("PATH_INFO") or "/"
        http = {key[5:]: value for key, value in environ.items() if key.startswith("HTTP_")}
        headers = {key.replace("_", "-").lower(): value for key, value in http.items()}
        content_type = headers["content-type"] = environ.get("CONTENT_TYPE", "")
        form, body = {}, None
        try:
            query = _flat(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            if "json" in content_type and raw:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError("the JSON body is not an object")
            elif "x-www-form-urlencoded" in content_type:
                form = _flat(parse_qs(raw.decode(), keep_blank_values=True))
        except ValueError as error:
            raise _Problem(400, error_body(_platform(path), 400, f"Malformed request: {error}")) from error
        return Recorded(environ.get("REQUEST_METHOD", "GET"), path, query, form, body, headers)

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.path_contains in path:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def _dispatch(self, req: Recorded) -> Reply:
        for method, pattern, handler in self._routes:
            match = re.fullmatch(pattern, req.path)
            if match and method == req.method:
                self._check_auth(req)
                return handler(req, match)
        return 404, error_body(_platform(req.path), 404, f"Unknown path: {req.method} {req.path}"), {}

    def _check_auth(self, req: Recorded) -> None:
        platform, authorization = _platform(req.path), req.headers.get("authorization", "")
        if req.path.startswith(("/_", "/media/")):
            return
        if platform == "twilio":
            try:
                user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            except ValueError:
                user = password = ""
            wrong = self.twilio_auth_token and user.startswith("AC") and password != self.twilio_auth_token
            if not authorization.startswith("Basic ") or not user or wrong:
                raise _Problem(401, error_body("twilio", 401, "Authenticate"))
        elif platform == "x" and not authorization:
            raise _Problem(401, error_body("x", 401))
        elif platform == "graph" and not (req.query.get("access_token") or req.form.get("access_token")):
            message = "An active access token must be used to query information about the current user."
            raise _Problem(400, graph_error(190, message))

    # Twilio -------------------------------------------------------------------------------------------

    def _twilio_message(self, sid: str, account: str, from_: str | None, to: str, body: str) -> dict:
        now = format_datetime(datetime.now(UTC), usegmt=True)
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}"
        return {
            "account_sid": account, "api_version": "2010-04-01", "body": body, "date_created": now,
            "date_sent": None, "date_updated": now, "direction": "outbound-api", "error_code": None,
            "error_message": None, "from": from_, "messaging_service_sid": None, "num_media": "0",
            "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
            "subresource_uris": {"media": uri + "/Media.json"}, "to": to, "uri": uri + ".json",
        }  # fmt: skip

    def _twilio_create(self, req: Recorded, match: re.Match) -> Reply:
        form = req.form
        media = form.get("MediaUrl") or []
        media = [media] if isinstance(media, str) else media
        if not form.get("To"):
            raise _Problem(400, error_body("twilio", 400, "A 'To' phone number is required.", 21604))
        if not (form.get("From") or form.get("MessagingServiceSid")):
            raise _Problem(400, error_body("twilio", 400, "A 'From' phone number is required.", 21603))
        if not (form.get("Body") or form.get("ContentSid") or media):
            raise _Problem(400, error_body("twilio", 400, "Message body is required.", 21602))
        sid = "SM" + secrets.token_hex(16)
        message = self._twilio_message(
            sid, match["account"], form.get("From"), form["To"], form.get("Body", "")
        )
        message |= {"num_media": str(len(media)), "messaging_service_sid": form.get("MessagingServiceSid")}
        with self._lock:
            self._twilio_messages.append(message)
        template = f"[template {form.get('ContentSid')}] {form.get('ContentVariables', '')}".strip()
        self._record_sent("whatsapp", form["To"].removeprefix("whatsapp:"), form.get("Body") or template, sid)
        if self.send_callbacks and form.get("StatusCallback"):
            self._later(self._twilio_status_callbacks, dict(message), form["StatusCallback"])
        return 201, message, {}

    def _twilio_list(self, req: Recorded, match: re.Match) -> Reply:
        query = req.query
        try:
            after = _since(query["DateSent>"]) if query.get("DateSent>") else None
            page_size = int(query.get("PageSize", 50))
        except ValueError as error:
            raise _Problem(400, error_body("twilio", 400, f"Invalid filter: {error}", 20001)) from error
        account = match["account"]
        with self._lock:  # newest first, as Twilio lists; seeded messages belong to whichever account asks
            messages = [m | {"account_sid": m["account_sid"] or account} for m in self._twilio_messages[::-1]]
        messages = [
            m
            for m in messages
            if query.get("To", m["to"]) == m["to"]
            and query.get("From", m["from"]) == m["from"]
            and (not after or parsedate_to_datetime(m["date_sent"] or m["date_created"]) >= after)
        ][:page_size]
        uri = req.path + ("?" + urlencode(query) if query else "")
        end = max(len(messages) - 1, 0)
        page = {"messages": messages, "page": 0, "page_size": page_size, "start": 0, "end": end, "uri": uri}
        return 200, page | {"first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None}, {}

    def _twilio_status_callbacks(self, message: dict, url: str) -> None:
        sid, to = message["sid"], message["to"]
        for status in ("sent", "delivered", "read"):
            time.sleep(self.callback_delay)
            with self._lock:
                for stored in self._twilio_messages:
                    if stored["sid"] == sid:
                        stored.update(status=status, date_sent=stored["date_sent"] or stored["date_created"])
            params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status}
            params |= {"AccountSid": message["account_sid"], "From": message["from"] or "", "To": to}
            params |= {"ApiVersion": "2010-04-01", "ChannelPrefix": "whatsapp", "StructuredMessage": "false"}
            params |= {"ChannelToAddress": to.removeprefix("whatsapp:")}
            params |= {"EventType": status.upper()} if status != "sent" else {}
            # Exactly twilio's RequestValidator: the URL, then every name+value sorted by name.
            signed = url + "".join(name + params[name] for name in sorted(params))
            digest = hmac.new(self.twilio_auth_token.encode(), signed.encode(), hashlib.sha1).digest()
            signature = base64.b64encode(digest).decode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            self._post(url, urlencode(params).encode(), headers)

    # Meta Graph ---------------------------------------------------------------------------------------

    @staticmethod
    def _graph_field(req: Recorded, name: str) -> object:
        """A Send API field from a JSON body, or from form fields that carry objects as JSON strings."""
        value = req.json.get(name) if req.json is not None else req.form.get(name)
        if isinstance(value, str) and value.startswith("{"):
            try:
                return json.loads(value)
            except ValueError as error:
                raise _Problem(400, graph_error(100, f"(#100) Param {name} must be a JSON object")) from error
        return value

    def _graph_send(self, req: Recorded, match: re.Match) -> Reply:
        page = match["id"]
        recipient, message = self._graph_field(req, "recipient"), self._graph_field(req, "message")
        if not isinstance(recipient, dict) or not (recipient.get("id") or recipient.get("comment_id")):
            raise _Problem(400, graph_error(100, "(#100) The parameter recipient is required"))
        if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
            raise _Problem(400, graph_error(100, "(#100) The parameter message is required"))
        text = message.get("text") or "[attachment] " + json.dumps(message["attachment"])
        platform = "instagram" if page in self.instagram_ids else "messenger"
        mid = "m_" + secrets.token_urlsafe(48)
        if comment_id := str(recipient.get("comment_id") or ""):  # a private reply to a comment
            with self._lock:
                replied = comment_id in self._private_replies
                self._private_replies.add(comment_id)
            if replied:
                refusal = "(#10) Only one private reply can be sent per comment."
                raise _Problem(400, graph_error(10, refusal, subcode=2018313))
            self._record_sent(platform, comment_id, text, mid)
            psid = str(int(hashlib.sha256(comment_id.encode()).hexdigest(), 16))[:16]  # the commenter
            return 200, {"recipient_id": psid, "message_id": mid}, {}
        psid = str(recipient["id"])
        self._record_sent(platform, psid, text, mid)
        if (
            self.send_callbacks and self.callback_base_url and platform == "messenger"
        ):  # IG: no delivery event
            self._later(self._meta_delivery, page, psid, mid)
        return 200, {"recipient_id": psid, "message_id": mid}, {}

    def _graph_comment(self, req: Recorded, match: re.Match) -> Reply:
        text = req.form.get("message") or req.query.get("message") or (req.json or {}).get("message")
        if not text:
            raise _Problem(400, graph_error(100, "(#100) Param message must be non-empty"))
        parent = match["id"]
        if match["edge"] == "replies":
            new_id, platform = "179" + str(secrets.randbelow(10**14)).zfill(14), "instagram_comment"
        else:
            new_id, platform = parent.split("_")[0] + "_" + str(secrets.randbelow(10**16)), "facebook_comment"
        self._record_sent(platform, parent, text, new_id)
        return 200, {"id": new_id}, {}

    def _graph_object(self, req: Recorded, match: re.Match) -> Reply:
        wanted = re.search(r"mentioned_comment\.comment_id\(([^)]+)\)", req.query.get("fields", ""))
        if not wanted:
            with self._lock:
                profile = self._meta_profiles.get(match["id"], {})
            return 200, {"id": match["id"], **profile}, {}
        with self._lock:
            comment = self._ig_mentions.get(wanted[1])
        if comment is None:
            message = f"Unsupported get request. Object with ID '{wanted[1]}' does not exist."
            raise _Problem(400, graph_error(100, message, subcode=33, kind="GraphMethodException"))
        return 200, {"mentioned_comment": comment, "id": match["id"]}, {}

    def _meta_delivery(self, page: str, psid: str, mid: str) -> None:
        time.sleep(self.callback_delay)
        now = int(time.time() * 1000)
        event = {"sender": {"id": psid}, "recipient": {"id": page}, "timestamp": now}
        event["delivery"] = {"mids": [mid], "watermark": now}
        payload = {"object": "page", "entry": [{"id": page, "time": now, "messaging": [event]}]}
        # Meta sends ASCII JSON with escaped slashes and signs exactly those bytes.
        body = json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()
        signature = "sha256=" + hmac.new(self.meta_app_secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        self._post(f"{self.callback_base_url}/webhooks/meta/", body, headers)

    # X ------------------------------------------------------------------------------------------------

    def _x_dm(self, req: Recorded, match: re.Match) -> Reply:
        body = req.json or {}
        if not (body.get("text") or body.get("attachments")):
            raise _Problem(400, error_body("x", 400, "One or more parameters to your request was invalid."))
        participant, event_id = match["participant"], self._snowflake()
        self._record_sent("x_dm", participant, body.get("text") or "[attachment]", event_id)
        data = {"dm_conversation_id": f"{participant}-{self.x_user_id}", "dm_event_id": event_id}
        return 201, {"data": data}, {}

    def _x_tweet(self, req: Recorded, match: re.Match) -> Reply:
        body = req.json or {}
        if not body.get("text"):
            raise _Problem(400, error_body("x", 400, "One or more parameters to your request was invalid."))
        tweet_id, in_reply_to = self._snowflake(), (body.get("reply") or {}).get("in_reply_to_tweet_id")
        self._record_sent("x_post", in_reply_to, body["text"], tweet_id)
        return 201, {"data": {"id": tweet_id, "text": body["text"], "edit_history_tweet_ids": [tweet_id]}}, {}

    def _x_list_mentions(self, req: Recorded, match: re.Match) -> Reply:
        try:
            since, limit = int(req.query.get("since_id") or 0), int(req.query.get("max_results") or 10)
        except ValueError as error:
            raise _Problem(400, error_body("x", 400, f"Invalid parameter: {error}")) from error
        with self._lock:
            newer = [tweet for tweet in self._x_mentions if int(tweet["id"]) > since]
            tweets = sorted(newer, key=lambda tweet: -int(tweet["id"]))[:limit]
            users = [self._x_users[author] for author in dict.fromkeys(t["author_id"] for t in tweets)]
        if not tweets:
            return 200, {"meta": {"result_count": 0}}, {}
        meta = {"result_count": len(tweets), "newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
        includes = {"includes": {"users": users}} if "author_id" in req.query.get("expansions", "") else {}
        return 200, {"data": tweets, **includes, "meta": meta}, {}

    # Demo helpers and callbacks -----------------------------------------------------------------------

    def _reset(self, req: Recorded, match: re.Match) -> Reply:
        self.reset()
        return 200, {"reset": True}, {}

    def _seed(self, req: Recorded, match: re.Match) -> Reply:
        seed = getattr(self, f"seed_{match['kind']}", None)
        try:
            return 201, {"id": seed(**(req.json or {}))}, {}
        except TypeError as error:  # no such seeder, or the wrong arguments for it
            raise _Problem(400, {"error": f"Cannot seed {match['kind']}: {error}"}) from error

    def _later(self, work: Callable, *args: object) -> None:
        threading.Thread(target=work, args=args, daemon=True, name="standin-callback").start()

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Deliver a webhook; a desk that is down or answers an error is logged, never raised."""
        if not url.startswith(("http://", "https://")):
            logger.warning("stand-in skips a callback to %r: not an http(s) URL", url)
            return
        try:  # http(s) only, checked above, so S310's worry about file: URLs does not apply
            request = Request(url, data=body, headers=headers, method="POST")  # noqa: S310
            with urlopen(request, timeout=10) as answer:  # noqa: S310
                answer.read()
        except Exception as error:
            logger.warning("stand-in callback to %s failed: %s", url, error)


# Serving ------------------------------------------------------------------------------------------------


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        logger.debug("stand-in connection from %s failed", client_address, exc_info=True)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_standin_server(standin: StandIn, port: int = 0, host: str = "127.0.0.1") -> WSGIServer:
    return make_server(host, port, standin, server_class=_Server, handler_class=_QuietHandler)


def serve(standin: StandIn, port: int = 0) -> tuple[WSGIServer, str]:
    """Serve on 127.0.0.1 in a background thread; `httpd.shutdown()` stops it."""
    httpd = make_standin_server(standin, port)
    # A short poll interval, so that `shutdown()` (after every test) returns quickly.
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True, name="standin").start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


@contextlib.contextmanager
def running(**kwargs) -> Iterator[StandIn]:
    """A stand-in on a random loopback port for the length of the block, its URL in `.base_url`."""
    standin = StandIn(**kwargs)
    httpd, standin.base_url = serve(standin)
    try:
        yield standin
    finally:
        httpd.shutdown()
        httpd.server_close()
