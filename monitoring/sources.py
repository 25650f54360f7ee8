"""Polling the platforms for public posts about the city, for the mentions feed.

One small function per source, each fetching with the platform's own client (channels.clients),
storing with services.store and moving its SourceCursor:

* X recent search, per active listening query: cursor `x:search:<query id>`;
* comments on the Page's Facebook posts, except the Page's own: `facebook:comments`;
* Instagram media the city's account is tagged in (`instagram:tags`) and recent media with the
  hashtags the listening queries look for (`instagram:hashtag:<tag>`).

Guarantees. A cursor moves only in the transaction that stored what it covers: after a crash the next
poll reads those posts again (store() skips them), it never skips one. A rate limit (X's 429, Graph's
codes 4, 17, 32, 613) pauses the whole source until the platform says (the cursor's `resume_at`): the
limit is per app and endpoint, so its other cursors would only hit it too. Any other error is logged
and kept in the cursor's `last_error`; the source's other cursors and the other sources go on. A source
whose channel has no credentials is skipped.

Personal data: only what the desk needs is kept (the text, the public handle, the platform's id of the
author to answer them, the link); no profile data. Instagram hashtag media, which anyone can post, are
kept only when a listening query matches them.
"""

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
import tweepy
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pyfacebook import GraphAPI
from pyfacebook.exceptions import FacebookError, LibraryError

from channels import clients
from channels.registry import configured
from inbox.models import Channel
from monitoring import query as queries
from monitoring import services
from monitoring.models import Mention, SourceCursor
from monitoring.services import Post

logger = logging.getLogger(__name__)

BACKOFF = timedelta(minutes=15)  # when a platform does not say how long its rate limit lasts
FIRST_POLL = timedelta(days=7)  # how far back a new time cursor starts, and the furthest any goes back
OVERLAP = timedelta(minutes=5)  # read again before a time cursor: a post can show up a little late

X_PAGES = 5  # pages of 100 per query and poll; a longer backlog is read on at the next poll
X_QUERY_LIMIT = 512  # characters X's recent search accepts
X_TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "note_tweet"]
# Recent search reaches back seven days and refuses a since_id/until_id older than that (with an hour
# to spare for the time between reading the cursor and asking).
X_REACH = timedelta(days=7) - timedelta(hours=1)
X_EPOCH_MS = 1288834974657  # X's ids carry their time in milliseconds since this moment, shifted 22 bits

GRAPH_PAGES = 5
GRAPH_RATE_LIMITS = {4, 17, 32, 613}  # app, user, Page and endpoint rate limits
FEED_WINDOW = timedelta(days=7)  # comments are read on the Page's posts of the week before the cursor
COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
FEED_FIELDS = (
    f"id,created_time,comments.order(reverse_chronological).filter(stream).limit(100){{{COMMENT_FIELDS}}}"
)
TAG_FIELDS = "id,caption,timestamp,username,permalink"
HASHTAG_MEDIA_FIELDS = "id,caption,timestamp,permalink"
LEASE = timedelta(minutes=15)  # three poll intervals: longer than any poll that is still alive
MAX_HASHTAGS = 30  # Instagram allows 30 unique hashtags per account in seven days


class SourceError(Exception):
    """A source cannot be polled as it is set up; the message is for the cursor's last_error."""


class _Paused(Exception):
    """A rate limit: the source waits until the cursor's resume_at."""


# --- All sources ----------------------------------------------------------------------------------


def poll_sources(now: datetime | None = None) -> dict[str, int]:
    """Poll every source that is configured and not paused by a rate limit; new mentions per source.

    A source that fails is logged and counted as 0; it never stops the others.
    """
    now = now or timezone.now()
    counts = {}
    for name, (is_configured, prefix, poll) in SOURCES.items():
        if not is_configured() or paused(prefix, now) or not _lease(name, now):
            continue
        try:
            counts[name] = len(poll(now))
        except Exception:
            logger.exception("monitoring source %s failed", name)
            counts[name] = 0
        finally:
            SourceCursor.objects.filter(source=name).update(leased_until=None)
    return counts


def _lease(name: str, now: datetime) -> bool:
    """One poll of a source at a time: a run that overlaps a slow one (or a second beat) skips the
    source instead of reading the same cursor twice. A worker that dies holds it for LEASE at most."""
    SourceCursor.objects.get_or_create(source=name)
    free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    return SourceCursor.objects.filter(free, source=name).update(leased_until=now + LEASE) == 1


def paused(prefix: str, now: datetime) -> bool:
    """Whether a rate limit on one of the source's cursors still holds."""
    return SourceCursor.objects.filter(source__startswith=prefix, resume_at__gt=now).exists()


@contextmanager
def _polling(source: str, now: datetime, graph: GraphAPI | None = None) -> Iterator[SourceCursor]:
    """The cursor of `source`; a rate limit pauses it and raises _Paused, any other error is recorded."""
    cursor, _created = SourceCursor.objects.get_or_create(source=source)
    try:
        yield cursor
    except tweepy.TooManyRequests as error:
        _pause(cursor, _x_reset(error) or now + BACKOFF, now, "X's rate limit is reached")
        raise _Paused from error
    except FacebookError as error:
        if getattr(error, "code", None) not in GRAPH_RATE_LIMITS:
            _fail(cursor, now, error)
            return
        _pause(cursor, _graph_resume(graph, now), now, f"Meta's rate limit is reached (code {error.code})")
        raise _Paused from error
    except Exception as error:
        _fail(cursor, now, error)


def _pause(cursor: SourceCursor, until: datetime, now: datetime, reason: str) -> None:
    logger.warning("monitoring source %s paused until %s: %s", cursor.source, until.isoformat(), reason)
    SourceCursor.objects.filter(pk=cursor.pk).update(resume_at=until, polled_at=now, last_error=reason[:300])


def _fail(cursor: SourceCursor, now: datetime, error: Exception) -> None:
    reason = _reason(error)
    if reason is None:  # not the platform's doing: keep the traceback
        reason = f"{type(error).__name__}: {error}"
        logger.error("monitoring source %s failed", cursor.source, exc_info=error)
    else:
        logger.warning("monitoring source %s failed: %s", cursor.source, reason)
    SourceCursor.objects.filter(pk=cursor.pk).update(last_error=reason[:300], polled_at=now)


def _reason(error: Exception) -> str | None:
    """What a platform's error says, for the cursor's last_error; None for an error of ours."""
    if isinstance(error, tweepy.HTTPException):
        detail = "; ".join(error.api_messages) or error.response.reason
        return f"X answered {error.response.status_code}: {detail}"
    if isinstance(error, FacebookError):
        return f"Meta answered code {getattr(error, 'code', '?')}: {getattr(error, 'message', '')}"
    if isinstance(error, LibraryError):
        return "Meta's answer could not be read"
    if isinstance(error, requests.RequestException):
        return f"network error ({type(error).__name__})"  # its message has the URL, and tokens in it
    if isinstance(error, SourceError):
        return str(error)
    return None


def _keep(cursor: SourceCursor, posts: list[Post], position: str, now: datetime) -> list[Post]:
    """Store the posts and move the cursor past them, in one transaction; the posts that were new."""
    with transaction.atomic():
        new = _not_stored(posts)
        if posts:
            services.store(posts, now=now)
        cursor.position, cursor.polled_at, cursor.resume_at, cursor.last_error = position, now, None, ""
        cursor.save(update_fields=["position", "polled_at", "resume_at", "last_error"])
    return new


def _not_stored(posts: list[Post]) -> list[Post]:
    ids = {post.external_id for post in posts}
    seen = set(Mention.objects.filter(external_id__in=ids).values_list("channel", "external_id"))
    new = []
    for post in posts:
        if (post.channel, post.external_id) not in seen:
            seen.add((post.channel, post.external_id))
            new.append(post)
    return new


def _time(value: object) -> datetime | None:
    """A time as the platforms and our cursors write it (ISO 8601; Graph's `+0000` too), or None."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


# --- X --------------------------------------------------------------------------------------------


def x_configured() -> bool:
    """Recent search works with the app's bearer token or the account's user tokens."""
    return bool(settings.X_BEARER_TOKEN) or configured(Channel.X)


def poll_x(now: datetime) -> list[Post]:
    """New posts from X's recent search (no retweets), for every active listening query."""
    client = clients.x()
    found: list[Post] = []
    for listening, tree in services.active_queries():
        try:
            with _polling(f"x:search:{listening.pk}", now) as cursor:
                # Bracketed: X's AND binds tighter than OR, and `-is:retweet` must hold for the whole query.
                found += _search_x(client, cursor, queries.to_x(tree, top=False), now)
        except _Paused:
            break
    return found


@dataclass
class _XPosition:
    """Where a search left off: `digest:since_id`, or `digest:since_id:newest_id:oldest_id` while a
    backlog is read from the newest post down (X pages newest first): what lies between since_id and
    oldest_id is still to read, and since_id becomes newest_id when it is done. The digest is the
    query's: a changed query starts over."""

    digest: str
    since: str = ""
    newest: str = ""
    oldest: str = ""

    @classmethod
    def read(cls, position: str, digest: str, now: datetime) -> "_XPosition":
        stored, *ids = position.split(":")
        if stored != digest or len(ids) not in (1, 3) or not all(i.isdigit() or not i for i in ids):
            return cls(digest)
        if any(i and _x_time(i) < now - X_REACH for i in ids):
            return cls(digest)  # beyond recent search's reach: read the seven days it still has
        return cls(digest, *ids)

    def __str__(self) -> str:
        ids = [self.since, self.newest, self.oldest] if self.oldest else [self.since]
        return ":".join([self.digest, *ids])


def _search_x(client: tweepy.Client, cursor: SourceCursor, x_query: str, now: datetime) -> list[Post]:
    query = f"{x_query} -is:retweet"
    if len(query) > X_QUERY_LIMIT:
        raise SourceError(f"The query has {len(query)} characters in X's syntax; X accepts {X_QUERY_LIMIT}.")
    state = _XPosition.read(cursor.position, hashlib.sha256(x_query.encode()).hexdigest()[:12], now)
    until, token = state.oldest, None  # a backlog is read on below the oldest post read so far
    found: list[Post] = []
    for _page in range(X_PAGES):
        response = client.search_recent_tweets(
            query,
            since_id=state.since or None,
            until_id=until or None,
            next_token=token,
            max_results=100,
            tweet_fields=X_TWEET_FIELDS,
            expansions=["author_id"],
            user_auth=not settings.X_BEARER_TOKEN,
        )
        meta = response.meta or {}
        if response.data:
            state.newest = state.newest or str(meta["newest_id"])
            state.oldest = str(meta["oldest_id"])
        token = meta.get("next_token")
        if not token:  # all read: the next poll asks for what is newer than the newest
            state = _XPosition(state.digest, state.newest or state.since)
        found += _keep(cursor, _x_posts(response, now), str(state), now)
        if not token:
            break
    return found


def _x_posts(response: tweepy.Response, now: datetime) -> list[Post]:
    handles = {str(user.id): user.username for user in (response.includes or {}).get("users", [])}
    posts = []
    for tweet in response.data or []:
        handle = handles.get(str(tweet.author_id), "")
        long_text = (tweet.data.get("note_tweet") or {}).get("text")  # `text` stops at 280 characters
        posts.append(
            Post(
                channel=Channel.X,
                external_id=str(tweet.id),
                text=long_text or tweet.text,
                posted_at=tweet.created_at or now,
                author=handle,
                author_id=str(tweet.author_id or ""),
                url=f"https://x.com/{handle or 'i/web'}/status/{tweet.id}",
                thread_key=str(tweet.conversation_id or tweet.id),
            )
        )
    return posts


def _x_time(post_id: str) -> datetime:
    return datetime.fromtimestamp(((int(post_id) >> 22) + X_EPOCH_MS) / 1000, UTC)


def _x_reset(error: tweepy.TooManyRequests) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(error.response.headers["x-rate-limit-reset"]), UTC)
    except (KeyError, TypeError, ValueError):
        return None


# --- Meta -----------------------------------------------------------------------------------------


def _graph_resume(graph: GraphAPI | None, now: datetime) -> datetime:
    """When Meta lets us in again: its estimate in the usage headers, else after BACKOFF."""
    minutes = []
    if graph is not None:
        for limits in graph.rate_limit.resources["business"].values():
            for usage in limits.values():
                try:
                    minutes.append(int(usage.estimated_time_to_regain_access or 0))
                except (TypeError, ValueError):
                    continue
    wait = max(minutes, default=0)
    return now + (timedelta(minutes=wait) if wait else BACKOFF)


def _after(edge: dict) -> str | None:
    """The cursor of the next page of a Graph edge, if it has one."""
    paging = edge.get("paging") or {}
    return (paging.get("cursors") or {}).get("after") if paging.get("next") else None


def _media_since(
    graph: GraphAPI, object_id: str, edge: str, floor: datetime, **options: str
) -> list[tuple[dict, datetime]]:
    """Media of an Instagram edge from `floor` on, with their times; pages until one brings none."""
    found, after = [], None
    for _page in range(GRAPH_PAGES):
        page = graph.get_connection(object_id, edge, **options, **({"after": after} if after else {}))
        timed = [(media, _time(media.get("timestamp"))) for media in page.get("data", [])]
        recent = [(media, moment) for media, moment in timed if moment is not None and moment >= floor]
        found += recent
        after = _after(page)
        if not recent or not after:
            break
    return found


def _floor(cursor_time: datetime | None, now: datetime) -> datetime:
    """From when a time cursor reads: a little before the newest post read (store() skips what is
    there), never further back than FIRST_POLL."""
    return max(cursor_time - OVERLAP, now - FIRST_POLL) if cursor_time else now - FIRST_POLL


def _latest(cursor_time: datetime | None, moments: list[datetime]) -> str:
    """The next time cursor: the newest post read so far, by the platform's clock (not ours)."""
    times = moments + ([cursor_time] if cursor_time else [])
    return max(times).isoformat() if times else ""


# --- Facebook -------------------------------------------------------------------------------------


def poll_facebook(now: datetime) -> list[Post]:
    """New comments on the Page's posts (replies too), except the Page's own."""
    graph = clients.graph()
    try:
        with _polling("facebook:comments", now, graph) as cursor:
            stored = _time(cursor.position)
            comments = _facebook_comments(graph, _floor(stored, now))
            position = _latest(stored, [moment for _post, moment in comments])
            return _keep(cursor, [post for post, _moment in comments], position, now)
    except _Paused:
        pass
    return []


def _facebook_comments(graph: GraphAPI, floor: datetime) -> list[tuple[Post, datetime]]:
    """Comments from `floor` on, on the Page's posts of the FEED_WINDOW before it (Graph's `since`
    filters posts by their own time; comments come newest first)."""
    found, after = [], None
    since = int((floor - FEED_WINDOW).timestamp())
    for _page in range(GRAPH_PAGES):
        options = {"fields": FEED_FIELDS, "since": since, "limit": 25} | ({"after": after} if after else {})
        feed = graph.get_connection(settings.META_PAGE_ID, "feed", **options)
        for post in feed.get("data", []):
            found += _comments_of(graph, post, floor)
        after = _after(feed)
        if not after:
            break
    return found


def _comments_of(graph: GraphAPI, post: dict, floor: datetime) -> list[tuple[Post, datetime]]:
    found, edge = [], post.get("comments") or {}
    for _page in range(GRAPH_PAGES):
        timed = [(comment, _time(comment.get("created_time"))) for comment in edge.get("data", [])]
        recent = [(comment, moment) for comment, moment in timed if moment is not None and moment >= floor]
        found += recent
        after = _after(edge)
        if not after or len(recent) < len(timed):  # newest first: the rest is older
            break
        edge = graph.get_connection(
            post["id"],
            "comments",
            fields=COMMENT_FIELDS,
            order="reverse_chronological",
            filter="stream",
            limit=100,
            after=after,
        )
    return [
        (_facebook_post(post["id"], comment, moment), moment)
        for comment, moment in found
        if comment.get("message") and str((comment.get("from") or {}).get("id")) != settings.META_PAGE_ID
    ]


def _facebook_post(post_id: str, comment: dict, moment: datetime) -> Post:
    author = comment.get("from") or {}
    return Post(
        channel=Channel.FACEBOOK,
        external_id=str(comment["id"]),
        text=str(comment["message"]),
        posted_at=moment,
        author=str(author.get("name", "")),
        author_id=str(author.get("id", "")),
        url=str(comment.get("permalink_url", "")),
        thread_key=post_id,
        # What channels.meta records for a Page comment, so that a reply finds its way.
        context={
            "comment_id": str(comment["id"]),
            "post_id": post_id,
            "parent_id": str((comment.get("parent") or {}).get("id", "")),
        },
    )


# --- Instagram ------------------------------------------------------------------------------------


def poll_instagram(now: datetime) -> list[Post]:
    """New media the account is tagged in, and new media with the listening queries' hashtags."""
    graph = clients.graph()
    found: list[Post] = []
    try:
        with _polling("instagram:tags", now, graph) as cursor:
            found += _instagram_tags(graph, cursor, now)
        for tag in hashtags():
            with _polling(f"instagram:hashtag:{tag}", now, graph) as cursor:
                found += _instagram_hashtag(graph, cursor, tag, now)
    except _Paused:
        pass
    return found


def hashtags() -> list[str]:
    """The hashtags the active listening queries look for (not those they leave out), at most 30."""
    tags = sorted({tag for _listening, tree in services.active_queries() for tag in _hashtags_in(tree)})
    if len(tags) > MAX_HASHTAGS:
        logger.warning("Instagram allows %d hashtags; not polled: %s", MAX_HASHTAGS, tags[MAX_HASHTAGS:])
    return tags[:MAX_HASHTAGS]


def _hashtags_in(node: queries.Node, negated: bool = False) -> set[str]:
    if isinstance(node, queries.Term):
        return {node.text} if node.kind == "hashtag" and not negated else set()
    if isinstance(node, queries.Not):
        return _hashtags_in(node.operand, not negated)
    return set().union(*(_hashtags_in(operand, negated) for operand in node.operands))


def _instagram_tags(graph: GraphAPI, cursor: SourceCursor, now: datetime) -> list[Post]:
    stored = _time(cursor.position)
    floor = _floor(stored, now)
    media = _media_since(graph, settings.META_INSTAGRAM_ID, "tags", floor, fields=TAG_FIELDS, limit="50")
    posts = []
    for item, moment in media:
        handle = str(item.get("username", ""))
        posts.append(
            Post(
                channel=Channel.INSTAGRAM,
                external_id=str(item["id"]),
                text=str(item.get("caption", "")),
                posted_at=moment,
                author=handle,
                author_id=f"@{handle}" if handle else "",  # as channels.meta names mentioning accounts
                url=str(item.get("permalink", "")),
                thread_key=str(item["id"]),
                context={"media_id": str(item["id"]), "tagged": True},
            )
        )
    return _keep(cursor, posts, _latest(stored, [moment for _item, moment in media]), now)


def _instagram_hashtag(graph: GraphAPI, cursor: SourceCursor, tag: str, now: datetime) -> list[Post]:
    """A hashtag's recent media that a listening query matches; the hashtag's id is kept in the cursor
    (`<hashtag id> <time>`), as every lookup counts against Instagram's 30 hashtags a week."""
    hashtag_id, _, moment = cursor.position.partition(" ")
    if not hashtag_id:
        answer = graph.get("ig_hashtag_search", {"user_id": settings.META_INSTAGRAM_ID, "q": tag})
        hashtag_id = str(((answer.get("data") or [{}])[0]).get("id", ""))
        if not hashtag_id:
            raise SourceError(f"Instagram knows no hashtag #{tag}.")
        SourceCursor.objects.filter(pk=cursor.pk).update(position=f"{hashtag_id} ")
    stored = _time(moment)
    floor = _floor(stored, now)
    media = _media_since(
        graph,
        hashtag_id,
        "recent_media",
        floor,
        user_id=settings.META_INSTAGRAM_ID,
        fields=HASHTAG_MEDIA_FIELDS,
        limit="50",
    )
    trees = [tree for _listening, tree in services.active_queries()]
    posts = [
        Post(
            channel=Channel.INSTAGRAM,
            external_id=str(item["id"]),
            text=str(item.get("caption", "")),
            posted_at=posted_at,
            url=str(item.get("permalink", "")),  # Instagram does not say whose hashtag media are
            thread_key=str(item["id"]),
            context={"media_id": str(item["id"]), "hashtag": tag},
        )
        for item, posted_at in media
        if _matches_any(trees, str(item.get("caption", "")))
    ]
    position = f"{hashtag_id} {_latest(stored, [posted_at for _item, posted_at in media])}"
    return _keep(cursor, posts, position, now)


def _matches_any(trees: list[queries.Node], text: str) -> bool:
    prepared = queries.Text.of(text)
    return any(queries.matches(tree, prepared) for tree in trees)


SOURCES: dict[str, tuple[Callable[[], bool], str, Callable[[datetime], list[Post]]]] = {
    "x": (x_configured, "x:", poll_x),
    "facebook": (lambda: configured(Channel.FACEBOOK), "facebook:", poll_facebook),
    "instagram": (lambda: configured(Channel.INSTAGRAM), "instagram:", poll_instagram),
}
