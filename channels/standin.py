"""A local stand-in for the Twilio, Meta Graph and X APIs, for tests and the demo.

The real client libraries (twilio, pyfacebook, tweepy) reach it through their base-URL settings (see
`channels.clients`). The three platforms share one host, as their paths never collide: `/2010-04-01/…`
is Twilio, `/2/…` is X, everything else (`/vNN.N/…`, `/media/…`) is Graph. State lives in memory.

Besides the platform routes it serves `GET /_outbox?to=…` (what the desk sent, for the demo's resident
simulator), `POST /_seed/{kind}` (a JSON object of keyword arguments for the matching `seed_*` method:
`twilio_inbound`, `instagram_mention`, `x_mention`, `x_post`, `facebook_post`, `facebook_comment`,
`instagram_tag`, `instagram_hashtag_media`) and `POST /_reset`.

For monitoring it also answers X's recent search (`GET /2/tweets/search/recent`, matching the query
the way X does: whole words, "phrases", #tags, @handles, `-`, OR, brackets, `is:retweet`) and the
Graph reads a poller needs: a Page's feed with its comments, a post's comments, the media an Instagram
account is tagged in, `ig_hashtag_search` and a hashtag's `recent_media`. They page with Graph's
cursors and X's `next_token`, and `fail_next` works for them as for every route.

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
from datetime import UTC, datetime, timedelta
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


def _moment(value: datetime | str | None) -> datetime:
    """A seeded time: a datetime, an ISO 8601 string (from `/_seed/` JSON; Graph's `+0000` too) or now."""
    if value is None:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _digits(count: int) -> str:
    return str(secrets.randbelow(10**count)).zfill(count)


def _graph_fields(spec: str) -> dict[str, tuple[dict[str, str], str]]:
    """Graph's `fields`: `id,comments.limit(100).order(x){id,from}` →
    `{"id": ({}, ""), "comments": ({"limit": "100", "order": "x"}, "id,from")}`."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(spec + ","):
        depth += (char in "{(") - (char in "})")
        if char == "," and depth == 0:
            parts.append(spec[start:index].strip())
            start = index + 1
    fields = {}
    for part in filter(None, parts):
        head, brace, nested = part.partition("{")
        name, *modifiers = head.split(".")
        options = [re.fullmatch(r"(\w+)\((.*)\)", modifier) for modifier in modifiers]
        if not all(options):
            raise _Problem(400, graph_error(100, f"(#100) Syntax error in fields: {part}"))
        fields[name.strip()] = (dict(option.groups() for option in options), nested[:-1] if brace else "")
    return fields


def _graph_after(items: list[dict], after: str | None) -> int:
    """Where a page starts: after the item a Graph cursor (base64 of its id) names."""
    if not after:
        return 0
    try:
        item_id = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        return next(index for index, item in enumerate(items) if item["id"] == item_id) + 1
    except (ValueError, StopIteration) as error:
        raise _Problem(400, graph_error(100, "(#100) The after cursor is not valid")) from error


def _graph_cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(item_id.encode()).decode().rstrip("=")


def _graph_limit(value: str | None, default: int, most: int) -> int:
    try:
        return min(max(int(value or default), 1), most)
    except ValueError as error:
        raise _Problem(400, graph_error(100, "(#100) Param limit must be a number")) from error


def _graph_since(value: str | None) -> datetime | None:
    """Graph's `since`/`until`: a Unix timestamp or a date-time string."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC) if value.isdigit() else _moment(value)
    except ValueError as error:
        raise _Problem(400, graph_error(100, f"(#100) Invalid time: {value}")) from error


_X_QUERY_TOKEN = re.compile(
    r'\s*(?:(?P<open>-?\()|(?P<close>\))|(?P<phrase>-?"[^"]*")|(?P<term>-?[^\s()"]+))'
)


def x_query_matches(query: str, text: str, retweet: bool = False) -> bool:
    """Whether X's search finds a post: words and "phrases" match whole words in any case (no prefixes),
    #tags and @handles only as such, `is:retweet` retweets; a space is AND and binds tighter than OR, `-`
    negates, brackets group. Other operators (`lang:`, `has:`, …) are not modelled and match every post."""
    tokens = [match.group().strip() for match in _X_QUERY_TOKEN.finditer(query)]
    lowered = text.lower()
    words = " " + " ".join(re.findall(r"\w+", lowered)) + " "
    tags = set(re.findall(r"[#@]\w+", lowered))
    position = 0

    def term(token: str) -> bool:
        if token.startswith(("#", "@")):
            return token.lower() in tags
        if token.lower() == "is:retweet":
            return retweet
        if ":" in token and not token.startswith('"'):
            return True
        wanted = " ".join(re.findall(r"\w+", token.lower()))
        return bool(wanted) and f" {wanted} " in words

    def either() -> bool:
        nonlocal position
        value = both()
        while position < len(tokens) and tokens[position] == "OR":
            position += 1
            value = both() or value
        return value

    def both() -> bool:
        value = True
        while position < len(tokens) and tokens[position] not in ("OR", ")"):
            value = single() and value
        return value

    def single() -> bool:
        nonlocal position
        part = tokens[position]
        position += 1
        negated = part.startswith("-")
        part = part[1:] if negated else part
        if part == "(":
            value = either()
            if position < len(tokens) and tokens[position] == ")":
                position += 1
        else:
            value = term(part)
        return value != negated

    return bool(tokens) and either()


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
            ("GET", version + "/feed", self._graph_feed),
            ("GET", version + "/comments", self._graph_comments),
            ("GET", version + "/tags", self._instagram_tags),
            ("GET", r"/v\d+\.\d+/ig_hashtag_search", self._instagram_hashtag_search),
            ("GET", version + "/recent_media", self._instagram_recent_media),
            ("GET", version, self._graph_object),
            ("GET", r"/media/.+", lambda req, match: (200, PNG, {})),
            ("POST", r"/2/dm_conversations/with/(?P<participant>\d+)/messages", self._x_dm),
            ("POST", r"/2/tweets", self._x_tweet),
            ("GET", r"/2/users/(?P<id>\d+)/mentions", self._x_list_mentions),
            ("GET", r"/2/tweets/search/recent", self._x_search_recent),
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
            self._x_posts: list[dict] = []  # what recent search finds (seed_x_post)
            self._facebook_posts: list[dict] = []
            self._facebook_comments: list[dict] = []
            self._instagram_tagged: list[dict] = []
            self._instagram_hashtag_media: list[dict] = []

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

    def seed_x_post(
        self,
        text: str,
        author_id: str,
        username: str,
        name: str = "",
        tweet_id: str | None = None,
        created_at: datetime | str | None = None,
        conversation_id: str | None = None,
        retweet: bool = False,
    ) -> str:
        """A public post that recent search finds when the query matches it; `-is:retweet` leaves out
        one seeded with `retweet=True`."""
        tweet_id = tweet_id or self._snowflake()
        created = _moment(created_at).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tweet = {"id": tweet_id, "text": text, "author_id": author_id, "created_at": created}
        tweet |= {"conversation_id": conversation_id or tweet_id, "edit_history_tweet_ids": [tweet_id]}
        with self._lock:
            self._x_posts.append({"tweet": tweet, "retweet": retweet})
            self._x_users[author_id] = {"id": author_id, "name": name or username, "username": username}
        return tweet_id

    def seed_facebook_post(
        self,
        page_id: str,
        message: str = "",
        post_id: str | None = None,
        created_time: datetime | str | None = None,
    ) -> str:
        """A post on the Page's feed; comments are seeded with `seed_facebook_comment`."""
        post_id = post_id or f"{page_id}_{_digits(16)}"
        link = f"https://www.facebook.com/{page_id}/posts/{post_id.rpartition('_')[2]}"
        post = {"id": post_id, "message": message, "created_time": _moment(created_time)}
        with self._lock:
            self._facebook_posts.append(post | {"permalink_url": link, "_page": page_id})
        return post_id

    def seed_facebook_comment(
        self,
        post_id: str,
        message: str,
        author_id: str,
        author_name: str,
        comment_id: str | None = None,
        created_time: datetime | str | None = None,
        parent_id: str | None = None,
    ) -> str:
        """A comment on a Page post (the Page's own when `author_id` is the Page's id); a reply with
        `parent_id`."""
        comment_id = comment_id or f"{post_id.rpartition('_')[2]}_{_digits(16)}"
        page, _, number = post_id.rpartition("_")
        link = f"https://www.facebook.com/{page}/posts/{number}?comment_id={comment_id.rpartition('_')[2]}"
        comment = {"id": comment_id, "message": message, "created_time": _moment(created_time)}
        comment |= {"from": {"id": author_id, "name": author_name}, "permalink_url": link, "_post": post_id}
        comment |= {"parent": {"id": parent_id}} if parent_id else {}
        with self._lock:
            self._facebook_comments.append(comment)
        return comment_id

    def seed_instagram_tag(
        self,
        caption: str,
        username: str,
        media_id: str | None = None,
        timestamp: datetime | str | None = None,
    ) -> str:
        """A post in which someone tagged the Instagram account (`GET /{ig-user-id}/tags`)."""
        media_id = media_id or "179" + _digits(14)
        media = {"id": media_id, "caption": caption, "username": username, "media_type": "IMAGE"}
        media |= {"timestamp": _moment(timestamp), "permalink": f"https://www.instagram.com/p/{media_id}/"}
        with self._lock:
            self._instagram_tagged.append(media | {"like_count": 3, "comments_count": 0})
        return media_id

    def seed_instagram_hashtag_media(
        self, hashtag: str, caption: str, media_id: str | None = None, timestamp: datetime | str | None = None
    ) -> str:
        """A public post with `hashtag`, for `recent_media` (which, like Instagram, has no author)."""
        media_id = media_id or "179" + _digits(14)
        media = {"id": media_id, "caption": caption, "media_type": "IMAGE", "timestamp": _moment(timestamp)}
        media |= {"permalink": f"https://www.instagram.com/p/{media_id}/", "like_count": 5}
        with self._lock:
            self._instagram_hashtag_media.append(media | {"_tag": hashtag.lstrip("#").lower()})
        return media_id

    @staticmethod
    def hashtag_id(hashtag: str) -> str:
        """The id `ig_hashtag_search` gives a hashtag: stable, as Instagram's are."""
        digest = hashlib.sha256(hashtag.lstrip("#").lower().encode()).hexdigest()
        return "178" + str(int(digest, 16))[:14]

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

    def _graph_edge(self, req: Recorded, path: str, items: list[dict], render: Callable, limit: int) -> dict:
        """One page of a Graph edge with its cursors, and `next` when there is more."""
        start = _graph_after(items, req.query.get("after"))
        page = items[start : start + limit]
        body: dict = {"data": [render(item) for item in page]}
        if page:
            cursors = {"before": _graph_cursor(page[0]["id"]), "after": _graph_cursor(page[-1]["id"])}
            body["paging"] = {"cursors": cursors}
            if start + limit < len(items):
                query = {**req.query, "limit": str(limit), "after": cursors["after"]}
                body["paging"]["next"] = f"{self.base_url}{path}?{urlencode(query)}"
        return body

    def _graph_render(self, req: Recorded, item: dict, fields: dict, comments: list[dict]) -> dict:
        """The fields asked for (and the id), as Graph answers; `comments` nested as an edge."""
        rendered = {"id": item["id"]}
        for name, (options, nested) in fields.items():
            if name == "comments" and "_page" in item:
                rendered[name] = self._comment_edge(req, item["id"], options, nested, comments)
            elif name in item and not name.startswith("_"):
                value = item[name]
                rendered[name] = _graph_time(value) if isinstance(value, datetime) else value
        return rendered

    def _comment_edge(
        self, req: Recorded, post_id: str, options: dict, nested: str, comments: list[dict]
    ) -> dict:
        """A post's comments: top-level only unless `filter=stream`, oldest first unless
        `order=reverse_chronological`, as Graph defaults."""
        order, kind = options.get("order", "chronological"), options.get("filter", "toplevel")
        chosen = [c for c in comments if c["_post"] == post_id and (kind == "stream" or "parent" not in c)]
        chosen.sort(key=lambda c: (c["created_time"], c["id"]), reverse=order == "reverse_chronological")
        fields = _graph_fields(nested or "id,message,created_time,from")
        version = req.path.split("/")[1]
        edge_request = Recorded(
            req.method,
            f"/{version}/{post_id}/comments",
            {
                name: value
                for name, value in {"order": order, "filter": kind, "fields": nested}.items()
                | {"after": options.get("after", "")}.items()
                if value
            },
            {},
            None,
            req.headers,
        )
        return self._graph_edge(
            edge_request,
            edge_request.path,
            chosen,
            lambda comment: self._graph_render(req, comment, fields, []),
            _graph_limit(options.get("limit"), 25, 100),
        )

    def _graph_feed(self, req: Recorded, match: re.Match) -> Reply:
        """A Page's posts, newest first, `since`/`until` on their creation time, comments as asked."""
        since, until = _graph_since(req.query.get("since")), _graph_since(req.query.get("until"))
        with self._lock:
            posts = [dict(post) for post in self._facebook_posts if post["_page"] == match["id"]]
            comments = [dict(comment) for comment in self._facebook_comments]
        posts = [
            post
            for post in posts
            if (since is None or post["created_time"] >= since)
            and (until is None or post["created_time"] <= until)
        ]
        posts.sort(key=lambda post: post["created_time"], reverse=True)
        fields = _graph_fields(req.query.get("fields") or "id,message,created_time")
        limit = _graph_limit(req.query.get("limit"), 25, 100)
        body = self._graph_edge(
            req, req.path, posts, lambda p: self._graph_render(req, p, fields, comments), limit
        )
        return 200, body, {}

    def _graph_comments(self, req: Recorded, match: re.Match) -> Reply:
        with self._lock:
            comments = [dict(comment) for comment in self._facebook_comments]
        options = {key: req.query[key] for key in ("order", "filter", "limit", "after") if req.query.get(key)}
        return 200, self._comment_edge(req, match["id"], options, req.query.get("fields", ""), comments), {}

    def _instagram_tags(self, req: Recorded, match: re.Match) -> Reply:
        """Media the account is tagged in, newest first."""
        with self._lock:
            tagged = sorted(self._instagram_tagged, key=lambda media: media["timestamp"], reverse=True)
        fields = _graph_fields(req.query.get("fields") or "id")
        limit = _graph_limit(req.query.get("limit"), 25, 100)
        return (
            200,
            self._graph_edge(req, req.path, tagged, lambda m: self._graph_render(req, m, fields, []), limit),
            {},
        )

    @staticmethod
    def _require(req: Recorded, *names: str) -> None:
        for name in names:
            if not req.query.get(name):
                raise _Problem(400, graph_error(100, f"(#100) The parameter {name} is required"))

    def _instagram_hashtag_search(self, req: Recorded, match: re.Match) -> Reply:
        self._require(req, "user_id", "q")
        return 200, {"data": [{"id": self.hashtag_id(req.query["q"])}]}, {}

    def _instagram_recent_media(self, req: Recorded, match: re.Match) -> Reply:
        """A hashtag's media of the last 24 hours, newest first, at most 50 a page, as Instagram serves."""
        self._require(req, "user_id")
        day_ago = datetime.now(UTC) - timedelta(hours=24)
        with self._lock:
            media = [
                m
                for m in self._instagram_hashtag_media
                if self.hashtag_id(m["_tag"]) == match["id"] and m["timestamp"] >= day_ago
            ]
        media.sort(key=lambda m: m["timestamp"], reverse=True)
        fields = _graph_fields(req.query.get("fields") or "id")
        limit = _graph_limit(req.query.get("limit"), 25, 50)
        return (
            200,
            self._graph_edge(req, req.path, media, lambda m: self._graph_render(req, m, fields, []), limit),
            {},
        )

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

    def _x_search_recent(self, req: Recorded, match: re.Match) -> Reply:
        """Posts of seed_x_post that match the query, newest first, `since_id`/`until_id`, pages of
        `max_results` (10 to 100, as X insists) linked by `next_token`."""
        query = req.query.get("query", "")
        if not query or len(query) > 512:
            raise _Problem(
                400, error_body("x", 400, "The `query` parameter must be 1 to 512 characters long")
            )
        try:
            since, until = int(req.query.get("since_id") or 0), int(req.query.get("until_id") or 0)
            limit = int(req.query.get("max_results") or 10)
            token = req.query.get("next_token") or ""
            before = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) if token else 0
        except ValueError as error:
            raise _Problem(400, error_body("x", 400, f"Invalid parameter: {error}")) from error
        if not 10 <= limit <= 100:
            message = f"The `max_results` query parameter value [{limit}] is not between 10 and 100"
            raise _Problem(400, error_body("x", 400, message))
        with self._lock:
            posts = [dict(post) for post in self._x_posts]
            users = dict(self._x_users)
        found = sorted(
            (
                post["tweet"]
                for post in posts
                if int(post["tweet"]["id"]) > since
                and (not until or int(post["tweet"]["id"]) < until)
                and (not before or int(post["tweet"]["id"]) < before)
                and x_query_matches(query, post["tweet"]["text"], post["retweet"])
            ),
            key=lambda tweet: -int(tweet["id"]),
        )
        page = found[:limit]
        if not page:
            return 200, {"meta": {"result_count": 0}}, {}
        asked = set(req.query.get("tweet.fields", "").split(",")) | {"id", "text", "edit_history_tweet_ids"}
        data = [{name: value for name, value in tweet.items() if name in asked} for tweet in page]
        meta = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if len(found) > limit:
            meta["next_token"] = base64.urlsafe_b64encode(page[-1]["id"].encode()).decode().rstrip("=")
        body: dict = {"data": data, "meta": meta}
        if "author_id" in req.query.get("expansions", ""):
            authors = dict.fromkeys(tweet["author_id"] for tweet in page)
            body["includes"] = {"users": [users[author] for author in authors]}
        return 200, body, {}

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
